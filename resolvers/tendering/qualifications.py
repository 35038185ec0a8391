"""Contractors' qualifications (资质): the certificates a tender may require of a bidder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from models.tendering import QUALIFICATION_GRADES, QUALIFICATION_KINDS, Qualification
from resolvers.core.audit import changes_of
from resolvers.core.clock import today_in_china
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import Forbidden, Problem, UserErrors
from resolvers.core.scoped import get_in_scope
from resolvers.core.validation import Checks
from resolvers.projects.service import Upload, check_upload
from resolvers.security.storage import Storage
from resolvers.tendering.service import require_supplier

CERTIFICATE_NUMBER_RE = re.compile(r"^[A-Za-z0-9\-]{4,64}$")


@dataclass
class QualificationData:
    kind: str
    grade: str
    number: str | None
    valid_until: date
    certificate: Upload | None = None


async def add_qualification(uow: UnitOfWork, storage: Storage, data: QualificationData) -> Qualification:
    actor = require_supplier(uow)
    checks = Checks()
    if data.kind not in QUALIFICATION_KINDS:
        checks.add("INVALID_QUALIFICATION_KIND", "kind")
    if data.grade not in QUALIFICATION_GRADES:
        checks.add("INVALID_QUALIFICATION_GRADE", "grade")
    number = checks.text("number", data.number, 64)
    if number and not CERTIFICATE_NUMBER_RE.match(number):
        checks.add("INVALID_CERTIFICATE_NUMBER", "number")
    if data.valid_until < today_in_china(uow.now):
        checks.add("EXPIRY_IN_PAST", "validUntil")
    media = filename = None
    if data.certificate is not None:
        filename, media = check_upload(checks, "certificate", data.certificate, uow.settings.upload_max_bytes)
    checks.raise_if_any()
    taken = await uow.session.scalar(
        select(Qualification.id).where(
            Qualification.organisation_id == actor.organisation_id, Qualification.kind == data.kind, Qualification.number == number
        )
    )
    if taken is not None:
        raise UserErrors(Problem("QUALIFICATION_NUMBER_TAKEN", "number"))
    row = Qualification(
        organisation_id=actor.organisation_id,
        kind=data.kind,
        grade=data.grade,
        number=number,
        valid_until=data.valid_until,
        created_at=uow.now,
    )
    if data.certificate is not None and media is not None:
        key, created = await storage.put(data.certificate.data)
        if created:
            uow.on_rollback(lambda: storage.delete(key))
        row.certificate_filename, row.certificate_media_type, row.certificate_sha256 = filename, media.mime, key
    uow.session.add(row)
    await uow.session.flush()
    uow.audit("Qualification", row.id, changes_of(row, None))
    return row


async def remove_qualification(uow: UnitOfWork, qualification_id: int) -> Qualification:
    actor = require_supplier(uow)
    row = await get_in_scope(uow, Qualification, qualification_id, lock=True)
    if row.organisation_id != actor.organisation_id:
        raise Forbidden("NOT_A_SUPPLIER", operation=uow.operation)
    await uow.session.delete(row)
    await uow.session.flush()
    uow.audit("Qualification", row.id, {"removed": {"kind": row.kind, "grade": row.grade, "number": row.number}})
    return row
