"""The live policy: Casbin over the rules stored in the database.

The database is the source of truth. Each process keeps an enforcer built from it, with
the policy version (``policy_state``) it was built at. Requests never wait for a reload:

- the first request of a process loads the policy; after that, a request that finds the
  loaded policy older than ``policy_cache_seconds`` starts a background check of the
  version and carries on with the policy it has;
- a new enforcer is built in a worker thread, off the event loop, and swapped in whole;
- the process that edits the policy reloads at once, after its commit, and tells the
  others (``on_change``: Redis pub/sub when configured), who reload in the background.

Decisions are cached per loaded policy by (roles, region, operation, action).
"""

from __future__ import annotations

import asyncio
import csv
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import casbin
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.permissions import CasbinRule, PolicyState, line_values

log = logging.getLogger("smallworks.policy")

POLICY_DIR = Path(__file__).resolve().parent
MODEL_PATH = POLICY_DIR / "model.conf"
LINES_DIR = POLICY_DIR / "lines"

ACTIONS = {"Query": "read", "Mutation": "write", "Subscription": "subscribe"}


def region_prefix(code: str) -> str:
    """The prefix a region code covers: 320583 → 320583, 320500 → 3205, 320000 → 32, 000000 → ''."""
    while code.endswith("00"):
        code = code[:-2]
    return code


def region_match(request_region: str, policy_region: str) -> bool:
    if policy_region == "*":
        return True
    return request_region.startswith(region_prefix(policy_region))


def read_policy_file(path: Path) -> list[list[str]]:
    """Lines of a Casbin CSV policy file as lists: ``[ptype, v0, v1, ...]``."""
    lines = []
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.reader(line for line in fh if line.strip() and not line.lstrip().startswith("#")):
            lines.append([cell.strip() for cell in row])
    return lines


def domain_lines(domain: str) -> list[list[str]]:
    """The default policy lines of one domain (``policies/lines/<domain>.csv``)."""
    return read_policy_file(LINES_DIR / f"{domain}.csv")


def default_lines() -> list[list[str]]:
    """Every domain's default policy lines: the policy a new database starts with."""
    lines: list[list[str]] = []
    for path in sorted(LINES_DIR.glob("*.csv")):
        lines += read_policy_file(path)
    return lines


USER_SUBJECT = "user:"


@dataclass(frozen=True)
class Grant:
    """A role granted to one person in a region (``g, user:<id>, role, region[, starts_on[,
    ends_on]]``), in force from ``starts_on`` to ``ends_on`` inclusive (China dates; either
    open when empty)."""

    user_id: int
    role: str
    region: str
    starts_on: date | None = None
    ends_on: date | None = None

    def in_force(self, today: date) -> bool:
        return (self.starts_on is None or self.starts_on <= today) and (self.ends_on is None or today <= self.ends_on)

    @classmethod
    def of_line(cls, line: Sequence[str]) -> Grant | None:
        """The grant a policy line makes, or None if it is no grant (or a malformed one, which
        grants nothing)."""
        if len(line) < 4 or line[0] != "g" or not line[1].startswith(USER_SUBJECT) or not line[1][len(USER_SUBJECT) :].isdigit():
            return None
        dates = [*line[4:6], "", ""][:2]
        try:
            starts_on, ends_on = (date.fromisoformat(d) if d else None for d in dates)
        except ValueError:
            return None
        return cls(int(line[1][len(USER_SUBJECT) :]), line[2], line[3], starts_on, ends_on)


def is_grant(line: Sequence[str]) -> bool:
    """Whether a policy line grants a role to a person (``g, user:<id>, …``)."""
    return len(line) > 1 and line[0] == "g" and line[1].startswith(USER_SUBJECT)


def build_enforcer(rules: Iterable[list[str]]) -> casbin.Enforcer:
    """Casbin over the policy's permission and role-inheritance lines. The grants to people
    are not in it: whether one is in force depends on the day (``LoadedPolicy.grants``)."""
    enforcer = casbin.Enforcer(str(MODEL_PATH))
    enforcer.add_function("regionMatch", region_match)
    enforcer.add_named_domain_matching_func("g", region_match)
    enforcer.enable_auto_save(False)
    by_type: dict[str, list[list[str]]] = {}
    for ptype, *values in rules:
        if is_grant([ptype, *values]):
            continue
        by_type.setdefault(ptype, []).append(values)
    for ptype, lines in by_type.items():
        if ptype.startswith("p"):
            enforcer.add_named_policies(ptype, lines)
        else:
            enforcer.add_named_grouping_policies(ptype, lines)
    return enforcer


def grants_by_user(rules: Iterable[Sequence[str]]) -> dict[int, tuple[Grant, ...]]:
    """The grants the lines make, by the person they are made to."""
    by_user: dict[int, list[Grant]] = {}
    for line in rules:
        grant = Grant.of_line(line)
        if grant is not None:
            by_user.setdefault(grant.user_id, []).append(grant)
    return {user: tuple(grants) for user, grants in by_user.items()}


@dataclass(frozen=True)
class LoadedPolicy:
    enforcer: casbin.Enforcer
    version: int
    decisions: dict[tuple[frozenset[str], str, str, str], bool]
    # Every line as stored (``[ptype, v0, …]``), and the grants to people by user.
    lines: tuple[tuple[str, ...], ...] = ()
    grants: dict[int, tuple[Grant, ...]] = field(default_factory=dict)


Sessions = Callable[[], AbstractAsyncContextManager[AsyncSession]]


class PolicyEngine:
    def __init__(self, cache_seconds: float, sessions: Sessions | None = None):
        self.cache_seconds = cache_seconds
        self.sessions = sessions
        # Called after this process changed the policy (to tell the other processes).
        self.on_change: Callable[[], Awaitable[None]] | None = None
        self._loaded: LoadedPolicy | None = None
        self._checked_at = 0.0
        self._load_lock = asyncio.Lock()
        self._background: asyncio.Task | None = None
        self.reloads = 0

    @property
    def version(self) -> int | None:
        return self._loaded.version if self._loaded else None

    @property
    def stale(self) -> bool:
        return self._loaded is None or time.monotonic() - self._checked_at >= self.cache_seconds

    async def ready(self) -> None:
        """Make sure a policy is loaded; never wait for a refresh of one that is."""
        if self._loaded is None:
            await self.reload()
        elif self.stale:
            self.refresh_in_background()

    def refresh_in_background(self) -> None:
        """Check the version, and rebuild if it moved, without holding anyone up."""
        if self._background is None or self._background.done():
            self._checked_at = time.monotonic()  # one check at a time per cache period
            self._background = asyncio.get_running_loop().create_task(self._refresh())

    async def _refresh(self) -> None:
        try:
            if await self._current_version() != self.version:
                await self.reload()
        except Exception:
            log.exception("refreshing the policy failed")

    async def _current_version(self) -> int:
        assert self.sessions is not None, "PolicyEngine needs a session factory to read the policy"
        async with self.sessions() as session:
            return await _version(session)

    async def reload(self) -> None:
        """Read the rules and the version, build the enforcer in a worker thread, swap it in."""
        assert self.sessions is not None, "PolicyEngine needs a session factory to read the policy"
        async with self._load_lock:
            async with self.sessions() as session:
                version = await _version(session)
                rows = (await session.execute(select(CasbinRule.ptype, *RULE_COLUMNS).order_by(CasbinRule.id))).all()
            lines = [[ptype, *line_values(values)] for ptype, *values in rows]
            enforcer = await asyncio.to_thread(build_enforcer, lines)
            self._loaded = LoadedPolicy(enforcer, version, {}, tuple(tuple(line) for line in lines), grants_by_user(lines))
            self._checked_at = time.monotonic()
            self.reloads += 1

    async def changed(self) -> None:
        """This process changed the policy and committed: apply it here at once, then tell
        the other processes."""
        await self.reload()
        if self.on_change is not None:
            try:
                await self.on_change()
            except Exception:
                log.exception("announcing a policy change failed")

    def expire(self) -> None:
        """Treat the loaded policy as due for a check (another process changed it)."""
        self._checked_at = 0.0

    async def close(self) -> None:
        task, self._background = self._background, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    @property
    def loaded(self) -> LoadedPolicy | None:
        """The policy this process enforces now (None until loaded)."""
        return self._loaded

    def grants_of(self, user_id: int, today: date) -> tuple[tuple[str, str], ...]:
        """The (role, region) grants to ``user_id`` in force on ``today`` (a China date)."""
        loaded = self._loaded
        if loaded is None:
            return ()
        return tuple((g.role, g.region) for g in loaded.grants.get(user_id, ()) if g.in_force(today))

    def allows(self, roles: Iterable[str], region: str, obj: str, act: str) -> bool:
        loaded = self._loaded
        if loaded is None:
            return False  # deny until the policy is loaded
        key = (frozenset(roles), region, obj, act)
        decision = loaded.decisions.get(key)
        if decision is None:
            enforcer = loaded.enforcer
            # Casbin evaluates its matcher against every line; a page of 100 rows asks the
            # same guarded-field question 100 times.
            decision = loaded.decisions[key] = any(bool(enforcer.enforce(role, region, obj, act)) for role in key[0])
        return decision


RULE_COLUMNS = (CasbinRule.v0, CasbinRule.v1, CasbinRule.v2, CasbinRule.v3, CasbinRule.v4, CasbinRule.v5)


async def _version(session: AsyncSession) -> int:
    return int((await session.execute(select(PolicyState.version).where(PolicyState.id == 1))).scalar_one_or_none() or 0)
