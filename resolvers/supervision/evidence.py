"""Evidence bundles (审计证据包): the events of a region and period with the signed checkpoints
around them, which anyone verifies offline, trusting neither this service nor its database.

``smallworks export-evidence`` writes a bundle (``resolvers.supervision.evidence_export``);
``smallworks verify-bundle`` checks one with ``verify_bundle`` below. This module needs no
settings, no database and nothing of the service but ``resolvers.security.signing``, so an
inspector can run it on a machine of their own.

One JSON object, UTF-8:

    {"format": "smallworks-evidence/1",
     "region": "320583",                      # a region code covers what lies below it
     "period": {"from": "2026-01-01", "to": "2026-03-31", "timeZone": "Asia/Shanghai"},
     "exportedAt": "2026-04-02T08:00:00.000000Z",
     "events": 42,                            # events shown in full (for the reader)
     "keys": [{"keyId": "…", "algorithm": "ed25519" | "sm2-sm3", "publicKey": "<base64 raw>"}],
     "checkpoints": [{"seq": 1200, "headHash": "<hex>", "previousSeq": 1100,
                      "linksSha256": "<hex>", "signedAt": "…Z", "algorithm": "…",
                      "keyId": "…", "signature": "<base64 raw>"}, …],
     "chain": [<event> | <stub>, …]}

``checkpoints`` run from the last checkpoint at or before the first event of the region and
period (none when the chain starts before the first checkpoint: it then starts at the
genesis, seq 1) to the first at or after the last such event, with every checkpoint between.
``chain`` holds every link from the first checkpoint's seq (or 1) to the last checkpoint's,
in order. An event of the region and period is there in full: exactly the fields its hash
covers, named as they are hashed (``seq``, ``occurred_at``, ``actor_type``, ``actor_id``,
``actor_name``, ``organisation_id``, ``region_code``, ``operation``, ``target_type``,
``target_id``, ``changes`` (itself canonical JSON text), ``request_id``, ``client_address``,
``prev_hash``), and its ``hash``. Every other event is a stub ``{"seq", "prev_hash", "hash"}``:
no other region's content leaves the service, and every link can still be checked.

An event's hash is SHA-256 over the canonical JSON (keys sorted, no spaces, UTF-8) of those
fields, as ``resolvers.core.audit.event_hash`` computes it. A checkpoint signs (Ed25519, or SM2
with SM3, as contract signatures do; ``resolvers.security.signing``) the 32-byte SHA-256 of the
canonical JSON of ``{"format": "smallworks-checkpoint/1", "seq", "headHash", "previousSeq",
"linksSha256", "signedAt", "algorithm", "keyId"}``. ``linksSha256`` is SHA-256 over the hash
of each event after the previous checkpoint up to this one, each as 64 hex digits and a line
feed. Without it a stub's hash could not be checked, and an edited event could be re-hashed
and re-linked to the stub after it; with it the signed checkpoint pins every hash in between.

``verify_bundle`` walks the chain in order and stops at the first broken place, naming its
seq and reason: an event edited (its hash recomputed from its content differs), missing,
out of order, a broken link, a checkpoint whose signature does not verify or that does not
match the chain, a checkpoint missing from the line, or an event no checkpoint covers.
Whether the keys are the service's is for the reader to compare with the key ids the
service publishes (``--trust-key`` makes it part of the check).

What a bundle cannot prove: that a stub is not one of the region's own events. A stub shows no
content, so an exporter who controls the database could show one of the region's events as a
stub; the links and the checkpoints still hold. Exports by two people, or a count of the
region's events from another source, catch it.

Run alone, ``python evidence.py BUNDLE [--trust-key KEYID] [--json] [--lang en]`` checks a
bundle with no more of the service than this file and the signature module.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import sys
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from resolvers.security.signing import ALGORITHMS, key_id, verify

FORMAT = "smallworks-evidence/1"
CHECKPOINT_FORMAT = "smallworks-checkpoint/1"
GENESIS_HASH = "0" * 64

# The fields an audit event's hash covers, as ``resolvers.core.audit`` names them.
HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_type",
    "actor_id",
    "actor_name",
    "organisation_id",
    "region_code",
    "operation",
    "target_type",
    "target_id",
    "changes",
    "request_id",
    "client_address",
    "prev_hash",
)
EVENT_FIELDS = frozenset((*HASHED_FIELDS, "hash"))
STUB_FIELDS = frozenset(("seq", "prev_hash", "hash"))
# What a checkpoint signs, besides the format.
SIGNED_FIELDS = ("seq", "headHash", "previousSeq", "linksSha256", "signedAt", "algorithm", "keyId")


# -- the hashes and the signed statement --------------------------------------------------


def canonical_json(data: Any) -> str:
    """Keys sorted, no spaces, non-ASCII kept: the form every hash here is taken over."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(fields: dict[str, Any]) -> str:
    """An event's hash from its hashed fields (a mapping with at least ``HASHED_FIELDS``)."""
    return hashlib.sha256(canonical_json({name: fields[name] for name in HASHED_FIELDS}).encode("utf-8")).hexdigest()


class LinksDigest:
    """``linksSha256``: fed the hash of each event after the previous checkpoint, in order."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()
        self.count = 0

    def add(self, event_hash: str) -> None:
        self._digest.update(event_hash.encode("ascii") + b"\n")
        self.count += 1

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def links_sha256(hashes: Iterable[str]) -> str:
    digest = LinksDigest()
    for h in hashes:
        digest.add(h)
    return digest.hexdigest()


def checkpoint_message(checkpoint: dict[str, Any]) -> bytes:
    """The 32 bytes a checkpoint's key signs: SHA-256 of the canonical JSON of its signed
    fields and the format."""
    statement = {"format": CHECKPOINT_FORMAT, **{name: checkpoint[name] for name in SIGNED_FIELDS}}
    return hashlib.sha256(canonical_json(statement).encode("utf-8")).digest()


# -- reading a bundle -----------------------------------------------------------------------


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice in one object, which other readers may take differently")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def read_bundle(text: str) -> Any:
    """The JSON value of a bundle file. Refuses (``ValueError``) what is not JSON, and JSON
    another reader could see differently: an object with a key twice, NaN or Infinity."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None


# -- the report -------------------------------------------------------------------------------

# Reason code -> (zh-CN, en) text; ``{seq}`` and the other names come from the problem.
REASONS: dict[str, tuple[str, str]] = {
    "FORMAT": ("不是完整的证据包：{detail}", "not a complete evidence bundle: {detail}"),
    "KEY_MISMATCH": (
        "公钥 {key} 的标识与公钥本身不符",
        "key {key}: its key id is not the fingerprint of its public key",
    ),
    "EDITED": (
        "第 {seq} 号事件的内容被改动：按内容重新计算的哈希与记录的哈希不符",
        "event {seq} was edited: the hash recomputed from its content differs from the hash recorded",
    ),
    "LINK_BROKEN": (
        "第 {seq} 号事件与第 {previous} 号事件的链接断开：两者之一被改动或替换",
        "event {seq} does not link to event {previous}: one of them was changed or replaced",
    ),
    "MISSING_EVENT": ("缺少第 {seq} 号事件", "event {seq} is missing"),
    "ORDER_CHANGED": (
        "事件顺序被改动：第 {seq} 号事件的位置上是第 {found} 号事件",
        "the order of events was changed: event {found} stands where event {seq} belongs",
    ),
    "UNKNOWN_KEY": (
        "第 {seq} 号检查点由密钥 {key} 签名，但证据包中没有该公钥",
        "checkpoint {seq} is signed by key {key}, which the bundle does not hold",
    ),
    "UNTRUSTED_KEY": (
        "第 {seq} 号检查点由密钥 {key} 签名，它不在您指定信任的密钥之中",
        "checkpoint {seq} is signed by key {key}, which is not among the keys you trust",
    ),
    "BAD_SIGNATURE": (
        "第 {seq} 号检查点的签名无效（密钥 {key}）：检查点被伪造或改动",
        "the signature of checkpoint {seq} does not verify (key {key}): the checkpoint was forged or changed",
    ),
    "CHECKPOINT_MISMATCH": (
        "第 {seq} 号检查点与事件链不符：{what}",
        "checkpoint {seq} does not match the chain: {what}",
    ),
    "CHECKPOINT_MISSING": (
        "缺少第 {seq} 号检查点（第 {next} 号检查点以它为前一个检查点）",
        "checkpoint {seq} is missing (checkpoint {next} follows it)",
    ),
    "NOT_COVERED": (
        "第 {seq} 号事件之后没有已签名的检查点，该事件未被覆盖",
        "event {seq} is not covered: no signed checkpoint follows it",
    ),
}

# Parts of CHECKPOINT_MISMATCH's text.
WHATS: dict[str, tuple[str, str]] = {
    "head": ("链在该位置的哈希不是检查点签署的哈希", "the chain's hash at that point is not the hash the checkpoint signed"),
    "links": (
        "其间某个事件的哈希与检查点签署时不同",
        "the hash of an event since the previous checkpoint is not the one the checkpoint signed",
    ),
    "previous": ("它的前一个检查点不是证据包中的前一个", "its previous checkpoint is not the bundle's previous one"),
}

TEXTS: dict[str, tuple[str, str]] = {
    "problem": ("问题：", "problem: "),
    "invalid": ("结论：证据包无效", "verdict: the bundle is NOT valid"),
    "valid": (
        "结论：证据包有效。行政区划 {region}，{start} 至 {end}（{zone}），完整事件 {events} 条；"
        "核对链接 {links} 个（第 {first} 至 {last} 号）；检查点 {checkpoints} 个，最后一个为第 {last_checkpoint} 号，签署于 {signed_at}",
        "verdict: the bundle is valid. Region {region}, {start} to {end} ({zone}), {events} events in full; "
        "{links} links checked (seq {first} to {last}); {checkpoints} checkpoints, the last at seq {last_checkpoint}, signed at {signed_at}",
    ),
    "empty": (
        "结论：证据包有效，但行政区划 {region} 在 {start} 至 {end} 没有事件",
        "verdict: the bundle is valid, but region {region} has no events from {start} to {end}",
    ),
    "key": ("签名密钥：{key}（{algorithm}），签署了 {count} 个检查点", "signing key: {key} ({algorithm}), {count} checkpoint(s)"),
    "cannot_read": ("无法读取 {path}：{reason}", "cannot read {path}: {reason}"),
    "not_json": ("{path} 不是有效的 JSON：{reason}", "{path} is not valid JSON: {reason}"),
    "compare": (
        "请将上述密钥标识与本系统公布的检查点密钥核对（或用 --trust-key 指定）",
        "compare these key ids with the ones the service publishes its checkpoints under (or name them with --trust-key)",
    ),
}


def _pick(message: tuple[str, str], locale: str) -> str:
    return message[1] if locale == "en" else message[0]


def text(name: str, locale: str = "zh-CN", **params: Any) -> str:
    """One of ``TEXTS`` in ``locale``, its placeholders filled."""
    return _pick(TEXTS[name], locale).format(**params)


def shown(value: Any, limit: int = 80) -> str:
    """A value from the bundle made safe to print: control and format characters (a line
    break, a terminal escape, a bidirectional override) escaped, long text cut."""
    text = str(value)
    safe = "".join(f"\\u{ord(c):04x}" if unicodedata.category(c).startswith("C") else c for c in text.strip())
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


@dataclass(frozen=True)
class Problem:
    reason: str  # a key of REASONS
    seq: int | None = None  # where: an event's or a checkpoint's seq
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, locale: str = "zh-CN") -> str:
        params = {name: shown(value) for name, value in self.params.items()}
        if "what" in params:
            params["what"] = _pick(WHATS[self.params["what"]], locale)
        return _pick(REASONS[self.reason], locale).format(seq=self.seq, **params)


@dataclass(frozen=True)
class CheckpointSeen:
    seq: int
    algorithm: str
    key_id: str
    signed_at: str


@dataclass(frozen=True)
class Report:
    problem: Problem | None
    region: str = ""
    start: str = ""
    end: str = ""
    zone: str = ""
    events: int = 0  # events in full, each re-hashed
    links: int = 0  # chain entries linked
    first_seq: int | None = None
    last_seq: int | None = None
    checkpoints: tuple[CheckpointSeen, ...] = ()

    @property
    def valid(self) -> bool:
        return self.problem is None

    def lines(self, locale: str = "zh-CN") -> list[str]:
        """What ``verify-bundle`` prints: the first problem and the verdict, or the verdict,
        the signing keys and a reminder to compare them with the published ones."""
        if self.problem is not None:
            return [_pick(TEXTS["problem"], locale) + self.problem.text(locale), _pick(TEXTS["invalid"], locale)]
        where = {"region": shown(self.region), "start": shown(self.start), "end": shown(self.end), "zone": shown(self.zone)}
        if not self.events or not self.checkpoints:
            return [_pick(TEXTS["empty"], locale).format(**where)]
        last = self.checkpoints[-1]
        lines = [
            _pick(TEXTS["valid"], locale).format(
                **where,
                events=self.events,
                links=self.links,
                first=self.first_seq,
                last=self.last_seq,
                checkpoints=len(self.checkpoints),
                last_checkpoint=last.seq,
                signed_at=shown(last.signed_at),
            )
        ]
        used = Counter((c.key_id, c.algorithm) for c in self.checkpoints)
        for (kid, algorithm), count in used.items():
            lines.append(_pick(TEXTS["key"], locale).format(key=shown(kid), algorithm=algorithm, count=count))
        lines.append(_pick(TEXTS["compare"], locale))
        return lines

    def as_json(self, locale: str = "zh-CN") -> dict[str, Any]:
        """The report for programs: ``valid``, the first problem (``reason``, ``seq``,
        ``message``), the counts and the checkpoints' keys."""
        return {
            "valid": self.valid,
            "problem": None
            if self.problem is None
            else {"reason": self.problem.reason, "seq": self.problem.seq, "message": self.problem.text(locale)},
            "region": self.region,
            "period": {"from": self.start, "to": self.end, "timeZone": self.zone},
            "events": self.events,
            "links": self.links,
            "firstSeq": self.first_seq,
            "lastSeq": self.last_seq,
            "checkpoints": [{"seq": c.seq, "algorithm": c.algorithm, "keyId": c.key_id, "signedAt": c.signed_at} for c in self.checkpoints],
        }


# -- verifying ----------------------------------------------------------------------------------


class _Broken(Exception):
    def __init__(self, reason: str, seq: int | None = None, **params: Any) -> None:
        super().__init__(reason)
        self.problem = Problem(reason, seq, params)


def _format(detail: str) -> _Broken:
    return _Broken("FORMAT", None, detail=detail)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _b64(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _format(f"{where} is not an object")
    return value


def _list(bundle: dict[str, Any], name: str) -> list[Any]:
    value = bundle.get(name)
    if not isinstance(value, list):
        raise _format(f"{name} is not a list")
    return value


def _keys(bundle: dict[str, Any]) -> dict[str, tuple[str, bytes]]:
    keys: dict[str, tuple[str, bytes]] = {}
    for index, raw in enumerate(_list(bundle, "keys")):
        entry = _object(raw, f"keys[{index}]")
        kid, algorithm, public = entry.get("keyId"), entry.get("algorithm"), _b64(entry.get("publicKey"))
        if not isinstance(kid, str) or algorithm not in ALGORITHMS or public is None:
            raise _format(f"keys[{index}] needs keyId, a known algorithm and a base64 publicKey")
        if key_id(algorithm, public) != kid:
            raise _Broken("KEY_MISMATCH", None, key=kid)
        keys[kid] = (algorithm, public)
    return keys


def _checkpoints(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    checkpoints: list[dict[str, Any]] = []
    for index, raw in enumerate(_list(bundle, "checkpoints")):
        cp = _object(raw, f"checkpoints[{index}]")
        if not all(name in cp for name in (*SIGNED_FIELDS, "signature")):
            raise _format(f"checkpoints[{index}] lacks one of {', '.join((*SIGNED_FIELDS, 'signature'))}")
        if not (_is_int(cp["seq"]) and _is_int(cp["previousSeq"]) and cp["seq"] > cp["previousSeq"] >= 0):
            raise _format(f"checkpoints[{index}]: seq and previousSeq must be whole numbers, seq the greater")
        if checkpoints and cp["seq"] <= checkpoints[-1]["seq"]:
            raise _format(f"checkpoints[{index}]: checkpoints must be in increasing seq order")
        checkpoints.append(cp)
    return checkpoints


def _entry(raw: Any, index: int) -> dict[str, Any]:
    entry = _object(raw, f"chain[{index}]")
    if not _is_int(entry.get("seq")) or not isinstance(entry.get("hash"), str) or not isinstance(entry.get("prev_hash"), str):
        raise _format(f"chain[{index}] needs seq, prev_hash and hash")
    return entry


def _is_stub(entry: dict[str, Any]) -> bool:
    return entry.keys() == STUB_FIELDS


def verify_bundle(bundle: Any, trusted_keys: Collection[str] = ()) -> Report:
    """Check a bundle (the JSON value ``read_bundle`` gives). The report holds the first
    broken place, or None when everything holds. ``trusted_keys``: key ids that alone may
    have signed the checkpoints (none given: any key the bundle holds)."""
    meta: dict[str, Any] = {}
    try:
        if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
            raise _format(f"its format is not {FORMAT}")
        period: dict[str, Any] = bundle["period"] if isinstance(bundle.get("period"), dict) else {}
        meta = {
            "region": str(bundle.get("region", "")),
            "start": str(period.get("from", "")),
            "end": str(period.get("to", "")),
            "zone": str(period.get("timeZone", "")),
        }
        keys = _keys(bundle)
        checkpoints = _checkpoints(bundle)
        chain = [_entry(raw, index) for index, raw in enumerate(_list(bundle, "chain"))]
        return _walk(chain, checkpoints, keys, frozenset(trusted_keys), meta)
    except _Broken as broken:
        return Report(broken.problem, **meta)


def _first_in_full(chain: list[dict[str, Any]], after: int = 0) -> int | None:
    return next((e["seq"] for e in chain if not _is_stub(e) and e["seq"] > after), None)


def _walk(
    chain: list[dict[str, Any]],
    checkpoints: list[dict[str, Any]],
    keys: dict[str, tuple[str, bytes]],
    trusted: frozenset[str],
    meta: dict[str, Any],
) -> Report:
    if not chain:
        if checkpoints:
            raise _Broken("MISSING_EVENT", checkpoints[0]["seq"])
        return Report(None, **meta)
    first = chain[0]["seq"]
    if checkpoints and first > checkpoints[0]["seq"]:
        raise _Broken("MISSING_EVENT", checkpoints[0]["seq"])  # the start of the chain was cut
    if first != 1 and (not checkpoints or first != checkpoints[0]["seq"]):
        # Neither the genesis nor a checkpoint anchors the start.
        raise _Broken("NOT_COVERED", _first_in_full(chain) or first)
    by_seq = {cp["seq"]: (index, cp) for index, cp in enumerate(checkpoints)}
    present = Counter(e["seq"] for e in chain)
    hashes: dict[int, str] = {}
    prev: str | None = GENESIS_HASH if first == 1 else None
    expected, full = first, 0
    seen: list[CheckpointSeen] = []
    for entry in chain:
        seq = entry["seq"]
        if seq != expected:
            if present[expected]:
                raise _Broken("ORDER_CHANGED", expected, found=seq)
            raise _Broken("MISSING_EVENT", expected)
        if not _is_stub(entry):
            if entry.keys() != EVENT_FIELDS or event_hash(entry) != entry["hash"]:
                raise _Broken("EDITED", seq)
            full += 1
        if prev is not None and entry["prev_hash"] != prev:
            raise _Broken("LINK_BROKEN", seq, previous=seq - 1)
        hashes[seq] = entry["hash"]
        if seq in by_seq:
            index, cp = by_seq[seq]
            seen.append(_check_checkpoint(cp, checkpoints[index - 1] if index else None, entry, hashes, first, keys, trusted))
        prev, expected = entry["hash"], expected + 1
    last = expected - 1
    if checkpoints and checkpoints[-1]["seq"] > last:
        raise _Broken("MISSING_EVENT", last + 1)  # the end of the chain was cut
    covered_to = checkpoints[-1]["seq"] if checkpoints else 0
    uncovered = _first_in_full(chain, covered_to)
    if uncovered is not None:
        raise _Broken("NOT_COVERED", uncovered)
    return Report(None, events=full, links=len(chain), first_seq=first, last_seq=last, checkpoints=tuple(seen), **meta)


def _check_checkpoint(
    cp: dict[str, Any],
    previous: dict[str, Any] | None,
    entry: dict[str, Any],
    hashes: dict[int, str],
    first: int,
    keys: dict[str, tuple[str, bytes]],
    trusted: frozenset[str],
) -> CheckpointSeen:
    seq = cp["seq"]
    if previous is not None and cp["previousSeq"] != previous["seq"]:
        if cp["previousSeq"] > previous["seq"]:
            raise _Broken("CHECKPOINT_MISSING", cp["previousSeq"], next=seq)
        raise _Broken("CHECKPOINT_MISMATCH", seq, what="previous")
    kid = cp["keyId"]
    if kid not in keys:
        raise _Broken("UNKNOWN_KEY", seq, key=kid)
    if trusted and kid not in trusted:
        raise _Broken("UNTRUSTED_KEY", seq, key=kid)
    algorithm, public = keys[kid]
    signature = _b64(cp["signature"])
    if cp["algorithm"] != algorithm or signature is None or not verify(algorithm, public, checkpoint_message(cp), signature):
        raise _Broken("BAD_SIGNATURE", seq, key=kid)
    if cp["headHash"] != entry["hash"]:
        raise _Broken("CHECKPOINT_MISMATCH", seq, what="head")
    if cp["previousSeq"] >= first:
        # Every hash since the previous checkpoint is in the bundle: they must be the ones signed.
        if links_sha256(hashes[s] for s in range(cp["previousSeq"] + 1, seq + 1)) != cp["linksSha256"]:
            raise _Broken("CHECKPOINT_MISMATCH", seq, what="links")
    return CheckpointSeen(seq, algorithm, kid, str(cp["signedAt"]))


# -- the command --------------------------------------------------------------------------------


def output_locale(given: str | None = None) -> str:
    """The language to report in: ``given`` (``zh-CN`` or ``en``), else the environment's
    locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, the first set: ``zh…`` Chinese, anything
    else English), else zh-CN."""
    if given:
        return "en" if given.strip().lower().startswith("en") else "zh-CN"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "zh-CN" if value.lower().startswith("zh") else "en"
    return "zh-CN"


def check_file(
    path: str, trusted_keys: Collection[str] = (), as_json: bool = False, locale: str = "zh-CN"
) -> tuple[int, list[tuple[str, bool]]]:
    """What ``verify-bundle`` prints for the bundle at ``path`` (``-``: standard input), as
    (line, is a problem) pairs, and its exit status: 0 valid, 1 not valid, 2 unreadable."""
    try:
        # utf-8-sig: a file saved by an editor that writes a byte-order mark reads the same.
        if path == "-":
            raw = sys.stdin.read()
        else:
            with open(path, encoding="utf-8-sig") as handle:
                raw = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        return 2, [(text("cannot_read", locale, path=shown(path), reason=getattr(exc, "strerror", None) or exc), True)]
    try:
        bundle = read_bundle(raw)
    except ValueError as exc:
        return 2, [(text("not_json", locale, path=shown(path), reason=exc), True)]
    report = verify_bundle(bundle, [key.strip() for key in trusted_keys])
    status = 0 if report.valid else 1
    if as_json:
        return status, [(json.dumps(report.as_json(locale), ensure_ascii=False, indent=1), False)]
    return status, [(line, not report.valid) for line in report.lines(locale)]


def main(argv: list[str] | None = None) -> int:
    """``python evidence.py BUNDLE``: this file alone (with ``resolvers/security/signing.py``
    importable) verifies a bundle, for a reader who wants to trust no more code than this."""
    import argparse

    parser = argparse.ArgumentParser(description="Verify a smallworks evidence bundle offline.")
    parser.add_argument("bundle", help="the bundle file; - reads standard input")
    parser.add_argument("--trust-key", action="append", default=[], help="a key id the checkpoints must be signed with")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--lang", help="zh-CN or en")
    args = parser.parse_args(argv)
    status, lines = check_file(args.bundle, args.trust_key, args.json, output_locale(args.lang))
    for line, problem in lines:
        print(line, file=sys.stderr if problem else sys.stdout)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
