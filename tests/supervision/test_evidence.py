"""Evidence an inspector verifies without trusting the database: signed checkpoints of the
audit chain (both algorithms, the periodic job idempotent, published to a directory and a
real local webhook), an exported bundle of one region and period, and `verify-bundle`
finding each kind of tampering at the right seq.

The module records its own audit events in a fictitious province (88): cities 8877 (the
region exported) and 8899 (another region, which must appear only as stubs)."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import subprocess
import sys
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import pytest_asyncio
from conftest import TMP, unique
from sqlalchemy import func, select

from models.audit import AuditEvent
from models.supervision import AuditCheckpoint
from resolvers.core.clock import today_in_china
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.errors import UserErrors
from resolvers.core.transaction import unit_of_work
from resolvers.security.signing import encode, generate_key, verify
from resolvers.supervision.checkpoints import (
    CheckpointSigner,
    PublishTargets,
    file_name,
    publish_checkpoints,
    sign_checkpoint,
    signer_from,
)
from resolvers.supervision.evidence import checkpoint_message, read_bundle, verify_bundle
from resolvers.supervision.evidence_export import events_in, evidence_request, export_evidence

ROOT = Path(__file__).resolve().parents[2]
REGION = "887700"  # the city exported: 887701 and 887702 lie below it
OTHER = "889901"


async def record(state, *events: tuple[str, str]) -> dict[str, int]:
    """One unit of work recording an audit event per (region, marker); marker -> seq."""
    markers = [f"{marker}-{unique()}" for _, marker in events]
    async with unit_of_work(state, "test.evidence", SYSTEM_ACTOR, RequestMeta(request_id=unique("evidence"))) as uow:
        for (region, _), marker in zip(events, markers, strict=True):
            uow.audit("EvidenceTest", marker, {"marker": marker, "secret": f"content of {marker}"}, region_code=region)
    async with state.db.read() as session:
        rows = (await session.execute(select(AuditEvent.target_id, AuditEvent.seq).where(AuditEvent.target_id.in_(markers)))).all()
    seqs = dict(rows)
    return {marker: seqs[full] for (_, marker), full in zip(events, markers, strict=True)}


def other_signer(algorithm: str) -> CheckpointSigner:
    return CheckpointSigner.of(algorithm, generate_key(algorithm).private_key)


@pytest_asyncio.fixture(scope="module")
async def exported(state):
    """Checkpoint c0; events of both regions; checkpoint c1 signed with SM2; more events; then
    the export, which signs c2 (the settings' Ed25519 key) to cover the last event."""
    await sign_checkpoint(state, signer_from(state.settings), force=True)
    async with state.db.read() as session:
        c0 = (await session.execute(select(func.max(AuditCheckpoint.seq)))).scalar_one()
    seqs = await record(state, ("887701", "a1"), (OTHER, "x1"), ("887702", "a2"))
    seqs |= await record(state, (OTHER, "x2"), ("887701", "a3"))
    c1 = await sign_checkpoint(state, other_signer("sm2-sm3"), force=True)
    seqs |= await record(state, ("887702", "a4"), (OTHER, "x3"))
    today = today_in_china(state.clock.now())
    request = evidence_request(REGION, (today - timedelta(days=1)).isoformat(), (today + timedelta(days=1)).isoformat())
    out = TMP / f"evidence-{unique()}.json"
    summary = await export_evidence(state, request, out, "inspector@test")
    return {"seqs": seqs, "c0": c0, "c1": c1.seq, "summary": summary, "path": out, "bundle": read_bundle(out.read_text("utf-8"))}


def entry(bundle: dict, seq: int) -> dict:
    return next(e for e in bundle["chain"] if e["seq"] == seq)


# -- on every backend: the export's region and period --------------------------------------------


async def test_an_exported_bundle_shows_its_region_in_full_and_others_as_stubs(exported, state):
    bundle, seqs, summary = exported["bundle"], exported["seqs"], exported["summary"]
    report = verify_bundle(bundle)
    assert report.valid, report.problem and report.problem.text("en")
    full = {e["seq"] for e in bundle["chain"] if "operation" in e}
    assert full == {seqs["a1"], seqs["a2"], seqs["a3"], seqs["a4"]} and report.events == bundle["events"] == 4
    assert {seqs["x1"], seqs["x2"], seqs["x3"]} <= {e["seq"] for e in bundle["chain"]} - full
    assert all(entry(bundle, seqs[x]).keys() == {"seq", "prev_hash", "hash"} for x in ("x1", "x2", "x3"))
    # The chain runs from c0 (before the first event) to c2 (signed by the export), every link.
    chain = [e["seq"] for e in bundle["chain"]]
    assert chain == list(range(exported["c0"], bundle["checkpoints"][-1]["seq"] + 1))
    assert [c["seq"] for c in bundle["checkpoints"]] == [exported["c0"], exported["c1"], seqs["x3"]]
    assert [c["algorithm"] for c in bundle["checkpoints"]] == ["ed25519", "sm2-sm3", "ed25519"]
    assert len(bundle["keys"]) == 2
    # Nothing of the other region leaves the service.
    text = exported["path"].read_text("utf-8")
    assert OTHER not in text and "content of x" not in text and "content of a" in text
    assert summary.sha256 == hashlib.sha256(exported["path"].read_bytes()).hexdigest()
    assert (summary.events, summary.checkpoints, summary.links) == (4, 3, len(chain))

    # A region code covers what lies below it; the period is whole days in China.
    async with state.db.read() as session:
        county = await events_in(session, evidence_request("887701", "2020-01-01", "2099-12-31"))
        other = await events_in(session, evidence_request("889900", "2020-01-01", "2099-12-31"))
        before = await events_in(session, evidence_request(REGION, "2020-01-01", "2020-12-31"))
        elsewhere = await events_in(session, evidence_request("887800", "2020-01-01", "2099-12-31"))
        exported_as = (
            await session.execute(
                select(AuditEvent).where(AuditEvent.operation == "cli.export-evidence", AuditEvent.target_id.startswith(REGION + ":"))
            )
        ).scalar_one()
    assert county is not None and (county.first, county.last, county.count) == (seqs["a1"], seqs["a3"], 2)
    assert other is not None and (other.first, other.last, other.count) == (seqs["x1"], seqs["x3"], 3)
    assert before is None and elsewhere is None
    # The export is audited: who exported which region and period, and what they took away.
    changes = json.loads(exported_as.changes)
    assert exported_as.region_code == REGION and exported_as.actor_name == "cli:inspector@test"
    assert changes["sha256"] == summary.sha256 and changes["events"] == 4 and changes["operator"] == "inspector@test"


# -- tampering, each in a copy of the bundle ---------------------------------------------------------


def tampered(bundle: dict, change) -> tuple[str | None, int | None]:
    copied = copy.deepcopy(bundle)
    change(copied)
    report = verify_bundle(copied)
    assert not report.valid
    return report.problem.reason, report.problem.seq


def _edit(seq):
    def change(b):
        entry(b, seq)["changes"] = entry(b, seq)["changes"].replace("content of", "contents of")

    return change


def _delete(seq):
    def change(b):
        b["chain"].remove(entry(b, seq))

    return change


def _swap(first, second):
    def change(b):
        i, j = (b["chain"].index(entry(b, s)) for s in (first, second))
        b["chain"][i], b["chain"][j] = b["chain"][j], b["chain"][i]

    return change


def _forge_signature(seq):
    def change(b):
        checkpoint = next(c for c in b["checkpoints"] if c["seq"] == seq)
        raw = bytearray(base64.b64decode(checkpoint["signature"]))
        raw[5] ^= 1
        checkpoint["signature"] = encode(bytes(raw))

    return change


def _drop_checkpoint(index):
    def change(b):
        del b["checkpoints"][index]

    return change


def _rehash(b, seq):
    from resolvers.supervision.evidence import event_hash

    edited = entry(b, seq)
    edited["changes"] = edited["changes"].replace("content of", "contents of")
    edited["hash"] = event_hash(edited)
    return edited["hash"]


def _rehash_and_relink(seq):
    def change(b):
        entry(b, seq + 1)["prev_hash"] = _rehash(b, seq)

    return change


@pytest.mark.once
@pytest.mark.parametrize(
    "case",
    ["edit", "delete", "reorder", "forge", "drop covering", "delete stub", "rehash", "rehash relink", "drop middle", "move head"],
)
def test_each_tampering_is_reported_at_its_first_broken_place(exported, case):
    seqs, c1 = exported["seqs"], exported["c1"]
    a1, a2, a3, a4, x1 = (seqs[k] for k in ("a1", "a2", "a3", "a4", "x1"))
    cases = {
        "edit": (_edit(a2), ("EDITED", a2)),
        "delete": (_delete(a3), ("MISSING_EVENT", a3)),
        "reorder": (_swap(a1, x1), ("ORDER_CHANGED", min(a1, x1))),
        "forge": (_forge_signature(c1), ("BAD_SIGNATURE", c1)),
        "drop covering": (_drop_checkpoint(-1), ("NOT_COVERED", a4)),
        "delete stub": (_delete(x1), ("MISSING_EVENT", x1)),
        # An edit with its hash recomputed breaks the link to the next event...
        "rehash": (lambda b: _rehash(b, a2), ("LINK_BROKEN", a2 + 1)),
        # ... and relinking that one too changes a hash the next checkpoint signed.
        "rehash relink": (_rehash_and_relink(a2), ("CHECKPOINT_MISMATCH", c1)),
        "drop middle": (_drop_checkpoint(1), ("CHECKPOINT_MISSING", c1)),
        "move head": (lambda b: b["checkpoints"][1].update(headHash=entry(b, c1 - 1)["hash"]), ("BAD_SIGNATURE", c1)),
    }
    change, expected = cases[case]
    assert tampered(exported["bundle"], change) == expected


@pytest.mark.once
def test_a_checkpoint_signed_with_a_key_of_ones_own_passes_only_an_untrusting_reader(exported):
    """A forger who re-signs a changed checkpoint with their own key and adds the key to the
    bundle makes it consistent; the key ids the service publishes catch it."""
    bundle = copy.deepcopy(exported["bundle"])
    trusted = [k["keyId"] for k in bundle["keys"]]
    forged = other_signer("ed25519")
    checkpoint = bundle["checkpoints"][-1]
    checkpoint.update(algorithm=forged.algorithm, keyId=forged.key_id)
    checkpoint["signature"] = forged.sign(checkpoint)
    bundle["keys"].append({"keyId": forged.key_id, "algorithm": forged.algorithm, "publicKey": encode(forged.public_key)})
    assert verify_bundle(bundle).valid
    report = verify_bundle(bundle, trusted)
    assert (report.problem.reason, report.problem.seq) == ("UNTRUSTED_KEY", checkpoint["seq"])
    assert verify_bundle(exported["bundle"], trusted).valid


@pytest.mark.once
def test_the_report_names_the_place_in_either_language(exported):
    seqs = exported["seqs"]
    copied = copy.deepcopy(exported["bundle"])
    _edit(seqs["a2"])(copied)
    report = verify_bundle(copied)
    assert report.lines("zh-CN")[0] == f"问题：第 {seqs['a2']} 号事件的内容被改动：按内容重新计算的哈希与记录的哈希不符"
    assert report.lines("en")[0].startswith(f"problem: event {seqs['a2']} was edited")
    assert report.as_json("en")["problem"] == {"reason": "EDITED", "seq": seqs["a2"], "message": report.problem.text("en")}
    for reason_text in (report.problem.text("zh-CN"), report.problem.text("en")):
        assert "EDITED" not in reason_text


# -- the commands ------------------------------------------------------------------------------------------


def verify_command(*args: str, **env: str):
    """``smallworks verify-bundle`` as the command line runs it, with the settings read afresh
    from an environment that would stop any command needing them (production without its
    secrets, a database that does not exist)."""
    from typer.testing import CliRunner

    from app.cli import app
    from app.settings import get_settings

    env = {"SMALLWORKS_ENV": "production", "SMALLWORKS_DATABASE_URL": "postgresql://nowhere/none", "LC_ALL": "", "LC_MESSAGES": "", **env}
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, ["verify-bundle", *args], env=env)
    finally:
        get_settings.cache_clear()


@pytest.mark.once
def test_verify_bundle_exits_by_the_verdict_in_the_language_asked(exported, tmp_path):
    valid = tmp_path / "bundle.json"
    valid.write_text(json.dumps(exported["bundle"], ensure_ascii=False), encoding="utf-8")
    result = verify_command(str(valid), "--lang", "en")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("verdict: the bundle is valid. Region 887700, ") and "4 events in full" in lines[0]
    assert [line.split(" (")[0] for line in lines[1:3]] == [f"signing key: {k['keyId']}" for k in exported["bundle"]["keys"]]

    broken = copy.deepcopy(exported["bundle"])
    _delete(exported["seqs"]["a3"])(broken)
    tampered_file = tmp_path / "tampered.json"
    tampered_file.write_text(json.dumps(broken), encoding="utf-8")
    zh = verify_command(str(tampered_file), LANG="zh_CN.UTF-8")
    assert zh.exit_code == 1
    assert zh.stderr.splitlines() == [f"问题：缺少第 {exported['seqs']['a3']} 号事件", "结论：证据包无效"]
    as_json = verify_command(str(tampered_file), "--json", LANG="en_US.UTF-8")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["problem"] == {
        "reason": "MISSING_EVENT",
        "seq": exported["seqs"]["a3"],
        "message": f"event {exported['seqs']['a3']} is missing",
    }
    unreadable = verify_command(str(tmp_path / "absent.json"), "--lang", "en")
    assert unreadable.exit_code == 2 and unreadable.stderr.startswith("cannot read")
    (tmp_path / "not.json").write_text('{"format": 1, "format": 2}')
    duplicated = verify_command(str(tmp_path / "not.json"), "--lang", "en")
    assert duplicated.exit_code == 2 and "appears twice" in duplicated.stderr


@pytest.mark.once
@pytest.mark.subprocess
def test_the_verifier_file_alone_checks_a_bundle_without_the_service(exported, tmp_path):
    """``python resolvers/supervision/evidence.py BUNDLE`` loads the signature code and
    nothing of the service: no SQLAlchemy, no models, no settings."""
    valid = tmp_path / "bundle.json"
    valid.write_text(json.dumps(exported["bundle"]), encoding="utf-8")
    script = f"""
import runpy, sys
sys.argv = ["evidence.py", sys.argv[1], "--json"]
try:
    runpy.run_path({str(ROOT / "resolvers" / "supervision" / "evidence.py")!r}, run_name="__main__")
except SystemExit as exit:
    code = exit.code
loaded = sorted({{name.split(".")[0] for name in sys.modules}} & {{"sqlalchemy", "models", "app", "policies", "pydantic"}})
print("LOADED", loaded, code, file=sys.stderr)
"""
    result = subprocess.run([sys.executable, "-c", script, str(valid)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert json.loads(result.stdout)["valid"] is True, result.stderr
    assert result.stderr.strip() == "LOADED [] 0"


# -- checkpoints: signing, the periodic job, publication ---------------------------------------------


async def test_the_periodic_job_makes_one_checkpoint_per_head(state, exported):
    """The worker's cron (and the embedded loop) run every ``@periodic`` job: twice without a
    new event, one checkpoint."""
    from workers.jobs import run_periodic

    async def latest() -> int:
        async with state.db.read() as session:
            return (await session.execute(select(func.max(AuditCheckpoint.seq)))).scalar_one()

    signer = signer_from(state.settings)
    await record(state, (OTHER, "p1"))
    saved = state.settings.checkpoint_interval_seconds
    state.settings.checkpoint_interval_seconds = 0
    try:
        assert await run_periodic({"state": state}) == 1
        first = await latest()
        assert await run_periodic({"state": state}) == 1
        assert await latest() == first
    finally:
        state.settings.checkpoint_interval_seconds = saved
    async with state.db.read() as session:
        head = (await session.execute(select(func.max(AuditEvent.seq)))).scalar_one()
        count = (
            await session.execute(select(func.count()).where(AuditCheckpoint.seq > exported["bundle"]["checkpoints"][-1]["seq"]))
        ).scalar_one()
    assert first == head and count == 1
    # A new event, but the interval has not passed: none yet; a maximum interval passed without
    # events records one event so that the chain's head moves and is signed.
    await record(state, (OTHER, "p2"))
    assert await sign_checkpoint(state, signer, interval=3600) is None
    made = await sign_checkpoint(state, signer, interval=0)
    idle = await sign_checkpoint(state, signer, interval=0, max_interval=1e-6)
    assert made is not None and idle is not None and idle.seq == made.seq + 1 and idle.previous_seq == made.seq
    async with state.db.read() as session:
        heartbeat = await session.get(AuditEvent, idle.seq)
    assert heartbeat is not None and heartbeat.operation == "cron.checkpoint" and heartbeat.target_type == "AuditChain"


class Receiver(BaseHTTPRequestHandler):
    """A webhook receiver that refuses its first POST (503) and takes the rest."""

    received: list[tuple[dict, dict]] = []
    refuse = 1

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if Receiver.refuse:
            Receiver.refuse -= 1
            self.send_response(503)
        else:
            Receiver.received.append((dict(self.headers), json.loads(body)))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.once
async def test_checkpoints_are_published_to_a_directory_and_a_webhook(state, exported, api):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    directory = TMP / unique("published")
    url = f"http://127.0.0.1:{server.server_address[1]}/checkpoints?token=hidden"
    targets = PublishTargets(directory=directory, webhook_url=url, webhook_token="t0ken", attempts=2, backoff_seconds=0.01)
    try:
        published = await publish_checkpoints(state, targets)
        again = await publish_checkpoints(state, targets)
    finally:
        server.shutdown()
        server.server_close()
    async with state.db.read() as session:
        rows = (await session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.seq))).scalars().all()
    assert published["directory"] == published["webhook"] == len(rows) and again == {"directory": 0, "webhook": 0}
    # Each checkpoint: one file that verifies on its own, one POST with the same document.
    last = rows[-1]
    document = json.loads((directory / file_name(last.seq)).read_text("utf-8"))
    assert document["seq"] == last.seq and document["publicKey"] == last.public_key
    assert verify(
        document["algorithm"],
        base64.b64decode(document["publicKey"]),
        checkpoint_message(document),
        base64.b64decode(document["signature"]),
    )
    assert not list(directory.glob(".*.tmp"))
    headers, body = Receiver.received[-1]
    assert body == document and headers["Authorization"] == "Bearer t0ken" and headers["X-Smallworks-Checkpoint"] == str(last.seq)
    assert [b["seq"] for _, b in Receiver.received] == [r.seq for r in rows]
    # Where and when it went is recorded; the first POST was refused and retried.
    assert rows[0].webhook_attempts == 2 and all(r.webhook_attempts == 1 for r in rows[1:])
    assert all(r.webhook_location == url.split("?")[0] and r.webhook_published_at and not r.webhook_error for r in rows)
    assert all(r.directory_location == str(directory / file_name(r.seq)) and r.directory_published_at for r in rows)

    # Auditors list them with their publications; others may not.
    query = "{ auditCheckpoints(first: 1) { nodes { id sequence headHash algorithm algorithmLabel keyId publications { target targetLabel location publishedAt attempts lastError } } } }"
    data = await api.ok(query, token=await api.token("auditor"))
    [node] = data["auditCheckpoints"]["nodes"]
    assert node["sequence"] == last.seq and node["keyId"] == last.key_id
    assert {p["target"] for p in node["publications"]} == {"DIRECTORY", "WEBHOOK"}
    assert all(p["publishedAt"] and "token" not in (p["location"] or "") for p in node["publications"])
    refused = await api.gql(query, token=await api.token("owner"))
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    seen = await api.ok("query($id: ID!) { node(id: $id) { id } }", {"id": node["id"]}, token=await api.token("owner"))
    assert seen["node"] is None


@pytest.mark.once
def test_the_export_refuses_a_bad_region_or_period():
    with pytest.raises(UserErrors) as refused:
        evidence_request("3205", "2026-02-30", "2026-01-01")
    assert [(p.code, p.field) for p in refused.value.problems] == [("INVALID_REGION_CODE", "region"), ("EVIDENCE_INVALID_DATE", "from")]
    with pytest.raises(UserErrors) as reversed_:
        evidence_request("320583", "2026-03-31", "2026-01-01")
    assert [p.code for p in reversed_.value.problems] == ["EVIDENCE_PERIOD_REVERSED"]


@pytest.mark.once
async def test_a_broken_chain_is_never_signed(state, exported):
    """An event changed in the database after it was chained: the job refuses to sign, names
    the event, and signs again once the row is put back."""
    from sqlalchemy import update

    from resolvers.supervision.checkpoints import ChainBroken

    signer = signer_from(state.settings)
    seq = (await record(state, (OTHER, "b1")))["b1"]
    async with state.db.read() as session:
        original = (await session.execute(select(AuditEvent.changes).where(AuditEvent.seq == seq))).scalar_one()
    async with state.db.write() as session:
        await session.execute(update(AuditEvent).where(AuditEvent.seq == seq).values(changes=original.replace("content", "contents")))
    try:
        with pytest.raises(ChainBroken) as broken:
            await sign_checkpoint(state, signer, force=True)
        assert (broken.value.seq, broken.value.reason) == (seq, "HASH_MISMATCH")
    finally:
        async with state.db.write() as session:
            await session.execute(update(AuditEvent).where(AuditEvent.seq == seq).values(changes=original))
    made = await sign_checkpoint(state, signer, force=True)
    assert made is not None and made.seq >= seq


@pytest.mark.once
def test_the_export_command_writes_a_bundle_that_verifies(exported, database_url, tmp_path):
    from typer.testing import CliRunner

    from app.cli import app
    from app.settings import get_settings

    out = tmp_path / "cli.json"
    env = {"SMALLWORKS_DATABASE_URL": database_url, "LC_ALL": "", "LC_MESSAGES": "", "LANG": "en_US.UTF-8"}
    args = [
        "export-evidence",
        "--region",
        "887701",
        "--from",
        "2020-01-01",
        "--to",
        "2099-12-31",
        "--out",
        str(out),
        "--operator",
        "cli-test",
    ]
    get_settings.cache_clear()
    try:
        written = CliRunner().invoke(app, args, env=env)
        refused = CliRunner().invoke(
            app, ["export-evidence", "--region", "8877", "--from", "2026-1-1", "--to", "2026-01-01", "--out", str(out)], env=env
        )
    finally:
        get_settings.cache_clear()
    assert written.exit_code == 0, written.output
    assert written.stdout.startswith(f"Wrote the evidence bundle {out}: region 887701, 2020-01-01 to 2099-12-31, 2 events in full")
    report = verify_bundle(read_bundle(out.read_text("utf-8")))
    assert report.valid and report.events == 2
    assert refused.exit_code == 2
    assert refused.stderr.splitlines() == [
        "--region: The region code must be 6 digits.",
        "--from: “2026-1-1” is not a valid date in the form YYYY-MM-DD.",
    ]


@pytest.mark.once
def test_development_makes_a_checkpoint_key_once_and_production_needs_one(tmp_path, monkeypatch):
    from pydantic import ValidationError

    from app.settings import Settings

    monkeypatch.setenv("SMALLWORKS_DEV_SECRETS_FILE", str(tmp_path / "dev-secrets.json"))
    first, again = Settings(env="development"), Settings(env="development")
    assert first.checkpoint_key is not None and first.checkpoint_key == again.checkpoint_key
    assert (tmp_path / "dev-checkpoint-ed25519.key").exists()
    sm2 = Settings(env="development", checkpoint_algorithm="sm2-sm3")
    assert sm2.checkpoint_key is not None and sm2.checkpoint_key != first.checkpoint_key
    secrets = {"jwt_secret": "j" * 40, "data_keys": "k:" + "A" * 43 + "=", "data_key_id": "k"}
    with pytest.raises(ValidationError, match="production mode needs SMALLWORKS_CHECKPOINT_PRIVATE_KEY"):
        Settings(env="production", **secrets)
    assert Settings(env="production", checkpoint_enabled=False, **secrets).checkpoint_key is None
    with pytest.raises(ValidationError, match="32 bytes of a raw ed25519 private key") as bad:
        Settings(env="production", checkpoint_private_key="c2VjcmV0LWtleQ==", **secrets)
    assert "c2VjcmV0" not in "; ".join(str(e["msg"]) for e in bad.value.errors())


# -- bundles made here, without the service: the genesis, an empty export ----------------------------


def synthetic(count: int, checkpoint_at: list[int], region: str = "887701") -> dict:
    """A bundle of ``count`` events from the genesis, every one in full, with checkpoints
    (signed with a fresh key) at the given seqs."""
    from resolvers.supervision.evidence import FORMAT, GENESIS_HASH, event_hash, links_sha256

    signer = other_signer("ed25519")
    chain, prev = [], GENESIS_HASH
    for seq in range(1, count + 1):
        event = {
            "seq": seq,
            "occurred_at": f"2026-01-0{1 + seq % 9}T00:00:00.000000Z",
            "actor_type": "user",
            "actor_id": 7,
            "actor_name": "张三",
            "organisation_id": 3,
            "region_code": region,
            "operation": "Mutation.updateProject",
            "target_type": "Project",
            "target_id": str(seq),
            "changes": json.dumps({"name": {"before": "甲", "after": f"乙{seq}"}}, ensure_ascii=False, separators=(",", ":")),
            "request_id": None,
            "client_address": "10.0.0.1",
            "prev_hash": prev,
        }
        event["hash"] = prev = event_hash(event)
        chain.append(event)
    checkpoints, previous = [], 0
    for seq in checkpoint_at:
        fields = {
            "seq": seq,
            "headHash": chain[seq - 1]["hash"],
            "previousSeq": previous,
            "linksSha256": links_sha256(e["hash"] for e in chain[previous:seq]),
            "signedAt": "2026-01-10T00:00:00.000000Z",
            "algorithm": signer.algorithm,
            "keyId": signer.key_id,
        }
        checkpoints.append({**fields, "signature": signer.sign(fields)})
        previous = seq
    return {
        "format": FORMAT,
        "region": region,
        "period": {"from": "2026-01-01", "to": "2026-01-31", "timeZone": "Asia/Shanghai"},
        "events": count,
        "keys": [{"keyId": signer.key_id, "algorithm": signer.algorithm, "publicKey": encode(signer.public_key)}],
        "checkpoints": checkpoints,
        "chain": chain,
    }


@pytest.mark.once
def test_a_chain_from_the_genesis_verifies_and_its_first_link_is_checked():
    bundle = synthetic(5, [3, 5])
    report = verify_bundle(bundle)
    assert report.valid and (report.events, report.first_seq, report.last_seq) == (5, 1, 5)
    assert report.lines("en")[0].startswith(
        "verdict: the bundle is valid. Region 887701, 2026-01-01 to 2026-01-31 (Asia/Shanghai), 5 events"
    )
    moved = copy.deepcopy(bundle)
    moved["chain"][0]["prev_hash"] = "1" * 64  # the first event's link to the genesis is part of its content
    assert (verify_bundle(moved).problem.reason, verify_bundle(moved).problem.seq) == ("EDITED", 1)
    cut = copy.deepcopy(bundle)
    del cut["chain"][0]
    del cut["checkpoints"][0]  # no checkpoint anchors seq 2
    assert (verify_bundle(cut).problem.reason, verify_bundle(cut).problem.seq) == ("NOT_COVERED", 2)
    unsigned = copy.deepcopy(bundle)
    unsigned["checkpoints"] = []
    assert (verify_bundle(unsigned).problem.reason, verify_bundle(unsigned).problem.seq) == ("NOT_COVERED", 1)


@pytest.mark.once
def test_an_export_without_events_says_so_and_a_bundle_of_stubs_proves_nothing():
    empty = {**synthetic(0, []), "events": 0}
    report = verify_bundle(empty)
    assert report.valid and report.lines("en") == [
        "verdict: the bundle is valid, but region 887701 has no events from 2026-01-01 to 2026-01-31"
    ]
    stubs = synthetic(3, [])
    stubs["chain"] = [{k: e[k] for k in ("seq", "prev_hash", "hash")} for e in stubs["chain"]]
    assert verify_bundle(stubs).lines("zh-CN") == ["结论：证据包有效，但行政区划 887701 在 2026-01-01 至 2026-01-31 没有事件"]
    assert verify_bundle({"format": "something else"}).problem.reason == "FORMAT"
    wrong_key = synthetic(2, [2])
    wrong_key["keys"][0]["keyId"] = "0" * 32
    assert verify_bundle(wrong_key).problem.reason == "KEY_MISMATCH"
