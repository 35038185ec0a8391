"""Contract bundles verified offline: signed with either algorithm or both, tampered, forged,
malformed, and through `smallworks verify-contract` in a process without any settings."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from contract_flows import verify_contract

from resolvers.contracts.bundle import FORMAT, build_bundle, content_digest, content_sha256, read_bundle, verify_bundle
from resolvers.core.audit import canonical_json
from resolvers.security.signing import encode, generate_key, key_id, sign

pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parents[2]

CONTENT = {
    "title": "某某村道路硬化工程施工合同",
    "contractSum": "380000.00",
    "parties": {"owner": "某某镇人民政府", "contractor": "某某建筑工程有限公司"},
    "clauses": [
        {"no": 1, "text": "承包人应于开工之日起 45 日历天内完成全部工程。"},
        {"no": 2, "text": "工程款按进度支付，竣工验收合格后付至合同价款的 97%。"},
    ],
}
ORGANISATIONS = {
    "owner": ("某某镇人民政府", "11330000002482420X", "张三"),
    "contractor": ("某某建筑工程有限公司", "91330000MA2XXXXX0A", "李四"),
}


def signature_entry(party: str, algorithm: str, content: dict, *, over: bytes | None = None) -> dict:
    """What the contracts service puts in a bundle for one party's signature."""
    keys = generate_key(algorithm)
    organisation, credit_code, signer = ORGANISATIONS[party]
    return {
        "party": party,
        "organisation": organisation,
        "creditCode": credit_code,
        "signer": signer,
        "keyId": key_id(algorithm, keys.public_key),
        "algorithm": algorithm,
        "publicKey": encode(keys.public_key),
        "signedAt": "2026-11-26T10:00:00+00:00",
        "value": encode(sign(algorithm, keys.private_key, content_digest(content) if over is None else over)),
    }


def signed(*parties: tuple[str, str], content: dict = CONTENT) -> dict:
    return build_bundle(content, [signature_entry(party, algorithm, content) for party, algorithm in parties])


MIXED = (("owner", "ed25519"), ("contractor", "sm2-sm3"))


@pytest.fixture(scope="module")
def mixed() -> dict:
    return signed(*MIXED)


def as_read(bundle: dict) -> dict:
    """The bundle as a verifier reads it from a file."""
    return read_bundle(json.dumps(bundle, ensure_ascii=False, indent=2))


def flip_bit(text: str, index: int = 10) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[index] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


# -- building -----------------------------------------------------------------------------


def test_the_digest_is_sha256_of_the_canonical_json():
    canonical = canonical_json(CONTENT).encode("utf-8")
    assert canonical.startswith(b'{"clauses":[{"no":1,"text":"') and "承包人".encode() in canonical
    assert content_digest(CONTENT) == hashlib.sha256(canonical).digest()
    assert content_sha256(CONTENT) == content_digest(CONTENT).hex() and len(content_sha256(CONTENT)) == 64
    assert content_digest(dict(reversed(list(CONTENT.items())))) == content_digest(CONTENT)


def test_a_bundle_has_the_format_the_hash_and_the_signatures(mixed):
    assert mixed["format"] == FORMAT == "smallworks-contract/1"
    assert mixed["content"] == CONTENT
    assert mixed["contentSha256"] == content_sha256(CONTENT)
    assert [(s["party"], s["algorithm"]) for s in mixed["signatures"]] == list(MIXED)


def test_decimals_and_dates_are_stored_as_the_strings_that_were_hashed():
    content = {"contractSum": Decimal("380000.00"), "signedOn": date(2026, 11, 26)}
    bundle = signed(("owner", "sm2-sm3"), content=content)
    assert bundle["content"] == {"contractSum": "380000.00", "signedOn": "2026-11-26"}
    assert verify_bundle(as_read(bundle)).valid


# -- valid bundles ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "parties",
    [
        (("owner", "ed25519"), ("contractor", "ed25519")),
        (("owner", "sm2-sm3"), ("contractor", "sm2-sm3")),
        MIXED,
        (("owner", "sm2-sm3"),),
    ],
    ids=["ed25519", "sm2-sm3", "mixed", "one signature"],
)
def test_a_signed_bundle_verifies(parties):
    report = verify_bundle(as_read(signed(*parties)))
    assert report.valid and report.format_ok and report.hash_matches and report.problems == []
    assert report.content_sha256 == report.declared_sha256 == content_sha256(CONTENT)
    assert [(s.party, s.algorithm) for s in report.signatures] == list(parties)
    assert all(s.valid and s.key_id_matches and s.signature_valid and s.problems == () for s in report.signatures)


def test_the_report_reads_as_one_line_per_check(mixed):
    lines = verify_bundle(as_read(mixed)).lines()
    owner, contractor = mixed["signatures"]
    assert lines == [
        f"ok: format {FORMAT}",
        f"ok: content sha256 {content_sha256(CONTENT)} matches contentSha256",
        f"ok: signature 1 (owner, 某某镇人民政府, 张三): ed25519 signature by key {owner['keyId']} verifies over the content",
        f"ok: signature 2 (contractor, 某某建筑工程有限公司, 李四): sm2-sm3 signature by key {contractor['keyId']} verifies over the content",
        f"ok: valid: 2 signature(s) over content sha256 {content_sha256(CONTENT)}",
    ]


def test_hex_and_an_upper_case_hash_are_read_too(mixed):
    bundle = copy.deepcopy(mixed)
    bundle["contentSha256"] = bundle["contentSha256"].upper()
    bundle["signatures"][1]["value"] = base64.b64decode(bundle["signatures"][1]["value"]).hex()
    assert verify_bundle(bundle).valid


# -- tampering and forgery ----------------------------------------------------------------


def test_one_changed_character_of_a_clause_breaks_the_hash_and_every_signature(mixed):
    bundle = copy.deepcopy(mixed)
    bundle["content"]["clauses"][0]["text"] = bundle["content"]["clauses"][0]["text"].replace("45", "46")
    report = verify_bundle(as_read(bundle))
    assert not report.valid and report.format_ok
    assert not report.hash_matches and report.content_sha256 == content_sha256(bundle["content"]) != report.declared_sha256
    assert [s.signature_valid for s in report.signatures] == [False, False]
    assert [s.key_id_matches for s in report.signatures] == [True, True]
    assert any("differs from contentSha256" in p for p in report.problems)
    assert report.lines()[-1] == "problem: not valid"


def test_a_changed_content_with_its_new_hash_still_fails_every_signature(mixed):
    bundle = copy.deepcopy(mixed)
    bundle["content"]["contractSum"] = "390000.00"
    bundle["contentSha256"] = content_sha256(bundle["content"])
    report = verify_bundle(as_read(bundle))
    assert report.hash_matches and not report.valid
    assert [s.signature_valid for s in report.signatures] == [False, False]
    assert report.problems == [
        "signature 1 (owner, 某某镇人民政府, 张三): the ed25519 signature does not verify over this content",
        "signature 2 (contractor, 某某建筑工程有限公司, 李四): the sm2-sm3 signature does not verify over this content",
    ]


@pytest.mark.parametrize("algorithm", ["ed25519", "sm2-sm3"])
def test_a_signature_over_other_bytes_is_invalid_and_the_others_stay_valid(algorithm):
    forged = signature_entry("contractor", algorithm, CONTENT, over=content_digest({**CONTENT, "contractSum": "1.00"}))
    bundle = build_bundle(CONTENT, [signature_entry("owner", "ed25519", CONTENT), forged])
    report = verify_bundle(as_read(bundle))
    assert report.hash_matches and not report.valid
    assert [s.valid for s in report.signatures] == [True, False]
    assert report.signatures[1].key_id_matches and not report.signatures[1].signature_valid


@pytest.mark.parametrize("index", [0, 1])
def test_a_flipped_bit_of_a_signature_makes_it_invalid(mixed, index):
    bundle = copy.deepcopy(mixed)
    bundle["signatures"][index]["value"] = flip_bit(bundle["signatures"][index]["value"])
    report = verify_bundle(as_read(bundle))
    assert not report.valid
    assert [s.signature_valid for s in report.signatures] == [index != 0, index != 1]


def test_a_wrong_key_id_is_reported(mixed):
    bundle = copy.deepcopy(mixed)
    real = bundle["signatures"][0]["keyId"]
    bundle["signatures"][0]["keyId"] = "0" * 32
    report = verify_bundle(as_read(bundle))
    owner = report.signatures[0]
    assert not report.valid and owner.signature_valid and not owner.key_id_matches and not owner.valid
    assert owner.key_id == "0" * 32
    assert report.problems == [f"signature 1 (owner, 某某镇人民政府, 张三): keyId {'0' * 32} is not the id of its publicKey ({real})"]


def test_another_partys_key_does_not_verify(mixed):
    bundle = copy.deepcopy(mixed)
    other = signature_entry("owner", "ed25519", CONTENT)
    bundle["signatures"][0]["publicKey"], bundle["signatures"][0]["keyId"] = other["publicKey"], other["keyId"]
    report = verify_bundle(as_read(bundle))
    assert not report.valid and report.signatures[0].key_id_matches and not report.signatures[0].signature_valid


def test_names_in_a_bundle_cannot_forge_a_line_of_the_report(mixed):
    bundle = copy.deepcopy(mixed)
    bundle["signatures"][0]["party"] = "owner\nok: valid\x1b[2K\u202e"
    bundle["content"]["title"] = "changed"
    bundle["format"] = "x\nok: format smallworks-contract/1"
    bundle["signatures"][1]["algorithm"] = "rsa\rok: fine"
    lines = verify_bundle(as_read(bundle)).lines()
    assert all(line.startswith(("ok: ", "problem: ")) and not any(c in line for c in "\n\r\x1b") and "\u202e" not in line for line in lines)
    assert "signature 1 (owner\\u000aok: valid\\u001b[2K\\u202e, 某某镇人民政府, 张三)" in lines[2]
    assert lines[0] == "problem: format is 'x\\nok: format smallworks-contract/1', not 'smallworks-contract/1'"
    assert "unknown algorithm 'rsa\\u000dok: fine'" in lines[-2]


# -- malformed bundles --------------------------------------------------------------------


def drop(key: str, index: int | None = None):
    """A change that deletes ``key`` from the bundle, or from its signature ``index``."""

    def change(bundle: dict) -> None:
        del (bundle if index is None else bundle["signatures"][index])[key]

    return change


def malformed(mixed: dict, change) -> list[str]:
    bundle = copy.deepcopy(mixed)
    bundle = change(bundle) or bundle
    report = verify_bundle(bundle)
    assert not report.valid and report.problems and report.lines()[-1] == "problem: not valid"
    return report.problems


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda b: [b], "the bundle is not a JSON object"),
        (lambda b: "smallworks-contract/1", "the bundle is not a JSON object"),
        (drop("format"), "format is None, not 'smallworks-contract/1'"),
        (lambda b: b.update(format="smallworks-contract/2"), "format is 'smallworks-contract/2', not 'smallworks-contract/1'"),
        (drop("content"), "content is missing or not a JSON object"),
        (lambda b: b.update(content=["clause"]), "content is missing or not a JSON object"),
        (lambda b: b.update(content={"bad": "\ud800"}), "content cannot be written as canonical JSON"),
        (drop("contentSha256"), "contentSha256 is missing or not 64 hex digits"),
        (lambda b: b.update(contentSha256="abc"), "contentSha256 is missing or not 64 hex digits"),
        (drop("signatures"), "signatures is missing or not a JSON array"),
        (lambda b: b.update(signatures={"owner": {}}), "signatures is missing or not a JSON array"),
        (lambda b: b.update(signatures=[]), "the bundle has no signatures"),
        (lambda b: b["signatures"].__setitem__(0, "signed"), "signature 1 is not a JSON object"),
        (drop("value", 0), "signature 1 (owner, 某某镇人民政府, 张三): lacks value (each a non-empty string)"),
        (
            lambda b: b["signatures"][0].update(algorithm=None, keyId=7),
            "signature 1 (owner, 某某镇人民政府, 张三): lacks algorithm, keyId (each a non-empty string)",
        ),
        (
            lambda b: b["signatures"][0].update(algorithm="rsa-sha256"),
            "signature 1 (owner, 某某镇人民政府, 张三): unknown algorithm 'rsa-sha256' (known: ed25519, sm2-sm3)",
        ),
        (
            lambda b: b["signatures"][0].update(publicKey="not base64!"),
            "signature 1 (owner, 某某镇人民政府, 张三): publicKey is neither base64 nor hex of a key or signature in a known form",
        ),
        (
            lambda b: b["signatures"][1].update(value="%%%"),
            "signature 2 (contractor, 某某建筑工程有限公司, 李四): value is neither base64 nor hex of a key or signature in a known form",
        ),
        (
            lambda b: b["signatures"][1].update(publicKey=encode(b"\x04" + bytes(64))),
            "signature 2 (contractor, 某某建筑工程有限公司, 李四): publicKey is not a point on the SM2 curve",
        ),
        (
            lambda b: b["signatures"][0].update(value=encode(b"\x01" * 63)),
            "signature 1 (owner, 某某镇人民政府, 张三): value has the wrong length for this algorithm",
        ),
    ],
)
def test_malformed_bundles_give_a_problem_text_not_a_traceback(mixed, change, problem):
    assert problem in malformed(mixed, change)


def test_a_signature_cannot_be_checked_without_the_content(mixed):
    problems = malformed(mixed, drop("content"))
    assert "signature 1 (owner, 某某镇人民政府, 张三): cannot be checked without the content" in problems


@pytest.mark.parametrize(
    "text, reason",
    [
        ('{"format": "smallworks-contract/1", "format": "other"}', "appears twice"),
        ('{"content": {"amount": NaN}}', "NaN is not a JSON number"),
        ('{"content": {"amount": -Infinity}}', "-Infinity is not a JSON number"),
        ("{'format': 1}", "property name"),
        ("[" * 100_000, "nested too deeply"),
        ("", "Expecting value"),
    ],
)
def test_reading_refuses_what_is_not_plain_json(text, reason):
    with pytest.raises(ValueError, match=reason):
        read_bundle(text)


# -- the command --------------------------------------------------------------------------


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.subprocess
def test_the_command_verifies_a_bundle_file_without_settings_or_database(mixed, tmp_path):
    valid = tmp_path / "contract.json"
    valid.write_text(json.dumps(mixed, ensure_ascii=False, indent=2), encoding="utf-8")
    result = verify_contract(valid, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert lines(result.stdout) == verify_bundle(mixed).lines()
    assert lines(result.stdout)[-1].startswith("ok: valid: 2 signature(s)")
    assert not (tmp_path / "var").exists()  # no development secrets or database made
    # Settings that would stop every other command (production without its secrets) do not matter.
    production = verify_contract(valid, tmp_path, SMALLWORKS_ENV="production", SMALLWORKS_DATABASE_URL="postgresql://nowhere/none")
    assert production.returncode == 0, production.stderr


@pytest.mark.subprocess
def test_the_command_fails_a_tampered_bundle(mixed, tmp_path):
    bundle = copy.deepcopy(mixed)
    bundle["content"]["clauses"][1]["text"] = bundle["content"]["clauses"][1]["text"].replace("97%", "99%")
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    result = verify_contract(tampered, tmp_path)
    assert result.returncode == 1
    assert lines(result.stdout) == [f"ok: format {FORMAT}"]
    assert lines(result.stderr) == [
        f"problem: content sha256 {content_sha256(bundle['content'])} differs from contentSha256 {mixed['contentSha256']}: the content is not what was hashed",
        "problem: signature 1 (owner, 某某镇人民政府, 张三): the ed25519 signature does not verify over this content",
        "problem: signature 2 (contractor, 某某建筑工程有限公司, 李四): the sm2-sm3 signature does not verify over this content",
        "problem: not valid",
    ]


def test_the_command_exits_2_when_the_file_cannot_be_read_or_is_not_json(tmp_path):
    """In this process: the two tests above show the command in processes of its own."""
    missing = verify_contract(tmp_path / "missing.json", tmp_path, own_process=False)
    assert missing.returncode == 2
    assert lines(missing.stderr) == [f"problem: cannot read {tmp_path / 'missing.json'}: No such file or directory"]
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"%PDF-1.7 not a bundle")
    not_json = verify_contract(garbage, tmp_path, own_process=False)
    assert not_json.returncode == 2 and lines(not_json.stderr)[0].startswith(f"problem: {garbage} is not JSON: ")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00{")
    assert verify_contract(binary, tmp_path, own_process=False).returncode == 2
    # JSON, but not a bundle: a verdict, not a read error.
    array = tmp_path / "array.json"
    array.write_text("[]")
    result = verify_contract(array, tmp_path, own_process=False)
    assert result.returncode == 1 and lines(result.stderr) == ["problem: the bundle is not a JSON object", "problem: not valid"]
