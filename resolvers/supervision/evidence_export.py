"""Writing evidence bundles (``smallworks export-evidence``): the audit events of a region and
period in full, the signed checkpoints around them, the public keys, and every other link
between those checkpoints as a stub (seq, previous hash, hash). The format and its
verification are ``resolvers.supervision.evidence``.

The region and period are read in one snapshot of the database. When no checkpoint covers the
last event yet, one is signed first (the chain since the last checkpoint is checked as it is).
Events recorded after the latest checkpoint, in the moment between signing it and reading,
are left to the next export, so everything in a bundle is covered. The file is written to a
temporary name, the export is audited (who exported which region and period, and the bundle's
SHA-256), and then the file is renamed into place.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import ColumnElement, func, select

from models.audit import AuditEvent
from models.base import utcnow
from models.supervision import AuditCheckpoint
from policies.engine import region_prefix
from policies.scope import code_range
from resolvers.core.clock import SHANGHAI
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.errors import Problem, UserErrors
from resolvers.core.transaction import unit_of_work
from resolvers.supervision import evidence_messages  # noqa: F401  (registers the codes used here)
from resolvers.supervision.checkpoints import ChainBroken, sign_checkpoint, signed_time, signer_from, statement
from resolvers.supervision.evidence import FORMAT, HASHED_FIELDS

BATCH = 2000
_REGION = re.compile(r"\d{6}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class EvidenceRequest:
    """A region (a code covers what lies below it: 320000 a province, 320500 a city) and a
    period of whole days in China, both ends included."""

    region: str
    start: date
    end: date

    def window(self) -> tuple[datetime, datetime]:
        """The period as UTC instants: from the start day's midnight in China to the midnight
        after the end day."""
        begin = datetime.combine(self.start, time(), SHANGHAI).astimezone(UTC)
        after = datetime.combine(self.end + timedelta(days=1), time(), SHANGHAI).astimezone(UTC)
        return begin, after

    def condition(self) -> ColumnElement[bool]:
        """The audit events of the region and period, in SQL."""
        begin, after = self.window()
        return (
            code_range(AuditEvent.region_code, region_prefix(self.region))
            & (AuditEvent.occurred_at >= begin)
            & (AuditEvent.occurred_at < after)
        )


def _day(value: str | date, field: str, problems: list[Problem]) -> date | None:
    if isinstance(value, date):
        return value
    text = value.strip()
    try:
        if _DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    problems.append(Problem("EVIDENCE_INVALID_DATE", field, {"value": text[:40]}))
    return None


def evidence_request(region: str, start: str | date, end: str | date) -> EvidenceRequest:
    """The request checked: a 6-digit region code and two dates (YYYY-MM-DD), the start not
    after the end. Raises ``UserErrors`` with every problem."""
    problems: list[Problem] = []
    region = region.strip()
    if not _REGION.fullmatch(region):
        problems.append(Problem("INVALID_REGION_CODE", "region"))
    first, last = _day(start, "from", problems), _day(end, "to", problems)
    if first and last and first > last:
        problems.append(Problem("EVIDENCE_PERIOD_REVERSED", "to"))
    if problems or first is None or last is None:
        raise UserErrors(problems)
    return EvidenceRequest(region, first, last)


class EvidenceError(Exception):
    """The export cannot be made; ``code`` and ``params`` are a message of the catalogue."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    region: str
    start: date
    end: date
    events: int  # in full
    links: int  # chain entries, full and stub
    checkpoints: int
    first_seq: int | None
    last_seq: int | None
    sha256: str


@dataclass(frozen=True)
class _Range:
    first: int
    last: int
    count: int


async def events_in(session: Any, request: EvidenceRequest, up_to: int | None = None) -> _Range | None:
    """The first and last seq and the number of the request's events (up to seq ``up_to``)."""
    condition = request.condition()
    if up_to is not None:
        condition = condition & (AuditEvent.seq <= up_to)
    row = (await session.execute(select(func.min(AuditEvent.seq), func.max(AuditEvent.seq), func.count()).where(condition))).one()
    return None if row[2] == 0 else _Range(row[0], row[1], row[2])


async def _last_checkpoint_seq(session: Any) -> int | None:
    return (await session.execute(select(func.max(AuditCheckpoint.seq)))).scalar_one_or_none()


def event_fields(event: Any) -> dict[str, Any]:
    """An event as a bundle shows it in full: the fields its hash covers, as hashed."""
    fields = {name: getattr(event, name) for name in HASHED_FIELDS}
    fields["occurred_at"] = signed_time(event.occurred_at)
    fields["hash"] = event.hash
    return fields


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _Writer:
    """Writes text to a file and hashes what it wrote."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.handle.write(data)
        self.digest.update(data)


async def _chain(session: Any, request: EvidenceRequest, first: int, last: int) -> AsyncIterator[dict[str, Any]]:
    """Every link from ``first`` to ``last``: the request's events in full, others as stubs."""
    condition = request.condition()
    low = first
    while low <= last:
        high = min(low + BATCH - 1, last)
        links = (
            await session.execute(
                select(AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.hash)
                .where(AuditEvent.seq >= low, AuditEvent.seq <= high)
                .order_by(AuditEvent.seq)
            )
        ).all()
        full = {
            event.seq: event
            for event in (
                await session.execute(select(AuditEvent).where(AuditEvent.seq >= low, AuditEvent.seq <= high, condition))
            ).scalars()
        }
        for seq, prev_hash, hash_ in links:
            yield event_fields(full[seq]) if seq in full else {"seq": seq, "prev_hash": prev_hash, "hash": hash_}
        session.expunge_all()
        low = high + 1


async def export_evidence(state: Any, request: EvidenceRequest, out: Path, operator: str) -> ExportSummary:
    """Write the bundle of ``request`` to ``out`` and audit the export as done by
    ``operator`` (who ran the command). Raises ``EvidenceError`` when it cannot be made."""
    async with state.db.read() as session:
        wanted = await events_in(session, request)
        covered = await _last_checkpoint_seq(session)
    if wanted is not None and (covered is None or covered < wanted.last):
        signer = signer_from(state.settings)
        if signer is None:
            raise EvidenceError("EVIDENCE_CHECKPOINTS_OFF")
        try:
            await sign_checkpoint(state, signer, force=True)
        except ChainBroken as broken:
            raise EvidenceError("EVIDENCE_CHAIN_BROKEN", seq=broken.seq) from None
    out = out.resolve()
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(8)}.tmp")
    try:
        summary = await _write(state, request, out, tmp)
        await _audit(state, request, summary, operator)
        os.replace(tmp, out)
    except OSError as exc:
        raise EvidenceError("EVIDENCE_CANNOT_WRITE", path=str(out), reason=exc.strerror or str(exc)) from None
    finally:
        tmp.unlink(missing_ok=True)
    return summary


async def _write(state: Any, request: EvidenceRequest, out: Path, tmp: Path) -> ExportSummary:
    async with state.db.snapshot() as session:
        covered = await _last_checkpoint_seq(session)
        wanted = await events_in(session, request, covered) if covered is not None else None
        checkpoints: list[AuditCheckpoint] = []
        if wanted is not None:
            before = (
                await session.execute(select(func.max(AuditCheckpoint.seq)).where(AuditCheckpoint.seq <= wanted.first))
            ).scalar_one_or_none()
            after = (await session.execute(select(func.min(AuditCheckpoint.seq)).where(AuditCheckpoint.seq >= wanted.last))).scalar_one()
            checkpoints = list(
                (
                    await session.execute(
                        select(AuditCheckpoint)
                        .where(AuditCheckpoint.seq >= (before or 0), AuditCheckpoint.seq <= after)
                        .order_by(AuditCheckpoint.seq)
                    )
                )
                .scalars()
                .all()
            )
        keys: dict[str, dict[str, str]] = {}
        for cp in checkpoints:
            keys.setdefault(cp.key_id, {"keyId": cp.key_id, "algorithm": cp.algorithm, "publicKey": cp.public_key})
        header = {
            "format": FORMAT,
            "region": request.region,
            "period": {"from": request.start.isoformat(), "to": request.end.isoformat(), "timeZone": "Asia/Shanghai"},
            "exportedAt": signed_time(utcnow()),
            "events": wanted.count if wanted else 0,
            "keys": list(keys.values()),
            "checkpoints": [statement(cp) for cp in checkpoints],
        }
        first = (checkpoints[0].seq if checkpoints[0].seq <= wanted.first else 1) if wanted and checkpoints else None
        last = checkpoints[-1].seq if wanted and checkpoints else None
        links = 0
        with open(tmp, "wb") as handle:
            writer = _Writer(handle)
            text = json.dumps(header, ensure_ascii=False, indent=1)
            writer.write(text[: text.rindex("}")].rstrip() + ',\n "chain": [')
            if first is not None and last is not None:
                async for entry in _chain(session, request, first, last):
                    writer.write(("\n  " if links == 0 else ",\n  ") + _dump(entry))
                    links += 1
            writer.write("\n ]\n}\n")
            handle.flush()
            os.fsync(handle.fileno())
    return ExportSummary(
        path=out,
        region=request.region,
        start=request.start,
        end=request.end,
        events=wanted.count if wanted else 0,
        links=links,
        checkpoints=len(checkpoints),
        first_seq=first,
        last_seq=last,
        sha256=writer.digest.hexdigest(),
    )


async def _audit(state: Any, request: EvidenceRequest, summary: ExportSummary, operator: str) -> None:
    name = f"cli:{operator}"[:100]
    actor = dataclasses.replace(SYSTEM_ACTOR, name=name, display_name=name)
    meta = RequestMeta(request_id="export-evidence")
    async with unit_of_work(state, "cli.export-evidence", actor, meta) as uow:
        uow.audit(
            "EvidenceBundle",
            f"{request.region}:{request.start.isoformat()}:{request.end.isoformat()}",
            {
                "region": request.region,
                "from": request.start,
                "to": request.end,
                "events": summary.events,
                "first_seq": summary.first_seq,
                "last_seq": summary.last_seq,
                "checkpoints": summary.checkpoints,
                "sha256": summary.sha256,
                "operator": operator,
            },
            region_code=request.region,
        )
