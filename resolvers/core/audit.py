"""The audit trail: snapshot and diff, append to the hash chain, verify, query.

Each event's hash is SHA-256 over the canonical JSON of its fields, which include the
previous event's hash. Sequence numbers are allocated under a lock on the single
``audit_head`` row, so concurrent writers on PostgreSQL and MariaDB still produce one
gapless chain (SQLite serialises writers anyway).
"""

from __future__ import annotations

import enum
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, update

from models.audit import GENESIS_HASH, AuditEvent, AuditHead
from models.base import utcnow
from resolvers.core.context import UnitOfWork

REDACTED = "[redacted]"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, (date, time)):  # calendar dates (business days) carry no zone
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: Any, exclude: tuple[str, ...] = ("created_at", "updated_at")) -> dict[str, Any]:
    """Column values of an ORM object; columns marked ``info={"sensitive": True}`` are redacted."""
    state = sa_inspect(obj)
    data = {}
    for attr in state.mapper.column_attrs:
        if attr.key in exclude:
            continue
        column = attr.columns[0]
        value = getattr(obj, attr.key)
        if column.info.get("sensitive"):
            value = None if value is None else REDACTED
        data[attr.key] = _jsonable(value)
    return data


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """``{field: {"before": old, "after": new}}`` for the fields that differ."""
    before = before or {}
    after = after or {}
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def changes_of(obj: Any, before: dict[str, Any] | None, rewritten_sensitive: tuple[str, ...] = ()) -> dict[str, Any]:
    """Diff of ``obj`` against an earlier snapshot. ``rewritten_sensitive`` names redacted
    fields that were given new values, which comparing ``[redacted]`` with itself cannot see;
    they are reported as changed without revealing either value."""
    after = snapshot(obj)
    changes = diff(before, after)
    for key in rewritten_sensitive:
        changes[key] = {"before": (before or {}).get(key), "after": after.get(key)}
    return changes


def canonical_json(data: Any) -> str:
    return json.dumps(_jsonable(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _hash_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_type": event.actor_type,
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "organisation_id": event.organisation_id,
        "region_code": event.region_code,
        "operation": event.operation,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "changes": event.changes,
        "request_id": event.request_id,
        "client_address": event.client_address,
        "prev_hash": event.prev_hash,
    }


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical_json(_hash_fields(event)).encode("utf-8")).hexdigest()


async def append_pending(uow: UnitOfWork) -> list[AuditEvent]:
    """Chain and insert the unit of work's events. Called last, just before commit, so the
    head row is locked for as short a time as possible."""
    if not uow.audit_events:
        return []
    session = uow.session
    head = (await session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update())).scalar_one()
    seq, prev = head.seq, head.hash
    # Time is taken under the lock, so sequence order and time order agree.
    now = utcnow()
    actor = uow.actor
    written = []
    for pending in uow.audit_events:
        seq += 1
        event = AuditEvent(
            seq=seq,
            occurred_at=now,
            actor_type=actor.kind if actor else "anonymous",
            actor_id=actor.id if actor else None,
            actor_name=actor.display_name if actor else "anonymous",
            organisation_id=actor.organisation_id if actor else None,
            region_code=pending.region_code,
            operation=pending.operation,
            target_type=pending.target_type,
            target_id=pending.target_id,
            changes=canonical_json(pending.changes),
            request_id=uow.meta.request_id,
            client_address=uow.meta.client_address,
            prev_hash=prev,
        )
        event.hash = event_hash(event)
        prev = event.hash
        written.append(event)
    session.add_all(written)
    await session.flush()
    await session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, hash=prev))
    uow.audit_events.clear()
    return written


@dataclass(frozen=True)
class Verification:
    valid: bool
    checked: int
    head_seq: int
    first_broken_seq: int | None = None
    reason: str | None = None


async def verify_chain(session, batch_size: int = 1000) -> Verification:
    """Walk the whole chain in sequence order and report the first broken link.

    ``session`` must see one snapshot throughout (``Database.snapshot``): under READ
    COMMITTED, events committed between reading the head and reading the last rows would
    look like a broken end of the chain.

    Reasons: ``SEQUENCE_GAP`` (a row is missing before this one), ``PREVIOUS_HASH_MISMATCH``
    (the link to the previous row does not hold), ``HASH_MISMATCH`` (this row's content was
    changed), ``HEAD_MISMATCH`` (rows missing or changed at the end of the chain).
    """
    head = (await session.execute(select(AuditHead).where(AuditHead.id == 1))).scalar_one_or_none()
    head_seq = head.seq if head else 0
    expected_seq, prev, checked = 1, GENESIS_HASH, 0
    last_seq = 0
    while True:
        rows = (
            (await session.execute(select(AuditEvent).where(AuditEvent.seq >= expected_seq).order_by(AuditEvent.seq).limit(batch_size)))
            .scalars()
            .all()
        )
        if not rows:
            break
        for event in rows:
            if event.seq != expected_seq:
                return Verification(False, checked, head_seq, expected_seq, "SEQUENCE_GAP")
            if event.prev_hash != prev:
                return Verification(False, checked, head_seq, event.seq, "PREVIOUS_HASH_MISMATCH")
            if event_hash(event) != event.hash:
                return Verification(False, checked, head_seq, event.seq, "HASH_MISMATCH")
            prev, last_seq = event.hash, event.seq
            expected_seq += 1
            checked += 1
        session.expunge_all()
    if head is None or last_seq != head.seq or prev != head.hash:
        return Verification(False, checked, head_seq, last_seq + 1, "HEAD_MISMATCH")
    return Verification(True, checked, head_seq)
