"""Contract bundles: a contract's content and its signatures as one JSON object that anyone
can verify offline, without this service or its database.

    {"format": "smallworks-contract/1",
     "content": {...},                       # the contract's canonical content
     "contentSha256": "<hex>",               # SHA-256 of canonical_json(content), UTF-8
     "signatures": [{"party": "owner", "organisation": "…", "creditCode": "…", "signer": "…",
                     "keyId": "…", "algorithm": "ed25519" | "sm2-sm3",
                     "publicKey": "<base64 raw>", "signedAt": "<ISO 8601>",
                     "value": "<base64 signature>"}]}

Each signature is over the 32 bytes of the content's SHA-256 (``resolvers.security.signing``),
so verifying recomputes the digest from the content itself and never trusts ``contentSha256``.
A signature proves that the holder of ``publicKey`` signed this content; that the key is the
organisation's is what ``keyId`` lets a reader look up, not something the bundle can prove about
itself. The other fields of a signature (organisation, signer, signedAt) are not signed.

Nothing here touches the database.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from resolvers.core.audit import canonical_json
from resolvers.security.signing import ALGORITHMS, SignatureFormatError, key_id, parse_public_key, parse_signature, verify
from resolvers.security.strict_json import read_strict_json

FORMAT = "smallworks-contract/1"
SIGNATURE_FIELDS = ("party", "algorithm", "keyId", "publicKey", "value")  # what verifying needs
_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")


def content_digest(content: dict[str, Any]) -> bytes:
    """The 32 bytes that each party signs: SHA-256 of the content's canonical JSON (sorted
    keys, no spaces, UTF-8, Decimals and dates as strings)."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).digest()


def content_sha256(content: dict[str, Any]) -> str:
    """``content_digest`` in lower-case hex, as ``contentSha256`` holds it."""
    return content_digest(content).hex()


def build_bundle(content: dict[str, Any], signatures: list[dict[str, Any]]) -> dict[str, Any]:
    """The bundle of ``content`` and its ``signatures`` (entries as above), ready for
    ``json.dumps``. The content is stored as its canonical JSON reads back, so Decimals and
    dates appear as the strings that were hashed and the bundle verifies as written."""
    canonical = canonical_json(content)
    return {
        "format": FORMAT,
        "content": json.loads(canonical),
        "contentSha256": hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        "signatures": [dict(entry) for entry in signatures],
    }


def read_bundle(text: str) -> Any:
    """The JSON value of a bundle file. Refuses (``ValueError``) what is not JSON, and JSON
    another reader could see differently: an object with a key twice, NaN or Infinity."""
    return read_strict_json(text)


@dataclass(frozen=True)
class Finding:
    """One line of a report: a check that passed, or a problem."""

    ok: bool
    text: str

    def line(self) -> str:
        return f"{'ok' if self.ok else 'problem'}: {self.text}"


@dataclass(frozen=True)
class SignatureReport:
    index: int  # from 1, in the bundle's order
    party: str | None
    algorithm: str | None
    key_id: str | None
    key_id_matches: bool  # keyId is the id of publicKey
    signature_valid: bool  # the signature verifies over the recomputed digest
    problems: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return self.key_id_matches and self.signature_valid and not self.problems


@dataclass(frozen=True)
class BundleReport:
    format_ok: bool
    content_sha256: str | None  # recomputed from the content; None when there is no content object
    declared_sha256: str | None  # the bundle's contentSha256
    hash_matches: bool
    signatures: tuple[SignatureReport, ...]
    findings: tuple[Finding, ...]

    @property
    def problems(self) -> list[str]:
        return [f.text for f in self.findings if not f.ok]

    @property
    def valid(self) -> bool:
        """The content is what was hashed, it has at least one signature, and every
        signature is valid."""
        return (
            self.format_ok and self.hash_matches and bool(self.signatures) and all(s.valid for s in self.signatures) and not self.problems
        )

    def lines(self) -> list[str]:
        """One line per check, then the verdict."""
        lines = [f.line() for f in self.findings]
        if self.valid:
            lines.append(f"ok: valid: {len(self.signatures)} signature(s) over content sha256 {self.content_sha256}")
        else:
            lines.append("problem: not valid")
        return lines


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _shown(text: str, limit: int = 80) -> str:
    """``text`` from the bundle made safe to print: control and format characters (a line
    break, a terminal escape, a bidirectional override) escaped, so a crafted name cannot
    forge or hide a line of the report; long text cut."""
    safe = "".join(f"\\u{ord(c):04x}" if unicodedata.category(c).startswith("C") else c for c in text.strip())
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


def _signature_label(index: int, entry: dict[str, Any]) -> str:
    who = [_text(entry.get(name)) for name in ("party", "organisation", "signer")]
    named = ", ".join(_shown(w) for w in who if w)
    return f"signature {index} ({named})" if named else f"signature {index}"


def _check_signature(index: int, entry: Any, digest: bytes | None) -> tuple[SignatureReport, list[Finding]]:
    if not isinstance(entry, dict):
        problem = f"signature {index} is not a JSON object"
        return SignatureReport(index, None, None, None, False, False, (problem,)), [Finding(False, problem)]
    label = _signature_label(index, entry)
    fields = {name: _text(entry.get(name)) for name in SIGNATURE_FIELDS}
    declared_id = fields["keyId"]
    problems: list[str] = []
    missing = [name for name, value in fields.items() if value is None]
    if missing:
        problems.append(f"{label}: lacks {', '.join(missing)} (each a non-empty string)")
    algorithm = fields["algorithm"]
    if algorithm is not None and algorithm not in ALGORITHMS:
        problems.append(f"{label}: unknown algorithm '{_shown(algorithm)}' (known: {', '.join(ALGORITHMS)})")
        algorithm = None

    public_key = signature = None
    actual_id = None
    if algorithm is not None:
        try:
            public_key = parse_public_key(algorithm, fields["publicKey"]) if fields["publicKey"] else None
        except SignatureFormatError as exc:
            problems.append(f"{label}: publicKey {exc}")
        try:
            signature = parse_signature(algorithm, fields["value"]) if fields["value"] else None
        except SignatureFormatError as exc:
            problems.append(f"{label}: value {exc}")
    if algorithm is not None and public_key is not None:
        actual_id = key_id(algorithm, public_key)
        if declared_id is not None and declared_id.lower() != actual_id:
            problems.append(f"{label}: keyId {_shown(declared_id)} is not the id of its publicKey ({actual_id})")
    key_id_matches = actual_id is not None and declared_id is not None and declared_id.lower() == actual_id

    signature_valid = False
    if algorithm is not None and public_key is not None and signature is not None:
        if digest is None:
            problems.append(f"{label}: cannot be checked without the content")
        else:
            signature_valid = verify(algorithm, public_key, digest, signature)
            if not signature_valid:
                problems.append(f"{label}: the {algorithm} signature does not verify over this content")

    report = SignatureReport(
        index, fields["party"], algorithm or fields["algorithm"], declared_id, key_id_matches, signature_valid, tuple(problems)
    )
    findings = [Finding(False, p) for p in problems]
    if report.valid:
        findings.append(Finding(True, f"{label}: {algorithm} signature by key {actual_id} verifies over the content"))
    return report, findings


def verify_bundle(bundle: Any) -> BundleReport:
    """Check a bundle as read from JSON: its format, that ``contentSha256`` is the hash of its
    content, and every signature over the hash recomputed from the content. Whatever it is
    given, it answers with a report, never an exception."""
    findings: list[Finding] = []
    if not isinstance(bundle, dict):
        problem = "the bundle is not a JSON object"
        return BundleReport(False, None, None, False, (), (Finding(False, problem),))

    format_ok = bundle.get("format") == FORMAT
    if format_ok:
        findings.append(Finding(True, f"format {FORMAT}"))
    else:
        findings.append(Finding(False, f"format is {_shown(repr(bundle.get('format')))}, not {FORMAT!r}"))

    digest: bytes | None = None
    content = bundle.get("content")
    if not isinstance(content, dict):
        findings.append(Finding(False, "content is missing or not a JSON object"))
    else:
        try:
            digest = content_digest(content)
        except (ValueError, TypeError, RecursionError):
            findings.append(Finding(False, "content cannot be written as canonical JSON"))
    computed = digest.hex() if digest is not None else None

    declared = bundle.get("contentSha256")
    declared_text = declared if isinstance(declared, str) else None
    hash_matches = False
    if declared_text is None or not _SHA256_HEX.fullmatch(declared_text):
        findings.append(Finding(False, "contentSha256 is missing or not 64 hex digits"))
    elif computed is not None:
        hash_matches = declared_text.lower() == computed
        if hash_matches:
            findings.append(Finding(True, f"content sha256 {computed} matches contentSha256"))
        else:
            findings.append(
                Finding(False, f"content sha256 {computed} differs from contentSha256 {declared_text}: the content is not what was hashed")
            )

    entries = bundle.get("signatures")
    reports: list[SignatureReport] = []
    if not isinstance(entries, list):
        findings.append(Finding(False, "signatures is missing or not a JSON array"))
    elif not entries:
        findings.append(Finding(False, "the bundle has no signatures"))
    else:
        for index, entry in enumerate(entries, start=1):
            report, found = _check_signature(index, entry, digest)
            reports.append(report)
            findings += found
    return BundleReport(format_ok, computed, declared_text, hash_matches, tuple(reports), tuple(findings))
