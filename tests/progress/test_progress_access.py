"""Who sees a contract's progress and who may record it, across organisations: another owner,
another contractor (a losing bidder and one of another county too) and another supervisor
find none of its daily logs, photos or check-ins (lists, node, nodes, the photos' files), and
their mutations on them are refused as on objects that do not exist, writing nothing. The
contract's parties and the region's auditor see them all; within the contract the
supervisor may check in but not write logs, and the owner neither."""

from __future__ import annotations

import uuid
from datetime import timedelta

from conftest import global_id
from factories import multipart, new_owner, pk_of, token_elsewhere
from progress_flows import (
    CORRECT_LOG,
    MUTATE,
    SITE,
    check_in,
    clock_kept,
    daily_log,
    in_force,
    move_to,
    new_supplier,
    noon,
    photo,
    refusal,
    supervisor,
    upload,
)
from sqlalchemy import text

from resolvers.core.clock import today_in_china
from resolvers.progress import geo

LOGS = """query($contract: ID) { dailyLogs(contractId: $contract, first: 50) { nodes { id logDate crewCount version
  photos { id flags downloadUrl thumbnailUrl } corrections { text } contract { id } } } }"""
CHECK_INS = "query($contract: ID) { checkIns(contractId: $contract, first: 50) { nodes { id userName flags } } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
WORKS = "query($id: ID!) { contract(id: $id) { status milestones { code status } project { status } } }"
TABLES = ("daily_logs", "daily_log_corrections", "site_photos", "check_ins", "milestone_status_changes")
# The roles that the policy lets run each mutation; the contract's row scope decides the rest.
RUN_BY = {
    "createDailyLog": {"contractor"},
    "updateDailyLog": {"contractor"},
    "correctDailyLog": {"contractor"},
    "uploadSitePhoto": {"contractor"},
    "checkIn": {"contractor", "supervisor"},
    "startMilestone": {"contractor"},
    "submitMilestone": {"contractor"},
    "acceptMilestone": {"owner"},
    "rejectMilestone": {"owner"},
}
LOG_MUTATIONS = ("createDailyLog", "updateDailyLog", "correctDailyLog", "uploadSitePhoto")


def missing(type_name: str) -> str:
    return global_id(type_name, 987654321)


async def attempt(api, token: str, mutation: str, target: dict[str, str], state) -> dict:
    """The whole response of ``mutation`` on the objects ``target`` names (contract, log of
    today, log of an earlier day, and the milestone each milestone mutation applies to), with
    an input that passes every check of its own: only who sends it can have it refused."""
    now = state.clock.now()
    key = str(uuid.uuid4())
    inputs = {
        "createDailyLog": {
            "contractId": target["contract"],
            "idempotencyKey": key,
            "logDate": target["free day"],
            "weather": "晴",
            "workDone": "铺装。",
            "crewCount": 5,
        },
        "updateDailyLog": {"id": target["log today"], "crewCount": 99},
        "correctDailyLog": {"id": target["earlier log"], "text": "更正。"},
        "checkIn": {
            "contractId": target["contract"],
            "idempotencyKey": key,
            "latitude": SITE[0],
            "longitude": SITE[1],
            "accuracy": 10.0,
            "datum": "WGS84",
            "deviceTime": now.isoformat(),
        },
        "startMilestone": {"id": target["planned"]},
        "submitMilestone": {"id": target["in progress"], "note": "完成。"},
        "acceptMilestone": {"id": target["submitted"]},
        "rejectMilestone": {"id": target["submitted"], "reason": "不合格。"},
    }
    if mutation == "uploadSitePhoto":
        document = "mutation($input: UploadSitePhotoInput!) { uploadSitePhoto(input: $input) { photo { id } errors { code } } }"
        taken = photo(SITE[0], SITE[1], now, (7, 8, 9))
        variables = {"logId": target["log today"], "idempotencyKey": key}
        return await multipart(api.client, token, document, variables, "现场.jpg", taken, "image/jpeg")
    input_type = mutation[0].upper() + mutation[1:] + "Input"
    document = "mutation($input: %s!) { %s(input: $input) { __typename errors { code } } }" % (input_type, mutation)
    return await api.gql(document, {"input": inputs[mutation]}, token=token)


async def rows_of(state, contract_pk: int) -> dict[str, int]:
    async with state.db.read() as session:
        return {
            table: (await session.execute(text(f"SELECT count(*) FROM {table} WHERE contract_id = :c"), {"c": contract_pk})).scalar_one()
            for table in TABLES
        }


async def seen(api, token: str, contract_id: str, ids: dict[str, list[str]], *, whole_lists: bool = False) -> dict[str, object]:
    """What the viewer finds of the contract's progress, every way it is asked for; with
    ``whole_lists`` also which of it the lists hold unfiltered (for a viewer whose lists are short)."""
    logs = (await api.ok(LOGS, {"contract": contract_id}, token=token))["dailyLogs"]["nodes"]
    check_ins = (await api.ok(CHECK_INS, {"contract": contract_id}, token=token))["checkIns"]["nodes"]
    everything = [*ids["logs"], *ids["photos"], *ids["check-ins"]]
    by_node = [i for i in everything if (await api.ok(NODE, {"id": i}, token=token))["node"] is not None]
    by_nodes = [n["id"] for n in (await api.ok(NODES, {"ids": everything}, token=token))["nodes"] if n is not None]
    files = set()
    headers = {"Authorization": f"Bearer {token}"}
    for photo_id in ids["photos"]:
        for kind in ("site-photo", "site-photo-thumbnail"):
            files.add((await api.client.get(f"/files/{kind}/{pk_of(photo_id)}", headers=headers)).status_code)
    found: dict[str, object] = {
        "logs": sorted(n["id"] for n in logs),
        "photos": sorted(p["id"] for n in logs for p in n["photos"]),
        "corrections": sum(len(n["corrections"]) for n in logs),
        "check-ins": sorted(n["id"] for n in check_ins),
        "node": sorted(by_node),
        "nodes": sorted(by_nodes),
        "files": files,
    }
    if whole_lists:
        listed = [n["id"] for n in (await api.ok(LOGS, token=token))["dailyLogs"]["nodes"]]
        listed += [n["id"] for n in (await api.ok(CHECK_INS, token=token))["checkIns"]["nodes"]]
        found["in unfiltered lists"] = sorted(set(listed) & set(everything))
    return found


async def test_progress_is_seen_by_the_contract_parties_and_recorded_by_the_right_one(api, state):
    # Everyone signs in before the clock moves (a token's iat).
    supervisor_org, supervisor_token = await supervisor(api)
    auditor = await api.token("auditor")
    outsiders = {
        "other owner": (await new_owner(api, allocation=None)).staff.token,
        "other contractor": (await new_supplier(api)).token,
        "other supervisor": (await supervisor(api))[1],
        "other county": await token_elsewhere(api, state),
    }
    roles = {"other owner": "owner", "other supervisor": "supervisor"}
    with clock_kept(state):
        # Three milestones, so that one can be in each state a milestone mutation acts on.
        start = today_in_china(state.clock.now()) + timedelta(days=20)
        plan = [("M1", 30, "40"), ("M2", 60, "30"), ("M3", 85, "30")]
        works = await in_force(
            api,
            state,
            supervisor_org,
            supervisor_token,
            worksStart=start.isoformat(),
            worksEnd=(start + timedelta(days=90)).isoformat(),
            milestones=[
                {"code": code, "name": f"节点{code}", "plannedDate": (start + timedelta(days=days)).isoformat(), "share": share}
                for code, days, share in plan
            ],
        )
        owner, contractor, c = works.owner, works.contractor, works.contract
        outsiders["losing bidder"] = next(s.token for s in works.awarded.procurement.suppliers if s is not works.awarded.winner)

        # The first day: a log with a photo, a check-in by each site party, the first milestone
        # submitted and the second started.
        move_to(state, noon(start))
        earlier_log = (await daily_log(api, contractor, c["id"], start))["id"]
        uploaded = await upload(api, contractor, earlier_log, str(uuid.uuid4()), photo(SITE[0], SITE[1], noon(start)))
        assert uploaded["errors"] == [], uploaded
        on_site = [
            await check_in(api, state, contractor, c["id"], geo.wgs84_to_gcj02(*SITE), "GCJ02"),
            await check_in(api, state, supervisor_token, c["id"], SITE, "WGS84"),
        ]
        assert [x["flags"] for x in on_site] == [[], []]
        check_ins = [x["id"] for x in on_site]
        m1, m2, m3 = c["milestones"]
        for action, milestone, extra in (("Start", m1, {}), ("Submit", m1, {"note": "基层完成。"}), ("Start", m2, {})):
            name = action.lower()
            payload = await api.ok(MUTATE % (action, name), {"input": {"id": milestone["id"], **extra}}, token=contractor)
            assert payload[f"{name}Milestone"]["errors"] == [], payload

        # Two days on: today's log (open to edits), the first one corrected, a day between without a log.
        move_to(state, noon(start + timedelta(days=2)))
        log_today = (await daily_log(api, contractor, c["id"], start + timedelta(days=2)))["id"]
        corrected = await api.ok(CORRECT_LOG, {"input": {"id": earlier_log, "text": "人数应为 11 人。"}}, token=contractor)
        assert corrected["correctDailyLog"]["errors"] == [], corrected
        ids = {"logs": [earlier_log, log_today], "photos": [uploaded["photo"]["id"]], "check-ins": check_ins}
        target = {
            "contract": c["id"],
            "log today": log_today,
            "earlier log": earlier_log,
            "free day": (start + timedelta(days=1)).isoformat(),
            "planned": m3["id"],
            "in progress": m2["id"],
            "submitted": m1["id"],
        }
        nowhere = {
            "contract": missing("Contract"),
            "log today": missing("DailyLog"),
            "earlier log": missing("DailyLog"),
            "free day": target["free day"],
            "planned": missing("ContractMilestone"),
            "in progress": missing("ContractMilestone"),
            "submitted": missing("ContractMilestone"),
        }

        # The parties and the region's auditor see everything, each way.
        every_id = sorted([*ids["logs"], *ids["photos"], *check_ins])
        everything = {
            "logs": sorted(ids["logs"]),
            "photos": ids["photos"],
            "corrections": 1,
            "check-ins": sorted(check_ins),
            "node": every_id,
            "nodes": every_id,
            "files": {200},
        }
        for who, token in {"owner": owner, "contractor": contractor, "supervisor": supervisor_token, "auditor": auditor}.items():
            assert await seen(api, token, c["id"], ids) == everything, who

        # Outsiders see nothing, and every mutation they send is refused as on a missing object:
        # NOT_FOUND where the policy lets their role run it at all, else FORBIDDEN.
        nothing = {
            "logs": [],
            "photos": [],
            "corrections": 0,
            "check-ins": [],
            "node": [],
            "nodes": [],
            "files": {404},
            "in unfiltered lists": [],
        }
        before = (await api.ok(LOGS, {"contract": c["id"]}, token=owner), await api.ok(CHECK_INS, {"contract": c["id"]}, token=owner))
        works_before = await api.ok(WORKS, {"id": c["id"]}, token=owner)
        rows = await rows_of(state, pk_of(c["id"]))
        for who, token in outsiders.items():
            assert await seen(api, token, c["id"], ids, whole_lists=True) == nothing, who
            role = roles.get(who, "contractor")
            for mutation, run_by in RUN_BY.items():
                code = refusal(await attempt(api, token, mutation, target, state))
                assert code == ("NOT_FOUND" if role in run_by else "FORBIDDEN"), (who, mutation, code)
                assert refusal(await attempt(api, token, mutation, nowhere, state)) == code, (who, mutation)

        # Within the contract: the supervisor checks in (above) but writes no log; the owner
        # neither; the contractor does not decide on milestones.
        for who, token, refused in (
            ("supervisor", supervisor_token, [*LOG_MUTATIONS, "startMilestone", "submitMilestone", "acceptMilestone"]),
            ("owner", owner, [*LOG_MUTATIONS, "checkIn", "startMilestone", "submitMilestone"]),
            ("contractor", contractor, ["acceptMilestone", "rejectMilestone"]),
        ):
            for mutation in refused:
                assert refusal(await attempt(api, token, mutation, target, state)) == "FORBIDDEN", (who, mutation)

        # Nothing was written.
        after = (await api.ok(LOGS, {"contract": c["id"]}, token=owner), await api.ok(CHECK_INS, {"contract": c["id"]}, token=owner))
        assert _without_links(after) == _without_links(before)
        assert await api.ok(WORKS, {"id": c["id"]}, token=owner) == works_before
        assert works_before["contract"]["project"]["status"] == "IN_PROGRESS"
        assert [m["status"] for m in works_before["contract"]["milestones"]] == ["SUBMITTED", "IN_PROGRESS", "PLANNED"]
        assert await rows_of(state, pk_of(c["id"])) == rows


def _without_links(pages: tuple[dict, dict]) -> tuple[dict, dict]:
    """The pages without the photos' signed links (each request signs them anew)."""
    logs, check_ins = pages
    for log in logs["dailyLogs"]["nodes"]:
        for p in log["photos"]:
            del p["downloadUrl"], p["thumbnailUrl"]
    return logs, check_ins
