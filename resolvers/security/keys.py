"""Key rotation for encrypted columns: re-encrypt every value sealed under an older key id
with the active key, so the old key can then be removed from the key ring.

Each domain declares its encrypted columns with ``encrypted_column`` next to the code that
writes them; ``reencrypt_all`` walks every declared column."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from resolvers.core.context import UnitOfWork

# (model, attribute, name, associated data of a row) of every encrypted column.
ENCRYPTED_COLUMNS: list[tuple[type[Any], str, str, Callable[[Any], str]]] = []


def encrypted_column(model: type[Any], attribute: str, name: str, context_of: Callable[[Any], str]) -> None:
    """Declare a column whose values are sealed by ``FieldCipher`` with the associated data
    ``context_of(row)``, so key rotation re-encrypts it."""
    if not any(entry[2] == name for entry in ENCRYPTED_COLUMNS):
        ENCRYPTED_COLUMNS.append((model, attribute, name, context_of))


def encrypted_columns() -> list[tuple[type[Any], str, str, Callable[[Any], str]]]:
    """Every declared encrypted column. Domains declare them in their ``service`` modules,
    which a process that does not build the schema (the CLI) has not necessarily imported."""
    from models import domain_modules

    domain_modules("resolvers", ".service")
    return list(ENCRYPTED_COLUMNS)


async def reencrypt_all(uow: UnitOfWork, batch_size: int = 500) -> dict[str, int]:
    """Returns how many values of each column were re-encrypted."""
    counts: dict[str, int] = {}
    cipher = uow.cipher
    for model, attribute, name, context_of in encrypted_columns():
        column = getattr(model, attribute)
        prefix = f"v1:{cipher.active_key_id}:"
        stmt = select(model).where(column.is_not(None), ~column.startswith(prefix, autoescape=True)).order_by(model.id)
        done = 0
        last_id = 0
        while True:
            rows = (await uow.session.execute(stmt.where(model.id > last_id).limit(batch_size))).scalars().all()
            if not rows:
                break
            for row in rows:
                plain = cipher.decrypt(getattr(row, attribute), context_of(row))
                setattr(row, attribute, cipher.encrypt(plain, context_of(row)))
                last_id = row.id
                done += 1
            await uow.session.flush()
        counts[name] = done
        if done:
            uow.audit("EncryptionKey", cipher.active_key_id, {"column": name, "reencrypted": done}, region_code=None)
    return counts
