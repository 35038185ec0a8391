"""State machines declared as data: which action moves an entity from which statuses to
which status. Each entity has one machine; every status change goes through it.

Later modules extend a machine instead of editing it, e.g. the tender module adds
``Transition("start_tendering", {"approved"}, "tendering")`` to the project machine and
lets ``cancel`` start from ``tendering`` too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from resolvers.core.context import UnitOfWork
from resolvers.core.errors import Problem, UserErrors
from resolvers.core.i18n import Label


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str

    def __init__(self, action: str, sources, target: str):
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "sources", frozenset(sources))
        object.__setattr__(self, "target", target)


class StateMachine:
    """Messages name the machine's entity, statuses and actions by their labels
    (``resolvers.core.i18n.register_labels``): the entity in the ``ObjectType`` set, the
    statuses in ``<entity>Status`` and the actions in ``<entity>Action`` unless other sets
    are named."""

    def __init__(self, entity: str, transitions: list[Transition], *, statuses: str | None = None, actions: str | None = None):
        self.entity = entity
        self.statuses = statuses or f"{entity}Status"
        self.actions = actions or f"{entity}Action"
        self._transitions: dict[str, Transition] = {}
        self.add(*transitions)

    def add(self, *transitions: Transition) -> None:
        for transition in transitions:
            if transition.action in self._transitions:
                raise ValueError(f"{self.entity} already has an action {transition.action!r}")
            self._transitions[transition.action] = transition

    def allow_from(self, action: str, *statuses: str) -> None:
        """Let an existing action start from more statuses."""
        t = self._transitions.get(action)
        if t is None:
            raise ValueError(f"{self.entity} has no action {action!r}")
        self._transitions[action] = Transition(action, t.sources | set(statuses), t.target)

    def target(self, action: str, status: str) -> str:
        """The status ``action`` leads to from ``status``, or a user error saying it cannot."""
        transition = self._transitions.get(action)
        if transition is None or status not in transition.sources:
            params = {
                "entity": Label("ObjectType", self.entity),
                "action": Label(self.actions, action),
                "status": Label(self.statuses, status),
            }
            raise UserErrors(Problem("INVALID_TRANSITION", "status", params))
        return transition.target

    def apply(
        self,
        uow: UnitOfWork,
        row: Any,
        action: str,
        history: type,
        subject: str,
        comment: str | None = None,
        *,
        region_code: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """Move ``row`` (with ``status``, and ``updated_at`` if it has one) by ``action``, add
        its status-history row (model ``history``, whose ``subject`` column names the row, with
        ``extra`` columns), and audit the change in ``region_code`` (the row's own by
        default); returns the status it left. Every entity with a lifecycle records its moves
        this way."""
        before = row.status
        row.status = self.target(action, before)
        if hasattr(row, "updated_at"):
            row.updated_at = uow.now
        actor = uow.require_actor()
        uow.session.add(
            history(
                **{subject: row.id},
                **(extra or {}),
                from_status=before,
                to_status=row.status,
                action=action,
                actor_id=actor.id,
                actor_name=actor.display_name,
                comment=comment,
                occurred_at=uow.now,
            )
        )
        changes = {"status": {"before": before, "after": row.status}, "action": action, "comment": comment}
        uow.audit(self.entity, row.id, changes, region_code=region_code or row.region_code)
        return before

    def allows(self, action: str, status: str) -> bool:
        transition = self._transitions.get(action)
        return transition is not None and status in transition.sources

    def actions_from(self, status: str) -> list[str]:
        return sorted(a for a, t in self._transitions.items() if status in t.sources)

    @property
    def transitions(self) -> list[Transition]:
        return list(self._transitions.values())
