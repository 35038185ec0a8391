"""Idempotency keys of payment mutations: a client that retries (a timeout, a double tap on a
phone) sends the same key and gets the first result back instead of acting twice.

The key is remembered in the transaction that acts, as its last write. Two requests with the
same key at the same moment both act, but only one can commit its key (a unique pair of
sender and key): the other rolls back whole, and run again it finds the first's result.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import select

from models.payments import PaymentIdempotencyKey
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import Problem, UserErrors
from resolvers.progress.service import KEY_RE  # the same keys as logs, photos and check-ins

T = TypeVar("T")


def fingerprint(operation: str, inputs: dict[str, Any]) -> str:
    text = json.dumps({"operation": operation, "inputs": inputs}, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def once(
    uow: UnitOfWork,
    key: str | None,
    operation: str,
    inputs: dict[str, Any],
    act: Callable[[], Awaitable[T]],
    load: Callable[[int], Awaitable[T]],
) -> T:
    """``act()`` unless ``key`` was used by this sender before: then ``load`` its first
    result's id, or refuse if the key came with other input (``IDEMPOTENCY_KEY_REUSED``).
    ``act`` returns a row with an ``id``."""
    if key is None:
        return await act()
    if not KEY_RE.match(key):
        raise UserErrors(Problem("INVALID_IDEMPOTENCY_KEY", "idempotencyKey"))
    actor = uow.require_actor()
    sender = f"{actor.kind}:{actor.id}"
    print_ = fingerprint(operation, inputs)
    seen = (
        await uow.session.execute(
            select(PaymentIdempotencyKey).where(PaymentIdempotencyKey.actor == sender, PaymentIdempotencyKey.key == key)
        )
    ).scalar_one_or_none()
    if seen is not None:
        if seen.operation != operation or seen.fingerprint != print_:
            raise UserErrors(Problem("IDEMPOTENCY_KEY_REUSED", "idempotencyKey"))
        return await load(seen.result_id)
    result = await act()
    uow.session.add(
        PaymentIdempotencyKey(actor=sender, key=key, operation=operation, fingerprint=print_, result_id=result.id, created_at=uow.now)  # type: ignore[attr-defined]
    )
    await uow.session.flush()
    return result
