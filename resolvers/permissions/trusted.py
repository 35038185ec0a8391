"""Trusted documents: the GraphQL documents operators register to run. A server in
trusted-documents mode runs nothing else; every server knows them by hash. Each
registration and removal is audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from models.permissions import TrustedDocument
from resolvers.core.context import UnitOfWork
from resolvers.core.transaction import rowcount


@dataclass(frozen=True)
class Document:
    sha256: str
    body: str
    name: str | None


async def register(uow: UnitOfWork, documents: list[Document]) -> list[Document]:
    """Registers the documents not yet registered; returns those."""
    digests = [d.sha256 for d in documents]
    known = set((await uow.session.scalars(select(TrustedDocument.sha256).where(TrustedDocument.sha256.in_(digests)))).all())
    added: list[Document] = []
    for document in documents:
        if document.sha256 in known:
            continue
        known.add(document.sha256)
        uow.session.add(TrustedDocument(sha256=document.sha256, body=document.body, name=document.name))
        uow.audit("TrustedDocument", document.sha256, {"name": {"before": None, "after": document.name}})
        added.append(document)
    await uow.session.flush()
    return added


async def remove(uow: UnitOfWork, sha256: str) -> bool:
    name = await uow.session.scalar(select(TrustedDocument.name).where(TrustedDocument.sha256 == sha256))
    result = await uow.session.execute(delete(TrustedDocument).where(TrustedDocument.sha256 == sha256))
    if not rowcount(result):
        return False
    uow.audit("TrustedDocument", sha256, {"name": {"before": name, "after": None}})
    return True


async def listed(uow: UnitOfWork) -> list[tuple[str, str | None]]:
    rows = await uow.session.execute(
        select(TrustedDocument.sha256, TrustedDocument.name).order_by(TrustedDocument.registered_at, TrustedDocument.sha256)
    )
    return [(sha, name) for sha, name in rows.all()]
