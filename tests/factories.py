"""Factories shared by the test modules: file builders, GraphQL documents, and coroutines that
make organisations, people and projects through the GraphQL API, as a client would.

Test modules import these from here, never from one another. Fixtures, the ``Api`` client and
the generic helpers (``unique``, ``make_uscc``, ``global_id``, ``make_settings``) stay in
conftest.py.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from conftest import DEMO_PASSWORD, global_id, make_uscc, unique

STRONG_PASSWORD = "Orchid-harbour-1957"
KUNSHAN = {"latitude": 31.43, "longitude": 121.0, "radiusMeters": 300}


# -- identifiers and dates ------------------------------------------------------------------


def pk_of(gid: str) -> int:
    """The primary key inside a global id."""
    raw = base64.urlsafe_b64decode(gid + "=" * (-len(gid) % 4)).decode()
    return int(raw.partition(":")[2])


def today() -> date:
    """Today in China, where planned dates are judged."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


# -- files built from scratch ---------------------------------------------------------------


@contextlib.contextmanager
def clock_kept(state):
    """Let a test move the service's clock; put it back afterwards for the tests that follow."""
    saved = state.clock.offset
    try:
        yield state.clock
    finally:
        state.clock.offset = saved


def pdf_bytes(text: str = "smallworks") -> bytes:
    """A small valid PDF; ``text`` makes its content (and so its hash) distinct."""
    return (
        "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        f"% {text}\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    ).encode()


def png_bytes(text: str = "") -> bytes:
    """A 1×1 greyscale PNG; ``text`` goes into a tEXt chunk so the bytes can be unique."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    extra = chunk(b"tEXt", b"Comment\x00" + text.encode()) if text else b""
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")


def jpeg_bytes() -> bytes:
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# -- GraphQL documents ----------------------------------------------------------------------

CREATE_ORGANISATION = """mutation($input: CreateOrganisationInput!) {
  createOrganisation(input: $input) { organisation { id name } errors { code field message } }
}"""
CREATE_USER = """mutation($input: CreateUserInput!) {
  createUser(input: $input) { user { id username displayName } errors { code field message } }
}"""
SET_ALLOCATION = """mutation($input: SetBudgetAllocationInput!) {
  setBudgetAllocation(input: $input) { allocation { id fiscalYear amount reserved remaining } errors { code field } }
}"""
PROJECT_FIELDS = """
  id code title description category status availableActions budgetAmount fundingSource regionCode
  location { latitude longitude radiusMeters } plannedStart plannedEnd submissionCount version
  createdAt updatedAt
  ownerOrganisation { id name }
  lineItems { position name quantity unit unitPrice amount }
"""
CREATE_PROJECT = (
    """mutation($input: CreateProjectInput!) {
  createProject(input: $input) { project { %s } errors { code field message } }
}"""
    % PROJECT_FIELDS
)
UPLOAD = """mutation($input: UploadProjectDocumentInput!) {
  uploadProjectDocument(input: $input) {
    document { id documentType version filename mediaType sizeBytes sha256 downloadUrl }
    errors { code field message }
  }
}"""
SUBMIT = """mutation($input: SubmitProjectInput!) {
  submitProject(input: $input) { project { id status submissionCount version } errors { code field message } }
}"""
DECIDE = """mutation($input: DecideProjectReviewInput!) {
  decideProjectReview(input: $input) {
    review { id round step role status reviewerName comment decidedAt }
    project { id status }
    errors { code field message }
  }
}"""
DETAIL = (
    """query($id: ID!) {
  project(id: $id) {
    %s
    statusHistory { fromStatus toStatus action actorName comment occurredAt }
    reviews { id round step role status reviewerName comment createdAt decidedAt }
    documents { documentType version filename }
  }
}"""
    % PROJECT_FIELDS
)


# -- organisations and people ---------------------------------------------------------------


@dataclass
class Person:
    """A user made through the API, signed in with ``STRONG_PASSWORD``."""

    username: str
    name: str
    user_id: str
    token: str


@dataclass
class Owner:
    """A fresh owner organisation of the demo county with one owner_staff member."""

    org_id: str
    staff: Person


async def create_organisation(api, kind: str = "OWNER") -> str:
    """Global id of a new organisation of the demo county, made by the demo admin."""
    data = await api.ok(
        CREATE_ORGANISATION,
        {"input": {"name": unique("测试单位"), "kind": kind, "uscc": make_uscc(), "regionCode": "320583"}},
        token=await api.token("admin"),
    )
    assert data["createOrganisation"]["errors"] == []
    return data["createOrganisation"]["organisation"]["id"]


async def create_person(api, org_id: str, roles: list[str]) -> Person:
    """A new user of ``org_id`` with ``roles``, made by the demo admin, and signed in."""
    username, name = unique("p"), unique("经办人")
    data = await api.ok(
        CREATE_USER,
        {"input": {"username": username, "displayName": name, "organisationId": org_id, "password": STRONG_PASSWORD, "roles": roles}},
        token=await api.token("admin"),
    )
    assert data["createUser"]["errors"] == []
    token = (await api.password_token(username, STRONG_PASSWORD))["access_token"]
    return Person(username, name, data["createUser"]["user"]["id"], token)


async def people_elsewhere(state) -> dict[str, str]:
    """Global ids of an organisation and a person in 110101, outside the demo
    administrator's county; created on the system path, as the demo administrator may not."""
    from resolvers.accounts import service as accounts
    from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
    from resolvers.core.transaction import unit_of_work

    async with unit_of_work(state, "test", SYSTEM_ACTOR, RequestMeta(request_id="t")) as uow:
        org = await accounts.create_organisation(
            uow, accounts.OrganisationData(name=unique("北京单位"), kind="contractor", uscc=make_uscc(), region_code="110101")
        )
        user = await accounts.create_user(
            uow,
            accounts.UserData(
                username=unique("bj"),
                display_name="北京 测试",
                organisation_id=org.id,
                password=DEMO_PASSWORD,
                roles=["contractor"],
                phone="13700002222",
            ),
        )
        return {"organisation": global_id("Organisation", org.id), "user": global_id("User", user.id)}


async def token_elsewhere(api, state) -> str:
    """An access token of a contractor of another county (110101, ``people_elsewhere``)."""
    from sqlalchemy import select

    from models.accounts import User

    person = await people_elsewhere(state)
    async with state.db.read() as session:
        username = (await session.execute(select(User.username).where(User.id == pk_of(person["user"])))).scalar_one()
    return (await api.password_token(username))["access_token"]


async def set_allocation(api, org_id: str, year: int, amount: str) -> dict:
    """Sets the budget allocation of ``org_id`` for ``year`` as the demo finance officer."""
    data = await api.ok(
        SET_ALLOCATION, {"input": {"organisationId": org_id, "fiscalYear": year, "amount": amount}}, token=await api.token("finance")
    )
    assert data["setBudgetAllocation"]["errors"] == []
    return data["setBudgetAllocation"]["allocation"]


async def new_owner(api, allocation: str | None = "2000000.00") -> Owner:
    """An owner organisation with a member and, unless None, the same allocation for this
    year and the next (so a planned start near the new year finds one)."""
    org_id = await create_organisation(api)
    staff = await create_person(api, org_id, ["OWNER_STAFF"])
    if allocation is not None:
        for year in (today().year, today().year + 1):
            await set_allocation(api, org_id, year, allocation)
    return Owner(org_id, staff)


# -- projects -------------------------------------------------------------------------------


def complete_input(**overrides) -> dict:
    """A draft that passes every submission check once its documents are uploaded."""
    start = today() + timedelta(days=10)
    values = {
        "title": unique("周市镇小额工程"),
        "category": "GREENING",
        "description": "测试项目",
        "budgetAmount": "10000.00",
        "fundingSource": "县级财政小额工程专项资金",
        "location": KUNSHAN,
        "plannedStart": start.isoformat(),
        "plannedEnd": (start + timedelta(days=30)).isoformat(),
        "lineItems": [
            {"name": "乔木补植", "quantity": "10", "unit": "株", "unitPrice": "450.00"},
            {"name": "草坪修复", "quantity": "275", "unit": "m²", "unitPrice": "20.00"},
        ],
    }
    values.update(overrides)
    return values


def project_input(budget: str = "100000.00", **overrides) -> dict:
    """A draft of ``budget`` with one line item of that amount, starting in 30 days."""
    start = today() + timedelta(days=30)
    values = {
        "title": unique("道路修缮工程"),
        "category": "GREENING",
        "budgetAmount": budget,
        "fundingSource": "县级财政小额工程专项资金",
        "location": KUNSHAN,
        "plannedStart": start.isoformat(),
        "plannedEnd": (start + timedelta(days=60)).isoformat(),
        "lineItems": [{"name": "绿化养护", "quantity": "1", "unit": "项", "unitPrice": budget}],
    }
    values.update(overrides)
    return values


async def create_project(api, owner: Owner, **overrides) -> dict:
    """A draft of ``complete_input(**overrides)`` created by the owner's staff member."""
    data = await api.ok(CREATE_PROJECT, {"input": complete_input(**overrides)}, token=owner.staff.token)
    assert data["createProject"]["errors"] == [], data["createProject"]["errors"]
    return data["createProject"]["project"]


async def multipart(
    client: httpx.AsyncClient,
    token: str,
    query: str,
    variables: dict,
    filename: str,
    data: bytes,
    content_type: str,
    headers: dict | None = None,
) -> dict:
    """A mutation whose ``input`` is ``variables`` and whose ``input.file`` is sent as a
    GraphQL multipart request; the whole response body."""
    operations = {"query": query, "variables": {"input": {**variables, "file": None}}}
    response = await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.file"]})},
        files={"0": (filename, data, content_type)},
        headers={"Authorization": f"Bearer {token}", "GraphQL-Require-Preflight": "1", **(headers or {})},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def upload(
    client: httpx.AsyncClient,
    token: str,
    project_id: str,
    document_type: str,
    filename: str,
    data: bytes,
    content_type: str,
    headers: dict | None = None,
) -> dict:
    """uploadProjectDocument as a GraphQL multipart request; its payload."""
    variables = {"projectId": project_id, "documentType": document_type}
    body = await multipart(client, token, UPLOAD, variables, filename, data, content_type, headers)
    assert not body.get("errors"), body
    return body["data"]["uploadProjectDocument"]


async def upload_ok(api, owner: Owner, project_id: str, document_type: str) -> dict:
    """A PDF of its own uploaded as ``document_type`` by the owner's staff member; the document."""
    payload = await upload(
        api.client,
        owner.staff.token,
        project_id,
        document_type,
        f"{document_type}.pdf",
        pdf_bytes(f"{project_id} {document_type} {unique()}"),
        "application/pdf",
    )
    assert payload["errors"] == []
    return payload["document"]


async def ready(api, owner: Owner, **overrides) -> dict:
    """A draft with every required document uploaded."""
    project = await create_project(api, owner, **overrides)
    category = overrides.get("category", "GREENING")
    documents = ["PROPOSAL", "BUDGET_TABLE"] + (["CONSTRUCTION_DRAWING"] if category in ("ROAD", "BUILDING_REPAIR", "WATER") else [])
    for document_type in documents:
        await upload_ok(api, owner, project["id"], document_type)
    return project


async def submit(api, owner: Owner, project_id: str, comment: str | None = "请审核。", **extra) -> dict:
    """submitProject by the owner's staff member; its payload."""
    return (await api.ok(SUBMIT, {"input": {"id": project_id, "comment": comment, **extra}}, token=owner.staff.token))["submitProject"]


async def submitted(api, owner: Owner, **overrides) -> dict:
    """A project submitted for review, waiting at the first review step."""
    project = await ready(api, owner, **overrides)
    payload = await submit(api, owner, project["id"])
    assert payload["errors"] == [], payload["errors"]
    return project


async def detail(api, token: str, project_id: str) -> dict | None:
    return (await api.ok(DETAIL, {"id": project_id}, token=token))["project"]


async def pending_review(api, owner: Owner, project_id: str) -> dict:
    """The one review step of the project waiting for a decision."""
    reviews = (await detail(api, owner.staff.token, project_id))["reviews"]
    pending = [r for r in reviews if r["status"] == "PENDING"]
    assert len(pending) == 1, reviews
    return pending[0]


async def decide(api, token: str, review_id: str, decision: str, comment: str | None) -> dict:
    """decideProjectReview; the whole response body."""
    return await api.gql(DECIDE, {"input": {"reviewId": review_id, "decision": decision, "comment": comment}}, token=token)


async def decide_ok(api, token: str, review_id: str, decision: str = "APPROVE", comment: str | None = "同意。") -> dict:
    """decideProjectReview that must succeed; its payload."""
    body = await decide(api, token, review_id, decision, comment)
    assert not body.get("errors"), body["errors"]
    payload = body["data"]["decideProjectReview"]
    assert payload["errors"] == [], payload["errors"]
    return payload


async def approve_fully(api, owner: Owner, project_id: str) -> None:
    """Walk the whole review chain with the demo reviewer and finance officer."""
    await decide_ok(api, await api.token("reviewer"), (await pending_review(api, owner, project_id))["id"], "APPROVE", "技术审核通过。")
    payload = await decide_ok(
        api, await api.token("finance"), (await pending_review(api, owner, project_id))["id"], "APPROVE", "同意立项。"
    )
    assert payload["project"]["status"] == "APPROVED"
