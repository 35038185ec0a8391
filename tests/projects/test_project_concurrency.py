"""Concurrency of the project module on every backend: final approvals racing for one budget
allocation never overdraw it, and project codes handed out to simultaneous creations are
distinct and consecutive, with no number lost to a creation that did not commit."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from decimal import Decimal

import httpx
import pytest
from conftest import Api, make_settings, unique
from factories import CREATE_PROJECT, Owner, new_owner, pdf_bytes, pk_of, project_input, upload
from sqlalchemy import select

from models.base import utcnow
from models.projects import BudgetAllocation, BudgetReservation, CodeSequence
from resolvers.accounts.auth import load_user_actor
from resolvers.core.context import RequestMeta
from resolvers.core.transaction import unit_of_work
from resolvers.projects import service as projects

SET_ALLOCATION = """
mutation($input: SetBudgetAllocationInput!) {
  setBudgetAllocation(input: $input) {
    allocation { fiscalYear amount reserved remaining }
    errors { code field message }
  }
}"""
SUBMIT = """
mutation($id: ID!) { submitProject(input: {id: $id}) { project { status } errors { code field message } } }"""
DECIDE = """
mutation($review: ID!) {
  decideProjectReview(input: {reviewId: $review, decision: APPROVE, comment: "同意。"}) {
    review { status step } project { status } errors { code field message }
  }
}"""
CANCEL = """
mutation($id: ID!) { cancelProject(input: {id: $id, reason: "与其他工程合并实施。"}) { project { status } errors { code field message } } }"""
PROJECT = """
query($id: ID!) { project(id: $id) { code status budgetAmount reviews { id step role status } } }"""
ALLOCATION = """
query($org: ID!, $year: Int!) {
  budgetAllocations(organisationId: $org, fiscalYear: $year) { nodes { amount reserved remaining } }
}"""

CODE = re.compile(r"^(?P<prefix>[A-Z0-9]+)-(?P<year>\d{4})-(?P<number>\d{6})$")


def fiscal_year() -> int:
    """The year the projects of ``project_input`` start in (China time)."""
    return int(project_input()["plannedStart"][:4])


async def set_allocation(api, owner: Owner, amount: str) -> dict:
    data = await api.ok(
        SET_ALLOCATION,
        {"input": {"organisationId": owner.org_id, "fiscalYear": fiscal_year(), "amount": amount}},
        token=await api.token("finance"),
    )
    return data["setBudgetAllocation"]


async def allocation(api, owner: Owner) -> dict:
    data = await api.ok(ALLOCATION, {"org": owner.org_id, "year": fiscal_year()}, token=await api.token("finance"))
    (node,) = data["budgetAllocations"]["nodes"]
    return {k: Decimal(v) for k, v in node.items()}


async def project_state(api, project_id: str) -> dict:
    return (await api.ok(PROJECT, {"id": project_id}, token=await api.token("finance")))["project"]


@dataclass
class AtFinance:
    """A submitted project the reviewer approved, waiting for the finance officer."""

    project_id: str
    review_id: str


async def project_at_finance_step(api, client, owner: Owner, budget: str) -> AtFinance:
    data = await api.ok(CREATE_PROJECT, {"input": project_input(budget=budget)}, token=owner.staff.token)
    assert data["createProject"]["errors"] == []
    project_id = data["createProject"]["project"]["id"]
    for document_type in ("PROPOSAL", "BUDGET_TABLE"):
        payload = await upload(
            client,
            owner.staff.token,
            project_id,
            document_type,
            f"{document_type.lower()}.pdf",
            pdf_bytes(unique(document_type)),
            "application/pdf",
        )
        assert payload["errors"] == []
    submitted = (await api.ok(SUBMIT, {"id": project_id}, token=owner.staff.token))["submitProject"]
    assert submitted["errors"] == [] and submitted["project"]["status"] == "SUBMITTED"
    (first,) = (await project_state(api, project_id))["reviews"]
    reviewed = (await api.ok(DECIDE, {"review": first["id"]}, token=await api.token("reviewer")))["decideProjectReview"]
    assert reviewed["errors"] == [] and reviewed["project"]["status"] == "SUBMITTED"
    pending = [r for r in (await project_state(api, project_id))["reviews"] if r["status"] == "PENDING"]
    assert [(r["step"], r["role"]) for r in pending] == [(2, "finance_officer")]
    return AtFinance(project_id, pending[0]["id"])


async def reservations_held(state, owner: Owner) -> list[Decimal]:
    """Amounts of the unreleased reservations on the owner's allocation, read directly."""
    async with state.db.read() as session:
        rows = await session.execute(
            select(BudgetReservation.amount)
            .join(BudgetAllocation, BudgetAllocation.id == BudgetReservation.allocation_id)
            .where(BudgetAllocation.organisation_id == pk_of(owner.org_id), BudgetReservation.released_at.is_(None))
        )
        return sorted(rows.scalars())


# -- budget allocation -----------------------------------------------------------------------


async def test_concurrent_final_approvals_never_overdraw_the_allocation(api, client, state):
    """Eight projects of 100,000 wait for finance; the allocation is 350,000. Approved all at
    once, exactly three succeed; the other five are refused with INSUFFICIENT_ALLOCATION and
    stay submitted with their finance step pending; the reserved amount is exactly the sum of
    the approved budgets and never exceeds the allocation."""
    owner = await new_owner(api, allocation=None)
    assert (await set_allocation(api, owner, "350000.00"))["errors"] == []
    waiting = [await project_at_finance_step(api, client, owner, "100000.00") for _ in range(8)]
    finance = await api.token("finance")

    bodies = await asyncio.gather(*(api.gql(DECIDE, {"review": w.review_id}, token=finance) for w in waiting))

    assert [b.get("errors") for b in bodies] == [None] * 8  # no deadlock, conflict or fault
    payloads = [b["data"]["decideProjectReview"] for b in bodies]
    won = [w for w, p in zip(waiting, payloads, strict=True) if not p["errors"]]
    lost = [(w, p) for w, p in zip(waiting, payloads, strict=True) if p["errors"]]
    assert len(won) == 3
    for w in won:
        assert (await project_state(api, w.project_id))["status"] == "APPROVED"
    for w, payload in lost:
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INSUFFICIENT_ALLOCATION", "budgetAmount")]
        state_after = await project_state(api, w.project_id)
        assert state_after["status"] == "SUBMITTED"
        assert [(r["step"], r["status"]) for r in state_after["reviews"]] == [(1, "APPROVED"), (2, "PENDING")]

    assert await allocation(api, owner) == {
        "amount": Decimal("350000.00"),
        "reserved": Decimal("300000.00"),
        "remaining": Decimal("50000.00"),
    }
    assert await reservations_held(state, owner) == [Decimal("100000.00")] * 3


async def test_refusal_reports_what_remains(api, client):
    owner = await new_owner(api, allocation=None)
    assert (await set_allocation(api, owner, "150000.00"))["errors"] == []
    first, second = [await project_at_finance_step(api, client, owner, "100000.00") for _ in range(2)]
    finance = await api.token("finance")
    assert (await api.ok(DECIDE, {"review": first.review_id}, token=finance))["decideProjectReview"]["errors"] == []

    refused = (await api.ok(DECIDE, {"review": second.review_id}, token=finance, headers={"Accept-Language": "en"}))["decideProjectReview"]
    year = fiscal_year()
    assert refused["errors"] == [
        {
            "code": "INSUFFICIENT_ALLOCATION",
            "field": "budgetAmount",
            "message": f"Not enough of the {year} budget allocation remains (CNY 50,000.00 available).",
        }
    ]


async def test_cancelling_an_approved_project_releases_its_budget(api, client, state):
    owner = await new_owner(api, allocation=None)
    assert (await set_allocation(api, owner, "100000.00"))["errors"] == []
    first, second = [await project_at_finance_step(api, client, owner, "100000.00") for _ in range(2)]
    finance = await api.token("finance")
    assert (await api.ok(DECIDE, {"review": first.review_id}, token=finance))["decideProjectReview"]["errors"] == []
    refused = (await api.ok(DECIDE, {"review": second.review_id}, token=finance))["decideProjectReview"]
    assert [e["code"] for e in refused["errors"]] == ["INSUFFICIENT_ALLOCATION"]

    cancelled = (await api.ok(CANCEL, {"id": first.project_id}, token=owner.staff.token))["cancelProject"]
    assert cancelled["errors"] == [] and cancelled["project"]["status"] == "CANCELLED"
    assert await allocation(api, owner) == {"amount": Decimal("100000.00"), "reserved": Decimal("0.00"), "remaining": Decimal("100000.00")}
    assert await reservations_held(state, owner) == []

    approved = (await api.ok(DECIDE, {"review": second.review_id}, token=finance))["decideProjectReview"]
    assert approved["errors"] == [] and approved["project"]["status"] == "APPROVED"
    assert (await allocation(api, owner))["reserved"] == Decimal("100000.00")


async def test_allocation_cannot_be_set_below_what_is_reserved(api, client):
    owner = await new_owner(api, allocation=None)
    assert (await set_allocation(api, owner, "100000.00"))["errors"] == []
    waiting = await project_at_finance_step(api, client, owner, "60000.00")
    assert (await api.ok(DECIDE, {"review": waiting.review_id}, token=await api.token("finance")))["decideProjectReview"]["errors"] == []

    below = await set_allocation(api, owner, "59999.99")
    assert below["allocation"] is None
    assert [(e["code"], e["field"]) for e in below["errors"]] == [("ALLOCATION_BELOW_RESERVED", "amount")]
    assert "60,000.00" in below["errors"][0]["message"]
    assert (await allocation(api, owner))["amount"] == Decimal("100000.00")

    exact = await set_allocation(api, owner, "60000.00")
    assert exact["errors"] == []
    assert {k: Decimal(v) for k, v in exact["allocation"].items() if k != "fiscalYear"} == {
        "amount": Decimal("60000.00"),
        "reserved": Decimal("60000.00"),
        "remaining": Decimal("0.00"),
    }


async def test_lowering_the_allocation_while_a_project_is_approved(api, client):
    """A finance approval of 60,000 and a cut of the 100,000 allocation to 50,000 at the same
    time: exactly one of them succeeds, whichever order the database puts them in."""
    owner = await new_owner(api, allocation=None)
    assert (await set_allocation(api, owner, "100000.00"))["errors"] == []
    waiting = await project_at_finance_step(api, client, owner, "60000.00")
    finance = await api.token("finance")

    approve, cut = await asyncio.gather(
        api.ok(DECIDE, {"review": waiting.review_id}, token=finance),
        api.ok(
            SET_ALLOCATION, {"input": {"organisationId": owner.org_id, "fiscalYear": fiscal_year(), "amount": "50000.00"}}, token=finance
        ),
    )
    approve_errors = [e["code"] for e in approve["decideProjectReview"]["errors"]]
    cut_errors = [e["code"] for e in cut["setBudgetAllocation"]["errors"]]
    final = await allocation(api, owner)
    if approve_errors:
        assert (approve_errors, cut_errors) == (["INSUFFICIENT_ALLOCATION"], [])
        assert final == {"amount": Decimal("50000.00"), "reserved": Decimal("0.00"), "remaining": Decimal("50000.00")}
    else:
        assert cut_errors == ["ALLOCATION_BELOW_RESERVED"]
        assert final == {"amount": Decimal("100000.00"), "reserved": Decimal("60000.00"), "remaining": Decimal("40000.00")}


# -- project codes ---------------------------------------------------------------------------


def numbers(codes: list[str], prefix: str) -> list[int]:
    year = projects.today_in_china(utcnow()).year
    parsed = [CODE.match(code) for code in codes]
    assert all(m and m["prefix"] == prefix and int(m["year"]) == year for m in parsed), codes
    return sorted(int(m["number"]) for m in parsed)


async def create_many(api, token: str, count: int) -> list[str]:
    bodies = await asyncio.gather(*(api.gql(CREATE_PROJECT, {"input": project_input()}, token=token) for _ in range(count)))
    assert [b.get("errors") for b in bodies] == [None] * count
    payloads = [b["data"]["createProject"] for b in bodies]
    assert [p["errors"] for p in payloads] == [[]] * count
    return [p["project"]["code"] for p in payloads]


async def test_concurrent_creations_get_distinct_consecutive_codes(api):
    owner = await new_owner(api, allocation=None)
    codes = await create_many(api, owner.staff.token, 20)
    assigned = numbers(codes, "XM")
    assert assigned == list(range(assigned[0], assigned[0] + 20))


async def test_first_codes_of_a_new_counter_under_concurrency(api, database_url):
    """The first creations with a prefix nobody used yet race to create its counter; they
    still get 1 to 20."""
    from app.main import create_app

    prefix = "T" + unique("").upper()[:5]
    fresh = create_app(make_settings(database_url, project_code_prefix=prefix))
    try:
        transport = httpx.ASGITransport(app=fresh, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as fresh_client:
            fresh_api = Api(fresh_client)
            owner = await new_owner(fresh_api, allocation=None)
            codes = await create_many(fresh_api, owner.staff.token, 20)
    finally:
        await fresh.state.smallworks.close()
    assert numbers(codes, prefix) == list(range(1, 21))


async def test_failed_creation_does_not_consume_a_number(api):
    owner = await new_owner(api, allocation=None)
    first = (await api.ok(CREATE_PROJECT, {"input": project_input()}, token=owner.staff.token))["createProject"]["project"]["code"]
    invalid = (await api.ok(CREATE_PROJECT, {"input": project_input(title=" ", budget="-1.00")}, token=owner.staff.token))["createProject"]
    assert invalid["project"] is None
    assert sorted(e["code"] for e in invalid["errors"]) == ["NEGATIVE_AMOUNT", "NEGATIVE_AMOUNT", "REQUIRED"]
    second = (await api.ok(CREATE_PROJECT, {"input": project_input()}, token=owner.staff.token))["createProject"]["project"]["code"]
    a, b = numbers([first, second], "XM")
    assert b == a + 1


class LaterStepFailed(Exception):
    """A failure in the same transaction after the code was taken."""


async def test_rolled_back_creation_gives_its_number_back(api, state):
    owner = await new_owner(api, allocation=None)
    async with state.db.read() as session:
        actor = await load_user_actor(session, pk_of(owner.staff.user_id), None)
    name = f"XM-{projects.today_in_china(utcnow()).year}"

    async def counter() -> int:
        async with state.db.read() as session:
            return (await session.execute(select(CodeSequence.last_value).where(CodeSequence.name == name))).scalar_one()

    before = await counter()
    with pytest.raises(LaterStepFailed):
        async with unit_of_work(state, "test.create", actor, RequestMeta(request_id=unique("r"))) as uow:
            taken = await projects.create_project(uow, projects.ProjectData(title="回滚测试", category="other"))
            assert taken.code == f"{name}-{before + 1:06d}"
            raise LaterStepFailed()
    assert await counter() == before
    code = (await api.ok(CREATE_PROJECT, {"input": project_input()}, token=owner.staff.token))["createProject"]["project"]["code"]
    assert code == f"{name}-{before + 1:06d}"


async def test_simultaneous_first_codes_of_a_new_counter(state):
    """Transactions that all ask for the first code of a new counter at the same moment
    (none of them sees a counter row yet) get 1 to 12, on every backend."""
    prefix = "S" + unique("").upper()[:5]
    start = asyncio.Barrier(12)

    async def take() -> str:
        async with unit_of_work(state, "test.code", None, RequestMeta(request_id=unique("r"))) as uow:
            if uow.session.bind.dialect.name != "sqlite":  # SQLite has one writer: it would wait here for ever
                await uow.session.execute(select(1))  # connected, in a transaction
            await start.wait()
            return await projects.next_code(uow, prefix)

    codes = await asyncio.gather(*(take() for _ in range(12)))
    assert numbers(codes, prefix) == list(range(1, 13))
