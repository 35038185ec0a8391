"""The compiled path for known query documents.

graphql-core executes a document field by field: for a page of 100 projects with their
line items, history and documents that is ~5,300 resolver calls, each with its info
object, completion checks and bookkeeping. Most of those fields are plain attributes of
rows. A known document (one this process has parsed and validated before, so it is in the
document cache) is compiled once into a plan: per selected field, either the attribute to
read or the resolver to call, and how to serialise the value. Running a plan reads the
attributes directly, calls the resolvers level by level (every resolver of one level is
started before any is awaited, so DataLoaders batch exactly as they do in graphql-core),
and builds the response dictionary in selection order.

A plan gives the same response as the general executor or none at all: anything it does
not support (directives, introspection, merged object fields, abstract types it cannot
place) makes the document uncompilable, and anything unexpected at run time (a refused
root field, an error in a resolver, a null where the schema promises a value) makes it
give up, and the request runs on the general executor, which reports it as usual.
Queries have no side effects, so running the general path after a give-up is safe.
"""

from __future__ import annotations

import asyncio
import inspect
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from threading import Lock
from typing import Any, TypeGuard

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import get_argument_values, get_variable_values
from graphql.pyutils import Path
from graphql.type.definition import GraphQLResolveInfoHelpers
from strawberry.types import Info as StrawberryInfo
from strawberry.types import get_object_definition
from strawberry.utils.str_converters import to_camel_case

from schema.core.extensions import decide_root_fields
from schema.core.fields import LOADS

_BUILTIN_SCALARS = (bool, int, float, str)


def _unfinished(value: Any, following: list) -> Any:
    raise GiveUp  # a field planned without a completion (never: every planned field gets one)


class GiveUp(Exception):
    """The plan cannot answer this request as the general executor would: run that one."""


@dataclass
class FieldPlan:
    key: str
    name: str
    node: FieldNode | None
    definition: GraphQLField | None
    parent: GraphQLObjectType | None
    attribute: str | None = None  # read this attribute instead of calling a resolver
    serialize: Callable[[Any], Any] | None = None  # leaf fields
    children: dict[str, list[FieldPlan]] = field(default_factory=dict)  # object type name -> fields
    has_arguments: bool = False
    # A resolver called as the plain function it is (no strawberry wrapper): the function,
    # whether it takes ``info``, and GraphQL argument name -> Python parameter name.
    function: Callable[..., Any] | None = None
    takes_info: bool = False
    parameters: dict[str, str] = field(default_factory=dict)
    strawberry_field: Any = None
    # A field declared with ``fields.loaded``: (loader, row attribute of the key, wrap)
    loads: tuple[str, str, Callable[[Any], Any]] | None = None
    # value -> its JSON form, scheduling object values' fields on the next level
    finish: Callable[[Any, list], Any] = field(default_factory=lambda: _unfinished)


@dataclass
class Plan:
    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]
    root: GraphQLObjectType
    fields: list[FieldPlan]


def compile_document(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None) -> Plan | None:
    """A plan for the query operation of ``document``, or None when it cannot have one."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    if len(chosen) != 1 or (operation_name is None and len(operations) != 1):
        return None
    operation = chosen[0]
    if operation.operation != OperationType.QUERY or schema.query_type is None or _has_directives(document):
        return None
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    compiler = _Compiler(schema, fragments)
    try:
        fields = compiler.fields(operation.selection_set, schema.query_type)
    except GiveUp:
        return None
    return Plan(operation, fragments, schema.query_type, fields)


def _has_directives(node: Any) -> bool:
    if getattr(node, "directives", None):
        return True
    for key in getattr(node, "keys", ()):
        value = getattr(node, key, None)
        if isinstance(value, tuple | list):
            if any(_has_directives(item) for item in value if hasattr(item, "keys")):
                return True
        elif hasattr(value, "keys") and key != "loc" and _has_directives(value):
            return True
    return False


class _Compiler:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]):
        self.schema = schema
        self.fragments = fragments

    def fields(self, selection_set: SelectionSetNode, parent: GraphQLObjectType) -> list[FieldPlan]:
        planned: dict[str, FieldPlan] = {}
        for node in self._collect(selection_set, parent, set()):
            key = node.alias.value if node.alias else node.name.value
            if key in planned:
                # The same key twice is merged by GraphQL; only identical leaves are simple.
                other = planned[key]
                if (
                    other.node is None
                    or other.children
                    or node.selection_set
                    or other.name != node.name.value
                    or node.arguments
                    or other.has_arguments
                ):
                    raise GiveUp
                continue
            planned[key] = self._field(key, node, parent)
        return list(planned.values())

    def _collect(self, selection_set: SelectionSetNode, parent: GraphQLObjectType, seen: set[str]) -> list[FieldNode]:
        nodes: list[FieldNode] = []
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                nodes.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if selection.type_condition is None or self._applies(selection.type_condition.name.value, parent):
                    nodes += self._collect(selection.selection_set, parent, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    raise GiveUp
                if self._applies(fragment.type_condition.name.value, parent):
                    nodes += self._collect(fragment.selection_set, parent, seen | {name})
        return nodes

    def _direct(self, plan: FieldPlan, strawberry_field: Any) -> None:
        """Call a nested field's resolver as the plain method it is, when strawberry's
        wrapper would only pass ``self``, ``info`` and builtin scalar arguments through."""
        resolver = strawberry_field.base_resolver
        if resolver is None or resolver.root_parameter is not None or strawberry_field.extensions:
            return
        parameters = {}
        for argument in strawberry_field.arguments:
            if argument.type not in _BUILTIN_SCALARS:
                return
            parameters[argument.graphql_name or to_camel_case(argument.python_name)] = argument.python_name
        plan.function = resolver.wrapped_func
        plan.takes_info = resolver.info_parameter is not None
        plan.parameters = parameters

    def _applies(self, condition: str, parent: GraphQLObjectType) -> bool:
        if condition == parent.name:
            return True
        conditional = self.schema.get_type(condition)
        return isinstance(conditional, GraphQLAbstractType) and self.schema.is_sub_type(conditional, parent)

    def _field(self, key: str, node: FieldNode, parent: GraphQLObjectType) -> FieldPlan:
        name = node.name.value
        if name == "__typename":
            return FieldPlan(key, name, None, None, parent)
        if name.startswith("__") or name not in parent.fields:
            raise GiveUp
        definition = parent.fields[name]
        plan = FieldPlan(key, name, node, definition, parent, has_arguments=bool(definition.args))
        strawberry_field = (definition.extensions or {}).get("strawberry-definition")
        plan.strawberry_field = strawberry_field
        if getattr(definition.resolve, "_is_default", False) and strawberry_field is not None and not strawberry_field.base_resolver:
            plan.attribute = strawberry_field.python_name
        elif parent is not self.schema.query_type and strawberry_field is not None:
            resolver = strawberry_field.base_resolver
            plan.loads = getattr(resolver.wrapped_func, LOADS, None) if resolver is not None else None
            if plan.loads is None:
                self._direct(plan, strawberry_field)
        named = get_named_type(definition.type)
        if isinstance(named, GraphQLScalarType | GraphQLEnumType):
            plan.serialize = named.serialize
            if node.selection_set:
                raise GiveUp
        elif isinstance(named, GraphQLObjectType):
            if node.selection_set is None:
                raise GiveUp
            plan.children[named.name] = self.fields(node.selection_set, named)
        elif isinstance(named, GraphQLAbstractType):
            if node.selection_set is None:
                raise GiveUp
            for possible in self.schema.get_possible_types(named):
                plan.children[possible.name] = self.fields(node.selection_set, possible)
        else:
            raise GiveUp
        plan.finish = _finisher(plan, definition.type)
        return plan


def _finisher(plan: FieldPlan, return_type: GraphQLOutputType) -> Callable[[Any, list], Any]:
    """How to complete a value of ``return_type``, decided once per field: the same steps
    graphql-core takes, without looking at the type again for every value."""
    if isinstance(return_type, GraphQLNonNull):
        inner = _finisher(plan, return_type.of_type)

        def non_null(value: Any, following: list) -> Any:
            completed = inner(value, following)
            if completed is None:
                raise GiveUp  # graphql-core would report an error here
            return completed

        return non_null
    if isinstance(return_type, GraphQLList):
        item = _finisher(plan, return_type.of_type)
        return lambda value, following: None if value is None else [item(v, following) for v in value]
    if plan.serialize is not None:
        serialize = plan.serialize
        return lambda value, following: None if value is None else serialize(value)
    if isinstance(return_type, GraphQLObjectType):
        name, fields = return_type.name, plan.children[return_type.name]

        def object_value(value: Any, following: list) -> Any:
            if value is None:
                return None
            out: dict[str, Any] = {}
            following.append((fields, value, out, name))
            return out

        return object_value
    children = plan.children

    def abstract_value(value: Any, following: list) -> Any:
        if value is None:
            return None
        name = _type_name(value)
        fields = children.get(name) if name else None
        if fields is None:
            raise GiveUp
        out: dict[str, Any] = {}
        following.append((fields, value, out, name))
        return out

    return abstract_value


_TYPE_NAMES: dict[type, str | None] = {}


def _type_name(value: Any) -> str | None:
    cls = type(value)
    if cls not in _TYPE_NAMES:
        definition = get_object_definition(cls)
        _TYPE_NAMES[cls] = definition.name if definition else None
    return _TYPE_NAMES[cls]


async def settle(awaitables: list[Any]) -> list[Any]:
    """The results of many awaitables, like ``asyncio.gather``, without a task for each.

    A level of a page starts hundreds of resolver coroutines that each await one DataLoader
    future. Wrapping each in a task costs more than the resolver itself; instead the
    coroutines are stepped here: each runs to the future it waits for, one wait covers
    them all (DataLoader batches them meanwhile), and each is resumed once its future is
    done. The first exception is raised, as with ``gather``."""
    results: list[Any] = [None] * len(awaitables)
    running: list[tuple[int, Any]] = []
    others: list[tuple[int, Any]] = []
    for index, awaitable in enumerate(awaitables):
        if inspect.iscoroutine(awaitable):
            running.append((index, awaitable))
        else:
            others.append((index, awaitable))
    if others:
        for (index, _), value in zip(others, await asyncio.gather(*(a for _, a in others)), strict=True):
            results[index] = value
    try:
        while running:
            waiting: list[tuple[int, Any]] = []
            futures: set[asyncio.Future] = set()
            for index, coroutine in running:
                try:
                    yielded = coroutine.send(None)
                except StopIteration as done:
                    results[index] = done.value
                    continue
                waiting.append((index, coroutine))
                if yielded is not None:
                    yielded._asyncio_future_blocking = False  # we wait for it, as a task would
                    futures.add(yielded)
            if waiting:
                if futures:
                    await asyncio.wait(futures)
                else:
                    await asyncio.sleep(0)
            running = waiting
    finally:
        for _, coroutine in running:
            coroutine.close()
    return results


def _is_awaitable(value: Any) -> TypeGuard[Awaitable[Any]]:
    return inspect.isawaitable(value)


def _gather(values):
    return asyncio.gather(*values)


_HELPERS = GraphQLResolveInfoHelpers(gather=_gather, track=lambda values: None)


class _Run:
    def __init__(self, plan: Plan, schema: GraphQLSchema, context: Any, variables: Any):
        self.plan = plan
        self.schema = schema
        self.context = context
        self.variables = variables
        self._infos: dict[int, GraphQLResolveInfo] = {}
        self._strawberry_infos: dict[int, Any] = {}
        self._arguments: dict[int, dict[str, Any]] = {}

    def info(self, plan: FieldPlan) -> GraphQLResolveInfo:
        info = self._infos.get(id(plan))
        if info is None:
            assert plan.node is not None and plan.definition is not None and plan.parent is not None
            info = self._infos[id(plan)] = GraphQLResolveInfo(
                plan.name,
                [plan.node],
                plan.definition.type,
                plan.parent,
                Path(None, plan.key, plan.parent.name),
                self.schema,
                self.plan.fragments,
                None,
                self.plan.operation,
                self.variables,
                self.context,
                _is_awaitable,
                None,
                _HELPERS,
            )
        return info

    def strawberry_info(self, plan: FieldPlan) -> Any:
        info = self._strawberry_infos.get(id(plan))
        if info is None:
            info = self._strawberry_infos[id(plan)] = StrawberryInfo(_raw_info=self.info(plan), _field=plan.strawberry_field)
        return info

    def call(self, plan: FieldPlan, source: Any) -> Any:
        assert plan.definition is not None
        if plan.function is None:
            resolve = plan.definition.resolve
            if resolve is None:
                raise GiveUp
            return resolve(source, self.info(plan), **self.arguments(plan))
        kwargs = {plan.parameters[name]: value for name, value in self.arguments(plan).items()}
        if plan.takes_info:
            kwargs["info"] = self.strawberry_info(plan)
        return plan.function(source, **kwargs)

    def arguments(self, plan: FieldPlan) -> dict[str, Any]:
        arguments = self._arguments.get(id(plan))
        if arguments is None:
            assert plan.node is not None and plan.definition is not None
            arguments = self._arguments[id(plan)] = get_argument_values(plan.definition, plan.node, self.variables)
        return arguments

    async def data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        level: list[tuple[list[FieldPlan], Any, dict[str, Any], str]] = [(self.plan.fields, None, data, self.plan.root.name)]
        while level:
            following: list[tuple[list[FieldPlan], Any, dict[str, Any], str]] = []
            pending: list[tuple[FieldPlan, dict[str, Any], Any]] = []
            # Fields declared with ``fields.loaded``: every row of the level in one load.
            batches: dict[int, tuple[FieldPlan, list[tuple[Any, dict[str, Any]]]]] = {}
            for fields, source, out, type_name in level:
                for plan in fields:
                    if plan.definition is None:  # __typename
                        out[plan.key] = type_name
                        continue
                    if plan.attribute is not None:
                        out[plan.key] = plan.finish(getattr(source, plan.attribute), following)
                        continue
                    if plan.loads is not None:
                        out[plan.key] = None  # keeps the key's place in the selection order
                        batches.setdefault(id(plan), (plan, []))[1].append((source, out))
                        continue
                    result = self.call(plan, source)
                    if inspect.isawaitable(result):
                        out[plan.key] = None
                        pending.append((plan, out, result))
                    else:
                        out[plan.key] = plan.finish(result, following)
            groups = []
            for plan, items in batches.values():
                assert plan.loads is not None
                loader_name, key, wrap = plan.loads
                loader = getattr(self.context.loaders, loader_name)
                groups.append((plan, items, wrap, loader.load_many([getattr(source.row, key) for source, _ in items])))
            if pending or groups:
                results = await settle([result for _, _, result in pending] + [load for *_, load in groups])
                for (plan, out, _), value in zip(pending, results, strict=False):
                    out[plan.key] = plan.finish(value, following)
                for (plan, items, wrap, _), values in zip(groups, results[len(pending) :], strict=True):
                    for (_, out), value in zip(items, values, strict=True):
                        out[plan.key] = plan.finish(wrap(value), following)
            level = following
        return data


class CompiledQueries:
    """Plans of the known query documents of one schema, by (text, operation name)."""

    def __init__(self, schema: GraphQLSchema, maxsize: int):
        self.schema = schema
        self.maxsize = maxsize
        self._plans: OrderedDict[tuple[str, str | None], Plan | None] = OrderedDict()
        self._lock = Lock()

    def plan(self, query: str, operation_name: str | None, document: DocumentNode) -> Plan | None:
        key = (query, operation_name)
        with self._lock:
            if key in self._plans:
                self._plans.move_to_end(key)
                return self._plans[key]
        plan = compile_document(self.schema, document, operation_name)
        with self._lock:
            self._plans[key] = plan
            while len(self._plans) > self.maxsize:
                self._plans.popitem(last=False)
        return plan

    async def execute(self, plan: Plan, context: Any, variables: dict[str, Any] | None) -> dict[str, Any] | None:
        """``{"data": ...}`` exactly as the general executor would answer, or None (run that)."""
        coerced = get_variable_values(self.schema, plan.operation.variable_definitions or (), variables or {})
        if isinstance(coerced, list):
            return None  # invalid variables: the general path reports them
        decisions = await decide_root_fields(context, "Query", (p.name for p in plan.fields if p.definition is not None))
        if any(refusal is not None for refusal in decisions.values()):
            return None  # a refusal: the general path answers with the error where it belongs
        context.gate_decisions = decisions
        try:
            data = await _Run(plan, self.schema, context, coerced).data()
        except Exception:
            return None
        return {"data": data}
