"""The node limit: how many objects a query may ask for, bounded before anything runs.

A connection returns at most ``first`` (or ``last``) nodes, its page size when neither is
given; a connection nested in another is asked for once per node of its parent. The nodes
an operation may return are the sum, over its connections, of each one's size times the
sizes of the connections it is nested in (the rule GitHub's API applies). ``nodes(ids:)``
asks for one node per ID. Lists that take no page arguments are bounded by the data, not
by the request, and add no factor.

``first: 100`` at three levels asks for 100 + 100² + 100³ = 1,010,100 nodes, refused under
the default limit of 50,000 (``SMALLWORKS_MAX_QUERY_NODES``) before any statement runs; an
operation that fits reports what it asked for in ``extensions.cost``.

The walk over the document is done once per (document, operation) and kept; a request
only puts its variables' values into it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from threading import Lock
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    value_from_ast_untyped,
)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from resolvers.core.errors import DomainError

PAGE_ARGUMENTS = ("first", "last")
ID_LIST_ARGUMENT = "ids"


class NodeLimitExceeded(DomainError):
    graphql_code = "GRAPHQL_VALIDATION_FAILED"

    def __init__(self, nodes: int, limit: int):
        super().__init__("MAX_NODE_LIMIT_EXCEEDED", nodes=nodes, limit=limit)


@dataclass(frozen=True)
class _Sized:
    """A field that multiplies what is below it: a connection (``size`` from its page
    arguments) or a field taking a list of IDs (``ids``)."""

    size: tuple[str, ValueNode | None] | None  # (argument, value) as written; None: no argument given
    ids: ValueNode | None
    below: tuple[_Sized, ...]


@dataclass(frozen=True)
class CostPlan:
    """The sized fields of one operation, and its variables' defaults."""

    fields: tuple[_Sized, ...]
    defaults: Mapping[str, Any]

    def nodes(self, variables: Mapping[str, Any] | None, default_size: int) -> int:
        values = {**self.defaults, **(variables or {})}
        return sum(self._count(field, values, default_size, 1) for field in self.fields)

    def _count(self, field: _Sized, values: Mapping[str, Any], default_size: int, times: int) -> int:
        if field.ids is not None:
            ids = _value(field.ids, values)
            size = len(ids) if isinstance(ids, list) else 1
        elif field.size is not None:
            given = _value(field.size[1], values) if field.size[1] is not None else None
            # A value that is not a count is refused by the field itself; count it as the
            # page size meanwhile.
            size = given if isinstance(given, int) and not isinstance(given, bool) and given >= 0 else default_size
        else:
            size = default_size
        here = times * size
        return here + sum(self._count(child, values, default_size, here) for child in field.below)


def _value(node: ValueNode | None, values: Mapping[str, Any]) -> Any:
    if node is None:
        return None
    if isinstance(node, VariableNode):
        return values.get(node.name.value)
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, ListValueNode):
        return [None] * len(node.values)
    return value_from_ast_untyped(node, dict(values))


class _Walk:
    """Collects the sized fields of selection sets, with fragments expanded (each one
    walked once; a cycle counts as nothing, graphql-core refuses it)."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]):
        self.fragments = fragments
        self._memo: dict[str, tuple[_Sized, ...]] = {}
        self._open: set[str] = set()

    def sized(self, selection_set: SelectionSetNode | None) -> tuple[_Sized, ...]:
        found: list[_Sized] = []
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                below = self.sized(selection.selection_set)
                arguments = {a.name.value: a.value for a in selection.arguments or ()}
                if ID_LIST_ARGUMENT in arguments:
                    found.append(_Sized(None, arguments[ID_LIST_ARGUMENT], below))
                elif any(name in arguments for name in PAGE_ARGUMENTS) or _is_connection(selection):
                    name = next((n for n in PAGE_ARGUMENTS if n in arguments), None)
                    found.append(_Sized((name, arguments[name]) if name else None, None, below))
                else:
                    found.extend(below)
            elif isinstance(selection, InlineFragmentNode):
                found.extend(self.sized(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                found.extend(self._fragment(selection.name.value))
        return tuple(found)

    def _fragment(self, name: str) -> tuple[_Sized, ...]:
        if name in self._memo:
            return self._memo[name]
        if name in self._open or name not in self.fragments:
            return ()
        self._open.add(name)
        self._memo[name] = self.sized(self.fragments[name].selection_set)
        self._open.discard(name)
        return self._memo[name]


def _is_connection(field: FieldNode) -> bool:
    """A field selecting ``edges`` or ``nodes`` (directly) is a connection even when it is
    given no page argument: it returns its default page."""
    selections = field.selection_set.selections if field.selection_set else ()
    return any(isinstance(s, FieldNode) and s.name.value in ("edges", "nodes") for s in selections)


def plan_cost(document: DocumentNode, operation_name: str | None) -> CostPlan:
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = next((o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)), None)
    if chosen is None:
        return CostPlan((), {})
    defaults = {
        v.variable.name.value: value_from_ast_untyped(v.default_value)
        for v in chosen.variable_definitions or ()
        if v.default_value is not None
    }
    return CostPlan(_Walk(fragments).sized(chosen.selection_set), defaults)


class CostPlans:
    """Cost plans by (document, operation name), a bounded LRU. A document is the cached
    parse of one text (``DocumentCache``), so its identity names it; the entry keeps the
    document alive while it names it."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._plans: OrderedDict[tuple[int, str | None], tuple[DocumentNode, CostPlan]] = OrderedDict()
        self._lock = Lock()

    def get(self, document: DocumentNode, operation_name: str | None) -> CostPlan:
        key = (id(document), operation_name)
        with self._lock:
            entry = self._plans.get(key)
            if entry is not None and entry[0] is document:
                self._plans.move_to_end(key)
                return entry[1]
        plan = plan_cost(document, operation_name)
        with self._lock:
            self._plans[key] = (document, plan)
            while len(self._plans) > self.maxsize:
                self._plans.popitem(last=False)
        return plan


@dataclass(frozen=True)
class NodeLimit:
    """The limit of one schema: the page size a connection without arguments returns, and
    the most nodes an operation may ask for."""

    limit: int
    default_size: int
    plans: CostPlans

    def measure(self, document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any] | None) -> int:
        return self.plans.get(document, operation_name).nodes(variables, self.default_size)

    def report(self, nodes: int) -> dict[str, int]:
        """``extensions.cost`` of an operation."""
        return {"requestedNodes": nodes, "limit": self.limit}

    def extension(self) -> type[SchemaExtension]:
        limit = self

        class NodeLimitExtension(SchemaExtension):
            """Refuses an operation that asks for more nodes than the limit before it
            executes (the permission gate and every resolver see nothing of it), and reports
            the count in ``extensions.cost``."""

            nodes: int | None = None

            def on_execute(self) -> Iterator[None]:
                ec = self.execution_context
                if ec.graphql_document is not None and ec.result is None:
                    variables = ec.variables if isinstance(ec.variables, Mapping) else None
                    self.nodes = limit.measure(ec.graphql_document, ec.operation_name, variables)
                    if self.nodes > limit.limit:
                        refusal = NodeLimitExceeded(self.nodes, limit.limit)
                        if ec.operation_type == OperationType.SUBSCRIPTION:
                            raise refusal  # the stream never opens
                        # A result set before execution is the answer: nothing executes, and
                        # the gate (after this extension) decides nothing, so no statement runs.
                        error = GraphQLError(refusal.code, original_error=refusal)
                        ec.result = GraphQLExecutionResult(data=None, errors=[error])
                yield

            def get_results(self) -> dict[str, Any]:
                return {"cost": limit.report(self.nodes)} if self.nodes is not None else {}

        return NodeLimitExtension
