"""Labels of coded values: every enum value and every code a string field shows has a label
in zh-CN and en; objects show their values' labels beside them (``statusLabel`` next to
``status``) and ``enumLabels`` lists a whole set, both in the request's language and on both
executors; messages name coded values by their labels."""

from __future__ import annotations

import re

import pytest
from conftest import EXECUTOR
from factories import (
    CREATE_PROJECT,
    SUBMIT,
    complete_input,
    new_owner,
    submitted,
)

from models.notifications import CHANNELS
from resolvers.core.outbox import EVENT_TYPES
from resolvers.projects.service import PROJECT_LIFECYCLE
from resolvers.security.storage import ALLOWED

pytestmark = pytest.mark.once

ZH, EN = {"Accept-Language": "zh-CN"}, {"Accept-Language": "en"}
CJK = re.compile(r"[\u4e00-\u9fff]")

ENUM_LABELS = "query($set: LabelledEnum!) { enumLabels(enum: $set) { value label } }"
TYPES = """{ __schema { types { name kind enumValues { name }
  fields { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }"""
# Enums whose values are not shown as labels: error codes come with their message, and
# the sets of labels are named by this one.
UNLABELLED = {"UserErrorCode", "LabelledEnum"}


def set_member(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper()


async def labels_of(api, name: str, headers: dict, token: str | None = None) -> dict[str, str]:
    data = await api.ok(ENUM_LABELS, {"set": set_member(name)}, token=token, headers=headers)
    return {item["value"]: item["label"] for item in data["enumLabels"]}


def named(type_ref: dict) -> tuple[str, bool]:
    """The named type of a field's type, and whether it is a list."""
    listed = False
    while type_ref["kind"] in ("NON_NULL", "LIST"):
        listed = listed or type_ref["kind"] == "LIST"
        type_ref = type_ref["ofType"]
    return type_ref["name"], listed


async def schema_types(api) -> list[dict]:
    return (await api.ok(TYPES))["__schema"]["types"]


def assert_labelled(labels: dict[str, dict[str, str]], value: str) -> None:
    """A value without a label is shown as it is, in either language: its zh-CN label has
    Chinese characters, its en label none."""
    zh, en = labels["zh-CN"][value], labels["en"][value]
    assert CJK.search(zh), f"{value}: no zh-CN label ({zh!r})"
    assert en.strip() and not CJK.search(en), f"{value}: no en label ({en!r})"


async def test_every_value_of_every_enum_has_a_label_in_both_languages(api):
    """Anyone (signed in or not) may read the labels; a new enum value or a new enum
    without labels fails here."""
    enums = [t for t in await schema_types(api) if t["kind"] == "ENUM" and not t["name"].startswith("__") and t["name"] not in UNLABELLED]
    assert {"ProjectStatus", "DocumentType", "ReviewDecision", "Role", "OrganisationKind"} <= {t["name"] for t in enums}
    for enum in enums:
        values = [v["name"] for v in enum["enumValues"]]
        labels = {"zh-CN": await labels_of(api, enum["name"], ZH), "en": await labels_of(api, enum["name"], EN)}
        assert list(labels["zh-CN"]) == list(labels["en"]) == values, enum["name"]
        for value in values:
            assert_labelled(labels, value)


async def test_the_codes_string_fields_show_have_labels(api):
    """Sets of codes that are not enums of the schema: event types, channels, actor types,
    locales, the media types of accepted files; and the actions a project's status history
    records (the lifecycle's and ``create``), which share the labels of the ProjectAction enum."""
    from resolvers.core.i18n import labels_in

    history = {"create", *(t.action for t in PROJECT_LIFECYCLE.transitions)}
    assert history <= set(labels_in("ProjectAction", "zh-CN")) and history <= set(labels_in("ProjectAction", "en"))
    assert_labelled({"zh-CN": labels_in("ProjectAction", "zh-CN"), "en": labels_in("ProjectAction", "en")}, "create")
    token = await api.token("owner")
    expected = {
        "EventType": {"*", *EVENT_TYPES},
        "NotificationChannel": set(CHANNELS),
        "ActorType": {"user", "client", "system", "anonymous"},
        "Locale": {"zh-CN", "en"},
        "MediaType": set(ALLOWED),
        "ObjectType": {"Project"},
    }
    for name, codes in expected.items():
        labels = {"zh-CN": await labels_of(api, name, ZH, token), "en": await labels_of(api, name, EN, token)}
        assert codes <= set(labels["zh-CN"]), name
        for code in codes:
            assert_labelled(labels, code)


async def test_every_enum_field_has_a_label_field_beside_it(api):
    """``status`` has ``statusLabel``; a list ``roles`` has ``roleLabels``."""
    types = await schema_types(api)
    enums = {t["name"] for t in types if t["kind"] == "ENUM"} - UNLABELLED
    missing = []
    for object_type in types:
        if object_type["kind"] != "OBJECT" or object_type["name"].startswith("__"):
            continue
        fields = {f["name"]: f for f in object_type["fields"]}
        for name, field in fields.items():
            type_name, listed = named(field["type"])
            if type_name not in enums:
                continue
            beside = f"{name.removesuffix('s')}Labels" if listed else f"{name}Label"
            if beside not in fields or named(fields[beside]["type"]) != ("String", listed):
                missing.append(f"{object_type['name']}.{beside}")
    assert missing == []


PROJECT_LABELS = """query($id: ID!) {
  project(id: $id) {
    status statusLabel category categoryLabel availableActions availableActionLabels
    ownerOrganisation { kind kindLabel }
    documents { documentType documentTypeLabel }
    statusHistory { fromStatus fromStatusLabel toStatus toStatusLabel action actionLabel }
    reviews { role roleLabel status statusLabel }
  }
}"""


async def test_a_project_shows_its_labels_in_the_request_language(api):
    owner = await new_owner(api)
    project = await submitted(api, owner)
    zh = (await api.ok(PROJECT_LABELS, {"id": project["id"]}, token=owner.staff.token, headers=ZH))["project"]
    en = (await api.ok(PROJECT_LABELS, {"id": project["id"]}, token=owner.staff.token, headers=EN))["project"]
    assert (zh["status"], zh["statusLabel"], en["statusLabel"]) == ("SUBMITTED", "审核中", "Under review")
    assert (zh["category"], zh["categoryLabel"], en["categoryLabel"]) == ("GREENING", "绿化", "Greening")
    # The owner's staff may only cancel a project under review.
    assert zh["availableActions"] == en["availableActions"] == ["CANCEL"]
    assert (zh["availableActionLabels"], en["availableActionLabels"]) == (["撤销"], ["Cancel"])
    assert (zh["ownerOrganisation"]["kindLabel"], en["ownerOrganisation"]["kindLabel"]) == ("建设单位", "Owner")
    assert sorted((d["documentType"], d["documentTypeLabel"]) for d in zh["documents"]) == [
        ("BUDGET_TABLE", "预算表"),
        ("PROPOSAL", "项目建议书"),
    ]
    assert sorted(d["documentTypeLabel"] for d in en["documents"]) == ["Budget table", "Project proposal"]
    assert [(h["fromStatusLabel"], h["toStatusLabel"], h["actionLabel"]) for h in zh["statusHistory"]] == [
        (None, "草稿", "创建"),
        ("草稿", "审核中", "提交申报"),
    ]
    assert [(h["fromStatusLabel"], h["toStatusLabel"], h["actionLabel"]) for h in en["statusHistory"]] == [
        (None, "Draft", "Create"),
        ("Draft", "Under review", "Submit"),
    ]
    assert [(r["role"], r["roleLabel"], r["statusLabel"]) for r in zh["reviews"]] == [("reviewer", "审核人员", "待审核")]
    assert [(r["roleLabel"], r["statusLabel"]) for r in en["reviews"]] == [("Reviewer", "Pending")]


async def test_people_roles_policy_lines_and_audit_events_show_labels(api):
    token = await api.token("owner")
    query = "{ viewer { kind kindLabel roles roleLabels user { roleLabels } organisation { kind kindLabel } } }"
    zh = (await api.ok(query, token=token, headers=ZH))["viewer"]
    en = (await api.ok(query, token=token, headers=EN))["viewer"]
    assert (zh["kindLabel"], zh["roles"], zh["roleLabels"], zh["user"]["roleLabels"]) == (
        "用户",
        ["OWNER_STAFF"],
        ["建设单位经办人"],
        ["建设单位经办人"],
    )
    assert (en["kindLabel"], en["roleLabels"], en["user"]["roleLabels"]) == ("User", ["Owner staff"], ["Owner staff"])
    assert (zh["organisation"]["kindLabel"], en["organisation"]["kindLabel"]) == ("建设单位", "Owner")

    rules = '{ policyRules(operation: "Query.enumLabels") { ptype ptypeLabel values } }'
    policy = await api.token("policyadmin")
    assert (await api.ok(rules, token=policy, headers=ZH))["policyRules"] == [
        {"ptype": "P", "ptypeLabel": "权限规则", "values": ["public", "*", "Query.enumLabels", "read"]}
    ]
    assert (await api.ok(rules, token=policy, headers=EN))["policyRules"][0]["ptypeLabel"] == "Permission"

    events = '{ auditEvents(first: 1, filter: {targetType: "Project"}) { nodes { actorType actorTypeLabel } } }'
    auditor = await api.token("auditor")
    assert (await api.ok(events, token=auditor, headers=ZH))["auditEvents"]["nodes"] == [{"actorType": "user", "actorTypeLabel": "用户"}]
    assert (await api.ok(events, token=auditor, headers=EN))["auditEvents"]["nodes"][0]["actorTypeLabel"] == "User"


async def test_labels_are_public_and_follow_the_request_language(api):
    """No sign-in needed; the sort options and a string-coded set, in either language."""
    assert await labels_of(api, "OrderDirection", ZH) == {"ASC": "升序", "DESC": "降序"}
    assert await labels_of(api, "OrderDirection", EN) == {"ASC": "Ascending", "DESC": "Descending"}
    assert (await labels_of(api, "NotificationChannel", EN)) == {"in_app": "In-app", "email": "E-mail"}
    body = await api.gql("{ enumLabels(enum: NO_SUCH_SET) { value } }", headers=EN)
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


LIST_WITH_LABELS = """{ projects(first: 20) { nodes {
  code status statusLabel category categoryLabel availableActionLabels
  ownerOrganisation { kindLabel }
  statusHistory { fromStatusLabel toStatusLabel actionLabel actorName }
  reviews { roleLabel statusLabel reviewerName }
} } }"""


async def test_a_list_with_labels_runs_compiled_in_each_language(api, client):
    """Label fields are plain functions of a column and the locale: a known document with
    them runs on the compiled path, per request in its language, with the general
    executor's bytes."""
    token = await api.token("owner")
    answers = {}
    for headers in (ZH, EN):
        requests = [
            await client.post("/graphql", json={"query": LIST_WITH_LABELS}, headers={"Authorization": f"Bearer {token}", **headers})
            for _ in range(2)
        ]
        general = await client.post(
            "/graphql", json={"query": LIST_WITH_LABELS}, headers={"Authorization": f"Bearer {token}", EXECUTOR: "general", **headers}
        )
        assert requests[1].headers[EXECUTOR] == "compiled"
        assert general.headers[EXECUTOR] == "general"
        assert requests[1].content == general.content
        answers[headers["Accept-Language"]] = requests[1].json()["data"]["projects"]["nodes"]
    zh_labels = {p["statusLabel"] for p in answers["zh-CN"]}
    en_labels = {p["statusLabel"] for p in answers["en"]}
    assert zh_labels and all(CJK.search(label) for label in zh_labels)
    assert en_labels and not any(CJK.search(label) for label in en_labels)
    assert "Approved" in en_labels and "已立项" in zh_labels  # the demo owner has an approved project


async def test_messages_name_coded_values_by_their_labels(api):
    """A missing document is named by its type's label; a refused transition by the labels
    of the status and the action."""
    owner = await new_owner(api)
    draft = (await api.ok(CREATE_PROJECT, {"input": complete_input(category="ROAD")}, token=owner.staff.token))["createProject"]["project"]
    for headers, expected in (
        (ZH, ["缺少必需的文件：施工图。", "缺少必需的文件：项目建议书。", "缺少必需的文件：预算表。"]),
        (
            EN,
            [
                "A required document is missing: Budget table.",
                "A required document is missing: Construction drawings.",
                "A required document is missing: Project proposal.",
            ],
        ),
    ):
        body = await api.ok(SUBMIT, {"input": {"id": draft["id"]}}, token=owner.staff.token, headers=headers)
        missing = sorted(e["message"] for e in body["submitProject"]["errors"] if e["code"] == "MISSING_DOCUMENT")
        assert missing == sorted(expected)

    approve = """mutation($input: CancelProjectInput!) { cancelProject(input: $input) { errors { code field message } } }"""
    await api.ok(approve, {"input": {"id": draft["id"], "reason": "合并实施。"}}, token=owner.staff.token)
    for headers, expected in (
        (ZH, "项目当前状态为“已撤销”，不能执行“撤销”。"),
        (EN, "Project in status “Cancelled” does not allow the action “Cancel”."),
    ):
        body = await api.ok(approve, {"input": {"id": draft["id"], "reason": "再次撤销。"}}, token=owner.staff.token, headers=headers)
        assert body["cancelProject"]["errors"] == [{"code": "INVALID_TRANSITION", "field": "status", "message": expected}]
