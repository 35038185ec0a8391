"""What the progress tests share: a contract in force (through the contract flows, as its
parties take it), GraphQL documents, daily logs, check-ins, and photos with EXIF and their
upload."""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "contracts"))  # the contract flows the works follow

from contract_flows import SUBMIT, Awarded, awarded, draft, refusal, server_key, sign, supervisor
from factories import multipart
from flows import clock_kept, move_to, new_supplier

from app.demo.progress import site_photo as photo  # a JPEG with its capture time and GPS position in EXIF
from resolvers.core.clock import SHANGHAI

# The contract and tendering flows a progress test also uses, importable from here alone (this
# module puts their folders on the path).
__all__ = ["clock_kept", "move_to", "new_supplier", "photo", "refusal", "supervisor"]

SITE = (31.43, 121.0)  # tests/factories.py KUNSHAN: WGS-84, a 300 m fence
ERRORS = "errors { code field message }"
LOG_FIELDS = "id logDate weather workDone crewCount version availableActions photos { id sha256 flags distanceM capturedAt latitude } corrections { text }"
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

CHECKLIST = {
    "category": "GREENING",
    "name": "绿化工程分部验收检查表",
    "items": [
        {"key": "compaction", "description": "种植土压实度", "photoRequired": True},
        {"key": "drainage", "description": "排水及雨水口", "photoRequired": False},
    ],
}
CREATE_CHECKLIST = (
    "mutation($input: CreateChecklistTemplateInput!) { createChecklistTemplate(input: $input) { template { id version } %s } }" % ERRORS
)
INSPECT = (
    """mutation($input: RecordInspectionInput!) { recordInspection(input: $input) {
  inspection { id failedItems items { key passed remarks photos { id } } } %s } }"""
    % ERRORS
)
RECTIFICATIONS = "query($id: ID!) { rectifications(contractId: $id) { nodes { id status description dueDate reopened availableActions } } }"
RECTIFICATION = "rectification { id status reopened history { action actorName comment } }"
RESPOND = "mutation($input: RespondToRectificationInput!) { respondToRectification(input: $input) { %s %s } }" % (RECTIFICATION, ERRORS)
REOPEN = "mutation($input: ReopenRectificationInput!) { reopenRectification(input: $input) { %s %s } }" % (RECTIFICATION, ERRORS)
CLOSE = "mutation($input: CloseRectificationInput!) { closeRectification(input: $input) { %s %s } }" % (RECTIFICATION, ERRORS)


PROGRESS_VIEW = (
    "query($id: ID!) { contractProgress(contractId: $id) { percentComplete milestones { acceptedAt daysLate availableActions } } }"
)


def codes(payload: dict) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


async def upload(api, token: str, log_id: str, key: str, data: bytes, filename: str = "现场.jpg") -> dict:
    body = await multipart(api.client, token, UPLOAD, {"logId": log_id, "idempotencyKey": key}, filename, data, "image/jpeg")
    assert not body.get("errors"), body
    return body["data"]["uploadSitePhoto"]


async def daily_log(api, token: str, contract_id: str, day: date, **fields) -> dict:
    """The log of ``day`` written with ``token``, a plain one unless ``fields`` say otherwise."""
    values = {"contractId": contract_id, "idempotencyKey": str(uuid.uuid4()), "logDate": day.isoformat()}
    values |= {"weather": "晴", "workDone": "基层施工。", "crewCount": 10, **fields}
    payload = (await api.ok(CREATE_LOG, {"input": values}, token=token))["createDailyLog"]
    assert payload["errors"] == [], payload
    return payload["log"]


async def check_in(api, state, token: str, contract_id: str, position: tuple[float, float], datum: str, accuracy: float = 10.0) -> dict:
    """A check-in at ``position`` (read in ``datum``), the device's clock right."""
    variables = {"contractId": contract_id, "idempotencyKey": str(uuid.uuid4()), "latitude": position[0], "longitude": position[1]}
    variables |= {"accuracy": accuracy, "datum": datum, "deviceTime": state.clock.now().isoformat()}
    payload = (await api.ok(CHECK_IN, {"input": variables}, token=token))["checkIn"]
    assert payload["errors"] == [], payload
    return payload["checkIn"]


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
