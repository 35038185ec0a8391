"""Changing the live policy: every change, whatever asks for it (a batch of lines, a role
granted or revoked, a rollback, an imported file, one line added or removed), goes through
``submit``:

1. each line is checked in full against what is known (roles, region codes, operations and
   their actions, people), with every problem reported at once, and against the
   administrator's region;
2. the policy it would leave is checked by the guards: someone active can still edit the
   policy (LAST_POLICY_ADMIN), and the public can still sign in (PUBLIC_LOGIN_REQUIRED);
3. with the four-eyes rule on (``SMALLWORKS_POLICY_FOUR_EYES``) it waits for a second policy
   administrator (``resolvers.permissions.pending``); otherwise it is applied: the lines
   written, the version raised, one numbered ``PolicyVersion`` (who, when, why, the diff and
   every line), one audit event and the notifications, all in one transaction.

``operations`` is the catalogue of the schema (``{"Query.projects": "read", …}``), which the
schema layer builds; the resolvers never import it.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select, update

from models.accounts import ROLES, Organisation, User, UserRole
from models.permissions import CasbinRule, PolicyState, PolicyVersion
from policies.engine import USER_SUBJECT, Grant, grants_by_user, is_grant
from policies.evaluate import Line, PolicyModel
from policies.gate import PUBLIC_REGION, PUBLIC_ROLE
from resolvers.core import outbox
from resolvers.core.clock import today_in_china
from resolvers.core.context import Actor, UnitOfWork
from resolvers.core.errors import Problem, UserErrors
from resolvers.core.validation import REGION_RE, Checks

ROLE_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
OBJECT_RE = re.compile(r"^[A-Z][A-Za-z0-9]*\.(\*|[a-z][A-Za-z0-9]*)$")
ACTIONS = ("read", "write", "subscribe", "read_full")
# The operation whoever edits the policy must be allowed: the guard keeps one active user able to.
EDIT_OPERATION = ("Mutation.applyPolicyChange", "write")
LOGIN_OPERATION = ("Mutation.login", "write")
COMMENT_LIMIT = 2000
# The roles a person may be granted (integrator is an API client's).
PERSON_ROLES = tuple(role for role in ROLES if role != "integrator")


@dataclass(frozen=True)
class Change:
    """Add or remove one policy line (``("p", role, region, operation, action)``,
    ``("g", role, inherited role, region)`` or ``("g", "user:<id>", role, region[, starts_on[,
    ends_on]])``)."""

    op: str
    line: Line


@dataclass(frozen=True)
class Person:
    """An active user as the guards and previews see them."""

    id: int
    username: str
    display_name: str
    region_code: str
    roles: frozenset[str]


@dataclass
class Known:
    """What lines are checked against."""

    operations: dict[str, str]
    regions: frozenset[str]
    people: dict[int, Person]


@dataclass(frozen=True)
class Author:
    """Who a change is checked for: an administrator of the region ``prefix`` (``""``: the
    whole country), and the person (None for the system), who may not grant to themselves."""

    prefix: str
    user_id: int | None

    @classmethod
    def of(cls, actor: Actor) -> Author:
        return cls(actor.region_prefix, actor.id if actor.kind == "user" else None)


@dataclass(frozen=True)
class Place:
    """Where a person acts with some roles: their organisation's roles (and ``public``) in
    its region, or a role granted to them (``grant``) in the grant's region."""

    roles: frozenset[str]
    region: str
    grant: Grant | None = None


async def known(uow: UnitOfWork, operations: dict[str, str]) -> Known:
    """The region codes in use (every organisation's, with the city and province above it),
    and the active users with their roles and region."""
    session = uow.session
    codes = set((await session.execute(select(Organisation.region_code).distinct())).scalars())
    regions = {PUBLIC_REGION}
    for code in codes:
        regions |= {code, code[:4] + "00", code[:2] + "0000"}
    rows = (
        await session.execute(
            select(User.id, User.username, User.display_name, Organisation.region_code, UserRole.role)
            .join(Organisation, Organisation.id == User.organisation_id)
            .outerjoin(UserRole, UserRole.user_id == User.id)
            .where(User.is_active.is_(True))
        )
    ).all()
    people: dict[int, Person] = {}
    for row in rows:
        person = people.get(row.id)
        roles = frozenset({row.role}) if row.role else frozenset()
        people[row.id] = Person(
            row.id, row.username, row.display_name or row.username, row.region_code, (person.roles if person else frozenset()) | roles
        )
    return Known(operations, frozenset(regions), people)


async def current_lines(uow: UnitOfWork) -> list[Line]:
    """Every line of the live policy, as stored, in a stable order."""
    rows = (await uow.session.execute(select(CasbinRule).order_by(CasbinRule.id))).scalars().all()
    return [(row.ptype, *row.values()) for row in rows]


def sorted_lines(lines: Iterable[Line]) -> list[Line]:
    return sorted(set(lines), key=lambda line: (line[0], *line[1:]))


# -- checking lines -------------------------------------------------------------------------------


def _suggest(value: str, choices: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(value, sorted(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def unknown(code: str, where: str, value: str, choices: Iterable[str]) -> Problem:
    """UNKNOWN_<thing>, with the closest known value when there is one (a typo)."""
    suggestion = _suggest(value, choices)
    # ``role`` for the accounts domain's UNKNOWN_ROLE, which names it so.
    if suggestion is not None:
        return Problem(f"{code}_SUGGESTED", where, {"value": value, "role": value, "suggestion": suggestion})
    return Problem(code, where, {"value": value, "role": value})


def _invalid(where: str, reason: str) -> Problem:
    return Problem("INVALID_POLICY_RULE", where, {"reason": reason})


def role_names(lines: Iterable[Line]) -> frozenset[str]:
    """The roles a policy knows: every role of the system, ``public``, and the roles its own
    role lines define (``g, chief_reviewer, reviewer, *``)."""
    defined = {line[1] for line in lines if line[0] == "g" and not is_grant(line) and len(line) >= 4}
    return frozenset(ROLES) | {PUBLIC_ROLE} | defined


def check_line(line: Line, where: str, known_: Known, roles: frozenset[str], author: Author) -> list[Problem]:
    """Every problem of one line, in order; none when it is well formed and known, and lies in
    the author's region."""
    problems: list[Problem] = []
    ptype, values = line[0], list(line[1:])
    if ptype not in ("p", "g"):
        return [_invalid(where, "ptype must be p or g")]
    # A grant's dates may be empty (open); nothing else may.
    needed = values[:3] if is_grant(line) else values
    if any(v != v.strip() for v in values) or not all(needed):
        return [_invalid(where, "values must not be empty")]
    if ptype == "p":
        if len(values) != 4:
            return [_invalid(where, "p takes role, region, operation, action")]
        role, region, operation, action = values
        if not ROLE_RE.match(role):
            problems.append(_invalid(where, f"role {role!r} is not a role name"))
        elif role not in roles:
            problems.append(unknown("UNKNOWN_ROLE", where, role, roles))
        if action not in ACTIONS:
            problems.append(_invalid(where, f"action must be one of {', '.join(ACTIONS)}"))
        if not OBJECT_RE.match(operation):
            problems.append(_invalid(where, f"object {operation!r} is not Type.field"))
        elif operation.endswith(".*"):
            prefix = operation[:-1]
            if not any(name.startswith(prefix) for name in known_.operations):
                problems.append(unknown("UNKNOWN_OPERATION", where, operation, known_.operations))
        elif operation not in known_.operations:
            problems.append(unknown("UNKNOWN_OPERATION", where, operation, known_.operations))
        elif action in ACTIONS and known_.operations[operation] != action:
            problems.append(Problem("ACTION_MISMATCH", where, {"operation": operation, "action": known_.operations[operation]}))
    elif is_grant(line):
        if len(values) not in (3, 4, 5):
            return [_invalid(where, "a grant takes user:<id>, role, region[, starts_on[, ends_on]]")]
        subject, role, region = values[:3]
        user_id = subject[len(USER_SUBJECT) :]
        if not user_id.isdigit() or int(user_id) not in known_.people:
            problems.append(Problem("UNKNOWN_USER", where, {"value": subject}))
        elif int(user_id) == author.user_id:
            problems.append(Problem("SELF_GRANT", where))
        if role not in PERSON_ROLES:
            problems.append(unknown("UNKNOWN_ROLE", where, role, PERSON_ROLES))
        problems += _check_dates(values[3:], where)
    else:
        if len(values) != 3:
            return [_invalid(where, "g takes role, inherited role, region")]
        role, inherited, region = values
        if not ROLE_RE.match(role):
            problems.append(_invalid(where, f"role {role!r} is not a role name"))
        if not ROLE_RE.match(inherited):
            problems.append(_invalid(where, f"role {inherited!r} is not a role name"))
        elif inherited not in roles:
            problems.append(unknown("UNKNOWN_ROLE", where, inherited, roles))
    problems += _check_region(region, where, known_, author.prefix)
    return problems


def _check_dates(dates: list[str], where: str) -> list[Problem]:
    parsed: list[date | None] = []
    for value in dates:
        try:
            parsed.append(date.fromisoformat(value) if value else None)
        except ValueError:
            return [Problem("INVALID_GRANT_DATE", where, {"value": value})]
    if len(parsed) == 2 and parsed[0] and parsed[1] and parsed[1] < parsed[0]:
        return [Problem("GRANT_ENDS_BEFORE_IT_STARTS", where)]
    return []


def _check_region(region: str, where: str, known_: Known, actor_prefix: str) -> list[Problem]:
    if region != "*" and not REGION_RE.match(region):
        return [_invalid(where, f"region {region!r} is not a 6-digit code or *")]
    if not in_scope(region, actor_prefix):
        return [Problem("REGION_OUT_OF_SCOPE", where)]
    if region != "*" and region not in known_.regions:
        # Suggested from the administrator's own regions only.
        return [unknown("UNKNOWN_REGION", where, region, (r for r in known_.regions if r.startswith(actor_prefix)))]
    return []


def line_region(line: Line) -> str:
    """The region a line applies in."""
    return line[2] if line[0] == "p" else line[3]


def in_scope(region: str, prefix: str) -> bool:
    """Whether an administrator of the region ``prefix`` may change a line of ``region``
    (``*`` only one of the whole country)."""
    return prefix == "" if region == "*" else region.startswith(prefix)


@dataclass(frozen=True)
class Outcome:
    """What a change does to the policy: the lines after it, and those it adds and removes."""

    lines: list[Line]
    added: list[Line]
    removed: list[Line]


def outcome_of(author: Author, known_: Known, current: list[Line], changes: list[Change], where: str = "changes") -> Outcome:
    """The policy after ``changes`` by ``author``, every line checked; UserErrors with every
    problem (each at ``changes[i]``) when any is wrong. Nothing is written."""
    present = set(current)
    after = set(current)
    problems: list[Problem] = []
    seen: set[Line] = set()
    adds = [c.line for c in changes if c.op == "add"]
    roles = role_names([*current, *adds])
    # A single line's own input (addPolicyRule's values, grantRole's input) is named as is.
    indexed = where not in ("values", "input")
    for index, change in enumerate(changes):
        at = f"{where}[{index}]" if indexed else where
        line = tuple(v.strip() if isinstance(v, str) else v for v in change.line)
        if change.op not in ("add", "remove"):
            problems.append(_invalid(at, "op must be add or remove"))
            continue
        if line in seen:
            problems.append(Problem("POLICY_CHANGE_DUPLICATE", at))
            continue
        seen.add(line)
        if change.op == "add":
            found = check_line(line, at, known_, roles, author)
            if found:
                problems += found
            elif line in present:
                problems.append(Problem("POLICY_RULE_EXISTS", at))
            else:
                after.add(line)
        else:
            if line not in present:
                problems.append(Problem("POLICY_RULE_NOT_FOUND", at))
                continue
            if not in_scope(line_region(line), author.prefix):
                problems.append(Problem("REGION_OUT_OF_SCOPE", at))
                continue
            if is_grant(line) and line[1] == f"{USER_SUBJECT}{author.user_id}":
                problems.append(Problem("SELF_GRANT", at))
                continue
            after.discard(line)
    if problems:
        raise UserErrors(problems)
    if after == present:
        raise UserErrors(Problem("POLICY_CHANGE_EMPTY", where))
    return Outcome(sorted_lines(after), sorted_lines(after - present), sorted_lines(present - after))


# -- the guards -----------------------------------------------------------------------------------


def places(person: Person, grants: dict[int, tuple[Grant, ...]], today: date) -> list[Place]:
    """Where a person acts: their organisation's roles (and ``public``) in its region, and
    each role granted to them in force today, in the grant's region."""
    found = [Place(person.roles | {PUBLIC_ROLE}, person.region_code)]
    found += [Place(frozenset({g.role}), g.region, g) for g in grants.get(person.id, ()) if g.in_force(today)]
    return found


def may(model: PolicyModel, person: Person, grants: dict[int, tuple[Grant, ...]], today: date, operation: str, action: str) -> bool:
    return any(model.allows(place.roles, place.region, operation, action) for place in places(person, grants, today))


def guard(known_: Known, lines: list[Line], today: date, where: str = "changes") -> None:
    """Refuse a policy that no active user could edit any more, or that stops the public
    from signing in."""
    model = PolicyModel(lines)
    problems = []
    if not model.allows([PUBLIC_ROLE], PUBLIC_REGION, *LOGIN_OPERATION):
        problems.append(Problem("PUBLIC_LOGIN_REQUIRED", where))
    grants = grants_by_user(lines)
    if not any(may(model, person, grants, today, *EDIT_OPERATION) for person in known_.people.values()):
        problems.append(Problem("LAST_POLICY_ADMIN", where))
    if problems:
        raise UserErrors(problems)


# -- applying ----------------------------------------------------------------------------------


def check_comment(comment: str | None, *, required: bool, field: str = "comment") -> str:
    """A change's comment, checked as any stored text (REQUIRED, TOO_LONG, INVALID_CHARACTERS)."""
    checks = Checks()
    text = checks.text(field, comment, COMMENT_LIMIT, required=required)
    checks.raise_if_any()
    return text or ""


async def apply(
    uow: UnitOfWork,
    kind: str,
    outcome: Outcome,
    comment: str,
    *,
    restores: int | None = None,
    author: tuple[int | None, str] | None = None,
    approved_by: tuple[int, str] | None = None,
) -> PolicyVersion:
    """Write the change, raise the version and record it (one version, one audit event)."""
    actor = uow.require_actor()
    session = uow.session
    author_id, author_name = author if author is not None else ((actor.id if actor.kind == "user" else None), actor.display_name)
    for line in outcome.removed:
        padded = [*line[1:], *[""] * (6 - len(line) + 1)]
        await session.execute(
            delete(CasbinRule).where(CasbinRule.ptype == line[0], *(getattr(CasbinRule, f"v{i}") == v for i, v in enumerate(padded)))
        )
    for line in outcome.added:
        session.add(CasbinRule(ptype=line[0], **{f"v{i}": v for i, v in enumerate(line[1:])}))
    await session.execute(update(PolicyState).where(PolicyState.id == 1).values(version=PolicyState.version + 1))
    number = int((await session.execute(select(PolicyState.version).where(PolicyState.id == 1))).scalar_one())
    version = PolicyVersion(
        number=number,
        kind=kind,
        created_at=uow.now,
        author_id=author_id,
        author_name=author_name[:100],
        approved_by_id=approved_by[0] if approved_by else None,
        approved_by_name=approved_by[1][:100] if approved_by else None,
        comment=comment,
        restores=restores,
        added=_json(outcome.added),
        removed=_json(outcome.removed),
        lines=_json(outcome.lines),
    )
    session.add(version)
    await session.flush()
    uow.policy_changed = True
    uow.audit(
        "PolicyVersion",
        number,
        {
            "kind": kind,
            "comment": comment,
            "added": [list(line) for line in outcome.added],
            "removed": [list(line) for line in outcome.removed],
            **({"restores": restores} if restores is not None else {}),
            **({"approved_by": approved_by[1]} if approved_by else {}),
        },
    )
    await _tell(uow, version, outcome, author_id)
    return version


async def _tell(uow: UnitOfWork, version: PolicyVersion, outcome: Outcome, author_id: int | None) -> None:
    """The other policy administrators of the author's region hear of every version; a person
    hears of the roles granted to them or taken away."""
    actor = uow.require_actor()
    admins = [uid for uid in await outbox.users_with_role_covering(uow, "policy_admin", actor.region_code) if uid != author_id]
    payload = {
        "number": version.number,
        "kind": version.kind,
        "author": version.author_name,
        "added": len(outcome.added),
        "removed": len(outcome.removed),
        "comment": version.comment,
    }
    outbox.record(uow, "policy.changed", "PolicyVersion", version.number, payload, admins, region_code=actor.region_code)
    for event, lines in (("role.granted", outcome.added), ("role.revoked", outcome.removed)):
        for line in lines:
            grant = Grant.of_line(line)
            if grant is None:
                continue
            detail = {
                "role": grant.role,
                "region": grant.region,
                "starts_on": grant.starts_on.isoformat() if grant.starts_on else "",
                "ends_on": grant.ends_on.isoformat() if grant.ends_on else "",
                "by": version.author_name,
            }
            outbox.record(uow, event, "PolicyVersion", version.number, detail, [grant.user_id], region_code=grant.region)


def _json(lines: Iterable[Line]) -> str:
    return json.dumps([list(line) for line in lines], ensure_ascii=False)


def lines_of_json(text: str) -> list[Line]:
    return [tuple(line) for line in json.loads(text)]


async def submit(
    uow: UnitOfWork,
    operations: dict[str, str],
    kind: str,
    changes: list[Change],
    comment: str,
    *,
    restores: int | None = None,
    where: str = "changes",
) -> tuple[PolicyVersion | None, object | None]:
    """Check ``changes`` in full and by the guards; then apply them (a new version) or, with
    the four-eyes rule on, record them for a second policy administrator. Returns (version,
    None) or (None, pending change)."""
    known_ = await known(uow, operations)
    outcome = outcome_of(Author.of(uow.require_actor()), known_, await current_lines(uow), changes, where)
    guard(known_, outcome.lines, today_in_china(uow.now), where)
    if uow.settings.policy_four_eyes:
        from resolvers.permissions import pending

        return None, await pending.propose(uow, kind, changes, comment, restores)
    return await apply(uow, kind, outcome, comment, restores=restores), None


# -- the policy as a file -------------------------------------------------------------------------


def export_csv(lines: Iterable[Line]) -> str:
    """The policy as Casbin's CSV: one line per row, values separated by ``, ``."""
    return "".join(", ".join(line) + "\n" for line in sorted_lines(lines))


def replacing(current: list[Line], wanted: list[Line]) -> list[Change]:
    """The changes that turn ``current`` into ``wanted``."""
    now, then = set(current), set(wanted)
    return [Change("remove", line) for line in sorted_lines(now - then)] + [Change("add", line) for line in sorted_lines(then - now)]


def checked_file(author: Author, known_: Known, current: list[Line], text: str) -> list[Change]:
    """The changes an imported file makes, every line of it checked first as a line of a
    policy (``csv[n]`` names the file's line): nothing is applied unless all of it is good."""
    present = set(current)
    numbered: list[tuple[int, Line]] = []
    problems: list[Problem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = next(csv.reader(io.StringIO(raw), skipinitialspace=True), [])
        numbered.append((number, tuple(cell.strip() for cell in cells)))
    roles = role_names(line for _, line in numbered)
    seen: dict[Line, int] = {}
    for number, line in numbered:
        where = f"csv[{number}]"
        if not line:
            problems.append(_invalid(where, "empty line"))
            continue
        if line in seen:
            problems.append(Problem("POLICY_CHANGE_DUPLICATE", where))
            continue
        seen[line] = number
        if line in present:
            continue  # kept as it is, whoever's region it lies in
        problems += check_line(line, where, known_, roles, author)
    if problems:
        raise UserErrors(problems)
    return replacing(current, [line for _, line in numbered])
