"""A page of daily logs with their photos, corrections and contract, and a page of check-ins,
cost the same number of SQL statements whatever their size, on both executors: every nested
field loads through a DataLoader, one batch for the whole page. The log pages also go on by
their cursors (a day and an id)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from conftest import EXECUTOR, count_statements
from progress_flows import CORRECT_LOG, SITE, check_in, clock_kept, daily_log, in_force, move_to, noon, photo, supervisor, upload

from resolvers.progress import geo

LOGS = """query($contract: ID, $first: Int, $after: String) { dailyLogs(contractId: $contract, first: $first, after: $after) {
  nodes { id logDate weather workDone crewCount version
    photos { id filename sha256 width height capturedAt latitude distanceM flags flagLabels thumbnailUrl downloadUrl }
    corrections { text createdByName createdAt }
    contract { code status } }
  pageInfo { hasNextPage endCursor } } }"""
CHECK_INS = """query($contract: ID, $first: Int) { checkIns(contractId: $contract, first: $first) { nodes { id userName
  datum datumLabel latitude longitude wgs84Latitude wgs84Longitude accuracyM deviceTime checkedInAt distanceM flags flagLabels } } }"""
DAYS = 5


async def counts(api, state, token: str, query: str, contract_id: str, sizes=(2, 4)) -> dict[str, list[int]]:
    """The statements each page size costs, per executor; every page comes back full."""
    found: dict[str, list[int]] = {}
    for executor in ("general", "compiled"):
        headers = {EXECUTOR: "general"} if executor == "general" else {}
        await api.post(query, {"contract": contract_id, "first": 1}, token=token, headers=headers)  # the caller, looked up once
        for first in sizes:
            with count_statements(state) as statements:
                response = await api.post(query, {"contract": contract_id, "first": first}, token=token, headers=headers)
            assert response.status_code == 200 and not response.json().get("errors"), response.text
            assert response.headers[EXECUTOR] == executor
            (page,) = response.json()["data"].values()
            assert len(page["nodes"]) == first
            found.setdefault(executor, []).append(len(statements))
    return found


async def test_pages_of_logs_and_check_ins_cost_the_same_statements_whatever_their_size(api, state):
    supervisor_org, supervisor_token = await supervisor(api)  # signed in before the clock moves
    with clock_kept(state):
        works = await in_force(api, state, supervisor_org, supervisor_token)
        contractor, c = works.contractor, works.contract
        first_day = noon(date.fromisoformat(c["worksStart"]))
        move_to(state, first_day + timedelta(days=DAYS))

        # A log for each of five days, each with photos (one or two, on site or not) and a
        # correction; check-ins by both site parties, some flagged.
        for n in range(DAYS):
            day = first_day + timedelta(days=n)
            log = await daily_log(api, contractor, c["id"], day.date(), workDone=f"第 {n + 1} 天施工。", crewCount=10 + n)
            for k in range(1 + n % 2):
                where = (SITE[0] + 0.0003 * k + 0.02 * (n % 3 == 2), SITE[1])
                uploaded = await upload(api, contractor, log["id"], str(uuid.uuid4()), photo(*where, day, (n, k, 40)))
                assert uploaded["errors"] == [], uploaded
            corrected = await api.ok(CORRECT_LOG, {"input": {"id": log["id"], "text": f"更正 {n}。"}}, token=contractor)
            assert corrected["correctDailyLog"]["errors"] == [], corrected
        for n, token in enumerate([contractor, supervisor_token] * 3):
            reading = geo.wgs84_to_gcj02(SITE[0] + 0.01 * (n % 2), SITE[1])
            await check_in(api, state, token, c["id"], reading, "GCJ02", accuracy=10.0 + 100 * (n == 4))

        logs = await counts(api, state, contractor, LOGS, c["id"])
        check_ins = await counts(api, state, supervisor_token, CHECK_INS, c["id"])
        assert all(small == large for small, large in logs.values()), logs
        assert all(small == large for small, large in check_ins.values()), check_ins

        # Two logs a page, latest day first, each page after the last one's cursor.
        days, after = [], None
        while True:
            page = (await api.ok(LOGS, {"contract": c["id"], "first": 2, "after": after}, token=contractor))["dailyLogs"]
            days += [n["logDate"] for n in page["nodes"]]
            assert all(n["photos"] and n["corrections"] and n["contract"]["code"] == c["code"] for n in page["nodes"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert days == [(first_day + timedelta(days=n)).date().isoformat() for n in reversed(range(DAYS))]
