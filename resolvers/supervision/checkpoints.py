"""Signed checkpoints of the audit chain (审计链检查点), and their publication outside the
database.

A checkpoint says "at sequence number ``seq`` the chain's last hash was ``head_hash``", with
``links_sha256`` over every event hash since the previous checkpoint, signed with the
service's checkpoint key (Ed25519, or SM2 with SM3: ``SMALLWORKS_CHECKPOINT_ALGORITHM``). What
is signed and how a reader checks it is ``resolvers.supervision.evidence``. Before signing,
the events since the previous checkpoint are checked (consecutive, linked, each hash
recomputed): the service never signs a chain that does not hold.

The periodic job (``checkpoint_audit_chain``, every minute in the worker or the embedded
loop) makes a checkpoint when the head has moved and the interval since the last one has
passed; when nothing happened for the maximum interval it records one event, so that a
fresh checkpoint shows the chain still stands. It is idempotent: ``seq`` and
``previous_seq`` are unique, so however many processes run it at once there is one
checkpoint per head and one line of checkpoints.

Each checkpoint is then published, as one JSON document that verifies on its own, to a
directory (``checkpoint-<seq>.json``, written to a temporary name and renamed, never
overwritten) and/or a webhook (POSTed, retried; a failed one is tried again at the next
run). Where and when it went is recorded on the checkpoint.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from sqlalchemy import false, or_, select, update
from sqlalchemy.exc import IntegrityError

from models.audit import GENESIS_HASH, AuditEvent, AuditHead
from models.base import utcnow
from models.supervision import AuditCheckpoint
from policies.scope import scope_for
from resolvers.core.audit import event_hash
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.jobs import periodic
from resolvers.core.pagination import ListQuery
from resolvers.core.transaction import unit_of_work
from resolvers.security.signing import derive_public_key, encode, key_id, sign
from resolvers.supervision.evidence import CHECKPOINT_FORMAT, LinksDigest, canonical_json, checkpoint_message

log = logging.getLogger("smallworks.checkpoints")

BATCH = 2000
PUBLISH_BATCH = 100


def signed_time(moment: datetime) -> str:
    """A checkpoint's time as signed: UTC with microseconds, as event hashes write theirs."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class CheckpointSigner:
    algorithm: str
    private_key: bytes
    public_key: bytes
    key_id: str

    @classmethod
    def of(cls, algorithm: str, private_key: bytes) -> CheckpointSigner:
        public = derive_public_key(algorithm, private_key)
        return cls(algorithm, private_key, public, key_id(algorithm, public))

    def sign(self, statement: dict[str, Any]) -> str:
        return encode(sign(self.algorithm, self.private_key, checkpoint_message(statement)))


def signer_from(settings: Any) -> CheckpointSigner | None:
    """The settings' checkpoint key, or None when checkpoints are off."""
    if not settings.checkpoint_enabled or settings.checkpoint_key is None:
        return None
    return CheckpointSigner.of(settings.checkpoint_algorithm, settings.checkpoint_key)


def statement(row: AuditCheckpoint) -> dict[str, Any]:
    """A checkpoint as bundles carry it: what is signed, and the signature."""
    return {
        "seq": row.seq,
        "headHash": row.head_hash,
        "previousSeq": row.previous_seq,
        "linksSha256": row.links_sha256,
        "signedAt": signed_time(row.signed_at),
        "algorithm": row.algorithm,
        "keyId": row.key_id,
        "signature": row.signature,
    }


def published_document(row: AuditCheckpoint) -> dict[str, Any]:
    """A checkpoint as published: the statement with its format and public key, so the
    document verifies on its own."""
    return {"format": CHECKPOINT_FORMAT, **statement(row), "publicKey": row.public_key}


class ChainBroken(Exception):
    """The events since the last checkpoint do not hold; nothing is signed."""

    def __init__(self, seq: int, reason: str) -> None:
        super().__init__(f"the audit chain is broken at seq {seq}: {reason}; no checkpoint signed")
        self.seq = seq
        self.reason = reason


@dataclass(frozen=True)
class _Last:
    seq: int
    head_hash: str
    signed_at: datetime


async def _last_checkpoint(session: Any) -> _Last | None:
    row = (
        await session.execute(
            select(AuditCheckpoint.seq, AuditCheckpoint.head_hash, AuditCheckpoint.signed_at).order_by(AuditCheckpoint.seq.desc()).limit(1)
        )
    ).first()
    return None if row is None else _Last(row.seq, row.head_hash, row.signed_at)


async def _head(session: Any) -> tuple[int, str]:
    row = (await session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1))).first()
    return (0, GENESIS_HASH) if row is None else (row.seq, row.hash)


async def _checked_links(session: Any, since_seq: int, since_hash: str, head_seq: int, head_hash: str) -> str:
    """``links_sha256`` of the events after ``since_seq`` up to the head, checking on the way
    that they are consecutive, linked from ``since_hash`` and each hashes to its hash."""
    digest = LinksDigest()
    expected, prev = since_seq + 1, since_hash
    while expected <= head_seq:
        # Rows, not ORM objects: the hash reads the same attributes, several times faster.
        rows = (
            await session.execute(
                select(*AuditEvent.__table__.columns)
                .where(AuditEvent.seq >= expected, AuditEvent.seq <= head_seq)
                .order_by(AuditEvent.seq)
                .limit(BATCH)
            )
        ).all()
        if not rows:
            raise ChainBroken(expected, "SEQUENCE_GAP")
        for event in rows:
            if event.seq != expected:
                raise ChainBroken(expected, "SEQUENCE_GAP")
            if event.prev_hash != prev:
                raise ChainBroken(event.seq, "PREVIOUS_HASH_MISMATCH")
            if event_hash(event) != event.hash:
                raise ChainBroken(event.seq, "HASH_MISMATCH")
            digest.add(event.hash)
            prev, expected = event.hash, expected + 1
    if prev != head_hash:
        raise ChainBroken(head_seq, "HEAD_MISMATCH")
    return digest.hexdigest()


async def _record_heartbeat(state: Any, idle_since: datetime) -> None:
    meta = RequestMeta(request_id="cron-checkpoint")
    async with unit_of_work(state, "cron.checkpoint", SYSTEM_ACTOR, meta) as uow:
        uow.audit("AuditChain", "head", {"idle_since": idle_since, "reason": "maximum checkpoint interval"}, region_code="000000")


async def sign_checkpoint(
    state: Any,
    signer: CheckpointSigner,
    *,
    force: bool = False,
    interval: float | None = None,
    max_interval: float | None = None,
) -> AuditCheckpoint | None:
    """Sign a checkpoint of the chain's head if one is due; returns it, or None when none
    was (the head has not moved, the interval has not passed, or another process made it).

    ``force``: whenever the head has moved, whatever the interval (an export needs its events
    covered). ``interval`` and ``max_interval`` default to the settings'. Raises
    ``ChainBroken`` when the events since the last checkpoint do not hold."""
    settings = state.settings
    interval = settings.checkpoint_interval_seconds if interval is None else interval
    max_interval = settings.checkpoint_max_interval_seconds if max_interval is None else max_interval
    async with state.db.read() as session:
        head_seq, _ = await _head(session)
        last = await _last_checkpoint(session)
    now = utcnow()
    if last is not None and head_seq <= last.seq:
        idle = (now - last.signed_at).total_seconds()
        if not max_interval or idle < max_interval or force:
            return None
        await _record_heartbeat(state, last.signed_at)
    elif head_seq == 0:
        return None
    elif last is not None and not force and (now - last.signed_at).total_seconds() < interval:
        return None
    # One snapshot: the head and the events up to it agree whatever is appended meanwhile.
    async with state.db.snapshot() as session:
        head_seq, head_hash = await _head(session)
        last = await _last_checkpoint(session)
        if last is not None and head_seq <= last.seq:
            return None
        since_seq, since_hash = (last.seq, last.head_hash) if last else (0, GENESIS_HASH)
        links = await _checked_links(session, since_seq, since_hash, head_seq, head_hash)
    signed_at = utcnow()
    fields: dict[str, Any] = {
        "seq": head_seq,
        "headHash": head_hash,
        "previousSeq": since_seq,
        "linksSha256": links,
        "signedAt": signed_time(signed_at),
        "algorithm": signer.algorithm,
        "keyId": signer.key_id,
    }
    row = AuditCheckpoint(
        seq=head_seq,
        head_hash=head_hash,
        previous_seq=since_seq,
        links_sha256=links,
        signed_at=signed_at,
        algorithm=signer.algorithm,
        key_id=signer.key_id,
        public_key=encode(signer.public_key),
        signature=signer.sign(fields),
        webhook_attempts=0,
    )
    try:
        async with state.db.write() as session:
            session.add(row)
    except IntegrityError:  # another process signed this head, or another after the same checkpoint
        log.info("checkpoint at seq %s was made by another process", head_seq)
        return None
    log.info("signed checkpoint at seq %s (key %s, %s)", head_seq, signer.key_id, signer.algorithm)
    return row


# -- publication -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishTargets:
    directory: Path | None = None
    webhook_url: str | None = None
    webhook_token: str | None = None
    attempts: int = 3
    backoff_seconds: float = 2.0
    timeout_seconds: float = 10.0

    @classmethod
    def from_settings(cls, settings: Any) -> PublishTargets:
        return cls(
            directory=settings.checkpoint_publish_dir,
            webhook_url=settings.checkpoint_webhook_url,
            webhook_token=settings.checkpoint_webhook_token,
            attempts=settings.checkpoint_webhook_attempts,
            backoff_seconds=settings.checkpoint_webhook_backoff_seconds,
            timeout_seconds=settings.webhook_timeout_seconds,
        )


def document_bytes(row: AuditCheckpoint) -> bytes:
    return (canonical_json(published_document(row)) + "\n").encode("utf-8")


def file_name(seq: int) -> str:
    return f"checkpoint-{seq:012d}.json"


def write_published(directory: Path, name: str, data: bytes) -> Path:
    """Put ``data`` in ``directory/name`` whole or not at all: written to a temporary name,
    flushed to disk and renamed. A file already there with the same bytes is kept; one with
    other bytes is never overwritten (``FileExistsError``)."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    if target.exists():
        if target.read_bytes() == data:
            return target
        raise FileExistsError(f"{target} exists with other content; published checkpoints are never overwritten")
    tmp = directory / f".{name}.{secrets.token_hex(8)}.tmp"
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    try:  # the rename itself survives a crash once the directory is flushed
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass
    return target


def public_location(url: str) -> str:
    """A webhook URL as recorded and shown: without user information, query or fragment,
    which may hold a secret."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _short(text: str) -> str:
    return text if len(text) <= 500 else text[:499] + "…"


async def _pending(state: Any, published_at: Any) -> list[AuditCheckpoint]:
    async with state.db.read() as session:
        return list(
            (
                await session.execute(
                    select(AuditCheckpoint).where(published_at.is_(None)).order_by(AuditCheckpoint.seq).limit(PUBLISH_BATCH)
                )
            )
            .scalars()
            .all()
        )


async def _mark(state: Any, updates: list[tuple[int, dict[str, Any]]]) -> None:
    """Record the outcome of a run's publications, in one transaction."""
    if not updates:
        return
    async with state.db.write() as session:
        for checkpoint_id, values in updates:
            await session.execute(update(AuditCheckpoint).where(AuditCheckpoint.id == checkpoint_id).values(**values))


async def _publish_to_directory(state: Any, directory: Path) -> int:
    updates: list[tuple[int, dict[str, Any]]] = []
    for row in await _pending(state, AuditCheckpoint.directory_published_at):
        location = directory / file_name(row.seq)
        try:
            await asyncio.to_thread(write_published, directory, location.name, document_bytes(row))
        except OSError as exc:
            log.warning("checkpoint %s: cannot write it to %s: %s", row.seq, directory, exc)
            updates.append((row.id, {"directory_location": str(location), "directory_error": _short(str(exc))}))
            break  # the directory is unusable now: the next run tries again
        updates.append((row.id, {"directory_location": str(location), "directory_published_at": utcnow(), "directory_error": None}))
    await _mark(state, updates)
    return sum(1 for _, values in updates if values.get("directory_published_at"))


async def _post(client: httpx.AsyncClient, targets: PublishTargets, row: AuditCheckpoint) -> tuple[int, str | None]:
    """POST one checkpoint, up to ``attempts`` times; (POSTs made, the last error or None)."""
    assert targets.webhook_url is not None
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "smallworks-checkpoints/1",
        "X-Smallworks-Checkpoint": str(row.seq),
    }
    if targets.webhook_token:
        headers["Authorization"] = f"Bearer {targets.webhook_token}"
    body = document_bytes(row)
    error: str | None = None
    for attempt in range(1, targets.attempts + 1):
        try:
            response = await client.post(targets.webhook_url, content=body, headers=headers)
            if response.is_success:
                return attempt, None
            error = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        if attempt < targets.attempts:
            await asyncio.sleep(targets.backoff_seconds * 2 ** (attempt - 1))
    return targets.attempts, error


async def _publish_to_webhook(state: Any, targets: PublishTargets) -> int:
    assert targets.webhook_url is not None
    location = public_location(targets.webhook_url)
    updates: list[tuple[int, dict[str, Any]]] = []
    try:
        async with httpx.AsyncClient(timeout=targets.timeout_seconds, follow_redirects=False) as client:
            for row in await _pending(state, AuditCheckpoint.webhook_published_at):
                tries, error = await _post(client, targets, row)
                values: dict[str, Any] = {"webhook_location": location, "webhook_attempts": AuditCheckpoint.webhook_attempts + tries}
                if error is not None:
                    log.warning("checkpoint %s: the webhook %s failed %s times: %s", row.seq, location, tries, error)
                    updates.append((row.id, {**values, "webhook_error": _short(error)}))
                    break  # the receiver is down: the next run tries again, in order
                updates.append((row.id, {**values, "webhook_published_at": utcnow(), "webhook_error": None}))
    finally:
        await _mark(state, updates)  # what went out is recorded even if a later POST was cut off
    return sum(1 for _, values in updates if values.get("webhook_published_at"))


async def publish_checkpoints(state: Any, targets: PublishTargets) -> dict[str, int]:
    """Publish every checkpoint not yet published to each target, oldest first (at most
    ``PUBLISH_BATCH`` per target and run); how many went to each."""
    published = {}
    if targets.directory is not None:
        published["directory"] = await _publish_to_directory(state, Path(targets.directory))
    if targets.webhook_url:
        published["webhook"] = await _publish_to_webhook(state, targets)
    return published


@periodic
async def checkpoint_audit_chain(state: Any) -> str:
    """Sign a checkpoint when one is due, then publish what is not published yet."""
    signer = signer_from(state.settings)
    if signer is None:
        return "checkpoints are off"
    made = await sign_checkpoint(state, signer)
    published = await publish_checkpoints(state, PublishTargets.from_settings(state.settings))
    signed = f"signed seq {made.seq}" if made is not None else "none due"
    return f"{signed}; published {published}"


# -- the auditors' list --------------------------------------------------------------------------


def audit_checkpoints(actor: Any, unpublished_to: list[str] | None = None) -> ListQuery:
    """Checkpoints the actor may see, newest first; with ``unpublished_to`` (target names),
    only those not yet published to one of them."""
    stmt = select(AuditCheckpoint).where(scope_for(AuditCheckpoint)(actor))
    if unpublished_to is not None:
        columns = {"directory": AuditCheckpoint.directory_published_at, "webhook": AuditCheckpoint.webhook_published_at}
        pending = [columns[target].is_(None) for target in unpublished_to]
        stmt = stmt.where(or_(*pending) if pending else false())
    return ListQuery(stmt, [(AuditCheckpoint.seq, True)])
