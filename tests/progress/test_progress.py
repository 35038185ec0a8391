"""Construction progress end to end through GraphQL: a contract in force, its daily logs
(edited on their day, corrected after), photos with EXIF positions inside and outside the
site's fence (a retried upload stored once), check-ins in GCJ-02 and WGS-84, a quality
inspection whose failed item holds back the milestone until its rectification is closed, and
the milestones from the first start to the final acceptance that completes contract and project."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

from progress_flows import (
    CHECK_IN,
    CHECKLIST,
    CLOSE,
    CORRECT_LOG,
    CREATE_CHECKLIST,
    CREATE_LOG,
    INSPECT,
    MUTATE,
    PROGRESS_VIEW,
    RECTIFICATIONS,
    REOPEN,
    RESPOND,
    SITE,
    UPDATE_LOG,
    clock_kept,
    codes,
    in_force,
    move_to,
    noon,
    photo,
    supervisor,
    upload,
)
from sqlalchemy import text

from resolvers.core.clock import today_in_china
from resolvers.progress import geo


async def test_logs_photos_check_ins_and_milestones_to_final_acceptance(api, state):
    supervisor_org, supervisor_token = await supervisor(api)  # signed in before the clock moves
    with clock_kept(state):
        works = await in_force(api, state, supervisor_org, supervisor_token)
        owner, contractor, c = works.owner, works.contractor, works.contract

        # The works start: a day's log, written on its day.
        start = date.fromisoformat(c["worksStart"])
        move_to(state, noon(start))
        key = str(uuid.uuid4())
        values = {
            "contractId": c["id"],
            "idempotencyKey": key,
            "logDate": start.isoformat(),
            "weather": "晴",
            "workDone": "路面铣刨 300 平方米。",
            "crewCount": 12,
        }
        log = (await api.ok(CREATE_LOG, {"input": values}, token=contractor))["createDailyLog"]
        assert log["errors"] == [], log
        log = log["log"]
        # A retry with the same key returns the same log; another key for the same day is refused.
        again = (await api.ok(CREATE_LOG, {"input": values}, token=contractor))["createDailyLog"]
        assert again["log"]["id"] == log["id"]
        second = (await api.ok(CREATE_LOG, {"input": {**values, "idempotencyKey": str(uuid.uuid4())}}, token=contractor))["createDailyLog"]
        assert codes(second) == [("LOG_EXISTS", "logDate")]
        owner_try = (await api.post(CREATE_LOG, {"input": {**values, "idempotencyKey": str(uuid.uuid4())}}, token=owner)).json()
        assert owner_try["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # the contractor writes the logs
        edited = (await api.ok(UPDATE_LOG, {"input": {"id": log["id"], "crewCount": 14}}, token=contractor))["updateDailyLog"]
        assert edited["errors"] == [] and edited["log"]["crewCount"] == 14
        assert log["availableActions"] == ["UPDATE", "UPLOAD_PHOTO"]

        # Photos: one taken on site, one 2 km away; a retried upload is stored once.
        inside = photo(SITE[0] + 0.0005, SITE[1], noon(start))
        photo_key = str(uuid.uuid4())
        first = await upload(api, contractor, log["id"], photo_key, inside)
        assert first["errors"] == [], first
        assert first["photo"]["flags"] == [] and first["photo"]["distanceM"] < 100
        assert abs(first["photo"]["latitude"] - (SITE[0] + 0.0005)) < 1e-5
        retried = await upload(api, contractor, log["id"], photo_key, inside)
        assert retried["photo"]["id"] == first["photo"]["id"]
        other = await upload(api, contractor, log["id"], photo_key, photo(SITE[0], SITE[1], noon(start), (1, 2, 3)))
        assert codes(other) == [("IDEMPOTENCY_KEY_REUSED", "idempotencyKey")]
        outside = await upload(
            api, contractor, log["id"], str(uuid.uuid4()), photo(SITE[0] + 0.02, SITE[1], noon(start - timedelta(days=3)))
        )
        assert outside["errors"] == [] and outside["photo"]["flags"] == ["OUTSIDE_GEOFENCE", "CAPTURE_TIME_OFF"]
        assert 2000 < outside["photo"]["distanceM"] < 2400
        thumbnail = await api.client.get(first["photo"]["thumbnailUrl"])
        assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/jpeg"
        original = await api.client.get(first["photo"]["downloadUrl"])
        assert original.content == inside
        async with state.db.read() as session:
            stored = (
                await session.execute(text("SELECT count(*) FROM site_photos WHERE idempotency_key = :k"), {"k": photo_key})
            ).scalar_one()
        assert stored == 1

        # Check-ins: the site's GCJ-02 reading (what a mini-program reports) is on site; the same
        # numbers read as WGS-84 are not. A poor accuracy and a device clock far off are flagged.
        gcj = geo.wgs84_to_gcj02(*SITE)
        now = state.clock.now().isoformat()

        async def check_in(lat, lon, datum, accuracy=15.0, device_time=now):
            variables = {
                "contractId": c["id"],
                "idempotencyKey": str(uuid.uuid4()),
                "latitude": lat,
                "longitude": lon,
                "accuracy": accuracy,
                "datum": datum,
                "deviceTime": device_time,
            }
            payload = (await api.ok(CHECK_IN, {"input": variables}, token=supervisor_token))["checkIn"]
            assert payload["errors"] == [], payload
            return payload["checkIn"]

        on_site = await check_in(*gcj, "GCJ02")
        assert on_site["flags"] == [] and on_site["distanceM"] < 1
        misread = await check_in(*gcj, "WGS84")
        assert misread["flags"] == ["OUTSIDE_GEOFENCE"] and misread["distanceM"] > 300
        sloppy = await check_in(*SITE, "WGS84", accuracy=800.0, device_time=(state.clock.now() - timedelta(hours=1)).isoformat())
        assert sloppy["flags"] == ["IMPLAUSIBLE_ACCURACY", "DEVICE_TIME_OFF"]

        # The next day the log is closed to edits and takes corrections.
        move_to(state, noon(start + timedelta(days=1)))
        closed = (await api.ok(UPDATE_LOG, {"input": {"id": log["id"], "crewCount": 15}}, token=contractor))["updateDailyLog"]
        assert codes(closed) == [("LOG_CLOSED", None)]
        corrected = (await api.ok(CORRECT_LOG, {"input": {"id": log["id"], "text": "施工人数应为 15 人。"}}, token=contractor))[
            "correctDailyLog"
        ]
        assert corrected["errors"] == [] and corrected["log"]["crewCount"] == 14
        assert [x["text"] for x in corrected["log"]["corrections"]] == ["施工人数应为 15 人。"]
        assert corrected["log"]["availableActions"] == ["CORRECT", "UPLOAD_PHOTO"]

        # Milestones: started, submitted, rejected, resubmitted, accepted; the last one's
        # acceptance completes the contract and the project.
        m1, m2 = c["milestones"]

        async def step(action: str, milestone: dict, token: str, **fields) -> dict:
            name = action[0].lower() + action[1:]
            payload = (await api.ok(MUTATE % (action, name), {"input": {"id": milestone["id"], **fields}}, token=token))[f"{name}Milestone"]
            assert payload["errors"] == [], (action, payload)
            return payload

        started = await step("Start", m1, contractor)
        assert started["milestone"]["status"] == "IN_PROGRESS" and started["contract"]["project"]["status"] == "IN_PROGRESS"
        await step("Submit", m1, contractor, note="基层施工完成，压实度检测合格。")
        refused = (await api.post(MUTATE % ("Accept", "accept"), {"input": {"id": m1["id"]}}, token=contractor)).json()
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # the owner accepts
        await step("Reject", m1, owner, reason="局部压实度不足，返工后再验收。")
        await step("Start", m1, contractor)
        await step("Submit", m1, contractor, note="返工完成。")

        # A quality inspection of M1 fails an item: the milestone cannot be accepted until its
        # rectification is answered, sent back once, answered again and closed.
        template = (await api.ok(CREATE_CHECKLIST, {"input": CHECKLIST}, token=supervisor_token))["createChecklistTemplate"]
        assert template["errors"] == [], template
        answers = [
            {"key": "compaction", "passed": True, "photoIds": [first["photo"]["id"]]},
            {"key": "drainage", "passed": False, "remarks": "雨水口标高偏高 3 cm。"},
        ]
        inspection = {"contractId": c["id"], "milestoneId": m1["id"], "templateId": template["template"]["id"], "answers": answers}
        missing = (await api.ok(INSPECT, {"input": {**inspection, "answers": answers[1:]}}, token=supervisor_token))["recordInspection"]
        assert codes(missing) == [
            ("ITEM_NOT_ANSWERED", "answers"),
        ]
        inspected = (await api.ok(INSPECT, {"input": inspection}, token=supervisor_token))["recordInspection"]
        assert inspected["errors"] == [] and inspected["inspection"]["failedItems"] == 1, inspected
        assert [i["photos"] for i in inspected["inspection"]["items"]][0][0]["id"] == first["photo"]["id"]
        offered = (await api.ok(PROGRESS_VIEW, {"id": c["id"]}, token=owner))["contractProgress"]["milestones"][0]["availableActions"]
        assert offered == ["REJECT"]  # not ACCEPT while a rectification is open
        blocked = (await api.ok(MUTATE % ("Accept", "accept"), {"input": {"id": m1["id"]}}, token=owner))["acceptMilestone"]
        assert codes(blocked) == [("UNRESOLVED_RECTIFICATIONS", None)]
        [rectification] = (await api.ok(RECTIFICATIONS, {"id": c["id"]}, token=contractor))["rectifications"]["nodes"]
        assert rectification["status"] == "OPEN" and rectification["description"].endswith("雨水口标高偏高 3 cm。")
        assert rectification["availableActions"] == ["RESPOND"]
        for decision, fields in ((REOPEN, {"reason": "仍偏高 1 cm。"}), (CLOSE, {"comment": "复查合格。"})):
            answer = {"id": rectification["id"], "response": "已调整雨水口标高。", "photoIds": [first["photo"]["id"]]}
            answered = await api.ok(RESPOND, {"input": answer}, token=contractor)
            assert answered["respondToRectification"]["rectification"]["status"] == "RESPONDED", answered
            decided = await api.ok(decision, {"input": {"id": rectification["id"], **fields}}, token=supervisor_token)
            payload = next(iter(decided.values()))
            assert payload["errors"] == [], payload
        assert payload["rectification"]["status"] == "CLOSED" and payload["rectification"]["reopened"] == 1
        assert [h["action"] for h in payload["rectification"]["history"]] == ["respond", "reopen", "respond", "close"]
        offered = (await api.ok(PROGRESS_VIEW, {"id": c["id"]}, token=owner))["contractProgress"]["milestones"][0]["availableActions"]
        assert offered == ["ACCEPT", "REJECT"]
        accepted = await step("Accept", m1, owner, comment="同意验收。")
        terms = {t["sequence"]: t for t in accepted["contract"]["paymentTerms"]}
        assert terms[2]["status"] == "DUE" and terms[3]["status"] == "SCHEDULED"
        await step("Start", m2, contractor)
        await step("Submit", m2, contractor, note="面层完成。")
        final = await step("Accept", m2, owner)
        assert final["contract"]["status"] == "COMPLETED" and final["contract"]["project"]["status"] == "COMPLETED"
        terms = {t["sequence"]: t for t in final["contract"]["paymentTerms"]}
        today = today_in_china(state.clock.now())
        assert terms[3]["status"] == "DUE"
        assert terms[4]["status"] == "SCHEDULED" and terms[4]["dueOn"] == today.replace(year=today.year + 1).isoformat()
        late_photo = await upload(api, contractor, log["id"], str(uuid.uuid4()), photo(SITE[0], SITE[1], noon(start), (4, 5, 6)))
        assert codes(late_photo) == [("CONTRACT_NOT_IN_FORCE", None)]  # the works are complete
        view = (await api.ok(PROGRESS_VIEW, {"id": c["id"]}, token=supervisor_token))["contractProgress"]
        assert view["percentComplete"] == "100.00" and [m["acceptedAt"] is not None for m in view["milestones"]] == [True, True]
        async with state.db.read() as session:
            told = (
                await session.execute(
                    text(
                        "SELECT event_type, payload FROM outbox_events WHERE subject_type = 'Contract' AND event_type IN ('milestone.accepted', 'contract.completed') ORDER BY id"
                    )
                )
            ).all()
        mine = [(t, json.loads(p)) for t, p in told if json.loads(p)["code"] == c["code"]]
        assert [t for t, _ in mine] == ["milestone.accepted", "milestone.accepted", "contract.completed"]
        assert [t["sequence"] for t in mine[0][1]["terms"]] == [2]
