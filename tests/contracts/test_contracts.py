"""Contracts end to end through GraphQL: an awarded tender drafted into a contract, signed by
each party (one with a key the service holds, one with a signature made on its own
device), voided by an edit, re-signed into force; then amended and re-signed, the previous
version kept. And what everyone concerned is told."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

from conftest import BACKEND
from contract_flows import (
    AMEND,
    SUBMIT,
    UPDATE,
    VERIFY,
    awarded,
    contract,
    device_key,
    draft,
    server_key,
    sign,
    supervisor,
    verify_contract,
)
from flows import clock_kept
from sqlalchemy import text

from resolvers.contracts.bundle import content_sha256, verify_bundle
from resolvers.core.clock import SHANGHAI, today_in_china


async def events_of(state, code: str) -> list[tuple[str, list[int]]]:
    async with state.db.read() as session:
        rows = (
            await session.execute(
                text("SELECT event_type, recipients, payload FROM outbox_events WHERE subject_type = 'Contract' ORDER BY id")
            )
        ).all()
    return [(t, json.loads(r)) for t, r, p in rows if json.loads(p).get("code") == code]


async def test_award_to_draft_to_signatures_into_force_then_an_amendment(api, state):
    with clock_kept(state):
        supervisor_org, supervisor_token = await supervisor(api)  # signed in before the clock moves (a token's iat)
        a = await awarded(api, state)
        owner, contractor = a.owner_token, a.winner.token

        c = await draft(api, state, a, supervisorId=supervisor_org)
        assert c["status"] == "DRAFT" and c["amount"] == "8500.00" and c["awardValue"] == "8500.00" and c["draftedLateDays"] is None
        assert [p["party"] for p in c["parties"]] == ["OWNER", "CONTRACTOR", "SUPERVISOR"]
        assert [(t["name"], t["amount"]) for t in c["paymentTerms"]] == [
            ("预付款", "2550.00"),
            ("进度款", "3400.00"),
            ("竣工结算款", "2295.00"),
            ("质保金", "255.00"),
        ]
        assert c["paymentTerms"][1]["milestone"] == {"code": "M1"}
        assert c["clauses"][2]["dailyRatePercent"] == "0.05" and c["clauses"][3]["standard"] == "CJJ 1-2008"
        assert c["availableActions"] == ["UPDATE", "SUBMIT_FOR_SIGNATURE", "TERMINATE"]
        # The draft is the owner's alone until it is sent for signature.
        assert await contract(api, contractor, c["id"]) is None
        # The content hash is SHA-256 of the canonical JSON that every version shows.
        (v1,) = c["versions"]
        assert v1["status"] == "DRAFT" and content_sha256(json.loads(v1["canonicalJson"])) == v1["contentSha256"] == c["contentSha256"]
        assert json.loads(v1["canonicalJson"])["amount"] == "8500.00"

        # Keys: the owner's and the supervisor's held by the service (Ed25519, SM2); the
        # contractor signs on its own device with SM2 and registers only the public key.
        await server_key(api, owner, "ED25519")
        await server_key(api, supervisor_token, "SM2_SM3")
        device = await device_key(api, contractor, "sm2-sm3")

        submitted = (await api.ok(SUBMIT, {"input": {"id": c["id"]}}, token=owner))["submitContractForSignature"]
        assert submitted["errors"] == [] and submitted["contract"]["status"] == "PENDING_SIGNATURE"
        c = submitted["contract"]
        seen = await contract(api, contractor, c["id"])
        assert seen is not None and seen["availableActions"] == ["SIGN"]

        signed = await sign(api, owner, c)
        assert signed["errors"] == [], signed
        c = signed["contract"]
        assert [p["hasSigned"] for p in c["parties"]] == [True, False, False] and "SIGN" not in c["availableActions"]

        # An edit after the first signature voids it: the new content has another hash.
        before = c["contentSha256"]
        edited = (await api.ok(UPDATE, {"input": {"id": c["id"], "worksEnd": c["milestones"][1]["plannedDate"]}}, token=owner))[
            "updateContract"
        ]
        assert edited["errors"] == [], edited
        c = edited["contract"]
        assert c["contentSha256"] != before and c["status"] == "PENDING_SIGNATURE"
        assert [p["hasSigned"] for p in c["parties"]] == [False, False, False]
        assert [(s["party"], s["isStanding"], s["voidReason"]) for s in c["signatures"]] == [("OWNER", False, "签署后合同内容被修改")]
        # A signature over the old hash is refused; the signer is told the new one.
        stale = await sign(api, contractor, c, device.sign(before), sha256=before)
        assert [(e["code"], e["field"]) for e in stale["errors"]] == [("CONTENT_CHANGED", "contentSha256")]
        assert c["contentSha256"] in stale["errors"][0]["message"]
        # A signature by another key over the right hash does not verify.
        forged = await sign(api, contractor, c, (await _other_device_signature(c["contentSha256"])))
        assert [e["code"] for e in forged["errors"]] == ["SIGNATURE_INVALID"]
        # The service-held key signs by itself: no signature may be uploaded with it.
        uploaded = await sign(api, owner, c, device.sign(c["contentSha256"]))
        assert [e["code"] for e in uploaded["errors"]] == ["SIGNATURE_NOT_EXPECTED"]

        assert (await sign(api, owner, c))["errors"] == []
        assert (await sign(api, contractor, c, device.sign(c["contentSha256"])))["errors"] == []
        done = await sign(api, supervisor_token, c)
        assert done["errors"] == [], done
        c = done["contract"]
        assert c["status"] == "ACTIVE" and c["effectiveVersion"] == 1 and c["signedAt"] is not None
        assert c["project"]["status"] == "CONTRACTED"
        advance = c["paymentTerms"][0]
        assert advance["status"] == "DUE" and advance["dueOn"] == (today_in_china(state.clock.now()) + timedelta(days=7)).isoformat()
        assert [t["status"] for t in c["paymentTerms"][1:]] == ["SCHEDULED"] * 3
        assert c["ocds"]["status"] == "active" and c["ocds"]["dateSigned"] == c["signedAt"] and c["ocds"]["valueAmount"] == "8500.00"
        standing = [s for s in c["versions"][0]["signatures"] if s["isStanding"]]
        assert [(s["party"], s["algorithm"]) for s in standing] == [
            ("OWNER", "ED25519"),
            ("CONTRACTOR", "SM2_SM3"),
            ("SUPERVISOR", "SM2_SM3"),
        ]
        assert c["contentSha256"] is None and {s["contentSha256"] for s in standing} == {c["versions"][0]["contentSha256"]}

        verified = (await api.ok(VERIFY, {"id": c["id"]}, token=owner))["verifyContract"]
        assert verified["valid"] is True and verified["versions"][0]["rowsMatch"] is True
        assert [s["valid"] for s in verified["versions"][0]["signatures"]] == [True, True, True]

        # An amendment: the works end later and the contract amount grows, with its reason.
        later = (c["milestones"][1]["plannedDate"], (today_in_china(state.clock.now()) + timedelta(days=140)).isoformat())
        proposal = {
            "id": c["id"],
            "reason": "增加人行道改造工程量，工期顺延。",
            "amount": "9350.00",
            "amountReason": "经现场签证增加人行道铺装。",
            "worksEnd": later[1],
        }
        amended = (await api.ok(AMEND, {"input": proposal}, token=owner))["proposeContractAmendment"]
        assert amended["errors"] == [], amended
        assert amended["amendment"]["number"] == 2 and amended["amendment"]["status"] == "PENDING_SIGNATURE"
        c = amended["contract"]
        # Nothing of it is in force until every party signs: the rows still say version 1.
        assert c["status"] == "ACTIVE" and c["amount"] == "8500.00" and c["effectiveVersion"] == 1 and c["latestVersion"] == 2
        assert c["contentSha256"] == amended["amendment"]["contentSha256"]
        assert (await sign(api, owner, c))["errors"] == []
        assert (await sign(api, contractor, c, device.sign(c["contentSha256"])))["errors"] == []
        c = (await sign(api, supervisor_token, c))["contract"]
        assert c["effectiveVersion"] == 2 and c["amount"] == "9350.00" and c["worksEnd"] == later[1]
        # Amounts in whole fen, the last term taking the remainder: 9350 × 30 % = 2805, ...
        assert [t["amount"] for t in c["paymentTerms"]] == ["2805.00", "3740.00", "2524.50", "280.50"]
        assert sum(Decimal(t["amount"]) for t in c["paymentTerms"]) == Decimal("9350.00")
        assert [(v["number"], v["kind"], v["status"]) for v in c["versions"]] == [
            (1, "ORIGINAL", "SUPERSEDED"),
            (2, "AMENDMENT", "ACTIVE"),
        ]
        # The previous version is kept as signed.
        old = json.loads(c["versions"][0]["canonicalJson"])
        assert old["amount"] == "8500.00" and content_sha256(old) == c["versions"][0]["contentSha256"]
        assert c["ocds"]["amendments"] == [{"id": f"{c['code']}-v2", "rationale": "增加人行道改造工程量，工期顺延。"}]
        verified = (await api.ok(VERIFY, {"id": c["id"]}, token=contractor))["verifyContract"]
        assert verified["valid"] is True
        assert [(v["number"], v["rowsMatch"], v["valid"]) for v in verified["versions"]] == [(1, None, True), (2, True, True)]

        # What everyone concerned was told, in order.
        told = [t for t, _ in await events_of(state, c["code"])]
        assert told == [
            "contract.submitted",
            "contract.signed",
            "contract.signatures_voided",
            "contract.signed",
            "contract.signed",
            "contract.signed",
            "contract.activated",
            "contract.amendment_proposed",
            "contract.signed",
            "contract.signed",
            "contract.signed",
            "contract.amended",
        ]


async def _other_device_signature(sha256_hex: str) -> str:
    from resolvers.security import signing

    other = signing.generate_key("sm2-sm3")
    return signing.encode(signing.sign("sm2-sm3", other.private_key, bytes.fromhex(sha256_hex)))


LIST = "query($f: ContractFilter) { contracts(filter: $f, first: 50) { nodes { code } } }"


async def _listed(api, token: str, filter: dict) -> list[str]:
    return [n["code"] for n in (await api.ok(LIST, {"f": filter}, token=token))["contracts"]["nodes"]]


def _day(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(SHANGHAI).date().isoformat()


async def test_a_signed_bundle_verifies_offline_and_tampering_is_caught(api, state, tmp_path):
    """The bundle a party downloads verifies without the service; a changed clause, a changed
    stored version and a forged signature are each caught by verifyContract."""
    from contract_flows import BUNDLE

    with clock_kept(state):
        a = await awarded(api, state)
        owner, contractor = a.owner_token, a.winner.token
        c = await draft(api, state, a)
        await server_key(api, owner, "SM2_SM3")
        await server_key(api, contractor, "ED25519")
        c = (await api.ok(SUBMIT, {"input": {"id": c["id"]}}, token=owner))["submitContractForSignature"]["contract"]
        assert (await sign(api, owner, c))["errors"] == []
        c = (await sign(api, contractor, c))["contract"]
        assert c["status"] == "ACTIVE"

        bundle = json.loads((await api.ok(BUNDLE, {"id": c["id"]}, token=contractor))["contractBundle"])
        report = verify_bundle(bundle)
        digest = c["versions"][0]["contentSha256"]
        assert report.valid and report.content_sha256 == digest
        assert [(s.party, s.algorithm, s.valid) for s in report.signatures] == [("owner", "sm2-sm3", True), ("contractor", "ed25519", True)]

        if BACKEND == "sqlite":  # the exported bundle is the same JSON whatever the database
            exported = tmp_path / "contract.json"
            exported.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
            result = verify_contract(exported, tmp_path)
            assert result.returncode == 0, result.stderr
            assert result.stdout.splitlines()[-1].startswith("ok: valid: 2 signature(s)")

        # The list finds it by each of its filters, and not by filters it fails.
        owner_org = a.procurement.owner.org_id
        found = [
            await _listed(api, owner, f)
            for f in (
                {"status": ["ACTIVE"], "contractorId": a.winner.org_id},
                {"amountMin": "8500.00", "amountMax": "8500.00", "regionPrefix": "3205"},
                {"signedFrom": _day(c["signedAt"]), "signedTo": _day(c["signedAt"]), "search": c["number"]},
            )
        ]
        assert found == [[c["code"]]] * 3
        missed = [
            await _listed(api, owner, f)
            for f in (
                {"status": ["DRAFT", "PENDING_SIGNATURE"]},
                {"contractorId": owner_org},
                {"amountMin": "8500.01"},
                {"signedTo": (date.fromisoformat(_day(c["signedAt"])) - timedelta(days=1)).isoformat()},
            )
        ]
        assert all(c["code"] not in codes for codes in missed)
        bad = await api.post(LIST, {"f": {"amountMin": "1.001"}}, token=owner)
        assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

        contract_id = await _pk(state, c["code"])

        # 1. The clause text is changed in the database: the rows no longer say what was signed.
        async with state.db.write() as session:
            await session.execute(
                text("UPDATE contract_clauses SET text = :t WHERE contract_id = :c AND sequence = 1"),
                {"t": "道路全部重建。", "c": contract_id},
            )
        v = (await api.ok(VERIFY, {"id": c["id"]}, token=owner))["verifyContract"]
        assert v["valid"] is False
        assert (v["versions"][0]["rowsMatch"], v["versions"][0]["storedMatches"]) == (False, True)
        assert [s["valid"] for s in v["versions"][0]["signatures"]] == [True, True]

        # 2. The stored version is changed to match: its hash no longer matches what was signed.
        async with state.db.write() as session:
            stored = (
                await session.execute(text("SELECT content FROM contract_versions WHERE contract_id = :c"), {"c": contract_id})
            ).scalar_one()
            await session.execute(
                text("UPDATE contract_versions SET content = :t WHERE contract_id = :c"),
                {"t": stored.replace("道路面层铣刨重铺及附属设施。", "道路全部重建。"), "c": contract_id},
            )
        v = (await api.ok(VERIFY, {"id": c["id"]}, token=owner))["verifyContract"]
        first = v["versions"][0]
        assert v["valid"] is False and first["storedMatches"] is False and first["rowsMatch"] is True
        assert [(s["hashMatches"], s["valid"]) for s in first["signatures"]] == [(False, False), (False, False)]
        tampered = json.loads((await api.ok(BUNDLE, {"id": c["id"]}, token=contractor))["contractBundle"])
        assert not verify_bundle(tampered).valid

        # 3. Put the content back, and forge the contractor's signature value instead.
        async with state.db.write() as session:
            await session.execute(text("UPDATE contract_versions SET content = :t WHERE contract_id = :c"), {"t": stored, "c": contract_id})
            await session.execute(
                text("UPDATE contract_clauses SET text = :t WHERE contract_id = :c AND sequence = 1"),
                {"t": "道路面层铣刨重铺及附属设施。", "c": contract_id},
            )
        assert (await api.ok(VERIFY, {"id": c["id"]}, token=owner))["verifyContract"]["valid"] is True
        forged = await _other_device_signature(digest)
        async with state.db.write() as session:
            await session.execute(
                text("UPDATE contract_signatures SET value = :v WHERE contract_id = :c AND party = 'contractor'"),
                {"v": forged, "c": contract_id},
            )
        v = (await api.ok(VERIFY, {"id": c["id"]}, token=owner))["verifyContract"]
        assert v["valid"] is False
        assert [(s["party"], s["valid"]) for s in v["versions"][0]["signatures"]] == [("OWNER", True), ("CONTRACTOR", False)]


async def _pk(state, code: str) -> int:
    async with state.db.read() as session:
        return (await session.execute(text("SELECT id FROM contracts WHERE code = :c"), {"c": code})).scalar_one()
