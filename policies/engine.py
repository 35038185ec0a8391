"""The live policy: Casbin over the rules stored in the database.

The database is the source of truth. Each process keeps an enforcer built from it and
rebuilds it when it is older than ``policy_cache_seconds`` or when this process changed
the rules itself.
"""

from __future__ import annotations

import asyncio
import csv
import time
from collections.abc import Iterable
from pathlib import Path

import casbin
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.permissions import CasbinRule

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


def build_enforcer(rules: Iterable[list[str]]) -> casbin.Enforcer:
    enforcer = casbin.Enforcer(str(MODEL_PATH))
    enforcer.add_function("regionMatch", region_match)
    enforcer.add_named_domain_matching_func("g", region_match)
    enforcer.enable_auto_save(False)
    by_type: dict[str, list[list[str]]] = {}
    for ptype, *values in rules:
        by_type.setdefault(ptype, []).append(values)
    for ptype, lines in by_type.items():
        if ptype.startswith("p"):
            enforcer.add_named_policies(ptype, lines)
        else:
            enforcer.add_named_grouping_policies(ptype, lines)
    return enforcer


class PolicyEngine:
    def __init__(self, cache_seconds: float):
        self.cache_seconds = cache_seconds
        self._enforcer: casbin.Enforcer | None = None
        self._loaded_at = 0.0
        # Set when this process changed the rules; an explicit flag rather than a zeroed
        # timestamp, because the monotonic clock may itself be younger than the cache age.
        self._invalidated = False
        self._lock = asyncio.Lock()
        # Decisions of the loaded enforcer. Casbin evaluates its matcher against every line,
        # and a page of 100 rows asks the same guarded-field question 100 times.
        self._decisions: dict[tuple[str, str, str, str], bool] = {}

    async def refresh(self, session: AsyncSession, force: bool = False) -> None:
        if not force and not self.stale:
            return
        async with self._lock:
            if not force and not self.stale:
                return
            # Cleared before reading, so a change committed during the read marks it stale again.
            self._invalidated = False
            rows = (await session.execute(select(CasbinRule).order_by(CasbinRule.id))).scalars().all()
            self._enforcer = build_enforcer([[row.ptype, *row.values()] for row in rows])
            self._decisions = {}
            self._loaded_at = time.monotonic()

    def invalidate(self) -> None:
        self._invalidated = True

    @property
    def stale(self) -> bool:
        return self._enforcer is None or self._invalidated or time.monotonic() - self._loaded_at >= self.cache_seconds

    def allows(self, roles: Iterable[str], region: str, obj: str, act: str) -> bool:
        enforcer = self._enforcer
        if enforcer is None:
            return False  # deny until the policy is loaded
        return any(self._decide(enforcer, role, region, obj, act) for role in roles)

    def _decide(self, enforcer: casbin.Enforcer, role: str, region: str, obj: str, act: str) -> bool:
        key = (role, region, obj, act)
        decision = self._decisions.get(key)
        if decision is None:
            decision = self._decisions[key] = bool(enforcer.enforce(role, region, obj, act))
        return decision
