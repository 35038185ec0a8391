"""What every resolver function receives: who acts, about which request, in which session."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from policies.engine import region_prefix

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from app.settings import Settings
    from policies.engine import PolicyEngine
    from resolvers.security.crypto import FieldCipher


@dataclass(frozen=True)
class Actor:
    """The signed-in person (kind ``user``) or integrator's API client (kind ``client``).

    ``name`` identifies them (the username, ``client:<client id>``); ``display_name`` is
    what people read where their work is recorded (status history, reviews, the audit
    trail): the person's name, the API client's name, ``name`` when there is none."""

    kind: str
    id: int
    name: str
    organisation_id: int
    organisation_kind: str
    region_code: str
    roles: frozenset[str]
    session_id: str | None = None
    scopes: frozenset[str] = frozenset()
    display_name: str = ""
    # Roles granted to this person in other regions (``g, user:<id>, role, region`` policy
    # lines in force today), as (role, region code) pairs; ``roles`` includes their roles.
    grants: tuple[tuple[str, str], ...] = ()
    # The roles held through the organisation, in its region (``roles`` less the grants').
    home_roles: frozenset[str] | None = None

    def __post_init__(self) -> None:
        # Stored in columns of 100 characters (who changed a status, decided a review, acted).
        object.__setattr__(self, "display_name", (self.display_name.strip() or self.name)[:100])
        if self.home_roles is None:
            object.__setattr__(self, "home_roles", self.roles)

    def with_grants(self, grants: Iterable[tuple[str, str]]) -> Actor:
        """This actor with the role grants in force (replacing any it had)."""
        held = tuple(sorted(set(grants)))
        home = self.home_roles if self.home_roles is not None else self.roles
        return replace(self, grants=held, home_roles=home, roles=home | {role for role, _ in held})

    def region_prefixes(self, roles: Iterable[str] | None = None) -> tuple[str, ...]:
        """The region prefixes in which the actor holds any of ``roles`` (any role when None):
        the organisation's region for its roles, each grant's region for the granted role.
        A prefix inside another one given is left out."""
        wanted = self.roles if roles is None else frozenset(roles)
        prefixes = set()
        if (self.home_roles or frozenset()) & wanted:
            prefixes.add(self.region_prefix)
        prefixes |= {region_prefix(region) for role, region in self.grants if role in wanted}
        return tuple(sorted(p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)))

    @property
    def region_prefix(self) -> str:
        return region_prefix(self.region_code)

    @property
    def read_only(self) -> bool:
        return self.kind == "client"

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


@dataclass(frozen=True)
class RequestMeta:
    request_id: str
    client_address: str | None = None
    user_agent: str | None = None
    locale: str = "zh-CN"


@dataclass
class PendingAuditEvent:
    operation: str
    target_type: str
    target_id: str
    changes: dict[str, Any]
    region_code: str | None


@dataclass
class UnitOfWork:
    """One transaction of one operation. Audit events recorded here are chained and
    written in the same transaction just before it commits (see ``resolvers.audit``)."""

    session: AsyncSession
    settings: Settings
    cipher: FieldCipher
    policy: PolicyEngine
    meta: RequestMeta
    now: datetime
    operation: str
    actor: Actor | None = None
    audit_events: list[PendingAuditEvent] = field(default_factory=list)
    policy_changed: bool = False
    rollback_hooks: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)
    commit_hooks: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)
    # Domain events recorded in this transaction (resolvers.events), dispatched after commit.
    events: list[Any] = field(default_factory=list)
    # The process's clock (``resolvers.core.clock.Clock``), for rules that must read the time
    # again after waiting for a lock (a deadline); ``now`` otherwise.
    clock: Any = None

    def current_time(self) -> datetime:
        """The time now, not when the unit of work began: after a wait for a row lock, a
        deadline is judged at the moment the row is held."""
        return self.clock.now() if self.clock is not None else self.now

    def on_rollback(self, hook: Callable[[], Awaitable[Any]]) -> None:
        """Undo a side effect outside the database (a stored file) if the transaction fails."""
        self.rollback_hooks.append(hook)

    def after_commit(self, hook: Callable[[], Awaitable[Any]]) -> None:
        """Do something outside the database once the transaction has committed (remove a
        file that no row names any more); never if it rolls back."""
        self.commit_hooks.append(hook)

    def audit(
        self,
        target_type: str,
        target_id: Any,
        changes: dict[str, Any] | None = None,
        *,
        region_code: str | None = None,
        operation: str | None = None,
    ) -> None:
        self.audit_events.append(
            PendingAuditEvent(
                operation=operation or self.operation,
                target_type=target_type,
                target_id=str(target_id),
                changes=changes or {},
                region_code=region_code if region_code is not None else (self.actor.region_code if self.actor else None),
            )
        )

    def require_actor(self) -> Actor:
        from resolvers.core.errors import Unauthenticated

        if self.actor is None:
            raise Unauthenticated()
        return self.actor


# The actor of command-line work (migrations, demo data, create-admin): audited as "system".
SYSTEM_ACTOR = Actor(
    kind="system",
    id=0,
    name="system",
    organisation_id=0,
    organisation_kind="platform",
    region_code="000000",
    roles=frozenset({"platform_admin"}),
    scopes=frozenset({"read", "write"}),
)
