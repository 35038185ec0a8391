"""The policy's numbered versions: listing them, restoring one (itself a new version), and
the whole policy as a CSV file (export, and import checked in full before anything applies)."""

from __future__ import annotations

from sqlalchemy import select

from models.permissions import PolicyVersion
from policies.scope import scope_for
from policies.subject import Actor
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import Problem, UserErrors
from resolvers.core.pagination import ListQuery
from resolvers.core.validation import Checks
from resolvers.permissions.changes import (
    Author,
    check_comment,
    checked_file,
    current_lines,
    known,
    lines_of_json,
    replacing,
    submit,
)

CSV_LIMIT = 1_000_000


def versions(actor: Actor) -> ListQuery:
    """Every version the actor may see, newest first."""
    return ListQuery(select(PolicyVersion).where(scope_for(PolicyVersion)(actor)), [(PolicyVersion.number, True)])


async def rollback(
    uow: UnitOfWork, operations: dict[str, str], number: int, comment: str | None
) -> tuple[PolicyVersion | None, object | None]:
    """Restore the lines of version ``number``: a new version whose lines are that one's,
    checked by the same rules and guards as any change."""
    text = check_comment(comment, required=True)
    target = (await uow.session.execute(select(PolicyVersion).where(PolicyVersion.number == number))).scalar_one_or_none()
    if target is None:
        raise UserErrors(Problem("POLICY_VERSION_NOT_FOUND", "version", {"version": number}))
    changes = replacing(await current_lines(uow), lines_of_json(target.lines))
    if not changes:
        raise UserErrors(Problem("POLICY_CHANGE_EMPTY", "version"))
    return await submit(uow, operations, "rollback", changes, text, restores=number, where="version")


async def import_file(
    uow: UnitOfWork, operations: dict[str, str], text: str, comment: str | None
) -> tuple[PolicyVersion | None, object | None]:
    """Make the policy the file's lines: every line of the file checked first (``csv[n]``
    names its line), then the difference applied as one version."""
    note = check_comment(comment, required=True)
    checks = Checks()
    checks.text("csv", text, CSV_LIMIT)
    checks.raise_if_any()
    changes = checked_file(Author.of(uow.require_actor()), await known(uow, operations), await current_lines(uow), text)
    if not changes:
        raise UserErrors(Problem("POLICY_CHANGE_EMPTY", "csv"))
    return await submit(uow, operations, "import", changes, note, where="csv")
