"""Mutation payloads: typed user errors and the helper every mutation runs through."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy.exc import DBAPIError, IntegrityError

from resolvers import load_domains
from resolvers.core.errors import Conflict, Problem, UserErrors
from resolvers.core.i18n import CATALOGUE, USER_ERROR_CODES, translate
from schema.core.context import Info
from schema.core.fields import functional_enum


def _user_error_codes() -> type[enum.Enum]:
    """Every code a payload can carry, from every domain's message catalogue: clients switch
    on these values, which never change."""
    load_domains()
    members = {
        code: strawberry.enum_value(code, description=f"{CATALOGUE[code][1]} {CATALOGUE[code][0]} ({USER_ERROR_CODES[code]})")
        for code in sorted(USER_ERROR_CODES)
    }
    return strawberry.enum(
        functional_enum("UserErrorCode", members),
        description="Why a mutation changed nothing; stable across releases. 校验错误代码。",
    )


if TYPE_CHECKING:

    class UserErrorCode(enum.Enum):
        """What type checkers see of the enum made by ``_user_error_codes``."""

else:
    UserErrorCode = _user_error_codes()


def user_error_code_enum() -> type[enum.Enum]:
    return UserErrorCode


@strawberry.type(description="A validation failure; nothing was changed. 校验错误（未做任何修改）。")
class UserError:
    code: UserErrorCode = strawberry.field(description="Stable machine-readable code. 错误代码（稳定不变）。")
    field: str | None = strawberry.field(description="The input field concerned, if any. 相关输入字段。")
    message: str = strawberry.field(description="Human-readable, in the request's language. 错误说明。")

    @classmethod
    def of(cls, problem: Problem, locale: str) -> UserError:
        return cls(code=UserErrorCode(problem.code), field=problem.field, message=translate(problem.code, locale, **problem.params))


def lost_race(exc: DBAPIError) -> bool:
    """A uniqueness race lost to a concurrent writer, or a deadlock the database broke by
    rolling this transaction back: running it again sees the winner's work."""
    if isinstance(exc, IntegrityError):
        return True
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    args: tuple[Any, ...] = tuple(getattr(orig, "args", ()))
    return sqlstate in ("40001", "40P01") or (len(args) > 0 and args[0] in (1213, 1205))


async def run_mutation(
    info: Info, fn: Callable[..., Awaitable[Any]], *args: Any, retry_races: bool = False, **kwargs: Any
) -> tuple[Any, list[UserError]]:
    """Run ``fn(uow, ...)`` in one transaction. Returns ``(result, [])`` after commit, or
    ``(None, user_errors)`` after a full rollback. ``retry_races``: a transaction that lost a
    race (``lost_race``) runs once more, from the start, where its own checks now see what
    the winner wrote and answer with the user error (or the idempotent first result) rather
    than a CONFLICT."""
    ctx = info.context
    for attempt in (1, 2):
        try:
            async with ctx.unit_of_work(f"Mutation.{info.field_name}") as uow:
                result = await fn(uow, *args, **kwargs)
            return result, []
        except UserErrors as exc:
            ctx.observed.refused(p.code for p in exc.problems)
            return None, [UserError.of(p, ctx.meta.locale) for p in exc.problems]
        except DBAPIError as exc:
            if retry_races and attempt == 1 and lost_race(exc):
                continue
            if isinstance(exc, IntegrityError):  # a uniqueness race lost to a concurrent writer
                raise Conflict() from exc
            raise
    raise AssertionError("unreachable")


def in_input(value: Any) -> bool:
    """True when an optional input field was given (Strawberry's UNSET means absent)."""
    return value is not strawberry.UNSET
