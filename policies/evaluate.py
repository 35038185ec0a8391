"""The policy model (``model.conf``) evaluated over a set of lines without Casbin, for the
questions an administrator asks of a policy that may not be the live one: which lines allow
an operation and through which roles (``explainPermission``), and who would gain or lose what
(``previewPolicyChange``). Casbin checks a request against every line; this indexes the lines
by operation, so that thousands of questions over a whole policy take milliseconds. The
decisions are Casbin's (a test compares them over the default policy):

    m = r.act == p.act && keyMatch(r.obj, p.obj) && regionMatch(r.dom, p.dom) && g(r.sub, p.sub, r.dom)

- a role holds itself and, through role lines ``g, role, inherited, region`` whose region
  covers the request's, the roles it inherits (transitively);
- a permission line's region covers the request's (``*`` everywhere);
- its object is the operation, or ``Type.*``;
- its action is the request's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from policies.engine import is_grant, region_match

Line = tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One role line followed from a role to the role it inherits."""

    role: str
    inherited: str
    line: Line


@dataclass(frozen=True)
class Allowance:
    """How a role is allowed an operation in a region: the role lines followed (none when the
    permission line names the role itself) and the permission line."""

    role: str
    steps: tuple[Step, ...]
    line: Line


@dataclass
class PolicyModel:
    """The permission and role-inheritance lines of a policy, indexed."""

    lines: Iterable[Iterable[str]]
    by_object: dict[tuple[str, str], list[Line]] = field(init=False, default_factory=dict)
    wildcards: list[Line] = field(init=False, default_factory=list)
    inherits: list[Line] = field(init=False, default_factory=list)
    _decisions: dict[tuple[str, str, str, str], Allowance | None] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        for raw in self.lines:
            line = tuple(raw)
            if line[0] == "p" and len(line) >= 5:
                if line[3].endswith("*"):
                    self.wildcards.append(line)
                else:
                    self.by_object.setdefault((line[3], line[4]), []).append(line)
            elif line[0] == "g" and len(line) >= 4 and not is_grant(list(line)):
                self.inherits.append(line)

    def permission_lines(self, operation: str, action: str) -> list[Line]:
        """The permission lines for ``operation`` and ``action``, whoever and wherever."""
        exact = self.by_object.get((operation, action), [])
        return exact + [line for line in self.wildcards if line[4] == action and operation.startswith(line[3][:-1])]

    def held(self, role: str, region: str) -> dict[str, tuple[Step, ...]]:
        """Every role ``role`` holds in ``region`` (itself, and what it inherits through role
        lines covering the region), each with the role lines that lead to it."""
        reached: dict[str, tuple[Step, ...]] = {role: ()}
        frontier = [role]
        while frontier:
            current = frontier.pop()
            for line in self.inherits:
                if line[1] == current and line[2] not in reached and region_match(region, line[3]):
                    reached[line[2]] = (*reached[current], Step(current, line[2], line))
                    frontier.append(line[2])
        return reached

    def allowance(self, role: str, region: str, operation: str, action: str) -> Allowance | None:
        """How ``role`` acting in ``region`` is allowed ``operation``, or None if it is not."""
        key = (role, region, operation, action)
        if key not in self._decisions:
            found = None
            candidates = self.permission_lines(operation, action)
            if candidates:
                held = self.held(role, region)
                for line in candidates:
                    if line[1] in held and region_match(region, line[2]):
                        found = Allowance(role, held[line[1]], line)
                        break
            self._decisions[key] = found
        return self._decisions[key]

    def allows(self, roles: Iterable[str], region: str, operation: str, action: str) -> bool:
        return any(self.allowance(role, region, operation, action) is not None for role in roles)
