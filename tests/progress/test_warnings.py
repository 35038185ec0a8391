"""Each warning rule raises its warning once, however often the jobs run, and the warning
is acknowledged and resolved with a comment: a milestone overdue, no daily log for three
working days, a check-in outside the fence, a rectification overdue, the works period ending
with milestones outstanding."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from conftest import count_statements
from progress_flows import (
    CHECK_IN,
    CHECKLIST,
    CREATE_CHECKLIST,
    CREATE_LOG,
    INSPECT,
    MUTATE,
    clock_kept,
    in_force,
    move_to,
    noon,
    supervisor,
)

from resolvers.core.clock import today_in_china
from resolvers.core.workdays import add_working_days, is_working_day
from workers import jobs

PROGRESS = """query($id: ID!) { contractProgress(contractId: $id) {
  percentComplete daysBehind lastLogDate contract { code }
  milestones { plannedDate startedAt submittedAt acceptedAt daysLate milestone { code status } history { action actionLabel } }
  openWarnings { kind severity explanation contract { code } } openRectifications { status dueDate description } } }"""
WARNINGS = """query($id: ID!) { progressWarnings(contractId: $id, first: 50) { nodes {
  id kind kindLabel severity status explanation resolution availableActions history { action actionLabel comment } } } }"""
ACKNOWLEDGE = "mutation($input: AcknowledgeWarningInput!) { acknowledgeWarning(input: $input) { warning { status } errors { code } } }"
RESOLVE = "mutation($input: ResolveWarningInput!) { resolveWarning(input: $input) { warning { status resolution } errors { code } } }"


def working_day_from(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


async def test_each_rule_warns_once_and_the_warning_is_resolved(api, state):
    supervisor_org, supervisor_token = await supervisor(api)
    with clock_kept(state):
        works = await in_force(api, state, supervisor_org, supervisor_token)
        owner, contractor, c = works.owner, works.contractor, works.contract
        m1 = c["milestones"][0]
        start = working_day_from(date.fromisoformat(c["worksStart"]))

        async def run_twice() -> None:
            for _ in range(2):
                await jobs.run_scheduled({"state": state})

        async def warnings() -> dict[str, list[dict]]:
            nodes = (await api.ok(WARNINGS, {"id": c["id"]}, token=owner))["progressWarnings"]["nodes"]
            found: dict[str, list[dict]] = {}
            for n in nodes:
                found.setdefault(n["kind"], []).append(n)
            return found

        async def resolve(warning: dict, comment: str) -> None:
            payload = (await api.ok(RESOLVE, {"input": {"id": warning["id"], "comment": comment}}, token=supervisor_token))[
                "resolveWarning"
            ]
            assert payload["errors"] == [] and payload["warning"] == {"status": "RESOLVED", "resolution": comment}

        # Works under way with a log on the first day, then three working days without one.
        move_to(state, noon(start))
        step = (await api.ok(MUTATE % ("Start", "start"), {"input": {"id": m1["id"]}}, token=contractor))["startMilestone"]
        assert step["errors"] == []
        log = {
            "contractId": c["id"],
            "idempotencyKey": str(uuid.uuid4()),
            "logDate": start.isoformat(),
            "weather": "晴",
            "workDone": "放线。",
            "crewCount": 6,
        }
        assert (await api.ok(CREATE_LOG, {"input": log}, token=contractor))["createDailyLog"]["errors"] == []
        await run_twice()
        assert "NO_DAILY_LOG" not in await warnings()
        await api.ok(PROGRESS, {"id": c["id"]}, token=owner)  # who is signed in is kept; both counts start warm
        with count_statements(state) as statements:
            early = (await api.ok(PROGRESS, {"id": c["id"]}, token=owner))["contractProgress"]
        early_statements = len(statements)
        assert (early["percentComplete"], early["daysBehind"], early["lastLogDate"]) == ("0.00", 0, start.isoformat())
        assert [m["milestone"]["status"] for m in early["milestones"]] == ["IN_PROGRESS", "PLANNED"]
        assert early["milestones"][0]["startedAt"] is not None and early["openWarnings"] == early["openRectifications"] == []
        assert early["milestones"][0]["history"] == [{"action": "start", "actionLabel": "开始实施"}]
        move_to(state, noon(working_day_from(add_working_days(start, 3) + timedelta(days=1))))
        await run_twice()
        [gap] = (await warnings())["NO_DAILY_LOG"]
        assert gap["availableActions"] == ["ACKNOWLEDGE", "RESOLVE"]
        seen = (await api.ok(WARNINGS, {"id": c["id"]}, token=contractor))["progressWarnings"]["nodes"]
        assert [w["availableActions"] for w in seen] == [[]]  # the contractor sees it, and does nothing to it
        assert gap["severity"] == "MEDIUM" and f"自 {start.isoformat()} 起已连续 3 个工作日无施工日志" in gap["explanation"]
        acknowledged = (await api.ok(ACKNOWLEDGE, {"input": {"id": gap["id"]}}, token=owner))["acknowledgeWarning"]
        assert acknowledged == {"warning": {"status": "ACKNOWLEDGED"}, "errors": []}
        await resolve(gap, "施工队因材料未到场停工，已催促供货。")
        [gap] = (await warnings())["NO_DAILY_LOG"]
        assert [(h["actionLabel"], h["comment"]) for h in gap["history"]] == [
            ("确认知悉", None),
            ("处理完毕", "施工队因材料未到场停工，已催促供货。"),
        ]
        await run_twice()
        assert len((await warnings())["NO_DAILY_LOG"]) == 1  # the same gap is not raised again

        # A check-in outside the fence warns at once, once.
        far = {
            "contractId": c["id"],
            "idempotencyKey": str(uuid.uuid4()),
            "latitude": 31.46,
            "longitude": 121.0,
            "accuracy": 10.0,
            "datum": "WGS84",
            "deviceTime": state.clock.now().isoformat(),
        }
        for _ in range(2):  # a retry with the same key
            assert (await api.ok(CHECK_IN, {"input": far}, token=contractor))["checkIn"]["errors"] == []
        [outside] = (await warnings())["OUTSIDE_GEOFENCE"]
        assert "超出 300 米电子围栏" in outside["explanation"]
        await resolve(outside, "测量人员外出取样，已说明。")

        # A failed inspection item due tomorrow, not put right: overdue the day after.
        checklist = {**CHECKLIST, "items": [{"key": "drainage", "description": "排水及雨水口", "photoRequired": False}]}
        template = (await api.ok(CREATE_CHECKLIST, {"input": checklist}, token=supervisor_token))["createChecklistTemplate"]["template"]
        today = today_in_china(state.clock.now())
        answers = [{"key": "drainage", "passed": False, "remarks": "雨水口堵塞。"}]
        inspection = {
            "contractId": c["id"],
            "templateId": template["id"],
            "answers": answers,
            "rectificationDue": (today + timedelta(days=1)).isoformat(),
        }
        assert (await api.ok(INSPECT, {"input": inspection}, token=supervisor_token))["recordInspection"]["errors"] == []
        await run_twice()
        assert "RECTIFICATION_OVERDUE" not in await warnings()
        move_to(state, noon(today + timedelta(days=2)))
        await run_twice()
        [overdue] = (await warnings())["RECTIFICATION_OVERDUE"]
        assert overdue["severity"] == "HIGH"
        await resolve(overdue, "已约谈施工单位，限期三日。")

        # M1's planned date passes without acceptance.
        planned = date.fromisoformat(m1["plannedDate"])
        move_to(state, noon(planned + timedelta(days=1)))
        await run_twice()
        [late] = (await warnings())["MILESTONE_OVERDUE"]
        assert late["explanation"].startswith(f"节点 M1“基层完成”计划于 {planned.isoformat()} 完成，已逾期 1 天")
        await resolve(late, "已调整施工计划。")

        # The works period ends within a week with both milestones outstanding.
        end = date.fromisoformat(c["worksEnd"])
        move_to(state, noon(end - timedelta(days=5)))
        await run_twice()
        found = await warnings()
        [ending] = found["WORKS_ENDING"]
        assert "尚有 2 个节点未验收" in ending["explanation"]
        await resolve(ending, "申请工期顺延。")
        # The progress view shows what is late and what is open, in as many statements as when
        # nothing was: every list comes through a DataLoader.
        await api.ok(PROGRESS, {"id": c["id"]}, token=owner)  # the sign-in is kept for seconds of real time
        with count_statements(state) as statements:
            view = (await api.ok(PROGRESS, {"id": c["id"]}, token=owner))["contractProgress"]
        assert len(statements) == early_statements
        planned_m1 = date.fromisoformat(m1["plannedDate"])
        assert view["daysBehind"] == (end - timedelta(days=5) - planned_m1).days == view["milestones"][0]["daysLate"]
        assert [w["kind"] for w in view["openWarnings"]] == []  # all resolved above
        assert [r["status"] for r in view["openRectifications"]] == ["OPEN"]

        # Every rule ran every time; each occurrence was raised once, and all are resolved.
        assert {k: len(v) for k, v in found.items()} == dict.fromkeys(
            ("NO_DAILY_LOG", "OUTSIDE_GEOFENCE", "RECTIFICATION_OVERDUE", "MILESTONE_OVERDUE", "WORKS_ENDING"), 1
        )
        assert {w["status"] for ws in (await warnings()).values() for w in ws} == {"RESOLVED"}
