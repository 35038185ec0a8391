"""What the tendering tests share: GraphQL documents and the steps of a procurement, each
taken as a client takes it, plus moving the service's clock past a deadline."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from conftest import unique
from factories import (
    Owner,
    approve_fully,
    clock_kept,  # noqa: F401  (the flows' tests move the clock with it)
    create_organisation,
    create_person,
    new_owner,
    pdf_bytes,
    submitted,
)
from sqlalchemy import select

from models.accounts import User
from models.projects import PROJECT_CATEGORIES
from resolvers.core.clock import SHANGHAI, today_in_china
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.transaction import unit_of_work
from resolvers.core.workdays import add_working_days
from resolvers.tendering import draw, evaluation

TENDER_FIELDS = """id code status method round ceilingPrice bidDeadline openingTime clarificationDeadline bidCount numberOfTenderers
  closeReason closeCode awardValue availableActions availableActionLabels
  bids { id status price rank totalScore receiptHash openedHash receiptVerified disqualificationReason disqualificationCode bidderName
         scoreParts { criterion kind weight score explanation } }
  committee { expertName status position evaluationRound }
  draw { commitment seed pool receiptHashes }
  ocds { procurementMethod procurementMethodDetails awardCriteria status numberOfTenderers awardValueAmount tenderPeriodEnd }"""

CREATE_TEMPLATE = """mutation($input: CreateTenderTemplateInput!) {
  createTenderTemplate(input: $input) { template { id method version } errors { code field message } } }"""
CREATE_TENDER = (
    """mutation($input: CreateTenderInput!) { createTender(input: $input) { tender { %s } errors { code field message } } }"""
    % TENDER_FIELDS
)
PUBLISH = (
    """mutation($input: PublishTenderInput!) { publishTender(input: $input) { tender { id status } errors { code field message } } }"""
)
OPEN = (
    """mutation($input: OpenTenderInput!) { openTender(input: $input) { tender { %s } errors { code field message } } }""" % TENDER_FIELDS
)
TENDER = "query($id: ID!) { tender(id: $id) { %s } }" % TENDER_FIELDS
SUBMIT_BID = """mutation($input: SubmitBidInput!) { submitBid(input: $input) {
  bid { id status price content { canonicalJson sha256 price } }
  receipt { sequence kind contentHash receivedAt } errors { code field message } } }"""
SUBMIT_EVALUATION = """mutation($input: SubmitEvaluationInput!) { submitEvaluation(input: $input) {
  seat { status } tender { id status } errors { code field message } } }"""
START_PUBLICITY = """mutation($input: StartAwardPublicityInput!) { startAwardPublicity(input: $input) {
  tender { id status publicityEndsAt } errors { code field message } } }"""
FILE_OBJECTION = """mutation($input: FileObjectionInput!) { fileObjection(input: $input) {
  objection { id status } errors { code field message } } }"""
ANSWER_OBJECTION = """mutation($input: AnswerObjectionInput!) { answerObjection(input: $input) {
  objection { id status } tender { id status } errors { code field message } } }"""

RFQ_TEMPLATE = {
    "name": "询价模板",
    "method": "RFQ",
    "requiredDocuments": [{"key": "quotation", "name": "报价单"}],
    "requiredItems": [{"key": "period", "question": "工期（天）"}],
    "criteria": [],
    "noticeText": "询价公告",
}
SIMPLE_TEMPLATE = {
    "name": "简易招标模板",
    "method": "SIMPLE_TENDER",
    "requiredDocuments": [{"key": "proposal", "name": "技术方案"}],
    "requiredItems": [],
    "criteria": [
        {"key": "price", "name": "价格", "kind": "PRICE", "weight": "60"},
        {"key": "technical", "name": "技术", "kind": "QUALITY", "weight": "30"},
        {"key": "business", "name": "商务", "kind": "QUALITY", "weight": "10"},
    ],
    "noticeText": "简易招标公告",
}
NEGOTIATION_TEMPLATE = {**RFQ_TEMPLATE, "name": "竞争性谈判模板", "method": "COMPETITIVE_NEGOTIATION", "noticeText": "竞争性谈判公告"}
TEMPLATES = {"rfq": RFQ_TEMPLATE, "competitive_negotiation": NEGOTIATION_TEMPLATE, "simple_tender": SIMPLE_TEMPLATE}
EXPERTS = ["expert1", "expert2", "expert3", "expert4", "expert5"]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def deadline_from(now: datetime, extra_days: int = 1) -> datetime:
    """A deadline that leaves the minimum response period (3 working days) and a margin,
    at 10:00 China time."""
    day = add_working_days(today_in_china(now), 3) + timedelta(days=extra_days)
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)


def move_to(state, moment: datetime) -> None:
    """Move the service's clock to ``moment`` (never backwards)."""
    ahead = (moment - state.clock.now()).total_seconds()
    if ahead > 0:
        state.clock.advance(ahead)


async def ensure_experts(state) -> None:
    """Every demo expert may assess every category (the pool a committee is drawn from);
    set on the system path, as an administrator would through setExpertSpecialties."""
    async with unit_of_work(state, "test", SYSTEM_ACTOR, RequestMeta(request_id="t")) as uow:
        ids = (await uow.session.execute(select(User.id).where(User.username.in_(EXPERTS)))).scalars().all()
        for user_id in ids:
            await evaluation.set_specialties(uow, user_id, list(PROJECT_CATEGORIES))


@dataclass
class Supplier:
    org_id: str
    token: str


@dataclass
class Procurement:
    owner: Owner
    project_id: str
    tender: dict
    seed: str
    suppliers: list[Supplier] = field(default_factory=list)


async def new_supplier(api) -> Supplier:
    org_id = await create_organisation(api, "CONTRACTOR")
    person = await create_person(api, org_id, ["CONTRACTOR"])
    return Supplier(org_id, person.token)


async def approved_project(api, owner: Owner | None = None, budget: str = "10000.00") -> tuple[Owner, str]:
    owner = owner or await new_owner(api)
    project = await submitted(api, owner)
    await approve_fully(api, owner, project["id"])
    return owner, project["id"]


async def template(api, owner: Owner, body: dict) -> str:
    data = await api.ok(CREATE_TEMPLATE, {"input": {**body, "name": unique(body["name"])}}, token=owner.staff.token)
    assert data["createTenderTemplate"]["errors"] == [], data
    return data["createTenderTemplate"]["template"]["id"]


# One owner and three suppliers per test session, shared by the procurements that need no
# parties of their own: making people (an argon2 hash and a sign-in each) is most of a
# procurement's cost otherwise.
_SHARED: dict[int, tuple[Owner, list[Supplier]]] = {}


async def shared_parties(api, state) -> tuple[Owner, list[Supplier]]:
    if id(state) not in _SHARED:
        _SHARED[id(state)] = (await new_owner(api), [await new_supplier(api) for _ in range(3)])
    return _SHARED[id(state)]


async def draft(api, state, method: str = "rfq", suppliers: int = 3, *, fresh: bool = False, **overrides) -> Procurement:
    """An approved project and a draft tender for it, with ``suppliers`` contractors
    invited (rfq) or merely registered (simple tender): the session's shared owner and
    suppliers unless ``fresh`` (a test that gives its parties qualifications of their own)."""
    await ensure_experts(state)
    for username in EXPERTS:  # signed in before any test moves the clock (a token's iat must not be ahead)
        await api.token(username)
    owner, shared = await shared_parties(api, state)
    if fresh:
        owner = await new_owner(api)
    owner, project_id = await approved_project(api, owner)
    template_id = await template(api, owner, TEMPLATES[method])
    invited = [await new_supplier(api) for _ in range(suppliers)] if fresh or suppliers != 3 else list(shared)
    now = state.clock.now()
    deadline = deadline_from(now)
    values = {
        "projectId": project_id,
        "templateId": template_id,
        "ceilingPrice": "9000.00",
        "bidDeadline": iso(deadline),
        "openingTime": iso(deadline + timedelta(hours=1)),
        "clarificationDeadline": iso(deadline - timedelta(days=1)),
        "invitedSupplierIds": [s.org_id for s in invited] if method != "simple_tender" else [],
        **overrides,
    }
    data = await api.ok(CREATE_TENDER, {"input": values}, token=owner.staff.token)
    assert data["createTender"]["errors"] == [], data
    return Procurement(owner, project_id, data["createTender"]["tender"], draw.new_seed(), invited)


async def publish(api, p: Procurement) -> dict:
    data = await api.ok(PUBLISH, {"input": {"id": p.tender["id"], "drawCommitment": draw.commitment_of(p.seed)}}, token=p.owner.staff.token)
    return data["publishTender"]


async def published(api, state, method: str = "rfq", suppliers: int = 3, *, fresh: bool = False, **overrides) -> Procurement:
    p = await draft(api, state, method, suppliers, fresh=fresh, **overrides)
    payload = await publish(api, p)
    assert payload["errors"] == [], payload
    return p


async def bid(api, supplier: Supplier, tender_id: str, price: str, *, method: str = "rfq", filename: str = "报价单.pdf") -> dict:
    """submitBid as a multipart request with the documents the template requires."""
    key = "proposal" if method == "simple_tender" else "quotation"
    answers = [] if method == "simple_tender" else [{"key": "period", "answer": "30"}]
    operations = {
        "query": SUBMIT_BID,
        "variables": {"input": {"tenderId": tender_id, "price": price, "answers": answers, "documents": [{"key": key, "file": None}]}},
    }
    response = await api.client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.documents.0.file"]})},
        files={"0": (filename, pdf_bytes(f"bid {price} {secrets.token_hex(4)}"), "application/pdf")},
        headers={"Authorization": f"Bearer {supplier.token}", "GraphQL-Require-Preflight": "1"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]["submitBid"]


async def bid_ok(api, supplier: Supplier, tender_id: str, price: str, method: str = "rfq") -> dict:
    payload = await bid(api, supplier, tender_id, price, method=method)
    assert payload["errors"] == [], payload["errors"]
    return payload


async def open_tender(api, state, p: Procurement, seed: str | None = None) -> dict:
    move_to(state, datetime.fromisoformat(p.tender["openingTime"]) + timedelta(seconds=1))
    data = await api.ok(OPEN, {"input": {"id": p.tender["id"], "seed": seed or p.seed}}, token=p.owner.staff.token)
    return data["openTender"]


async def tender(api, token: str, tender_id: str) -> dict | None:
    return (await api.ok(TENDER, {"id": tender_id}, token=token))["tender"]


async def evaluate(api, username: str, t: dict, verdicts: dict[str, tuple[bool, dict]]) -> dict:
    """submitEvaluation by a demo expert: ``verdicts`` maps bid id to (qualified, scores)."""
    sheets = [
        {
            "bidId": bid_id,
            "qualified": qualified,
            "reason": None if qualified else "资格审查不合格",
            "scores": [{"criterion": k, "score": v} for k, v in scores.items()],
        }
        for bid_id, (qualified, scores) in verdicts.items()
    ]
    data = await api.ok(SUBMIT_EVALUATION, {"input": {"tenderId": t["id"], "sheets": sheets}}, token=await api.token(username))
    return data["submitEvaluation"]


def committee_usernames(t: dict) -> list[str]:
    """The demo usernames of the drawn members (their display names are 评标专家N)."""
    return [f"expert{m['expertName'].removeprefix('评标专家')}" for m in t["committee"] if m["status"] == "DRAWN"]
