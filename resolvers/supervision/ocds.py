"""OCDS 1.1.5 publication (开放合同数据): one release per lifecycle event of a contracting
process, published once and never changed, and what is served from them — release packages,
paged, and record packages with the compiled release.

A process is a project: its ocid is the configured prefix, "-" and the project's code.
Releases are published by reacting to the other domains' outbox events (``PUBLISHED_ON``);
each is made from the process as it stands when the event is delivered
(``resolvers.supervision.ocds_map``), stored as the JSON text served, with its SHA-256, and
audited. The event's id is unique among releases, so delivering an event again publishes
nothing. A process's releases are numbered in the order they were published and each is
dated after the one before, so merging them by date replays them in that order.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.accounts import Organisation
from models.contracts import Contract, ContractMilestone, ContractVersion
from models.notifications import OutboxEvent
from models.payments import PaymentRequest
from models.projects import Project, ProjectLineItem
from models.supervision import OcdsRelease
from models.tendering import Bid, Tender, TenderAmendment
from policies.scope import scope_for
from resolvers.core import outbox
from resolvers.core.clock import SHANGHAI
from resolvers.core.context import SYSTEM_ACTOR, Actor, RequestMeta, UnitOfWork
from resolvers.core.errors import BadInput
from resolvers.core.pagination import ListQuery, PageArgs, paginate
from resolvers.core.transaction import unit_of_work
from resolvers.supervision import ocds_map, ocds_schema

log = logging.getLogger("smallworks.ocds")

# The events that publish a release, and its tag (releaseTag.csv).
PUBLISHED_ON: dict[str, str] = {
    "project.approved": "planning",
    "tender.published": "tender",
    "tender.amended": "tenderUpdate",
    "tender.opened": "tenderUpdate",
    "tender.evaluated": "tenderUpdate",
    "tender.failed": "tenderUpdate",
    "tender.cancelled": "tenderUpdate",
    "tender.awarded": "award",
    "contract.activated": "contract",
    "milestone.accepted": "implementation",
    "payment.paid": "implementation",
    "contract.completed": "implementation",
}
# What each event's subject is (the rest are the tendering domain's: a tender).
_SUBJECT_OF = {
    "project.approved": "project",
    "milestone.accepted": "contract",
    "contract.activated": "contract",
    "contract.completed": "contract",
    "payment.paid": "payment",
}


def subject_of(event_type: str) -> str:
    return _SUBJECT_OF.get(event_type, "tender")


def ocid_of(settings: Any, project_code: str) -> str:
    return f"{settings.ocds_ocid_prefix}-{project_code}"


# -- loading a process -------------------------------------------------------------------------


async def _all(session: AsyncSession, statement) -> list[Any]:
    return list((await session.execute(statement)).scalars())


async def load_process(session: AsyncSession, event_type: str, subject_id: str) -> ocds_map.Process | None:
    """The process an event concerns, as far as its release needs it; None when the subject
    is gone (nothing to publish)."""
    tag = PUBLISHED_ON[event_type]
    kind = subject_of(event_type)
    try:
        key = int(subject_id)
    except ValueError:
        return None
    contract: Contract | None = None
    tender: Tender | None = None
    if kind == "payment":
        request = await session.get(PaymentRequest, key)
        if request is None:
            return None
        contract = await session.get(Contract, request.contract_id)
    elif kind == "contract":
        contract = await session.get(Contract, key)
    elif kind == "tender":
        tender = await session.get(Tender, key)
        if tender is None or tender.published_at is None:
            return None  # a draft cancelled before publication was never public
    if kind in ("payment", "contract"):
        if contract is None:
            return None
        tender = await session.get(Tender, contract.tender_id)
    if kind == "project":
        project = await session.get(Project, key)
    else:
        assert tender is not None
        project = await session.get(Project, tender.project_id)
    if project is None:
        return None
    owner = await session.get(Organisation, project.owner_organisation_id)
    assert owner is not None
    process = ocds_map.Process(project=project, owner=owner, tender=tender)
    if tender is None:
        return process
    sections = ocds_map.SECTIONS[tag]
    if "tender" in sections:
        process.line_items = await _all(
            session, select(ProjectLineItem).where(ProjectLineItem.project_id == project.id).order_by(ProjectLineItem.position)
        )
        process.tender_amendments = await _all(
            session, select(TenderAmendment).where(TenderAmendment.tender_id == tender.id).order_by(TenderAmendment.number)
        )
    if tender.opened_at is not None:
        # Opened bids only: a bid is sealed until its tender's opening, and a withdrawn one never is.
        process.bids = await _all(
            session, select(Bid).where(Bid.tender_id == tender.id, Bid.opened_at.is_not(None)).order_by(Bid.submitted_at, Bid.id)
        )
    if contract is not None:
        process.contract = contract
        process.milestones = await _all(
            session, select(ContractMilestone).where(ContractMilestone.contract_id == contract.id).order_by(ContractMilestone.sequence)
        )
        process.contract_amendments = await _all(
            session,
            select(ContractVersion)
            .where(
                ContractVersion.contract_id == contract.id, ContractVersion.kind == "amendment", ContractVersion.activated_at.is_not(None)
            )
            .order_by(ContractVersion.number),
        )
        process.payments = await _all(
            session,
            select(PaymentRequest)
            .where(PaymentRequest.contract_id == contract.id, PaymentRequest.status == "paid", PaymentRequest.paid_on.is_not(None))
            .order_by(PaymentRequest.paid_on, PaymentRequest.id),
        )
    wanted = {b.organisation_id for b in process.bids} | ({contract.contractor_organisation_id} if contract is not None else set())
    if wanted:
        found = {o.id: o for o in await _all(session, select(Organisation).where(Organisation.id.in_(sorted(wanted))))}
        process.bidders = found
        if contract is not None:
            process.contractor = found[contract.contractor_organisation_id]
    return process


# -- publishing --------------------------------------------------------------------------------


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def publish(uow: UnitOfWork, event_id: int) -> OcdsRelease | None:
    """The release of an outbox event, published unless it was already (idempotent); None
    when it was, or when the event publishes nothing."""
    session = uow.session
    if (await session.execute(select(OcdsRelease.id).where(OcdsRelease.event_id == event_id))).first() is not None:
        return None
    event = await session.get(OutboxEvent, event_id)
    if event is None or event.event_type not in PUBLISHED_ON:
        return None
    tag = PUBLISHED_ON[event.event_type]
    process = await load_process(session, event.event_type, event.subject_id)
    if process is None:
        log.warning("event %s (%s %s): its subject is gone; no OCDS release", event_id, event.event_type, event.subject_id)
        return None
    ocid = ocid_of(uow.settings, process.project.code)
    # One publication of a process at a time (fifty payments of one contract may be delivered
    # at once): the project's row is held until this transaction ends, so each takes the next
    # number and a later date. SQLite runs one writing transaction at a time anyway.
    await session.execute(select(Project.id).where(Project.id == process.project.id).with_for_update())
    if (await session.execute(select(OcdsRelease.id).where(OcdsRelease.event_id == event_id))).first() is not None:
        return None  # published by a delivery of the same event that held the lock first
    last = (
        await session.execute(
            select(OcdsRelease.sequence, OcdsRelease.date).where(OcdsRelease.ocid == ocid).order_by(OcdsRelease.sequence.desc()).limit(1)
        )
    ).first()
    sequence = 1 if last is None else last.sequence + 1
    moment = event.created_at if last is None or event.created_at > last.date else last.date + timedelta(microseconds=1)
    release_id = f"{ocid}-{sequence:03d}-{tag}"
    text = ocds_map.dumps(ocds_map.release(process, tag=tag, ocid=ocid, release_id=release_id, date=moment))
    row = OcdsRelease(
        ocid=ocid,
        release_id=release_id,
        sequence=sequence,
        tag=tag,
        date=moment,
        project_id=process.project.id,
        event_id=event_id,
        event_type=event.event_type,
        data=text,
        sha256=sha256_of(text),
        published_at=uow.now,
    )
    session.add(row)
    await session.flush()
    uow.audit(
        "OcdsRelease",
        row.id,
        {"ocid": ocid, "release_id": release_id, "tag": tag, "event_id": event_id, "sha256": row.sha256},
        region_code=process.project.region_code,
    )
    return row


@outbox.reacts_to(*PUBLISHED_ON)
async def publish_release(state: Any, subject_id: str, payload: dict[str, Any]) -> None:
    """The release of the event being delivered (a redelivery finds it published)."""
    event_id = outbox.delivered().event_id
    meta = RequestMeta(request_id=f"ocds-release-{event_id}")
    async with unit_of_work(state, "reaction.ocds_release", SYSTEM_ACTOR, meta) as uow:
        await publish(uow, event_id)


# -- reading: packages and records -------------------------------------------------------------


def parse_moment(name: str, text: str | None) -> datetime | None:
    """A ``since`` / ``until`` filter: an ISO 8601 date-time with its offset, or a date (its
    midnight in China)."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), SHANGHAI).astimezone(UTC)
        # A "+08:00" sent unencoded in a query string arrives as " 08:00".
        moment = datetime.fromisoformat(re.sub(r" (\d{2}:?\d{2})$", r"+\1", text))
    except ValueError:
        raise BadInput("OCDS_INVALID_MOMENT", argument=name, value=text[:40]) from None
    if moment.tzinfo is None:
        raise BadInput("OCDS_INVALID_MOMENT", argument=name, value=text[:40])
    return moment.astimezone(UTC)


def parse_limit(text: str | None, limit: int) -> int:
    if text is None or not text.strip():
        return limit
    try:
        value = int(text)
    except ValueError:
        raise BadInput("OCDS_INVALID_LIMIT", limit=limit) from None
    if not 1 <= value <= limit:
        raise BadInput("OCDS_INVALID_LIMIT", limit=limit)
    return value


@dataclass(frozen=True)
class ReleasePage:
    texts: list[str]  # the releases as published, oldest published first
    published: datetime | None  # the latest publication among them
    next_cursor: str | None


_ORDER = [(OcdsRelease.id, False)]


async def release_page(
    session: AsyncSession,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    ocid: str | None = None,
    after: str | None = None,
    size: int,
) -> ReleasePage:
    """One page of published releases, in the order they were published (so a reader that
    follows ``next`` from where it stopped misses none published since), filtered by release
    date (``since`` inclusive, ``until`` exclusive) and ocid."""
    stmt = select(OcdsRelease.id, OcdsRelease.data, OcdsRelease.published_at)
    if since is not None:
        stmt = stmt.where(OcdsRelease.date >= since)
    if until is not None:
        stmt = stmt.where(OcdsRelease.date < until)
    if ocid is not None:
        stmt = stmt.where(OcdsRelease.ocid == ocid)

    async def rows_of(statement):
        return (await session.execute(statement)).all()

    page = await paginate(rows_of, stmt, _ORDER, PageArgs(first=size, after=after), max_size=size, default_size=size, key=lambda r: (r.id,))
    return ReleasePage(
        texts=[r.data for r in page.rows],
        published=max((r.published_at for r in page.rows), default=None),
        next_cursor=page.cursor(len(page.rows) - 1) if page.has_next_page and page.rows else None,
    )


def package_metadata(settings: Any, uri: str, published: datetime, extensions: Sequence[str]) -> dict[str, Any]:
    """What every package says about itself: its uri, the OCDS version, when its contents last
    changed, who publishes it, under which license and policy, with which extensions."""
    publisher: dict[str, Any] = {"name": settings.ocds_publisher_name}
    for key, value in (
        ("scheme", settings.ocds_publisher_scheme),
        ("uid", settings.ocds_publisher_uid),
        ("uri", settings.ocds_publisher_uri),
    ):
        if value:
            publisher[key] = value
    out: dict[str, Any] = {"uri": uri, "version": ocds_schema.VERSION, "publishedDate": ocds_map.instant(published), "publisher": publisher}
    if extensions:
        out["extensions"] = list(extensions)
    if settings.ocds_license:
        out["license"] = settings.ocds_license
    if settings.ocds_publication_policy:
        out["publicationPolicy"] = settings.ocds_publication_policy
    return out


def extensions_used(texts: Sequence[str]) -> list[str]:
    """The extensions whose fields the releases carry (in canonical JSON a key is ``"name":``;
    text values have their quotes escaped, so they cannot look like one)."""
    return [ocds_schema.BIDS_EXTENSION] if any('"bids":' in text for text in texts) else []


def release_package(settings: Any, page: ReleasePage, uri: str, next_uri: str | None) -> bytes:
    """The page as an OCDS release package, each release the very text published."""
    assert page.texts and page.published is not None
    head = package_metadata(settings, uri, page.published, extensions_used(page.texts))
    if next_uri is not None:
        head["links"] = {"next": next_uri}
    opening = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
    return f'{opening},"releases":[{",".join(page.texts)}]}}'.encode()


async def record_package(session: AsyncSession, settings: Any, ocid: str, uri: str, releases_uri: str) -> bytes | None:
    """The record of one process as an OCDS record package: every release it has, oldest
    first, and the compiled release merged from them; None when nothing was published."""
    rows = (
        await session.execute(
            select(OcdsRelease.data, OcdsRelease.published_at).where(OcdsRelease.ocid == ocid).order_by(OcdsRelease.sequence)
        )
    ).all()
    if not rows:
        return None
    texts = [r.data for r in rows]
    releases = [json.loads(text) for text in texts]
    head = package_metadata(settings, uri, max(r.published_at for r in rows), extensions_used(texts))
    head["packages"] = [releases_uri]
    record = {"ocid": ocid, "releases": releases, "compiledRelease": compile_releases(releases)}
    return json.dumps({**head, "records": [record]}, ensure_ascii=False, separators=(",", ":")).encode()


def compile_releases(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """The compiled release: the releases merged by date with the schema's merge rules."""
    return ocds_schema.merger().create_compiled_release(releases)


# -- the list in GraphQL -----------------------------------------------------------------------


def tag_name(tag: str) -> str:
    """A release tag as the GraphQL enum names it: ``tenderUpdate`` -> ``TENDER_UPDATE``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", tag).upper()


def releases(
    actor: Actor,
    project_id: int | None = None,
    tags: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> ListQuery:
    """The releases published about the projects the actor may see, latest first."""
    stmt = select(OcdsRelease).where(scope_for(OcdsRelease)(actor))
    if project_id is not None:
        stmt = stmt.where(OcdsRelease.project_id == project_id)
    if tags:
        stmt = stmt.where(OcdsRelease.tag.in_(tags))
    if since is not None:
        stmt = stmt.where(OcdsRelease.date >= since)
    if until is not None:
        stmt = stmt.where(OcdsRelease.date < until)
    return ListQuery(stmt, [(OcdsRelease.date, True), (OcdsRelease.id, True)])
