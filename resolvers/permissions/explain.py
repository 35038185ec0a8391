"""Answers about the policy: why a person may or may not run an operation in a region
(``explain``), and who would gain or lose what with a change (``preview``). Both evaluate the
lines themselves (``policies.evaluate``): the live ones for an explanation, the lines after
the change for a preview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from policies.engine import USER_SUBJECT, Grant, grants_by_user, region_match
from policies.evaluate import Allowance, Line, PolicyModel
from policies.gate import PUBLIC_ROLE
from resolvers.core.clock import today_in_china
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import Problem, UserErrors
from resolvers.permissions.changes import (
    Author,
    Change,
    Known,
    Person,
    Place,
    current_lines,
    guard,
    known,
    outcome_of,
    places,
    unknown,
)


@dataclass(frozen=True)
class Explanation:
    allowed: bool
    operation: str
    action: str
    region: str | None
    # When allowed: the place (home roles or a grant) and how its role is allowed.
    place: Place | None = None
    allowance: Allowance | None = None
    # When denied: the line nearest to allowing it (None when no line names the operation)
    # and the change that would allow it.
    nearest: Line | None = None
    fix: Change | None = None
    reason: str = ""


def explain(known_: Known, lines: list[Line], person: Person, operation: str, action: str, region: str | None, today: date) -> Explanation:
    """Whether ``person`` may run ``operation`` (in ``region``: where they act for it covers
    the region; anywhere when None), with the lines and role chain that allow it, or the
    nearest line and the change that would."""
    model = PolicyModel(lines)
    relevant = [p for p in places(person, grants_by_user(lines), today) if region is None or region_match(region, p.region)]
    for place in relevant:
        for role in sorted(place.roles):
            allowance = model.allowance(role, place.region, operation, action)
            if allowance is not None:
                return Explanation(True, operation, action, region, place, allowance)
    where = region or person.region_code
    candidates = model.permission_lines(operation, action)
    if not candidates:
        # No line names it: dead to everyone. The fix is a line for one of the person's roles.
        role = sorted(person.roles)[0] if person.roles else PUBLIC_ROLE
        return Explanation(False, operation, action, region, fix=Change("add", ("p", role, where, operation, action)), reason="NO_LINE")
    held = {role for place in relevant for role in place.roles}
    # A line whose region covers where they act, for a role they lack: grant them that role there.
    for line in candidates:
        if region_match(where, line[2]) and line[1] not in held and line[1] != PUBLIC_ROLE:
            fix = Change("add", ("g", f"{USER_SUBJECT}{person.id}", line[1], where))
            return Explanation(False, operation, action, region, nearest=line, fix=fix, reason="ROLE_MISSING")
    # A line for a role they hold, in another region: the same line for their region.
    for line in candidates:
        if line[1] in held:
            fix = Change("add", ("p", line[1], where, operation, action))
            return Explanation(False, operation, action, region, nearest=line, fix=fix, reason="OTHER_REGION")
    line = candidates[0]
    fix = Change("add", ("g", f"{USER_SUBJECT}{person.id}", line[1], where))
    return Explanation(False, operation, action, region, nearest=line, fix=fix, reason="ROLE_MISSING")


async def explain_for(
    uow: UnitOfWork, operations: dict[str, str], user_id: int, operation: str, region: str | None, prefixes: tuple[str, ...]
) -> Explanation:
    """``explain`` over the live policy for a known operation and an active user whose
    organisation lies in one of ``prefixes`` (the regions the asker administers)."""
    known_ = await known(uow, operations)
    problems = []
    if operation not in operations:
        problems.append(unknown("UNKNOWN_OPERATION", "operation", operation, operations))
    person = known_.people.get(user_id)
    if person is not None and not any(person.region_code.startswith(p) for p in prefixes):
        person = None  # outside the asker's regions: as if unknown
    if person is None:
        problems.append(Problem("UNKNOWN_USER", "user", {"value": str(user_id)}))
    if region is not None and region not in known_.regions:
        problems.append(unknown("UNKNOWN_REGION", "region", region, known_.regions))
    if problems:
        raise UserErrors(problems)
    assert person is not None
    return explain(known_, await current_lines(uow), person, operation, operations[operation], region, today_in_china(uow.now))


# -- previews -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Effect:
    """A person gains or loses an operation where they act (a region)."""

    person: Person
    operation: str
    region: str
    gains: bool


@dataclass(frozen=True)
class Preview:
    added: list[Line]
    removed: list[Line]
    effects: list[Effect]
    # What the guards would refuse (LAST_POLICY_ADMIN, PUBLIC_LOGIN_REQUIRED), if anything.
    refusals: list[Problem]


def effects(
    known_: Known, before: list[Line], after: list[Line], today: date, touched: set[int] | None, objects: set[str] | None
) -> list[Effect]:
    """Who gains and who loses which operations where, from ``before`` to ``after``. Only the
    people in ``touched`` (None: everyone) and operations in ``objects`` (None: every one)
    can change; the others are not looked at."""
    old, new = PolicyModel(before), PolicyModel(after)
    old_grants, new_grants = grants_by_user(before), grants_by_user(after)
    found: list[Effect] = []
    operations = (
        sorted(known_.operations.items()) if objects is None else sorted((o, a) for o, a in known_.operations.items() if o in objects)
    )
    people = sorted(known_.people.values(), key=lambda p: p.id)
    for person in people:
        if touched is not None and person.id not in touched:
            continue
        before_places = places(person, old_grants, today)
        after_places = places(person, new_grants, today)
        for operation, action in operations:
            had = {p.region for p in before_places if old.allows(p.roles, p.region, operation, action)}
            has = {p.region for p in after_places if new.allows(p.roles, p.region, operation, action)}
            found += [Effect(person, operation, region, True) for region in sorted(has - had)]
            found += [Effect(person, operation, region, False) for region in sorted(had - has)]
    return found


async def preview(uow: UnitOfWork, operations: dict[str, str], changes: list[Change]) -> Preview:
    """What ``changes`` would do, nothing saved: the lines added and removed, who gains and
    loses which operations where, and what the guards would refuse."""
    known_ = await known(uow, operations)
    before = await current_lines(uow)
    outcome = outcome_of(Author.of(uow.require_actor()), known_, before, changes)
    today = today_in_china(uow.now)
    refusals: list[Problem] = []
    try:
        guard(known_, outcome.lines, today)
    except UserErrors as refused:
        refusals = refused.problems
    changed = [*outcome.added, *outcome.removed]
    touched: set[int] | None = set()
    objects: set[str] | None = set()
    for line in changed:
        grant = Grant.of_line(line)
        if grant is not None:
            assert touched is not None
            touched.add(grant.user_id)
            objects = None  # a person's new role: any operation
        elif line[0] == "p" and objects is not None:
            objects |= {name for name in operations if name == line[3] or line[3].endswith("*") and name.startswith(line[3][:-1])}
            touched = None
        else:
            touched, objects = None, None  # a role line: anyone, anything
    return Preview(outcome.added, outcome.removed, effects(known_, before, outcome.lines, today, touched, objects), refusals)
