"""What the progress tests share: a contract in force (through the contract flows, as its
parties take it), GraphQL documents, photos with EXIF and their multipart upload."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "contracts"))  # the contract flows the works follow

from contract_flows import SUBMIT, Awarded, awarded, draft, refusal, server_key, sign, supervisor
from flows import clock_kept, move_to, new_supplier

from app.demo.progress import site_photo as photo  # a JPEG with its capture time and GPS position in EXIF
from resolvers.core.clock import SHANGHAI

# The contract and tendering flows a progress test also uses, importable from here alone (this
# module puts their folders on the path).
__all__ = ["clock_kept", "move_to", "new_supplier", "photo", "refusal", "supervisor"]

SITE = (31.43, 121.0)  # tests/factories.py KUNSHAN: WGS-84, a 300 m fence
ERRORS = "errors { code field message }"
LOG_FIELDS = "id logDate weather workDone crewCount version photos { id sha256 flags distanceM capturedAt latitude } corrections { text }"
CREATE_LOG = "mutation($input: CreateDailyLogInput!) { createDailyLog(input: $input) { log { %s } %s } }" % (LOG_FIELDS, ERRORS)
UPDATE_LOG = "mutation($input: UpdateDailyLogInput!) { updateDailyLog(input: $input) { log { %s } %s } }" % (LOG_FIELDS, ERRORS)
CORRECT_LOG = "mutation($input: CorrectDailyLogInput!) { correctDailyLog(input: $input) { log { %s } %s } }" % (LOG_FIELDS, ERRORS)
UPLOAD = (
    """mutation($input: UploadSitePhotoInput!) { uploadSitePhoto(input: $input) {
  photo { id sha256 flags flagLabels distanceM capturedAt latitude longitude width height mediaType downloadUrl thumbnailUrl } %s } }"""
    % ERRORS
)
CHECK_IN = (
    """mutation($input: CheckInInput!) { checkIn(input: $input) {
  checkIn { id datum latitude longitude wgs84Latitude wgs84Longitude distanceM flags } %s } }"""
    % ERRORS
)
MILESTONE = (
    "milestone { id code status accepted: acceptedAt } contract { status project { status } paymentTerms { sequence status dueOn } }"
)
MUTATE = "mutation($input: %sMilestoneInput!) { %sMilestone(input: $input) { " + MILESTONE + " " + ERRORS + " } }"


def codes(payload: dict) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


async def multipart(api, token: str, query: str, variables: dict, data: bytes, filename: str = "现场.jpg") -> dict:
    """The whole response of a mutation whose ``input.file`` is sent as a multipart upload."""
    operations = {"query": query, "variables": {"input": {**variables, "file": None}}}
    response = await api.client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.file"]})},
        files={"0": (filename, data, "image/jpeg")},
        headers={"Authorization": f"Bearer {token}", "GraphQL-Require-Preflight": "1"},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def upload(api, token: str, log_id: str, key: str, data: bytes, filename: str = "现场.jpg") -> dict:
    body = await multipart(api, token, UPLOAD, {"logId": log_id, "idempotencyKey": key}, data, filename)
    assert not body.get("errors"), body
    return body["data"]["uploadSitePhoto"]


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=SHANGHAI)


@dataclass
class InForce:
    """A contract in force and its parties' tokens."""

    awarded: Awarded
    contract: dict
    supervisor_token: str

    @property
    def owner(self) -> str:
        return self.awarded.owner_token

    @property
    def contractor(self) -> str:
        return self.awarded.winner.token


async def in_force(api, state, supervisor_org: str, supervisor_token: str, **content) -> InForce:
    """An rfq awarded, its contract drafted (``content`` overriding the draft's), sent for
    signature and signed by the owner, the contractor and ``supervisor_org``'s signer."""
    a = await awarded(api, state)
    c = await draft(api, state, a, supervisorId=supervisor_org, **content)
    for token in (a.owner_token, a.winner.token, supervisor_token):
        await server_key(api, token)
    c = (await api.ok(SUBMIT, {"input": {"id": c["id"]}}, token=a.owner_token))["submitContractForSignature"]["contract"]
    for token in (a.owner_token, a.winner.token, supervisor_token):
        signed = await sign(api, token, c)
        assert signed["errors"] == [], signed
    assert signed["contract"]["status"] == "ACTIVE"
    return InForce(a, signed["contract"], supervisor_token)
