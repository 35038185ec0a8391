"""The progress demo data (``app/demo/progress.py``), as the session's demo load left it and as
the demo users see it through GraphQL: the road contract's works started days ago, a log of
each day since by contractor1 (the first one corrected), a photo on site and a flagged one
from outside the fence, their EXIF read and their thumbnails served, two check-ins sent in
GCJ-02 (the contractor's on site, the supervisor's outside and flagged), and the first
milestone under way, which put the project in progress."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from app.demo.progress import CORRECTION, DAYS, ON_SITE
from app.demo.tendering import DEMO_PROJECTS
from resolvers.core.clock import SHANGHAI, today_in_china
from resolvers.progress import geo

# Other tests move the clock and run the scheduled rules, which act on demo rows too: these run first.
pytestmark = pytest.mark.demo_state

ROAD = """query { contracts(first: 20) { nodes { id code title worksStart worksEnd
  milestones { code status } project { status location { latitude longitude radiusMeters } } } } }"""
LOGS = """query($contract: ID!) { dailyLogs(contractId: $contract, first: 20) { nodes { logDate weather workDone crewCount
  machinery materials contract { code }
  photos { filename mediaType width height capturedAt latitude longitude distanceM flags flagLabels thumbnailUrl downloadUrl }
  corrections { text createdByName } } } }"""
CHECK_INS = """query($contract: ID!, $flagged: Boolean) { checkIns(contractId: $contract, flaggedOnly: $flagged, first: 20) {
  nodes { userName datum datumLabel latitude longitude wgs84Latitude wgs84Longitude accuracyM distanceM flags } } }"""
CHINESE = re.compile(r"[\u4e00-\u9fff]")


async def road_contract(api, username: str) -> dict | None:
    nodes = (await api.ok(ROAD, token=await api.token(username)))["contracts"]["nodes"]
    return next((c for c in nodes if c["title"] == DEMO_PROJECTS["road"][0]), None)


async def test_the_road_works_have_daily_logs_photos_and_check_ins(api, state):
    road = await road_contract(api, "contractor1")
    assert road is not None
    today = today_in_china(state.clock.now())
    start = date.fromisoformat(road["worksStart"])
    assert start <= today - timedelta(days=2)
    # The works under way: the first milestone started, the project with it.
    assert [m["status"] for m in road["milestones"]] == ["IN_PROGRESS"] + ["PLANNED"] * (len(road["milestones"]) - 1)
    assert road["project"]["status"] == "IN_PROGRESS"

    # A log of each day of the works before today (five at most), latest first, in Chinese.
    token = await api.token("contractor1")
    logs = (await api.ok(LOGS, {"contract": road["id"]}, token=token))["dailyLogs"]["nodes"]
    days = [start + timedelta(days=n) for n in range(min(len(DAYS), (today - start).days))]
    assert [log["logDate"] for log in logs] == [d.isoformat() for d in reversed(days)]
    for log in logs:
        assert CHINESE.search(log["weather"]) and CHINESE.search(log["workDone"]) and log["crewCount"] > 0, log
        assert log["contract"]["code"] == road["code"]
    first, last = logs[-1], logs[0]
    assert [(c["text"], c["createdByName"]) for c in first["corrections"]] == [(CORRECTION, "通达市政 赵工")]
    assert all(log["corrections"] == [] for log in logs[:-1])

    # The photos: read from their EXIF, one on site on the first day, one 2 km away on the last, flagged.
    (on_site,) = first["photos"]
    (away,) = last["photos"]
    assert [log for log in logs[1:-1] if log["photos"]] == []
    # Positions keep every digit on every backend (a single-precision column keeps six: 40 m).
    site = road["project"]["location"]
    fence = site["radiusMeters"]
    assert (site["latitude"], site["longitude"]) == (31.4405, 120.9934)
    assert (on_site["latitude"], on_site["longitude"]) == pytest.approx(ON_SITE, abs=1e-6)
    for photo in (on_site, away):
        measured = geo.distance_m(photo["latitude"], photo["longitude"], site["latitude"], site["longitude"])
        assert photo["distanceM"] == pytest.approx(measured, abs=1e-3)
    assert on_site["flags"] == [] and on_site["distanceM"] < fence
    assert away["flags"] == ["OUTSIDE_GEOFENCE"] and 1900 < away["distanceM"] < 2100
    assert away["flagLabels"] == ["位于电子围栏外"]
    for photo, log in ((on_site, first), (away, last)):
        assert (photo["mediaType"], photo["width"], photo["height"]) == ("image/jpeg", 640, 480)
        assert datetime.fromisoformat(photo["capturedAt"]).astimezone(SHANGHAI).date().isoformat() == log["logDate"]
        assert photo["latitude"] is not None and photo["longitude"] is not None
        thumbnail = await api.client.get(photo["thumbnailUrl"])
        assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/jpeg"
        original = await api.client.get(photo["downloadUrl"])
        assert original.status_code == 200 and len(original.content) > len(thumbnail.content)

    # The check-ins, both as a mini-program sends them (GCJ-02), stored with their WGS-84
    # position: the contractor's on site, the supervisor's from its office, flagged.
    check_ins = (await api.ok(CHECK_INS, {"contract": road["id"]}, token=await api.token("owner")))["checkIns"]["nodes"]
    by_who = {c["userName"]: c for c in check_ins}
    assert set(by_who) == {"通达市政 赵工", "正信监理 周工"}
    for c in check_ins:
        assert c["datum"] == "GCJ02" and c["datumLabel"] and c["accuracyM"] == 12.0
        assert geo.wgs84_to_gcj02(c["wgs84Latitude"], c["wgs84Longitude"]) == pytest.approx((c["latitude"], c["longitude"]), abs=1e-9)
        assert geo.distance_m(c["latitude"], c["longitude"], c["wgs84Latitude"], c["wgs84Longitude"]) > 100  # the datums differ
    assert by_who["通达市政 赵工"]["flags"] == [] and by_who["通达市政 赵工"]["distanceM"] < fence
    assert by_who["正信监理 周工"]["flags"] == ["OUTSIDE_GEOFENCE"] and by_who["正信监理 周工"]["distanceM"] > fence
    flagged = (await api.ok(CHECK_INS, {"contract": road["id"], "flagged": True}, token=await api.token("supervisor")))["checkIns"]
    assert [c["userName"] for c in flagged["nodes"]] == ["正信监理 周工"]


async def test_only_the_road_contract_parties_and_overseers_see_its_progress(api):
    road = await road_contract(api, "owner")
    assert road is not None
    for username in ("owner", "contractor1", "supervisor", "auditor"):
        logs = (await api.ok(LOGS, {"contract": road["id"]}, token=await api.token(username)))["dailyLogs"]["nodes"]
        assert len(logs) >= 2, username
    for username in ("contractor2", "contractor3"):
        logs = (await api.ok(LOGS, {"contract": road["id"]}, token=await api.token(username)))["dailyLogs"]["nodes"]
        checks = (await api.ok(CHECK_INS, {"contract": road["id"]}, token=await api.token(username)))["checkIns"]["nodes"]
        assert (logs, checks) == ([], []), username


QUALITY = """query($contract: ID!) {
  inspections(contractId: $contract) { nodes { inspectorName failedItems milestone { code } template { name category version }
    items { key passed remarks } } }
  rectifications(contractId: $contract) { nodes { status description dueDate availableActions } }
  progressWarnings(contractId: $contract, first: 20) { nodes { kind status explanation } } }"""


async def test_the_road_works_have_an_inspection_a_rectification_and_warnings(api, state):
    road = await road_contract(api, "supervisor")
    assert road is not None
    seen = await api.ok(QUALITY, {"contract": road["id"]}, token=await api.token("contractor1"))
    (inspection,) = seen["inspections"]["nodes"]
    assert inspection["failedItems"] == 1 and inspection["milestone"]["code"] == road["milestones"][0]["code"]
    assert inspection["template"]["category"] == "road" and [i["passed"] for i in inspection["items"]] == [True, False]
    (rectification,) = seen["rectifications"]["nodes"]
    assert rectification["status"] == "OPEN" and rectification["availableActions"] == ["RESPOND"]
    assert date.fromisoformat(rectification["dueDate"]) > today_in_china(state.clock.now())
    # The photo taken 2 km away and the supervisor's check-in from its office were each warned of.
    warnings = seen["progressWarnings"]["nodes"]
    assert sorted(w["kind"] for w in warnings) == ["OUTSIDE_GEOFENCE", "OUTSIDE_GEOFENCE"]
    assert all(w["status"] == "OPEN" and "电子围栏" in w["explanation"] for w in warnings)
