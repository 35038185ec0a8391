"""Who sees a contract's inspections, rectifications, warnings and progress view, across
organisations: another owner, another contractor and another supervisor find none of them
(lists, node, the progress view), and their mutations on them are refused as on objects that
do not exist, writing nothing; the contract's parties and the region's auditor see them."""

from __future__ import annotations

from datetime import date

from conftest import global_id
from factories import new_owner
from progress_flows import (
    CHECKLIST,
    CREATE_CHECKLIST,
    INSPECT,
    check_in,
    clock_kept,
    in_force,
    move_to,
    new_supplier,
    noon,
    refusal,
    supervisor,
)
from sqlalchemy import text

from resolvers.core.clock import today_in_china

SEEN = """query($contract: ID!) {
  inspections(contractId: $contract) { nodes { id } }
  rectifications(contractId: $contract) { nodes { id } }
  progressWarnings(contractId: $contract) { nodes { id } }
  contractProgress(contractId: $contract) { percentComplete } }"""
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
RUN_BY = {
    "recordInspection": {"supervisor"},
    "respondToRectification": {"contractor"},
    "closeRectification": {"supervisor"},
    "reopenRectification": {"supervisor"},
    "acknowledgeWarning": {"owner", "supervisor"},
    "resolveWarning": {"owner", "supervisor"},
}


def inputs(target: dict[str, str], template_id: str) -> dict[str, dict]:
    return {
        "recordInspection": {"contractId": target["contract"], "templateId": template_id, "answers": [{"key": "drainage", "passed": True}]},
        "respondToRectification": {"id": target["rectification"], "response": "已整改。"},
        "closeRectification": {"id": target["rectification"]},
        "reopenRectification": {"id": target["rectification"], "reason": "未整改到位。"},
        "acknowledgeWarning": {"id": target["warning"]},
        "resolveWarning": {"id": target["warning"], "comment": "已处理。"},
    }


async def attempt(api, token: str, mutation: str, variables: dict) -> dict:
    input_type = mutation[0].upper() + mutation[1:] + "Input"
    document = "mutation($input: %s!) { %s(input: $input) { __typename errors { code } } }" % (input_type, mutation)
    return await api.gql(document, {"input": variables}, token=token)


async def test_quality_and_warnings_are_seen_by_the_parties_only(api, state):
    supervisor_org, supervisor_token = await supervisor(api)
    auditor = await api.token("auditor")
    outsiders = {
        "other owner": ("owner", (await new_owner(api, allocation=None)).staff.token),
        "other contractor": ("contractor", (await new_supplier(api)).token),
        "other supervisor": ("supervisor", (await supervisor(api))[1]),
    }
    with clock_kept(state):
        works = await in_force(api, state, supervisor_org, supervisor_token)
        owner, contractor, c = works.owner, works.contractor, works.contract
        move_to(state, noon(max(today_in_china(state.clock.now()), date.fromisoformat(c["worksStart"]))))
        checklist = {**CHECKLIST, "items": [{"key": "drainage", "description": "排水及雨水口", "photoRequired": False}]}
        template = (await api.ok(CREATE_CHECKLIST, {"input": checklist}, token=supervisor_token))["createChecklistTemplate"]
        template_id = template["template"]["id"]
        answers = [{"key": "drainage", "passed": False, "remarks": "雨水口堵塞。"}]
        inspected = await api.ok(
            INSPECT, {"input": {"contractId": c["id"], "templateId": template_id, "answers": answers}}, token=supervisor_token
        )
        inspection = inspected["recordInspection"]["inspection"]["id"]
        await check_in(api, state, contractor, c["id"], (31.46, 121.0), "WGS84")  # outside the fence: a warning
        party_view = await api.ok(SEEN, {"contract": c["id"]}, token=owner)
        (rectification,) = party_view["rectifications"]["nodes"]
        (warning,) = party_view["progressWarnings"]["nodes"]
        ids = sorted([inspection, rectification["id"], warning["id"]])
        target = {"contract": c["id"], "rectification": rectification["id"], "warning": warning["id"]}
        nowhere = {
            "contract": global_id("Contract", 987654321),
            "rectification": global_id("Rectification", 987654321),
            "warning": global_id("ProgressWarning", 987654321),
        }

        async def seen(token: str) -> dict:
            view = await api.ok(SEEN, {"contract": c["id"]}, token=token)
            return {
                "inspections": len(view["inspections"]["nodes"]),
                "rectifications": len(view["rectifications"]["nodes"]),
                "warnings": len(view["progressWarnings"]["nodes"]),
                "progress": view["contractProgress"] is not None,
                "nodes": sorted(n["id"] for n in (await api.ok(NODES, {"ids": ids}, token=token))["nodes"] if n),
            }

        everything = {"inspections": 1, "rectifications": 1, "warnings": 1, "progress": True, "nodes": ids}
        for who, token in {"owner": owner, "contractor": contractor, "supervisor": supervisor_token, "auditor": auditor}.items():
            assert await seen(token) == everything, who

        async def counts() -> list[int]:
            async with state.db.read() as session:
                return [
                    (await session.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one()
                    for t in ("inspections", "rectification_status_changes", "progress_warning_status_changes")
                ]

        before = await counts()
        for who, (role, token) in outsiders.items():
            assert await seen(token) == {"inspections": 0, "rectifications": 0, "warnings": 0, "progress": False, "nodes": []}, who
            for mutation, run_by in RUN_BY.items():
                code = refusal(await attempt(api, token, mutation, inputs(target, template_id)[mutation]))
                assert code == ("NOT_FOUND" if role in run_by else "FORBIDDEN"), (who, mutation, code)
                assert refusal(await attempt(api, token, mutation, inputs(nowhere, template_id)[mutation])) == code, (who, mutation)
        assert await counts() == before
