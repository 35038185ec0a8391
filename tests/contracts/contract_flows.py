"""What the contract tests share: an awarded tender (through the tendering flows, as a client
takes them), GraphQL documents, a draft's content, signing keys and signatures."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tendering"))  # the tendering flows an award comes from

from conftest import unique
from factories import create_organisation, create_person, multipart
from flows import (
    START_PUBLICITY,
    Procurement,
    Supplier,
    bid_ok,
    committee_usernames,
    evaluate,
    move_to,
    open_tender,
    published,
    tender,
)

from resolvers.core.clock import today_in_china
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.transaction import unit_of_work
from resolvers.security import signing
from resolvers.tendering.evaluation import award_after_publicity

ERRORS = "errors { code field message }"
CONTRACT_FIELDS = """id code number title status statusLabel amount awardValue amountReason worksStart worksEnd
  defectLiabilityMonths draftedLateDays warning effectiveVersion latestVersion signedAt version contentSha256
  availableActions availableActionLabels
  parties { party partyLabel organisationId organisationName hasSigned }
  clauses { sequence kind kindLabel title text defectLiabilityMonths dailyRatePercent capPercent standard inspectionDays }
  milestones { id sequence code name plannedDate share status }
  paymentTerms { id sequence name percentage amount trigger triggerLabel dueDays status dueOn milestone { code } }
  versions { number kind status contentSha256 canonicalJson reason
             signatures { party signerName keyId algorithm contentSha256 value isStanding voidReason } }
  signatures { party isStanding voidReason }
  project { id status }
  ocds { id awardId status valueAmount dateSigned periodStart periodEnd amendments { id rationale } milestones { id status dueDate } }"""
CONTRACT = "query($id: ID!) { contract(id: $id) { %s } }" % CONTRACT_FIELDS
DRAFT = "mutation($input: DraftContractInput!) { draftContract(input: $input) { contract { %s } %s } }" % (CONTRACT_FIELDS, ERRORS)
UPDATE = "mutation($input: UpdateContractInput!) { updateContract(input: $input) { contract { %s } %s } }" % (CONTRACT_FIELDS, ERRORS)
SUBMIT = "mutation($input: SubmitContractForSignatureInput!) { submitContractForSignature(input: $input) { contract { %s } %s } }" % (
    CONTRACT_FIELDS,
    ERRORS,
)
SIGN = "mutation($input: SignContractInput!) { signContract(input: $input) { contract { %s } %s } }" % (CONTRACT_FIELDS, ERRORS)
AMEND = """mutation($input: ProposeContractAmendmentInput!) { proposeContractAmendment(input: $input) {
  contract { %s } amendment { number kind status contentSha256 reason } %s } }""" % (CONTRACT_FIELDS, ERRORS)
WITHDRAW = "mutation($input: WithdrawContractAmendmentInput!) { withdrawContractAmendment(input: $input) { contract { id } %s } }" % ERRORS
TERMINATE = "mutation($input: TerminateContractInput!) { terminateContract(input: $input) { contract { id status } %s } }" % ERRORS
VERIFY = """query($id: ID!) { verifyContract(id: $id) { valid versions { number status statusLabel storedSha256 recomputedSha256
  storedMatches rowsMatch missingSignatures valid signatures { party keyId algorithm hashMatches valid } } } }"""
BUNDLE = "query($id: ID!, $version: Int) { contractBundle(id: $id, version: $version) }"
CREATE_KEY = (
    "mutation($input: CreateSigningKeyInput!) { createSigningKey(input: $input) { signingKey { id keyId algorithm custody publicKey isActive } %s } }"
    % ERRORS
)
REGISTER_KEY = (
    "mutation($input: RegisterSigningKeyInput!) { registerSigningKey(input: $input) { signingKey { id keyId algorithm custody publicKey isActive } %s } }"
    % ERRORS
)


@dataclass
class Awarded:
    procurement: Procurement
    tender: dict
    winner: Supplier

    @property
    def owner_token(self) -> str:
        return self.procurement.owner.staff.token


async def run_award_job(state) -> int:
    async with unit_of_work(state, "cron.award_after_publicity", SYSTEM_ACTOR, RequestMeta(request_id="t")) as uow:
        return await award_after_publicity(uow, today_in_china(uow.now))


async def awarded(api, state, prices=("8800.00", "8500.00", "8700.00"), *, fresh: bool = True) -> Awarded:
    """An rfq taken to its award as clients take it: three bids, opened, evaluated,
    publicised, and awarded by the scheduled rule once the publicity ends. The lowest wins.
    ``fresh``: parties of its own (a contract test signs for them)."""
    p = await published(api, state, "rfq", fresh=fresh)
    for supplier, price in zip(p.suppliers, prices, strict=True):
        await bid_ok(api, supplier, p.tender["id"], price)
    t = (await open_tender(api, state, p))["tender"]
    for username in committee_usernames(t):
        payload = await evaluate(api, username, t, {b["id"]: (True, {}) for b in t["bids"]})
        assert payload["errors"] == [], payload
    started = (await api.ok(START_PUBLICITY, {"input": {"id": t["id"]}}, token=p.owner.staff.token))["startAwardPublicity"]
    assert started["errors"] == [], started
    move_to(state, datetime.fromisoformat(started["tender"]["publicityEndsAt"]) + timedelta(seconds=1))
    assert await run_award_job(state) >= 1
    t = await tender(api, p.owner.staff.token, t["id"])
    assert t is not None and t["status"] == "AWARDED"
    lowest = min(prices, key=lambda price: float(price))
    winner = p.suppliers[list(prices).index(lowest)]
    return Awarded(p, t, winner)


def content(today: date, **overrides) -> dict:
    """A draft's content: two milestones, an advance, a progress payment on the first
    milestone, the balance on final acceptance and 3 % retention."""
    start = today + timedelta(days=10)
    values = {
        "number": unique("HT-"),
        "worksStart": start.isoformat(),
        "worksEnd": (start + timedelta(days=90)).isoformat(),
        "clauses": [
            {"kind": "SCOPE", "title": "工程范围", "text": "道路面层铣刨重铺及附属设施。"},
            {"kind": "WARRANTY", "title": "保修", "text": "缺陷责任期自竣工验收之日起计。", "defectLiabilityMonths": 12},
            {
                "kind": "PENALTY",
                "title": "逾期违约",
                "text": "每逾期一日按合同价款万分之五支付违约金。",
                "dailyRatePercent": "0.05",
                "capPercent": "10",
            },
            {"kind": "ACCEPTANCE", "title": "验收", "text": "按国家标准验收。", "standard": "CJJ 1-2008", "inspectionDays": 7},
        ],
        "milestones": [
            {"code": "M1", "name": "基层完成", "plannedDate": (start + timedelta(days=40)).isoformat(), "share": "60"},
            {"code": "M2", "name": "面层完成", "plannedDate": (start + timedelta(days=85)).isoformat(), "share": "40"},
        ],
        "paymentTerms": [
            {"name": "预付款", "percentage": "30", "trigger": "SIGNING", "dueDays": 7},
            {"name": "进度款", "percentage": "40", "trigger": "MILESTONE", "milestoneCode": "M1"},
            {"name": "竣工结算款", "percentage": "27", "trigger": "FINAL_ACCEPTANCE"},
            {"name": "质保金", "percentage": "3", "trigger": "RETENTION"},
        ],
    }
    return {**values, **overrides}


async def draft(api, state, a: Awarded, **overrides) -> dict:
    data = await api.ok(
        DRAFT,
        {"input": {"tenderId": a.tender["id"], **content(today_in_china(state.clock.now())), **overrides}},
        token=a.owner_token,
    )
    payload = data["draftContract"]
    assert payload["errors"] == [], payload
    return payload["contract"]


async def contract(api, token: str, contract_id: str) -> dict | None:
    return (await api.ok(CONTRACT, {"id": contract_id}, token=token))["contract"]


async def supervisor(api) -> tuple[str, str]:
    """A supervising organisation and a person who signs for it: (organisation id, token)."""
    org_id = await create_organisation(api, "SUPERVISOR")
    person = await create_person(api, org_id, ["SUPERVISOR"])
    return org_id, person.token


async def server_key(api, token: str, algorithm: str = "ED25519") -> dict:
    payload = (await api.ok(CREATE_KEY, {"input": {"algorithm": algorithm}}, token=token))["createSigningKey"]
    assert payload["errors"] == [], payload
    return payload["signingKey"]


@dataclass
class DeviceKey:
    """A key on an organisation's own device: the private half never reaches the service."""

    algorithm: str
    pair: signing.KeyPair

    def sign(self, sha256_hex: str) -> str:
        return signing.encode(signing.sign(self.algorithm, self.pair.private_key, bytes.fromhex(sha256_hex)))


async def device_key(api, token: str, algorithm: str = "sm2-sm3") -> DeviceKey:
    key = DeviceKey(algorithm, signing.generate_key(algorithm))
    enum = algorithm.upper().replace("-", "_")
    payload = (await api.ok(REGISTER_KEY, {"input": {"algorithm": enum, "publicKey": key.pair.public_key.hex()}}, token=token))[
        "registerSigningKey"
    ]
    assert payload["errors"] == [], payload
    assert payload["signingKey"]["custody"] == "DEVICE"
    return key


async def sign(api, token: str, c: dict, signature: str | None = None, sha256: str | None = None) -> dict:
    variables = {"input": {"id": c["id"], "contentSha256": sha256 or c["contentSha256"], "signature": signature}}
    return (await api.ok(SIGN, variables, token=token))["signContract"]


ATTACH = """mutation($input: AttachContractDocumentInput!) { attachContractDocument(input: $input) {
  document { id name filename sha256 size mediaType downloadUrl } contract { id contentSha256 signatures { party isStanding } }
  errors { code field message } } }"""


async def attach(api, token: str, contract_id: str, name: str, filename: str, data: bytes) -> dict:
    """attachContractDocument as a multipart request."""
    body = await multipart(api.client, token, ATTACH, {"contractId": contract_id, "name": name}, filename, data, "application/pdf")
    assert not body.get("errors"), body
    return body["data"]["attachContractDocument"]


def verify_contract(path, cwd, *, own_process: bool = True, **env: str):
    """``smallworks verify-contract`` in a new process whose environment has no SMALLWORKS_
    variable at all (plus ``env``), run outside the checkout; or with ``own_process=False``
    the same command in this process (what a process costs, ~1 s of CPU, buys nothing more
    once a process has shown the command needs no settings)."""
    import os
    import subprocess

    if not own_process:
        from typer.testing import CliRunner

        from app.cli import app

        result = CliRunner().invoke(app, ["verify-contract", str(path)], env=env)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return subprocess.CompletedProcess(["verify-contract", str(path)], result.exit_code, result.stdout, result.stderr)
    clean = {name: value for name, value in os.environ.items() if not name.startswith("SMALLWORKS_")}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "verify-contract", str(path)],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# -- refusals and the mutations behind availableActions -------------------------------------------

CONTRACT_MUTATIONS = {
    "UPDATE": ("updateContract", "UpdateContractInput", "contract { id }"),
    "SUBMIT_FOR_SIGNATURE": ("submitContractForSignature", "SubmitContractForSignatureInput", "contract { id }"),
    "SIGN": ("signContract", "SignContractInput", "contract { id }"),
    "PROPOSE_AMENDMENT": ("proposeContractAmendment", "ProposeContractAmendmentInput", "amendment { number }"),
    "WITHDRAW_AMENDMENT": ("withdrawContractAmendment", "WithdrawContractAmendmentInput", "contract { id }"),
    "TERMINATE": ("terminateContract", "TerminateContractInput", "contract { id }"),
}


def action_input(action: str, contract_id: str, sha256: str | None) -> dict:
    """An input for the mutation of ``action`` that passes every check of its own: only who
    runs it and the contract's state can refuse it. Edits change the title (a content
    change, so signatures made over the old content are voided)."""
    fields: dict = {"id": contract_id}
    if action == "UPDATE":
        fields["title"] = unique("合同名称")
    elif action == "SIGN":
        fields["contentSha256"] = sha256 or "0" * 64
    elif action == "PROPOSE_AMENDMENT":
        fields |= {"title": unique("合同名称"), "reason": "调整合同名称。"}
    elif action in ("WITHDRAW_AMENDMENT", "TERMINATE"):
        fields["reason"] = "不再需要。"
    return fields


async def attempt(api, token: str, action: str, contract_id: str, sha256: str | None = None) -> dict:
    """The whole response of the mutation that performs ``action`` on a contract."""
    name, input_type, selection = CONTRACT_MUTATIONS[action]
    document = "mutation($input: %s!) { %s(input: $input) { %s errors { code } } }" % (input_type, name, selection)
    return await api.gql(document, {"input": action_input(action, contract_id, sha256)}, token=token)


def refusal(body: dict) -> str | None:
    """How a mutation was refused: the GraphQL error's code (with its reason when more
    specific, ``FORBIDDEN:NOT_CONTRACT_OWNER``) or the payload's first error code; None when
    it succeeded."""
    for error in body.get("errors") or []:
        extensions = error.get("extensions") or {}
        reason = extensions.get("reason")
        return f"{extensions.get('code')}:{reason}" if reason and reason != extensions.get("code") else extensions.get("code")
    for payload in (body.get("data") or {}).values():
        if isinstance(payload, dict) and payload.get("errors"):
            return payload["errors"][0]["code"]
    return None
