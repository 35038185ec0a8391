"""The tendering demo data (``app/demo/tendering.py``), as the session's demo load left it:
one tender in every status, made through the services, and no bid of an unopened tender
readable in clear anywhere the service writes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.demo.tendering import DEMO_PROJECTS
from models.audit import AuditEvent
from models.base import utcnow
from models.notifications import OutboxEvent
from models.projects import Project
from models.tendering import TENDER_STATUSES, Bid, Tender, TenderStatusChange
from resolvers.tendering.bids import own_copy_context

# Other tests let the award job run with the clock moved on, which awards the demo's tender in
# publicity too: these run first.
pytestmark = pytest.mark.demo_state

UNOPENED = ("draft", "published", "cancelled")


async def _demo_tenders(session) -> dict[str, Tender]:
    """The tenders the tendering demo made (the demo load's audit events name them, and they
    are for the tendering demo's projects: the contracts demo adds an award of its own), by
    status."""
    ids = (
        await session.execute(
            select(AuditEvent.target_id).where(AuditEvent.operation == "cli.demo-data", AuditEvent.target_type == "Tender")
        )
    ).scalars()
    titles = [title for title, _category, _budget, _items in DEMO_PROJECTS.values()]
    tenders = (
        (
            await session.execute(
                select(Tender)
                .join(Project, Project.id == Tender.project_id)
                .where(Tender.id.in_({int(i) for i in ids}), Project.title.in_(titles))
            )
        )
        .scalars()
        .all()
    )
    by_status: dict[str, Tender] = {}
    for tender in tenders:
        assert tender.status not in by_status, f"two demo tenders are {tender.status}"
        by_status[tender.status] = tender
    return by_status


async def test_one_demo_tender_in_every_status_with_its_deadline_where_the_status_needs_it(state):
    assert state.clock.offset == timedelta()  # the loader put the clock back
    async with state.db.read() as session:
        tenders = await _demo_tenders(session)
    assert set(tenders) == set(TENDER_STATUSES)
    assert {t.method for t in tenders.values()} == {"rfq", "simple_tender"}
    now = utcnow()
    assert tenders["published"].bid_deadline > now and tenders["draft"].bid_deadline > now
    for status in ("opened", "evaluated", "publicity", "awarded", "failed"):
        assert tenders[status].opened_at is not None and tenders[status].bid_deadline <= tenders[status].opened_at <= now
    publicity = tenders["publicity"]
    assert publicity.publicity_ends_at is not None and publicity.publicity_ends_at > now  # the scheduled rule leaves it alone
    # The failed round was followed by a second one on the same project.
    failed = tenders["failed"]
    assert failed.close_reason is not None and failed.close_reason.startswith("TOO_FEW_BIDS")
    second = [t for t in tenders.values() if t.project_id == failed.project_id and t.id != failed.id]
    assert len(second) == 1 and second[0].round == 2


async def test_the_awarded_demo_tender_has_its_winner_and_losers_and_was_awarded_by_the_scheduled_rule(state):
    async with state.db.read() as session:
        awarded = (await _demo_tenders(session))["awarded"]
        statuses = sorted((await session.execute(select(Bid.status).where(Bid.tender_id == awarded.id))).scalars())
        award = (
            await session.execute(
                select(TenderStatusChange).where(TenderStatusChange.tender_id == awarded.id, TenderStatusChange.action == "award")
            )
        ).scalar_one()
    assert awarded.method == "rfq"
    assert statuses == ["lost", "lost", "won"]
    assert award.actor_id == 0  # the system, as the worker runs the rule
    assert awarded.publicity_ends_at is not None and awarded.awarded_at is not None and awarded.awarded_at >= awarded.publicity_ends_at


async def test_no_bid_of_an_unopened_demo_tender_is_readable_in_clear(state):
    async with state.db.read() as session:
        tenders = await _demo_tenders(session)
        unopened = [tenders[s].id for s in UNOPENED]
        sealed = (await session.execute(select(Bid).where(Bid.tender_id.in_(unopened)))).scalars().all()
        trail = list((await session.execute(select(AuditEvent.changes).where(AuditEvent.operation == "cli.demo-data"))).scalars())
        trail += (await session.execute(select(OutboxEvent.payload))).scalars()
    assert len(sealed) >= 2  # the published tender's and the cancelled one's
    for bid in sealed:
        assert bid.opened_at is None and bid.opened_price is None and bid.opened_content is None and bid.opened_hash is None
        assert bid.own_copy is not None and bid.sealed_content is not None
        # The price as the bidder sees it in its own copy, which only the bidder is shown.
        price = json.loads(state.cipher.decrypt(bid.own_copy, own_copy_context(bid.tender_id, bid.organisation_id)))["content"]["price"]
        assert price not in bid.sealed_content
        assert not [text for text in trail if price in text], f"the price {price} of an unopened bid was written in clear"
