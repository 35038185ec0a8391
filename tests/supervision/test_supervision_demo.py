"""The supervision demo as loaded: red flags open and acknowledged, the auditor's export
ready to download, a signed checkpoint, and OCDS releases of every stage the demo reached."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.demo_state

DEMO = """
query {
  redFlags(first: 50) { nodes { code status statusLabel acknowledgement explanation availableActions } }
  exportJobs(first: 10) { nodes { source state progress rowsWritten url } }
  auditCheckpoints(first: 10) { nodes { sequence headHash algorithm } }
  ocdsReleases(first: 100) { nodes { tag ocid } }
}
"""


async def test_the_auditor_sees_every_supervision_state_of_the_demo(api, client):
    data = await api.ok(DEMO, token=await api.token("auditor"))
    flags = data["redFlags"]["nodes"]
    statuses = {f["status"] for f in flags}
    assert {"OPEN", "ACKNOWLEDGED"} <= statuses, statuses
    acknowledged = next(f for f in flags if f["status"] == "ACKNOWLEDGED")
    assert acknowledged["acknowledgement"].startswith("已核实") and acknowledged["availableActions"] == []
    assert all(f["availableActions"] == ["ACKNOWLEDGE"] for f in flags if f["status"] == "OPEN")
    assert all(f["explanation"] for f in flags)

    (job,) = [j for j in data["exportJobs"]["nodes"] if j["source"] == "LIST_PROJECTS"]
    assert job["state"] == "READY" and job["progress"] == 100 and job["rowsWritten"] > 0
    download = await client.get(job["url"])
    assert download.status_code == 200 and download.content[:2] == b"PK"  # an XLSX is a zip

    assert data["auditCheckpoints"]["nodes"], "the demo signs a checkpoint"
    tags = {r["tag"] for r in data["ocdsReleases"]["nodes"]}
    assert {"PLANNING", "TENDER", "TENDER_UPDATE", "AWARD", "CONTRACT", "IMPLEMENTATION"} <= tags, tags
