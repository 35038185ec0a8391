"""Projects (项目申报与立项) through GraphQL, as a client uses them: drafting, the checks on
submission, the review chain and the budget it reserves, rejection and resubmission,
cancellation, status history and audit, who sees and decides what, list queries and their
cost in SQL statements; plus the lifecycle table and the line-amount rule as plain units."""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import pytest_asyncio
from conftest import count_statements, unique
from factories import (
    CREATE_PROJECT,
    KUNSHAN,
    PROJECT_FIELDS,
    SUBMIT,
    Owner,
    approve_fully,
    complete_input,
    create_organisation,
    create_person,
    create_project,
    decide,
    decide_ok,
    detail,
    new_owner,
    pdf_bytes,
    pending_review,
    ready,
    set_allocation,
    submit,
    submitted,
    today,
    upload,
    upload_ok,
)
from sqlalchemy import select

from models.accounts import User
from models.projects import Project
from resolvers import load_domains
from resolvers.accounts.auth import load_user_actor
from resolvers.core.context import RequestMeta
from resolvers.core.errors import UserErrors
from resolvers.core.i18n import Label
from resolvers.core.lifecycle import StateMachine, Transition
from resolvers.core.transaction import unit_of_work
from resolvers.projects import service as svc
from resolvers.projects.service import PROJECT_LIFECYCLE, line_amount

# -- GraphQL documents ---------------------------------------------------------------

UPDATE = (
    """mutation($input: UpdateProjectInput!) {
  updateProject(input: $input) { project { %s } errors { code field message } }
}"""
    % PROJECT_FIELDS
)
CANCEL = """mutation($input: CancelProjectInput!) {
  cancelProject(input: $input) { project { id status availableActions } errors { code field message } }
}"""
ALLOCATIONS = """query($org: ID!, $year: Int!) {
  budgetAllocations(organisationId: $org, fiscalYear: $year) { nodes { amount reserved remaining } }
}"""
NODE = "query($id: ID!) { node(id: $id) { id ... on Project { code status } } }"
PROJECT = "query($id: ID!) { project(id: $id) { id code status } }"
LIST = """query($filter: ProjectFilter, $orderBy: ProjectOrder, $first: Int, $after: String) {
  projects(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id code title status budgetAmount plannedStart category }
  }
}"""
QUEUE = """query($after: String) {
  myReviewQueue(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id round step role status project { id } }
  }
}"""
AUDIT = """query($target: ID!) {
  auditEvents(first: 100, filter: {targetId: $target}) { nodes { sequence operation actorName targetType changes } }
}"""


# -- helpers -------------------------------------------------------------------------


def codes(errors: list[dict]) -> list[tuple[str, str | None]]:
    return sorted((e["code"], e["field"]) for e in errors)


async def allocation_of(api, owner: Owner, year: int) -> dict[str, Decimal]:
    nodes = (await api.ok(ALLOCATIONS, {"org": owner.org_id, "year": year}, token=owner.staff.token))["budgetAllocations"]["nodes"]
    assert len(nodes) == 1
    return {k: Decimal(v) for k, v in nodes[0].items()}


async def update(api, owner: Owner, project_id: str, **fields) -> dict:
    return (await api.ok(UPDATE, {"input": {"id": project_id, **fields}}, token=owner.staff.token))["updateProject"]


async def queue(api, token: str) -> list[dict]:
    """Every step waiting in one's review queue, across pages."""
    items, after = [], None
    while True:
        page = (await api.ok(QUEUE, {"after": after}, token=token))["myReviewQueue"]
        items += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return items
        after = page["pageInfo"]["endCursor"]


async def queued_for(api, token: str, project_id: str) -> list[tuple[int, int]]:
    """(round, step) of the queued steps of one project."""
    return sorted((r["round"], r["step"]) for r in await queue(api, token) if r["project"]["id"] == project_id)


def forbidden(body: dict, reason: str | None = None) -> None:
    assert body["errors"], body
    extensions = body["errors"][0]["extensions"]
    assert extensions["code"] == "FORBIDDEN", body["errors"]
    if reason is not None:
        assert extensions.get("reason") == reason, body["errors"]


def money(value: str) -> Decimal:
    return Decimal(value)


@pytest_asyncio.fixture(scope="module")
async def owner(api) -> Owner:
    """The owner organisation most lifecycle tests draft in."""
    return await new_owner(api)


# -- the lifecycle table and the money rule (plain units) --------------------------------


@pytest.mark.parametrize(
    ("action", "sources", "target"),
    [
        ("submit", {"draft", "rejected"}, "submitted"),
        ("approve", {"submitted"}, "approved"),
        ("reject", {"submitted"}, "rejected"),
        ("cancel", {"draft", "submitted", "approved", "rejected"}, "cancelled"),
    ],
)
def test_lifecycle_allows_each_action_only_from_its_statuses(action, sources, target):
    for status in ("draft", "submitted", "approved", "rejected", "cancelled"):
        if status in sources:
            assert PROJECT_LIFECYCLE.target(action, status) == target
        else:
            with pytest.raises(UserErrors) as refused:
                PROJECT_LIFECYCLE.target(action, status)
            (problem,) = refused.value.problems
            assert (problem.code, problem.field) == ("INVALID_TRANSITION", "status")
            assert problem.params == {
                "entity": Label("ObjectType", "Project"),
                "action": Label("ProjectAction", action),
                "status": Label("ProjectStatus", status),
            }


def test_lifecycle_offers_the_actions_of_each_status():
    load_domains()  # as the service runs: later modules have added their transitions
    assert PROJECT_LIFECYCLE.actions_from("draft") == ["cancel", "submit"]
    assert PROJECT_LIFECYCLE.actions_from("submitted") == ["approve", "cancel", "reject"]
    assert PROJECT_LIFECYCLE.actions_from("rejected") == ["cancel", "submit"]
    # Tendering starts from an approved project and, failed or cancelled, returns it there;
    # a project under tender is cancelled only once its tender is.
    assert PROJECT_LIFECYCLE.actions_from("approved") == ["cancel", "start_tendering"]
    assert PROJECT_LIFECYCLE.actions_from("tendering") == ["end_tendering", "sign_contract"]
    assert PROJECT_LIFECYCLE.actions_from("cancelled") == []
    with pytest.raises(UserErrors):
        PROJECT_LIFECYCLE.target("no_such_action", "draft")


def test_lifecycle_is_extended_by_adding_transitions_not_by_editing_the_table():
    """A later module adds its actions and widens existing ones on a machine built from the
    same declarations; the declarations themselves stay as they are."""
    declared = sorted((t.action, sorted(t.sources), t.target) for t in PROJECT_LIFECYCLE.transitions)
    machine = StateMachine("Project", PROJECT_LIFECYCLE.transitions)
    machine.add(Transition("reopen", {"closed"}, "completed"))
    machine.allow_from("cancel", "contracted")

    assert machine.target("reopen", "closed") == "completed"
    assert machine.target("cancel", "contracted") == "cancelled"
    assert machine.target("cancel", "draft") == "cancelled"  # the old sources remain
    assert "reopen" in machine.actions_from("closed")
    with pytest.raises(UserErrors):
        machine.target("reopen", "draft")
    with pytest.raises(ValueError, match="already has an action 'submit'"):
        machine.add(Transition("submit", {"approved"}, "submitted"))
    with pytest.raises(ValueError, match="no action 'award'"):
        machine.allow_from("award", "tendering")

    # The declared machine is untouched.
    assert sorted((t.action, sorted(t.sources), t.target) for t in PROJECT_LIFECYCLE.transitions) == declared


@pytest.mark.parametrize(
    ("quantity", "unit_price", "amount"),
    [
        ("3", "33.33", "99.99"),
        ("1.5", "0.03", "0.05"),  # 0.045: half up, not to even
        ("2.5", "0.01", "0.03"),  # 0.025
        ("0.333", "10.01", "3.33"),  # 3.33333
        ("1.005", "1.00", "1.01"),
        ("0.001", "0.01", "0.00"),
        ("12.5", "80.00", "1000.00"),
        ("1234.567", "89.99", "111098.68"),  # 111098.68433
    ],
)
def test_line_amount_is_quantity_times_price_rounded_half_up_to_the_fen(quantity, unit_price, amount):
    result = line_amount(Decimal(quantity), Decimal(unit_price))
    assert result == Decimal(amount)
    assert result.as_tuple().exponent == -2


# -- drafting ------------------------------------------------------------------------


async def test_create_project_drafts_for_the_callers_organisation_and_region(api, owner):
    project = await create_project(api, owner, title="周市镇绿化带补植", budgetAmount="9950.00")
    year = today().year
    assert re.fullmatch(rf"XM-{year}-\d{{6}}", project["code"])
    assert project["status"] == "DRAFT"
    assert project["availableActions"] == ["UPDATE", "UPLOAD_DOCUMENT", "SUBMIT", "CANCEL"]
    assert project["ownerOrganisation"]["id"] == owner.org_id
    assert project["regionCode"] == "320583"
    assert project["submissionCount"] == 0
    assert money(project["budgetAmount"]) == Decimal("9950.00")
    assert project["location"] == KUNSHAN
    assert [(i["position"], i["name"], money(i["amount"])) for i in project["lineItems"]] == [
        (1, "乔木补植", Decimal("4500.00")),
        (2, "草坪修复", Decimal("5500.00")),
    ]
    history = (await detail(api, owner.staff.token, project["id"]))["statusHistory"]
    assert [(h["fromStatus"], h["toStatus"], h["action"], h["actorName"]) for h in history] == [(None, "DRAFT", "create", owner.staff.name)]


async def test_only_owner_staff_may_create_projects(api):
    for username in ("reviewer", "finance", "contractor1", "auditor", "admin"):
        body = await api.gql(CREATE_PROJECT, {"input": complete_input()}, token=await api.token(username))
        assert body["data"]["createProject"] is None
        forbidden(body)
        assert body["errors"][0]["path"] == ["createProject"]


async def test_project_codes_follow_the_years_counter_and_are_unique(api, owner):
    projects = [await create_project(api, owner) for _ in range(3)]
    assert all(re.fullmatch(rf"XM-{today().year}-\d{{6}}", p["code"]) for p in projects)
    numbers = [int(p["code"].rsplit("-", 1)[1]) for p in projects]
    assert numbers == sorted(set(numbers))  # increasing, no repeats


async def test_update_changes_only_the_fields_given(api, owner):
    project = await create_project(api, owner)
    payload = await update(api, owner, project["id"], title="新的名称", expectedVersion=project["version"])
    assert payload["errors"] == []
    changed = payload["project"]
    assert changed["title"] == "新的名称"
    assert changed["version"] == project["version"] + 1
    for name in ("category", "budgetAmount", "fundingSource", "description", "location", "plannedStart", "plannedEnd", "lineItems"):
        assert changed[name] == project[name], name

    payload = await update(api, owner, project["id"], description=None, location={"latitude": 31.5, "longitude": 121.1, "radiusMeters": 50})
    assert payload["errors"] == []
    assert payload["project"]["description"] is None  # an explicit null clears optional text
    assert payload["project"]["location"] == {"latitude": 31.5, "longitude": 121.1, "radiusMeters": 50}
    assert payload["project"]["title"] == "新的名称"


async def test_update_replaces_all_line_items_and_computes_amounts_to_the_fen(api, owner):
    project = await create_project(api, owner)
    payload = await update(
        api,
        owner,
        project["id"],
        lineItems=[
            {"name": "路缘石", "quantity": "0.333", "unit": "m", "unitPrice": "10.01"},
            {"name": "标线", "quantity": "1.5", "unit": "项", "unitPrice": "0.03"},
            {"name": "沥青", "quantity": "3", "unit": "m²", "unitPrice": "33.33"},
        ],
    )
    assert payload["errors"] == []
    items = payload["project"]["lineItems"]
    assert [(i["position"], i["name"], money(i["quantity"]), i["unit"], money(i["unitPrice"]), money(i["amount"])) for i in items] == [
        (1, "路缘石", Decimal("0.333"), "m", Decimal("10.01"), Decimal("3.33")),
        (2, "标线", Decimal("1.5"), "项", Decimal("0.03"), Decimal("0.05")),
        (3, "沥青", Decimal("3"), "m²", Decimal("33.33"), Decimal("99.99")),
    ]
    # Read back, the old lines are gone.
    stored = (await detail(api, owner.staff.token, project["id"]))["lineItems"]
    assert [i["name"] for i in stored] == ["路缘石", "标线", "沥青"]

    payload = await update(api, owner, project["id"], lineItems=[])
    assert payload["errors"] == [] and payload["project"]["lineItems"] == []


async def test_update_with_a_stale_version_is_refused_and_changes_nothing(api, owner):
    project = await create_project(api, owner)
    assert (await update(api, owner, project["id"], title="第一次修改", expectedVersion=project["version"]))["errors"] == []
    payload = await update(api, owner, project["id"], title="基于旧版本的修改", expectedVersion=project["version"])
    assert payload["project"] is None
    assert codes(payload["errors"]) == [("STALE_VERSION", "expectedVersion")]
    current = await detail(api, owner.staff.token, project["id"])
    assert current["title"] == "第一次修改"
    assert current["version"] == project["version"] + 1


async def test_invalid_input_is_reported_together_and_nothing_is_written(api, owner):
    before = (await api.ok(LIST, {"filter": {"ownerOrganisationId": owner.org_id}, "first": 1}, token=owner.staff.token))["projects"]
    bad = complete_input(
        title="   ",
        budgetAmount="12.345",
        location={"latitude": 95.0, "longitude": 121.0, "radiusMeters": 300},
        lineItems=[
            {"name": "", "quantity": "0", "unit": "m", "unitPrice": "-1.00"},
            {"name": "钢筋", "quantity": "1.0001", "unit": " ", "unitPrice": "1.001"},
        ],
    )
    body = await api.gql(CREATE_PROJECT, {"input": bad}, token=owner.staff.token, headers={"Accept-Language": "en"})
    payload = body["data"]["createProject"]
    assert payload["project"] is None
    assert codes(payload["errors"]) == [
        ("INVALID_COORDINATES", "location"),
        ("NEGATIVE_AMOUNT", "lineItems.0.unitPrice"),
        ("QUANTITY_NOT_POSITIVE", "lineItems.0.quantity"),
        ("REQUIRED", "lineItems.0.name"),
        ("REQUIRED", "lineItems.1.unit"),
        ("REQUIRED", "title"),
        ("TOO_MANY_DECIMALS", "budgetAmount"),
        ("TOO_MANY_DECIMALS", "lineItems.1.quantity"),
        ("TOO_MANY_DECIMALS", "lineItems.1.unitPrice"),
    ]
    messages = {(e["code"], e["field"]): e["message"] for e in payload["errors"]}
    assert messages[("TOO_MANY_DECIMALS", "lineItems.1.quantity")] == "At most 3 decimal places."
    assert messages[("TOO_MANY_DECIMALS", "budgetAmount")] == "At most 2 decimal places."
    after = (await api.ok(LIST, {"filter": {"ownerOrganisationId": owner.org_id}, "first": 1}, token=owner.staff.token))["projects"]
    assert after["totalCount"] == before["totalCount"]

    # An update with bad input leaves the project exactly as it was.
    project = await create_project(api, owner)
    payload = await update(
        api,
        owner,
        project["id"],
        title="合法名称",
        budgetAmount="-5.00",
        lineItems=[{"name": "x", "quantity": "-1", "unit": "m", "unitPrice": "1.00"}],
    )
    assert codes(payload["errors"]) == [("NEGATIVE_AMOUNT", "budgetAmount"), ("QUANTITY_NOT_POSITIVE", "lineItems.0.quantity")]
    current = await detail(api, owner.staff.token, project["id"])
    for name in ("title", "budgetAmount", "lineItems", "version"):
        assert current[name] == project[name], name


async def test_numbers_too_large_to_store_are_user_errors(api, owner):
    """Amounts beyond what the columns hold are refused with a code, not a database fault."""
    bad = complete_input(
        budgetAmount="1e20",
        lineItems=[
            {"name": "数量过大", "quantity": "1e10", "unit": "m", "unitPrice": "1.00"},
            {"name": "金额过大", "quantity": "999999999", "unit": "m", "unitPrice": "99999999999.99"},
            {"name": "精度过高", "quantity": "1e30", "unit": "m", "unitPrice": "1.00"},
        ],
    )
    body = await api.gql(CREATE_PROJECT, {"input": bad}, token=owner.staff.token, headers={"Accept-Language": "en"})
    payload = body["data"]["createProject"]
    assert payload["project"] is None
    assert codes(payload["errors"]) == [
        ("NUMBER_TOO_LARGE", "budgetAmount"),
        ("NUMBER_TOO_LARGE", "lineItems.0.quantity"),
        ("NUMBER_TOO_LARGE", "lineItems.1"),
        ("NUMBER_TOO_LARGE", "lineItems.2.quantity"),
    ]
    assert payload["errors"][0]["message"] == "Must be at most 999,999,999,999.99."


async def test_concurrent_edits_of_one_version_let_exactly_one_through(api, owner):
    project = await create_project(api, owner)
    results = await asyncio.gather(
        *(update(api, owner, project["id"], title=f"并发修改 {n}", expectedVersion=project["version"]) for n in range(3))
    )
    winners = [r["project"]["title"] for r in results if not r["errors"]]
    assert len(winners) == 1
    assert sorted(codes(r["errors"]) for r in results if r["errors"]) == [[("STALE_VERSION", "expectedVersion")]] * 2
    current = await detail(api, owner.staff.token, project["id"])
    assert (current["title"], current["version"]) == (winners[0], project["version"] + 1)


# -- submission ----------------------------------------------------------------------


async def test_submitting_an_empty_draft_reports_every_missing_piece(api, owner):
    created = await api.ok(CREATE_PROJECT, {"input": {"title": unique("空草稿"), "category": "ROAD"}}, token=owner.staff.token)
    project = created["createProject"]["project"]
    body = await api.gql(SUBMIT, {"input": {"id": project["id"]}}, token=owner.staff.token, headers={"Accept-Language": "en"})
    payload = body["data"]["submitProject"]
    assert payload["project"] is None
    assert codes(payload["errors"]) == [
        ("BUDGET_NOT_POSITIVE", "budgetAmount"),
        ("MISSING_DOCUMENT", "documents"),
        ("MISSING_DOCUMENT", "documents"),
        ("MISSING_DOCUMENT", "documents"),
        ("REQUIRED", "fundingSource"),
        ("REQUIRED", "lineItems"),
        ("REQUIRED", "location"),
        ("REQUIRED", "plannedEnd"),
        ("REQUIRED", "plannedStart"),
    ]
    missing = sorted(e["message"] for e in payload["errors"] if e["code"] == "MISSING_DOCUMENT")
    assert missing == [f"A required document is missing: {t}." for t in ("Budget table", "Construction drawings", "Project proposal")]
    assert (await detail(api, owner.staff.token, project["id"]))["status"] == "DRAFT"


async def test_a_wrong_application_gets_every_failure_at_once_and_passes_once_fixed(api):
    owner = await new_owner(api, allocation="100000.00")
    yesterday = today() - timedelta(days=1)
    project = await create_project(
        api,
        owner,
        category="ROAD",
        budgetAmount="600000.00",
        plannedStart=yesterday.isoformat(),
        plannedEnd=yesterday.isoformat(),
        location={"latitude": 48.8566, "longitude": 2.3522, "radiusMeters": 20},
        lineItems=[{"name": "沥青路面", "quantity": "1", "unit": "项", "unitPrice": "599999.99"}],
    )
    payload = await submit(api, owner, project["id"])
    assert payload["project"] is None
    assert codes(payload["errors"]) == [
        ("BUDGET_OVER_CEILING", "budgetAmount"),
        ("END_NOT_AFTER_START", "plannedEnd"),
        ("INSUFFICIENT_ALLOCATION", "budgetAmount"),
        ("LINE_ITEMS_MISMATCH", "lineItems"),
        ("LOCATION_OUTSIDE_CHINA", "location"),
        ("MISSING_DOCUMENT", "documents"),
        ("MISSING_DOCUMENT", "documents"),
        ("MISSING_DOCUMENT", "documents"),
        ("RADIUS_OUT_OF_RANGE", "location.radiusMeters"),
        ("START_IN_PAST", "plannedStart"),
    ]
    messages = {e["code"]: e["message"] for e in payload["errors"]}
    assert "500,000.00" in messages["BUDGET_OVER_CEILING"]
    assert "599,999.99" in messages["LINE_ITEMS_MISMATCH"] and "600,000.00" in messages["LINE_ITEMS_MISMATCH"]
    assert "50" in messages["RADIUS_OUT_OF_RANGE"] and "5000" in messages["RADIUS_OUT_OF_RANGE"]
    assert (await detail(api, owner.staff.token, project["id"]))["status"] == "DRAFT"

    start = today() + timedelta(days=3)
    fixed = await update(
        api,
        owner,
        project["id"],
        budgetAmount="80000.00",
        plannedStart=start.isoformat(),
        plannedEnd=(start + timedelta(days=1)).isoformat(),
        location=KUNSHAN,
        lineItems=[
            {"name": "沥青路面", "quantity": "1000", "unit": "m²", "unitPrice": "65.00"},
            {"name": "路缘石", "quantity": "166.667", "unit": "m", "unitPrice": "90.00"},
        ],
    )
    assert fixed["errors"] == []
    # 166.667 × 90.00 = 15000.03: exactly one fen too much is still a mismatch.
    assert money(fixed["project"]["lineItems"][1]["amount"]) == Decimal("15000.03")
    for document_type in ("PROPOSAL", "BUDGET_TABLE", "CONSTRUCTION_DRAWING"):
        await upload_ok(api, owner, project["id"], document_type)
    assert codes((await submit(api, owner, project["id"]))["errors"]) == [("LINE_ITEMS_MISMATCH", "lineItems")]

    assert (await update(api, owner, project["id"], budgetAmount="80000.03"))["errors"] == []
    payload = await submit(api, owner, project["id"], comment="已按要求补正。")
    assert payload["errors"] == []
    assert payload["project"]["status"] == "SUBMITTED"
    assert payload["project"]["submissionCount"] == 1
    reviews = (await detail(api, owner.staff.token, project["id"]))["reviews"]
    assert [(r["round"], r["step"], r["role"], r["status"]) for r in reviews] == [(1, 1, "reviewer", "PENDING")]


async def test_construction_drawings_are_required_for_road_building_repair_and_water_only(api, owner):
    project = await ready(api, owner, category="GREENING")  # proposal and budget table only
    for category in ("ROAD", "BUILDING_REPAIR", "WATER"):
        assert (await update(api, owner, project["id"], category=category))["errors"] == []
        body = await api.gql(SUBMIT, {"input": {"id": project["id"]}}, token=owner.staff.token, headers={"Accept-Language": "en"})
        errors = body["data"]["submitProject"]["errors"]
        assert [(e["code"], e["field"], e["message"]) for e in errors] == [
            ("MISSING_DOCUMENT", "documents", "A required document is missing: Construction drawings.")
        ], category
    for category in ("EQUIPMENT", "GREENING"):
        assert (await update(api, owner, project["id"], category=category))["errors"] == []
    payload = await submit(api, owner, project["id"])
    assert payload["errors"] == [] and payload["project"]["status"] == "SUBMITTED"


async def test_submission_with_a_stale_version_is_refused(api, owner):
    project = await ready(api, owner)
    current = await detail(api, owner.staff.token, project["id"])  # uploads moved the version on
    payload = await submit(api, owner, project["id"], expectedVersion=project["version"])
    assert codes(payload["errors"]) == [("STALE_VERSION", "expectedVersion")]
    payload = await submit(api, owner, project["id"], expectedVersion=current["version"])
    assert payload["errors"] == [] and payload["project"]["status"] == "SUBMITTED"


async def test_budget_ceiling_and_geofence_radius_bounds_are_inclusive(api):
    """500,000.00 is allowed and one fen more is not; radii of 50 and 5,000 m are allowed,
    49 and 5,001 are not; work may start today (China time) but not yesterday."""
    owner = await new_owner(api, allocation="600000.00")
    project = await create_project(api, owner, lineItems=[{"name": "整体", "quantity": "1", "unit": "项", "unitPrice": "500000.00"}])

    async def problems(**fields) -> set[str]:
        assert (await update(api, owner, project["id"], **fields))["errors"] == []
        return {e["code"] for e in (await submit(api, owner, project["id"]))["errors"]}

    assert "BUDGET_OVER_CEILING" not in await problems(budgetAmount="500000.00")
    assert "BUDGET_OVER_CEILING" in await problems(budgetAmount="500000.01")
    for radius, allowed in ((49, False), (50, True), (5000, True), (5001, False)):
        found = await problems(budgetAmount="500000.00", location={**KUNSHAN, "radiusMeters": radius})
        assert ("RADIUS_OUT_OF_RANGE" not in found) is allowed, radius
    yesterday, tomorrow = today() - timedelta(days=1), today() + timedelta(days=1)
    assert "START_IN_PAST" in await problems(plannedStart=yesterday.isoformat())
    # What remains is only the documents.
    assert await problems(location=KUNSHAN, plannedStart=today().isoformat(), plannedEnd=tomorrow.isoformat()) == {"MISSING_DOCUMENT"}


async def test_submission_needs_enough_of_the_owners_remaining_allocation(api):
    owner = await new_owner(api, allocation="15000.00")
    first = await submitted(api, owner, budgetAmount="10000.00")
    await approve_fully(api, owner, first["id"])
    year = date.fromisoformat(first["plannedStart"]).year
    assert (await allocation_of(api, owner, year))["remaining"] == Decimal("5000.00")

    second = await ready(api, owner, budgetAmount="10000.00")
    body = await api.gql(SUBMIT, {"input": {"id": second["id"]}}, token=owner.staff.token, headers={"Accept-Language": "en"})
    (error,) = body["data"]["submitProject"]["errors"]
    assert (error["code"], error["field"]) == ("INSUFFICIENT_ALLOCATION", "budgetAmount")
    assert error["message"] == f"Not enough of the {year} budget allocation remains (CNY 5,000.00 available)."

    await set_allocation(api, owner.org_id, year, "25000.00")
    assert (await submit(api, owner, second["id"]))["errors"] == []


# -- documents -----------------------------------------------------------------------


async def test_documents_show_the_latest_version_or_all_versions(api, owner):
    project = await create_project(api, owner)
    first = await upload_ok(api, owner, project["id"], "PROPOSAL")
    second = await upload_ok(api, owner, project["id"], "PROPOSAL")
    table = await upload_ok(api, owner, project["id"], "BUDGET_TABLE")
    assert (first["version"], second["version"], table["version"]) == (1, 2, 1)
    assert first["mediaType"] == "application/pdf" and first["filename"] == "PROPOSAL.pdf"

    query = """query($id: ID!) { project(id: $id) {
      latest: documents { id documentType version }
      every: documents(allVersions: true) { id documentType version }
    } }"""
    data = (await api.ok(query, {"id": project["id"]}, token=owner.staff.token))["project"]
    assert [(d["documentType"], d["version"], d["id"]) for d in data["latest"]] == [
        ("BUDGET_TABLE", 1, table["id"]),
        ("PROPOSAL", 2, second["id"]),
    ]
    assert sorted((d["documentType"], d["version"]) for d in data["every"]) == [("BUDGET_TABLE", 1), ("PROPOSAL", 1), ("PROPOSAL", 2)]


# -- the review chain ----------------------------------------------------------------


async def test_review_chain_goes_to_the_reviewer_then_finance_and_reserves_the_budget(api, owner):
    reviewer, finance = await api.token("reviewer"), await api.token("finance")
    project = await submitted(
        api, owner, budgetAmount="12345.67", lineItems=[{"name": "整体", "quantity": "1", "unit": "项", "unitPrice": "12345.67"}]
    )
    year = date.fromisoformat(project["plannedStart"]).year
    reserved_before = (await allocation_of(api, owner, year))["reserved"]

    # Step 1 waits for the reviewer only; owners and contractors have no review queue.
    assert await queued_for(api, reviewer, project["id"]) == [(1, 1)]
    for username in ("owner", "contractor1"):
        forbidden(await api.gql(QUEUE, {}, token=await api.token(username)))
    assert await queued_for(api, finance, project["id"]) == []
    step1 = await pending_review(api, owner, project["id"])
    assert (step1["round"], step1["step"], step1["role"]) == (1, 1, "reviewer")

    payload = await decide_ok(api, reviewer, step1["id"], "APPROVE", "技术方案可行。")
    assert payload["review"]["status"] == "APPROVED"
    assert payload["review"]["comment"] == "技术方案可行。"
    assert payload["review"]["reviewerName"] == "住建局审核人 李强"  # the display name, not the username
    assert payload["review"]["decidedAt"] is not None
    assert payload["project"]["status"] == "SUBMITTED"  # not yet: finance decides next
    assert (await allocation_of(api, owner, year))["reserved"] == reserved_before

    # Step 2 waits for finance only, and only now.
    assert await queued_for(api, reviewer, project["id"]) == []
    assert await queued_for(api, finance, project["id"]) == [(1, 2)]
    step2 = await pending_review(api, owner, project["id"])
    assert (step2["round"], step2["step"], step2["role"]) == (1, 2, "finance_officer")

    payload = await decide_ok(api, finance, step2["id"], "APPROVE", "预算指标充足。")
    assert payload["project"]["status"] == "APPROVED"
    assert await queued_for(api, finance, project["id"]) == []

    allocation = await allocation_of(api, owner, year)
    assert allocation["reserved"] == reserved_before + Decimal("12345.67")
    assert allocation["remaining"] == allocation["amount"] - allocation["reserved"]
    approved = await detail(api, owner.staff.token, project["id"])
    assert approved["availableActions"] == ["CANCEL"]
    assert [(r["step"], r["status"], r["comment"]) for r in approved["reviews"]] == [
        (1, "APPROVED", "技术方案可行。"),
        (2, "APPROVED", "预算指标充足。"),
    ]


async def test_a_decided_step_cannot_be_decided_again(api, owner):
    project = await submitted(api, owner)
    step1 = await pending_review(api, owner, project["id"])
    await decide_ok(api, await api.token("reviewer"), step1["id"])
    body = await decide(api, await api.token("reviewer"), step1["id"], "REJECT", "改主意了。")
    assert codes(body["data"]["decideProjectReview"]["errors"]) == [("REVIEW_ALREADY_DECIDED", None)]


async def test_rejecting_needs_a_comment(api, owner):
    project = await submitted(api, owner)
    step1 = await pending_review(api, owner, project["id"])
    for comment in (None, "   "):
        body = await decide(api, await api.token("reviewer"), step1["id"], "REJECT", comment)
        payload = body["data"]["decideProjectReview"]
        assert payload["review"] is None
        assert codes(payload["errors"]) == [("REQUIRED", "comment")]
    assert (await pending_review(api, owner, project["id"]))["id"] == step1["id"]
    assert (await detail(api, owner.staff.token, project["id"]))["status"] == "SUBMITTED"


async def test_a_rejected_project_is_edited_and_resubmitted_in_a_new_round(api, owner, state):
    reviewer = await api.token("reviewer")
    project = await submitted(api, owner)
    step1 = await pending_review(api, owner, project["id"])
    payload = await decide_ok(api, reviewer, step1["id"], "REJECT", "预算明细不完整。")
    assert payload["project"]["status"] == "REJECTED"
    assert await queued_for(api, reviewer, project["id"]) == []

    rejected = await detail(api, owner.staff.token, project["id"])
    assert rejected["availableActions"] == ["UPDATE", "UPLOAD_DOCUMENT", "SUBMIT", "CANCEL"]
    edited = await update(
        api,
        owner,
        project["id"],
        budgetAmount="10500.00",
        lineItems=[
            {"name": "乔木补植", "quantity": "10", "unit": "株", "unitPrice": "450.00"},
            {"name": "草坪修复", "quantity": "275", "unit": "m²", "unitPrice": "20.00"},
            {"name": "养护", "quantity": "1", "unit": "项", "unitPrice": "500.00"},
        ],
    )
    assert edited["errors"] == []
    payload = await submit(api, owner, project["id"], comment="已补充养护费用。")
    assert payload["errors"] == []
    assert payload["project"]["submissionCount"] == 2
    assert await queued_for(api, reviewer, project["id"]) == [(2, 1)]

    await approve_fully(api, owner, project["id"])
    final = await detail(api, owner.staff.token, project["id"])
    assert final["status"] == "APPROVED"
    assert [(r["round"], r["step"], r["role"], r["status"]) for r in final["reviews"]] == [
        (1, 1, "reviewer", "REJECTED"),
        (2, 1, "reviewer", "APPROVED"),
        (2, 2, "finance_officer", "APPROVED"),
    ]
    assert final["reviews"][0]["comment"] == "预算明细不完整。"
    assert [(h["fromStatus"], h["toStatus"], h["action"]) for h in final["statusHistory"]] == [
        (None, "DRAFT", "create"),
        ("DRAFT", "SUBMITTED", "submit"),
        ("SUBMITTED", "REJECTED", "reject"),
        ("REJECTED", "SUBMITTED", "submit"),
        ("SUBMITTED", "APPROVED", "approve"),
    ]
    # The key dates the reports read: the first submission (not the resubmission), the approval.
    history = final["statusHistory"]
    async with state.db.read() as session:
        row = (await session.execute(select(Project).where(Project.code == final["code"]))).scalar_one()
    assert row.applied_at == datetime.fromisoformat(history[1]["occurredAt"]) < datetime.fromisoformat(history[3]["occurredAt"])
    assert row.approved_at == datetime.fromisoformat(history[4]["occurredAt"])
    assert row.tendered_at is None and row.signed_at is None and row.settled_at is None


async def test_an_approved_project_is_locked(api, owner):
    project = await submitted(api, owner)
    # Submitted is already out of the owner's hands ...
    assert codes((await update(api, owner, project["id"], title="审核中修改"))["errors"]) == [("PROJECT_LOCKED", None)]
    await approve_fully(api, owner, project["id"])
    # ... and approved stays so.
    payload = await update(api, owner, project["id"], title="立项后修改")
    assert payload["project"] is None
    assert codes(payload["errors"]) == [("PROJECT_LOCKED", None)]
    late = await upload(api.client, owner.staff.token, project["id"], "OTHER", "补充.pdf", pdf_bytes(unique("late")), "application/pdf")
    assert late["document"] is None
    assert codes(late["errors"]) == [("PROJECT_LOCKED", None)]
    assert codes((await submit(api, owner, project["id"]))["errors"]) == [("INVALID_TRANSITION", "status")]
    current = await detail(api, owner.staff.token, project["id"])
    assert current["title"] == project["title"]
    assert [d["documentType"] for d in current["documents"]] == ["BUDGET_TABLE", "PROPOSAL"]


@pytest.mark.parametrize("status", ["DRAFT", "SUBMITTED", "APPROVED", "REJECTED"])
async def test_cancel_from_each_status_releases_the_budget_and_withdraws_pending_reviews(api, owner, status):
    reviewer = await api.token("reviewer")
    project = await (create_project(api, owner) if status == "DRAFT" else submitted(api, owner))
    if status == "APPROVED":
        await approve_fully(api, owner, project["id"])
    if status == "REJECTED":
        await decide_ok(api, reviewer, (await pending_review(api, owner, project["id"]))["id"], "REJECT", "不符合要求。")
    year = date.fromisoformat(project["plannedStart"]).year
    reserved = (await allocation_of(api, owner, year))["reserved"]

    for reason in ("", "  "):
        body = await api.ok(CANCEL, {"input": {"id": project["id"], "reason": reason}}, token=owner.staff.token)
        assert codes(body["cancelProject"]["errors"]) == [("REQUIRED", "reason")]
    assert (await detail(api, owner.staff.token, project["id"]))["status"] == status

    payload = (await api.ok(CANCEL, {"input": {"id": project["id"], "reason": "并入明年计划。"}}, token=owner.staff.token))["cancelProject"]
    assert payload["errors"] == []
    assert payload["project"]["status"] == "CANCELLED"
    assert payload["project"]["availableActions"] == []

    released = Decimal(project["budgetAmount"]) if status == "APPROVED" else Decimal("0.00")
    assert (await allocation_of(api, owner, year))["reserved"] == reserved - released
    cancelled = await detail(api, owner.staff.token, project["id"])
    assert "PENDING" not in [r["status"] for r in cancelled["reviews"]]
    if status == "SUBMITTED":
        assert [r["status"] for r in cancelled["reviews"]] == ["WITHDRAWN"]
        late = await decide(api, reviewer, cancelled["reviews"][0]["id"], "APPROVE", "来晚了。")
        assert codes(late["data"]["decideProjectReview"]["errors"]) == [("REVIEW_ALREADY_DECIDED", None)]
    assert await queued_for(api, reviewer, project["id"]) == []
    last = cancelled["statusHistory"][-1]
    assert (last["fromStatus"], last["toStatus"], last["action"], last["comment"]) == (status, "CANCELLED", "cancel", "并入明年计划。")

    again = (await api.ok(CANCEL, {"input": {"id": project["id"], "reason": "再次撤销。"}}, token=owner.staff.token))["cancelProject"]
    assert codes(again["errors"]) == [("INVALID_TRANSITION", "status")]
    assert (await allocation_of(api, owner, year))["reserved"] == reserved - released


# -- history and audit ----------------------------------------------------------------


async def test_every_transition_is_in_the_status_history_and_the_audit_trail(api, owner):
    project = await submitted(api, owner)
    await decide_ok(api, await api.token("reviewer"), (await pending_review(api, owner, project["id"]))["id"], "REJECT", "请补充图纸说明。")
    assert (await submit(api, owner, project["id"], comment="已补充。"))["errors"] == []
    await approve_fully(api, owner, project["id"])
    cancelled = await api.ok(CANCEL, {"input": {"id": project["id"], "reason": "资金调整。"}}, token=owner.staff.token)
    assert cancelled["cancelProject"]["errors"] == []

    history = (await detail(api, owner.staff.token, project["id"]))["statusHistory"]
    assert [(h["action"], h["actorName"], h["comment"]) for h in history] == [
        ("create", owner.staff.name, None),
        ("submit", owner.staff.name, "请审核。"),
        ("reject", "住建局审核人 李强", "请补充图纸说明。"),
        ("submit", owner.staff.name, "已补充。"),
        ("approve", "财政局 张敏", "同意立项。"),
        ("cancel", owner.staff.name, "资金调整。"),
    ]
    times = [datetime.fromisoformat(h["occurredAt"]) for h in history]
    assert all(t.utcoffset() == timedelta(0) for t in times)
    assert times == sorted(times)

    events = (await api.ok(AUDIT, {"target": project["id"]}, token=await api.token("auditor")))["auditEvents"]["nodes"]
    events.reverse()  # oldest first
    assert all(e["targetType"] == "Project" for e in events)
    transitions = [
        (e["operation"], e["changes"]["action"], e["changes"]["status"]["before"], e["changes"]["status"]["after"])
        for e in events
        if "action" in e["changes"]
    ]
    assert transitions == [
        ("Mutation.submitProject", "submit", "draft", "submitted"),
        ("Mutation.decideProjectReview", "reject", "submitted", "rejected"),
        ("Mutation.submitProject", "submit", "rejected", "submitted"),
        ("Mutation.decideProjectReview", "approve", "submitted", "approved"),
        ("Mutation.cancelProject", "cancel", "approved", "cancelled"),
    ]
    assert events[0]["operation"] == "Mutation.createProject"
    assert events[0]["actorName"] == owner.staff.name
    assert [e["changes"]["comment"] for e in events if e["changes"].get("action") == "cancel"] == ["资金调整。"]


# -- who sees and decides what -----------------------------------------------------------


async def test_an_owner_cannot_review_their_own_organisations_project(api, owner):
    both = await create_person(api, owner.org_id, ["OWNER_STAFF", "REVIEWER"])
    project = await submitted(api, owner)
    step1 = await pending_review(api, owner, project["id"])
    assert await queued_for(api, both.token, project["id"]) == []
    body = await decide(api, both.token, step1["id"], "APPROVE", "自己批自己。")
    assert body["data"]["decideProjectReview"] is None
    forbidden(body, "OWN_PROJECT_REVIEW")
    assert (await pending_review(api, owner, project["id"]))["id"] == step1["id"]


async def test_a_finance_officer_cannot_decide_the_reviewer_step(api, owner):
    project = await submitted(api, owner)
    step1 = await pending_review(api, owner, project["id"])
    body = await decide(api, await api.token("finance"), step1["id"], "APPROVE", "越级审核。")
    forbidden(body, "NOT_YOUR_REVIEW")
    review = await pending_review(api, owner, project["id"])
    assert (review["id"], review["step"]) == (step1["id"], 1)


async def test_one_person_cannot_decide_two_steps_of_one_round(api, owner):
    finance_org = await create_organisation(api, "FINANCE")
    both = await create_person(api, finance_org, ["REVIEWER", "FINANCE_OFFICER"])
    project = await submitted(api, owner)
    assert await queued_for(api, both.token, project["id"]) == [(1, 1)]
    await decide_ok(api, both.token, (await pending_review(api, owner, project["id"]))["id"], "APPROVE", "技术审核通过。")

    step2 = await pending_review(api, owner, project["id"])
    assert step2["role"] == "finance_officer"
    assert await queued_for(api, both.token, project["id"]) == []
    assert await queued_for(api, await api.token("finance"), project["id"]) == [(1, 2)]
    body = await decide(api, both.token, step2["id"], "APPROVE", "我再批一次。")
    forbidden(body, "SAME_REVIEWER")
    assert (await pending_review(api, owner, project["id"]))["id"] == step2["id"]

    payload = await decide_ok(api, await api.token("finance"), step2["id"])
    assert payload["project"]["status"] == "APPROVED"


async def test_two_reviewers_deciding_one_step_at_once_decide_it_once(api, owner):
    platform = await create_organisation(api, "PLATFORM")
    second = await create_person(api, platform, ["REVIEWER"])
    project = await submitted(api, owner)
    step1 = await pending_review(api, owner, project["id"])
    bodies = await asyncio.gather(
        decide(api, await api.token("reviewer"), step1["id"], "APPROVE", "同意。"),
        decide(api, second.token, step1["id"], "REJECT", "不同意。"),
    )
    outcomes = sorted(codes(b["data"]["decideProjectReview"]["errors"]) for b in bodies)
    assert outcomes == [[], [("REVIEW_ALREADY_DECIDED", None)]]
    reviews = (await detail(api, owner.staff.token, project["id"]))["reviews"]
    winner = next(b for b in bodies if not b["data"]["decideProjectReview"]["errors"])["data"]["decideProjectReview"]
    if winner["review"]["status"] == "APPROVED":
        assert [(r["step"], r["status"]) for r in reviews] == [(1, "APPROVED"), (2, "PENDING")]
        assert winner["project"]["status"] == "SUBMITTED"
    else:
        assert [(r["step"], r["status"]) for r in reviews] == [(1, "REJECTED")]
        assert winner["project"]["status"] == "REJECTED"


async def visible(api, token: str, project_id: str) -> tuple[dict | None, dict | None]:
    """The project through ``project(id)`` and ``node(id)``."""
    by_field = (await api.ok(PROJECT, {"id": project_id}, token=token))["project"]
    by_node = (await api.ok(NODE, {"id": project_id}, token=token))["node"]
    return by_field, by_node


async def test_a_contractor_sees_no_drafts_of_other_organisations(api, owner):
    draft = await create_project(api, owner)
    contractor = await api.token("contractor1")
    page = (await api.ok(LIST, {"filter": {"status": ["DRAFT"]}, "first": 100}, token=contractor))["projects"]
    assert page["totalCount"] == 0 and page["nodes"] == []
    mine = (await api.ok(LIST, {"filter": {"ownerOrganisationId": owner.org_id}}, token=contractor))["projects"]
    assert mine["nodes"] == []
    assert await visible(api, contractor, draft["id"]) == (None, None)


async def test_a_reviewer_sees_submitted_projects_but_not_drafts(api, owner):
    draft = await create_project(api, owner)
    sent = await submitted(api, owner)
    for username in ("reviewer", "finance"):
        token = await api.token(username)
        drafts = (await api.ok(LIST, {"filter": {"status": ["DRAFT"]}, "first": 100}, token=token))["projects"]
        assert drafts["totalCount"] == 0
        listed = (await api.ok(LIST, {"filter": {"ownerOrganisationId": owner.org_id}, "first": 100}, token=token))["projects"]["nodes"]
        ids = {p["id"] for p in listed}
        assert sent["id"] in ids and draft["id"] not in ids
        assert "DRAFT" not in {p["status"] for p in listed}
        assert await visible(api, token, draft["id"]) == (None, None)
        by_field, by_node = await visible(api, token, sent["id"])
        assert by_field["status"] == by_node["status"] == "SUBMITTED"


async def test_staff_of_another_owner_see_none_of_this_organisations_projects(api, owner):
    draft = await create_project(api, owner)
    sent = await submitted(api, owner)
    other = await api.token("owner")  # the demo owner organisation's staff
    listed = (await api.ok(LIST, {"filter": {"ownerOrganisationId": owner.org_id}}, token=other))["projects"]
    assert listed["totalCount"] == 0
    everything = (await api.ok(LIST, {"first": 100, "filter": {"search": sent["code"]}}, token=other))["projects"]
    assert everything["nodes"] == []
    for project in (draft, sent):
        assert await visible(api, other, project["id"]) == (None, None)
    # Nor can they act on them: to them, the project does not exist.
    for document, variables in (
        (UPDATE, {"input": {"id": draft["id"], "title": "别人的项目"}}),
        (CANCEL, {"input": {"id": sent["id"], "reason": "别人的项目"}}),
        (SUBMIT, {"input": {"id": draft["id"]}}),
    ):
        body = await api.gql(document, variables, token=other)
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND", body
    assert (await detail(api, owner.staff.token, draft["id"]))["title"] == draft["title"]
    assert (await detail(api, owner.staff.token, sent["id"]))["status"] == "SUBMITTED"


async def test_only_the_owner_may_cancel(api, owner):
    project = await submitted(api, owner)
    for username in ("reviewer", "finance", "contractor1"):
        body = await api.gql(CANCEL, {"input": {"id": project["id"], "reason": "越权撤销。"}}, token=await api.token(username))
        forbidden(body)
    assert (await detail(api, owner.staff.token, project["id"]))["status"] == "SUBMITTED"


# -- list queries ----------------------------------------------------------------------


@pytest_asyncio.fixture(scope="module")
async def catalogue(api) -> tuple[Owner, list[dict]]:
    """A fresh owner with six projects of varied category, budget, start and status; the
    titles are lower-case ASCII so every backend's collation orders them alike."""
    owner = await new_owner(api)
    base = today() + timedelta(days=20)
    specs = [
        ("delta", "ROAD", "30000.00", 0),
        ("alpha", "GREENING", "10000.00", 5),
        ("echo", "WATER", "30000.00", 10),
        ("charlie", "GREENING", "20000.00", 15),
        ("bravo", "BUILDING_REPAIR", "50000.00", 20),
        ("foxtrot", "EQUIPMENT", "40000.00", 25),
    ]
    tag = unique("q")
    projects = []
    for title, category, budget, offset in specs:
        start = base + timedelta(days=offset)
        projects.append(
            await create_project(
                api,
                owner,
                title=f"{title} {tag}",
                category=category,
                budgetAmount=budget,
                plannedStart=start.isoformat(),
                plannedEnd=(start + timedelta(days=30)).isoformat(),
                lineItems=[{"name": "整体", "quantity": "1", "unit": "项", "unitPrice": budget}],
            )
        )
    # "alpha" goes to review.
    for document_type in ("PROPOSAL", "BUDGET_TABLE"):
        await upload_ok(api, owner, projects[1]["id"], document_type)
    assert (await submit(api, owner, projects[1]["id"]))["errors"] == []
    return owner, projects


async def titles(api, owner: Owner, filter: dict) -> list[str]:
    page = (
        await api.ok(LIST, {"filter": filter, "first": 100, "orderBy": {"field": "TITLE", "direction": "ASC"}}, token=owner.staff.token)
    )["projects"]
    assert page["totalCount"] == len(page["nodes"])
    return [p["title"].split()[0] for p in page["nodes"]]


async def test_projects_filter_by_status_category_region_and_owner(api, catalogue):
    owner, projects = catalogue
    assert await titles(api, owner, {}) == ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
    assert await titles(api, owner, {"status": ["SUBMITTED"]}) == ["alpha"]
    assert await titles(api, owner, {"status": ["DRAFT", "APPROVED"]}) == ["bravo", "charlie", "delta", "echo", "foxtrot"]
    assert await titles(api, owner, {"category": ["GREENING"]}) == ["alpha", "charlie"]
    assert await titles(api, owner, {"category": ["ROAD", "WATER"], "status": ["DRAFT"]}) == ["delta", "echo"]
    assert len(await titles(api, owner, {"regionPrefix": "3205"})) == 6
    assert await titles(api, owner, {"regionPrefix": "1101"}) == []
    assert len(await titles(api, owner, {"ownerOrganisationId": owner.org_id})) == 6

    # The auditor sees every owner's projects of the county; the owner filter picks one owner's.
    auditor = await api.token("auditor")
    page = (await api.ok(LIST, {"filter": {"ownerOrganisationId": owner.org_id}, "first": 100}, token=auditor))["projects"]
    assert sorted(p["id"] for p in page["nodes"]) == sorted(p["id"] for p in projects)
    everyone = (await api.ok(LIST, {"filter": {"regionPrefix": "320583"}, "first": 1}, token=auditor))["projects"]
    assert everyone["totalCount"] > 6
    demo_org = (await api.ok("{ projects(first: 1) { nodes { ownerOrganisation { id } } } }", token=await api.token("owner")))["projects"][
        "nodes"
    ][0]["ownerOrganisation"]["id"]
    assert demo_org != owner.org_id
    assert await titles(api, owner, {"ownerOrganisationId": demo_org}) == []


async def test_projects_filter_by_budget_and_planned_start_inclusively(api, catalogue):
    owner, projects = catalogue
    assert await titles(api, owner, {"budgetMin": "30000.00"}) == ["bravo", "delta", "echo", "foxtrot"]
    assert await titles(api, owner, {"budgetMax": "20000.00"}) == ["alpha", "charlie"]
    assert await titles(api, owner, {"budgetMin": "20000.00", "budgetMax": "30000.00"}) == ["charlie", "delta", "echo"]
    assert await titles(api, owner, {"budgetMin": "30000.01", "budgetMax": "39999.99"}) == []
    starts = {p["title"].split()[0]: p["plannedStart"] for p in projects}
    assert await titles(api, owner, {"plannedStartFrom": starts["echo"]}) == ["bravo", "charlie", "echo", "foxtrot"]
    assert await titles(api, owner, {"plannedStartTo": starts["alpha"]}) == ["alpha", "delta"]
    assert await titles(api, owner, {"plannedStartFrom": starts["echo"], "plannedStartTo": starts["charlie"]}) == ["charlie", "echo"]


async def test_projects_search_matches_title_and_code(api, catalogue):
    owner, projects = catalogue
    tag = projects[0]["title"].split()[1]
    assert len(await titles(api, owner, {"search": tag})) == 6
    assert await titles(api, owner, {"search": f"cho {tag}"}) == ["echo"]
    assert await titles(api, owner, {"search": f"ECHO {tag.upper()}"}) == ["echo"]  # on every backend
    code = projects[4]["code"]  # bravo
    assert await titles(api, owner, {"search": code}) == ["bravo"]
    assert await titles(api, owner, {"search": code.lower()}) == ["bravo"]
    assert await titles(api, owner, {"search": code[-6:]}) == ["bravo"]
    assert await titles(api, owner, {"search": "%"}) == []  # wildcards are matched literally
    assert await titles(api, owner, {"search": "_"}) == []


@pytest.mark.parametrize(
    ("bound", "reason"),
    [("100.005", "TOO_MANY_DECIMALS"), ("1e30", "NUMBER_TOO_LARGE"), ("NaN", "INVALID_NUMBER")],
)
async def test_a_budget_bound_that_is_not_an_amount_is_bad_input(api, catalogue, bound, reason):
    owner, _ = catalogue
    for name in ("budgetMin", "budgetMax"):
        body = await api.gql(LIST, {"filter": {name: bound}}, token=owner.staff.token)
        assert body["data"]["projects"] is None
        assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "reason": reason}


@pytest.mark.parametrize("field", ["CODE", "BUDGET_AMOUNT", "TITLE", "CREATED_AT"])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_projects_order_and_page_through_every_item_once(api, catalogue, field, direction):
    owner, projects = catalogue
    key = {
        "CODE": lambda p: (p["code"],),
        "BUDGET_AMOUNT": lambda p: (Decimal(p["budgetAmount"]), p["code"]),  # ties fall back to creation order
        "TITLE": lambda p: (p["title"],),
        "CREATED_AT": lambda p: (p["code"],),  # drafted one after the other
    }[field]
    expected = [p["id"] for p in sorted(projects, key=key, reverse=direction == "DESC")]
    seen, after, pages = [], None, 0
    while True:
        page = (
            await api.ok(
                LIST,
                {"orderBy": {"field": field, "direction": direction}, "first": 4 if pages == 0 else 1, "after": after},
                token=owner.staff.token,
            )
        )["projects"]
        seen += [p["id"] for p in page["nodes"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == expected
    assert pages == 3


async def test_project_detail_has_its_nested_records(api, catalogue):
    owner, projects = catalogue
    alpha = await detail(api, owner.staff.token, projects[1]["id"])
    assert alpha["ownerOrganisation"]["id"] == owner.org_id
    assert [d["documentType"] for d in alpha["documents"]] == ["BUDGET_TABLE", "PROPOSAL"]
    assert [(i["position"], money(i["amount"])) for i in alpha["lineItems"]] == [(1, Decimal("10000.00"))]
    assert [h["action"] for h in alpha["statusHistory"]] == ["create", "submit"]
    assert [(r["round"], r["step"], r["status"]) for r in alpha["reviews"]] == [(1, 1, "PENDING")]


# -- cost of a page -------------------------------------------------------------------------

FULL_PAGE = """query($first: Int!, $filter: ProjectFilter) {
  projects(first: $first, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id code title status budgetAmount availableActions location { latitude longitude radiusMeters }
      ownerOrganisation { id name kind }
      lineItems { position name quantity unitPrice amount }
      latest: documents { id documentType version filename downloadUrl }
      documents(allVersions: true) { id version }
      statusHistory { fromStatus toStatus action actorName comment occurredAt }
      reviews { id round step role status reviewerName comment project { id code } }
    }
  }
}"""


async def test_a_page_of_fifty_costs_as_many_statements_as_a_page_of_five(api, state):
    """Nested fields are batched per page: 50 projects with every nested field issue the
    same number of SQL statements as 5. The projects are drafted through the resolvers in
    one transaction, which is much quicker than 250 requests."""
    owner = await new_owner(api)
    reviewer = await api.token("reviewer")

    async def actor_of(username: str):
        async with state.db.read() as session:
            user_id = (await session.execute(select(User.id).where(User.username == username))).scalar_one()
            return await load_user_actor(session, user_id, None)

    meta = RequestMeta(request_id="test-projects-bulk")
    start = today() + timedelta(days=10)
    async with unit_of_work(state, "test.bulk", await actor_of(owner.staff.username), meta) as uow:
        for n in range(50):
            project = await svc.create_project(
                uow,
                svc.ProjectData(
                    title=f"批量项目 {n:02d}",
                    category="greening",
                    budget_amount=Decimal("1000.00"),
                    funding_source="专项资金",
                    location=svc.Location(31.43, 121.0, 300),
                    planned_start=start,
                    planned_end=start + timedelta(days=30),
                    line_items=[
                        svc.LineItemData("苗木", Decimal("2"), "株", Decimal("300.00")),
                        svc.LineItemData("人工", Decimal("1"), "项", Decimal("400.00")),
                    ],
                ),
            )
            for document_type in ("proposal", "budget_table"):
                await svc.upload_document(
                    uow,
                    state.storage,
                    project.id,
                    document_type,
                    svc.Upload(f"{document_type}.pdf", "application/pdf", pdf_bytes(f"bulk {n} {document_type}")),
                )
            if n % 2 == 0:
                await svc.submit_project(uow, project.id, "批量申报。")
    # Every other submitted one passes the first step, so pages hold one and two review steps.
    sent = (
        await api.ok(
            LIST, {"filter": {"ownerOrganisationId": owner.org_id, "status": ["SUBMITTED"]}, "first": 100}, token=owner.staff.token
        )
    )["projects"]["nodes"]
    assert len(sent) == 25
    for project in sent[::2]:
        await decide_ok(api, reviewer, (await pending_review(api, owner, project["id"]))["id"])

    variables = {"filter": {"ownerOrganisationId": owner.org_id}}
    await api.ok(FULL_PAGE, {"first": 5, **variables}, token=owner.staff.token)  # warm up
    with count_statements(state) as five:
        small = (await api.ok(FULL_PAGE, {"first": 5, **variables}, token=owner.staff.token))["projects"]
    with count_statements(state) as fifty:
        large = (await api.ok(FULL_PAGE, {"first": 50, **variables}, token=owner.staff.token))["projects"]

    assert len(small["nodes"]) == 5 and len(large["nodes"]) == 50
    assert large["totalCount"] == 50 and large["pageInfo"]["hasNextPage"] is False
    assert all(len(p["lineItems"]) == 2 and len(p["latest"]) == 2 and p["ownerOrganisation"]["id"] == owner.org_id for p in large["nodes"])
    assert sum(1 for p in large["nodes"] if p["reviews"]) == 25
    assert sum(1 for p in large["nodes"] if len(p["reviews"]) == 2) == 13
    assert len(fifty) == len(five), "\n".join(fifty)
    # One for the page, one for its count, one per kind of nested record, and the
    # signed-in person: nothing grows with the page.
    assert len(five) <= 10, "\n".join(five)


# -- demo data ------------------------------------------------------------------------------


async def test_the_demo_owner_sees_projects_in_every_status_of_the_module(api):
    from app.demo.projects import DEMO_PROJECTS

    token = await api.token("owner")
    demo_titles = {title for title, *_ in DEMO_PROJECTS}
    statuses = set()
    for status in ("DRAFT", "SUBMITTED", "APPROVED", "REJECTED", "CANCELLED"):
        page = (await api.ok(LIST, {"filter": {"status": [status]}, "first": 100}, token=token))["projects"]
        if any(p["title"] in demo_titles for p in page["nodes"]):
            statuses.add(status)
    assert statuses == {"DRAFT", "SUBMITTED", "APPROVED", "REJECTED", "CANCELLED"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "道路\x00修复"),  # NUL: PostgreSQL refused it with an internal error, SQLite stored it
        ("title", "道路\x1b[31m修复"),  # an escape sequence
        ("description", "正常\u202e文本"),  # a right-to-left override
        ("fundingSource", "县级\x7f资金"),
    ],
)
async def test_control_characters_in_text_are_a_field_error_and_nothing_is_written(api, owner, field, value):
    before = await api.ok("{ projects(first: 1) { totalCount } }", token=owner.staff.token)
    data = await api.ok(CREATE_PROJECT, {"input": complete_input(**{field: value})}, token=owner.staff.token)
    payload = data["createProject"]
    assert payload["project"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_CHARACTERS", field)]
    assert "INVALID" not in payload["errors"][0]["message"]
    after = await api.ok("{ projects(first: 1) { totalCount } }", token=owner.staff.token)
    assert after == before


async def test_tabs_and_line_breaks_stay_allowed_in_text(api, owner):
    description = "第一段\t说明\r\n第二段\n第三段"
    data = await api.ok(CREATE_PROJECT, {"input": complete_input(description=description)}, token=owner.staff.token)
    assert data["createProject"]["errors"] == []
    assert data["createProject"]["project"]["description"] == description


async def test_control_characters_in_a_search_are_bad_input_on_every_backend(api, owner):
    for search in ("道路\x00", "\u202e修复"):
        response = await api.post(
            "query($f: ProjectFilter) { projects(first: 5, filter: $f) { totalCount } }", {"f": {"search": search}}, token=owner.staff.token
        )
        error = response.json()["errors"][0]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": "INVALID_CHARACTERS"}
    ok = await api.ok(
        "query($f: ProjectFilter) { projects(first: 5, filter: $f) { totalCount } }", {"f": {"search": "道路"}}, token=owner.staff.token
    )
    assert ok["projects"]["totalCount"] >= 0
