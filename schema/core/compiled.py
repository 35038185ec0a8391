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
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from threading import Lock
from typing import Any, TypeGuard

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
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

from resolvers.core.i18n import DEFAULT_LOCALE, label
from schema.core.cost import CostPlan, NodeLimit, plan_cost
from schema.core.execution import settle
from schema.core.extensions import decide_root_fields
from schema.core.fields import COLUMN, LABEL, LOADS, ROWS, Loads
from schema.core.node import Node, to_global_id

_BUILTIN_SCALARS = (bool, int, float, str)
# Built-in scalars whose serialize returns a value of this exact class unchanged.
_UNCHANGED = {id(GraphQLString): "str", id(GraphQLID): "str", id(GraphQLBoolean): "bool", id(GraphQLInt): "int"}


# The locale of the request a plan runs for: label fields (``fields.label``) read it.
_LOCALE: ContextVar[str] = ContextVar("smallworks_compiled_locale", default=DEFAULT_LOCALE)


def _labeller(labels: str) -> Callable[[Any], str]:
    """A coded value -> its label in the running request's language."""

    def labelled(value: Any) -> str:
        return label(labels, value, _LOCALE.get())

    return labelled


def _null() -> Any:
    raise GiveUp  # graphql-core would report an error for a null where the schema promises a value


def _unfinished(value: Any, following: list) -> Any:
    raise GiveUp  # a field planned without a completion (never: every planned field gets one)


class GiveUp(Exception):
    """The plan cannot answer this request as the general executor would: run that one."""


class _NeedsObjects(Exception):
    """A selection that reads more of a type than its rows hold (a resolver): assemble it
    from the GraphQL objects instead."""


@dataclass
class FieldPlan:
    key: str
    name: str
    node: FieldNode | None
    definition: GraphQLField | None
    parent: GraphQLObjectType | None
    # How the value is had: "typename", "read" (an expression over ``source``, in the
    # shape's generated builder), "loads" (a ``fields.loaded`` declaration, batched per
    # level) or "call" (a resolver, called per source).
    kind: str = "call"
    read: str | None = None
    reader: Callable[[Any], Any] | None = None  # read: a function of the source (``fields.rows``)
    convert: Callable[[Any], Any] | None = None  # row values: the ``column``'s conversion
    serialize: Callable[[Any], Any] | None = None  # leaf fields
    children: dict[str, Shape] = field(default_factory=dict)  # object type name -> its selection
    has_arguments: bool = False
    # A resolver called as the plain function it is (no strawberry wrapper): the function,
    # whether it takes ``info``, and GraphQL argument name -> Python parameter name.
    function: Callable[..., Any] | None = None
    takes_info: bool = False
    parameters: dict[str, str] = field(default_factory=dict)
    strawberry_field: Any = None
    loads: Loads | None = None
    # loads: whether the source is a row (else a GraphQL object with ``row``), and whether
    # the loaded rows are assembled as they are (else made into objects of ``loads.shows``)
    from_row: bool = False
    as_rows: bool = False
    # value -> its JSON form, scheduling object values' deferred fields on the next level
    finish: Callable[[Any, list], Any] = field(default_factory=lambda: _unfinished)


@dataclass
class Shape:
    """The selection on one object type: its fields in order, the ones that wait for the
    next level (loads and resolver calls), and a generated function that makes the
    response object of one source with every other field already in it."""

    type_name: str
    fields: list[FieldPlan]
    deferred: list[FieldPlan]
    build: Callable[[Any, list], dict[str, Any]]


@dataclass
class Plan:
    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]
    root: Shape
    cost: CostPlan | None = None


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
        root = compiler.shape(operation.selection_set, schema.query_type, rows=False)
    except (GiveUp, _NeedsObjects):
        return None
    return Plan(operation, fragments, root)


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


def _origin(object_type: GraphQLObjectType) -> type | None:
    definition = (object_type.extensions or {}).get("strawberry-definition")
    return getattr(definition, "origin", None)


class _Compiler:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]):
        self.schema = schema
        self.fragments = fragments

    def shape(self, selection_set: SelectionSetNode, parent: GraphQLObjectType, rows: bool) -> Shape:
        """The selection on ``parent``, read from rows (``rows``) or from GraphQL objects;
        raises ``_NeedsObjects`` when rows do not hold what the selection asks for."""
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
            planned[key] = self._field(key, node, parent, rows)
        fields = list(planned.values())
        return Shape(parent.name, fields, [p for p in fields if p.kind in ("loads", "call")], _builder(parent.name, fields))

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

    @staticmethod
    def _parameters(strawberry_field: Any) -> dict[str, str] | None:
        """GraphQL argument name -> Python parameter name, when every argument is a builtin
        scalar that strawberry passes through unchanged; else None."""
        parameters = {}
        for argument in strawberry_field.arguments:
            if argument.type not in _BUILTIN_SCALARS:
                return None
            parameters[argument.graphql_name or to_camel_case(argument.python_name)] = argument.python_name
        return parameters

    def _direct(self, plan: FieldPlan, strawberry_field: Any) -> None:
        """Call a nested field's resolver as the plain method it is, when strawberry's
        wrapper would only pass ``self``, ``info`` and builtin scalar arguments through."""
        resolver = strawberry_field.base_resolver
        if resolver is None or resolver.root_parameter is not None or strawberry_field.extensions:
            return
        parameters = self._parameters(strawberry_field)
        if parameters is None:
            return
        plan.function = resolver.wrapped_func
        plan.takes_info = resolver.info_parameter is not None
        plan.parameters = parameters

    def _applies(self, condition: str, parent: GraphQLObjectType) -> bool:
        if condition == parent.name:
            return True
        conditional = self.schema.get_type(condition)
        return isinstance(conditional, GraphQLAbstractType) and self.schema.is_sub_type(conditional, parent)

    def _field(self, key: str, node: FieldNode, parent: GraphQLObjectType, rows: bool) -> FieldPlan:
        name = node.name.value
        if name == "__typename":
            return FieldPlan(key, name, None, None, parent, kind="typename")
        if name.startswith("__") or name not in parent.fields:
            raise GiveUp
        definition = parent.fields[name]
        plan = FieldPlan(key, name, node, definition, parent, has_arguments=bool(definition.args))
        strawberry_field = (definition.extensions or {}).get("strawberry-definition")
        plan.strawberry_field = strawberry_field
        resolver = strawberry_field.base_resolver if strawberry_field is not None else None
        plan.loads = getattr(resolver.wrapped_func, LOADS, None) if resolver is not None else None
        labelled = (strawberry_field.metadata or {}).get(LABEL) if strawberry_field is not None else None
        if plan.loads is not None and parent is not self.schema.query_type:
            parameters = self._parameters(strawberry_field)
            if parameters is None:
                raise GiveUp
            plan.kind, plan.parameters, plan.from_row = "loads", parameters, rows
        elif rows:
            self._from_row(plan, parent, strawberry_field)
        elif labelled is not None and labelled[0].isidentifier():
            # A label is a function of the row's value and the locale: read in place.
            plan.kind, plan.read, plan.convert = "read", f"source.row.{labelled[0]}", _labeller(labelled[1])
        elif getattr(definition.resolve, "_is_default", False) and strawberry_field is not None and not resolver:
            plan.kind, plan.read = "read", f"source.{strawberry_field.python_name}"
        else:
            plan.loads = None
            if parent is not self.schema.query_type and strawberry_field is not None:
                self._direct(plan, strawberry_field)
        named = get_named_type(definition.type)
        if isinstance(named, GraphQLScalarType | GraphQLEnumType):
            plan.serialize = named.serialize
            if node.selection_set:
                raise GiveUp
        elif isinstance(named, GraphQLObjectType):
            if node.selection_set is None:
                raise GiveUp
            reader = getattr(resolver.wrapped_func, ROWS, None) if resolver is not None and not rows else None
            if reader is not None and plan.kind == "call" and not definition.args:
                try:  # a list of rows, each shown as the item type: assemble the rows
                    plan.children[named.name] = self.shape(node.selection_set, named, rows=True)
                    plan.kind, plan.reader = "read", reader
                except _NeedsObjects:
                    pass
            if named.name not in plan.children:
                plan.children[named.name] = self._child(plan, node.selection_set, named, rows)
        elif isinstance(named, GraphQLAbstractType):
            if node.selection_set is None or plan.kind == "loads":
                raise GiveUp
            for possible in self.schema.get_possible_types(named):
                plan.children[possible.name] = self.shape(node.selection_set, possible, rows=False)
        else:
            raise GiveUp
        plan.finish = _finisher(plan, definition.type)
        return plan

    def _from_row(self, plan: FieldPlan, parent: GraphQLObjectType, strawberry_field: Any) -> None:
        """A field read straight from the row: a ``column`` (with its conversion) or a
        node's global ID; anything else needs the object."""
        metadata = (strawberry_field.metadata or {}) if strawberry_field is not None else {}
        declared = metadata.get(COLUMN)
        if declared is not None:
            attribute, plan.convert = declared
            if not attribute.isidentifier():
                raise _NeedsObjects
            plan.kind, plan.read = "read", f"source.{attribute}"
            return
        labelled = metadata.get(LABEL)
        if labelled is not None and labelled[0].isidentifier():
            plan.kind, plan.read, plan.convert = "read", f"source.{labelled[0]}", _labeller(labelled[1])
            return
        origin = _origin(parent)
        if plan.name == "id" and origin is not None and issubclass(origin, Node) and origin.pk_attribute.isidentifier():
            plan.kind, plan.read = "read", f"gid({parent.name!r}, source.{origin.pk_attribute})"
            return
        raise _NeedsObjects

    def _child(self, plan: FieldPlan, selection_set: SelectionSetNode, named: GraphQLObjectType, rows: bool) -> Shape:
        """A nested selection: loaded rows are assembled as rows when the selection reads
        nothing but their columns, IDs and further loads; else they become objects."""
        if plan.kind == "loads":
            assert plan.loads is not None
            if plan.loads.shows is not None:
                try:
                    shape = self.shape(selection_set, named, rows=True)
                    plan.as_rows = True
                    return shape
                except _NeedsObjects:
                    pass
            return self.shape(selection_set, named, rows=False)
        return self.shape(selection_set, named, rows=rows)


def _builder(type_name: str, fields: list[FieldPlan]) -> Callable[[Any, list], dict[str, Any]]:
    """``lambda source, following: {"name": source.name, "kind": ..., "lineItems": None}``
    written out once per shape: the response object of one source, with every field that
    is read in place and a placeholder (keeping its place in the order) for the others."""
    namespace: dict[str, Any] = {"gid": to_global_id, "null": _null}
    entries = []
    for index, plan in enumerate(fields):
        if plan.kind == "typename":
            value = repr(type_name)
        elif plan.kind != "read":
            value = "None"
        elif plan.reader is not None:
            namespace[f"f{index}"], namespace[f"r{index}"] = plan.finish, plan.reader
            value = f"f{index}(r{index}(source), following)"
        elif plan.definition is not None and isinstance(_nullable(plan.definition.type), GraphQLScalarType | GraphQLEnumType):
            value = _leaf(index, plan, namespace)
        else:
            namespace[f"f{index}"] = plan.finish
            value = f"f{index}({plan.read}, following)"
        entries.append(f"{plan.key!r}: {value}")
    source = f"def build(source, following):\n    return {{{', '.join(entries)}}}\n"
    exec(compile(source, f"<shape {type_name}>", "exec"), namespace)
    return namespace["build"]


def _nullable(return_type: GraphQLOutputType) -> GraphQLOutputType:
    return return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type


def _leaf(index: int, plan: FieldPlan, namespace: dict[str, Any]) -> str:
    """The expression of one scalar or enum read in place: its null check, the column's
    conversion, and its serialisation, which is skipped where it would change nothing."""
    assert plan.definition is not None and plan.serialize is not None and plan.read is not None
    named = _nullable(plan.definition.type)
    v = f"v{index}"
    namespace[f"s{index}"] = plan.serialize
    if plan.convert is not None and isinstance(named, GraphQLEnumType):
        # An enum column has a few stored values: each is converted and serialised once.
        convert, serialize = plan.convert, plan.serialize
        namespace[f"m{index}"] = _Memo(lambda value: serialize(convert(value)))
        serialized = f"m{index}[{v}]"
    elif plan.convert is not None:
        namespace[f"c{index}"] = plan.convert
        serialized = f"s{index}(c{index}({v}))"
    elif _UNCHANGED.get(id(named)) == "int":
        serialized = f"({v} if {v}.__class__ is int and -2147483648 <= {v} <= 2147483647 else s{index}({v}))"
    elif id(named) in _UNCHANGED:
        serialized = f"({v} if {v}.__class__ is {_UNCHANGED[id(named)]} else s{index}({v}))"
    elif isinstance(named, GraphQLScalarType) and _written_by_orjson(named):
        # The response is encoded by orjson, which writes a datetime or date exactly as its
        # isoformat() (checked below): it stays an object until then, and C writes it.
        namespace[f"t{index}"] = _ISO_TYPES[named.name]
        serialized = f"({v} if {v}.__class__ is t{index} else s{index}({v}))"
    else:
        serialized = f"s{index}({v})"
    on_null = "null()" if isinstance(plan.definition.type, GraphQLNonNull) else "None"
    return f"({on_null} if ({v} := {plan.read}) is None else {serialized})"


_ISO_TYPES: dict[str, type] = {"DateTime": datetime, "Date": date}
_ISO_PROBES = (
    datetime(2026, 11, 26, 14, 49, 38, 216269, tzinfo=UTC),
    datetime(2026, 11, 26, 14, 49, 38, tzinfo=timezone(timedelta(hours=8))),
    datetime(2026, 1, 1),
    date(2026, 1, 2),
)


def _written_by_orjson(named: GraphQLScalarType) -> bool:
    """Whether the scalar serialises a datetime or date as its isoformat(), which is what
    orjson writes for one."""
    kind = _ISO_TYPES.get(named.name)
    if kind is None:
        return False
    probes = [p for p in _ISO_PROBES if p.__class__ is kind]
    try:
        return all(named.serialize(p) == p.isoformat() == orjson.dumps(p).decode()[1:-1] for p in probes)
    except Exception:
        return False


class _Memo(dict):
    """function(value) for each value, computed on first use."""

    def __init__(self, function: Callable[[Any], Any]):
        super().__init__()
        self.function = function

    def __missing__(self, value: Any) -> Any:
        result = self[value] = self.function(value)
        return result


def _finisher(plan: FieldPlan, return_type: GraphQLOutputType) -> Callable[[Any, list], Any]:
    """How to complete a value of ``return_type``, decided once per field: the same steps
    graphql-core takes, without looking at the type again for every value."""
    if isinstance(return_type, GraphQLNonNull) and isinstance(return_type.of_type, GraphQLObjectType):
        return _object_finisher(plan.children[return_type.of_type.name], null=True)
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
        return _object_finisher(plan.children[return_type.name], null=False)
    children = plan.children

    def abstract_value(value: Any, following: list) -> Any:
        if value is None:
            return None
        name = _type_name(value)
        shape = children.get(name) if name else None
        if shape is None:
            raise GiveUp
        out = shape.build(value, following)
        if shape.deferred:
            following.append((shape, value, out))
        return out

    return abstract_value


def _object_finisher(shape: Shape, null: bool) -> Callable[[Any, list], Any]:
    """An object's response: its shape built, its deferred fields scheduled; ``null``: a
    null value gives up (the schema promises an object)."""
    build = shape.build
    if shape.deferred:

        def object_value(value: Any, following: list) -> Any:
            if value is None:
                return _null() if null else None
            out = build(value, following)
            following.append((shape, value, out))
            return out

        return object_value

    def plain_object_value(value: Any, following: list) -> Any:
        return (_null() if null else None) if value is None else build(value, following)

    return plain_object_value


_TYPE_NAMES: dict[type, str | None] = {}


def _type_name(value: Any) -> str | None:
    cls = type(value)
    if cls not in _TYPE_NAMES:
        definition = get_object_definition(cls)
        _TYPE_NAMES[cls] = definition.name if definition else None
    return _TYPE_NAMES[cls]


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
        self._loaded: dict[str, dict[Any, Any]] = {}  # loader name -> key -> value

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

    async def fetch(self, loader: str, keys: list[Any]) -> None:
        """Rows of ``keys`` through the batch function of the request's DataLoader, called
        directly: one call for a level's keys, and no future per key. Keys fetched once
        are not fetched again in this run (as the DataLoader's cache would not)."""
        values = await getattr(self.context.loaders, loader).batch_load_fn(keys)
        self._loaded[loader].update(zip(keys, values, strict=True))

    def python_arguments(self, plan: FieldPlan) -> dict[str, Any]:
        return {plan.parameters[name]: value for name, value in self.arguments(plan).items()}

    async def data(self) -> dict[str, Any]:
        root = self.plan.root
        following: list[tuple[Shape, Any, dict[str, Any]]] = []
        data = root.build(None, following)
        level = [(root, None, data)]
        while level:
            following = []
            pending: list[tuple[FieldPlan, dict[str, Any], Any]] = []
            # Fields declared with ``fields.loaded``: every source of the level in one load.
            batches: dict[int, tuple[FieldPlan, list[tuple[Any, dict[str, Any]]]]] = {}
            for shape, source, out in level:
                for plan in shape.deferred:
                    if plan.loads is not None:
                        batches.setdefault(id(plan), (plan, []))[1].append((source, out))
                        continue
                    result = self.call(plan, source)
                    if inspect.isawaitable(result):
                        pending.append((plan, out, result))
                    else:
                        out[plan.key] = plan.finish(result, following)
            groups = []
            missing: dict[str, dict[Any, None]] = {}  # loader name -> keys to fetch, in order
            for plan, items in batches.values():
                loads = plan.loads
                assert loads is not None
                key = loads.key
                keys = [getattr(source, key) for source, _ in items] if plan.from_row else [getattr(source.row, key) for source, _ in items]
                known = self._loaded.setdefault(loads.loader, {})
                wanted = missing.setdefault(loads.loader, {})
                for k in keys:
                    if k not in known:
                        wanted[k] = None
                groups.append((plan, items, keys))
            fetches = [self.fetch(name, list(keys)) for name, keys in missing.items() if keys]
            if pending or fetches:
                results = await settle([result for _, _, result in pending] + fetches)
                for (plan, out, _), value in zip(pending, results, strict=False):
                    out[plan.key] = plan.finish(value, following)
            if groups:
                for plan, items, keys in groups:
                    loads, finish, key = plan.loads, plan.finish, plan.key
                    assert loads is not None
                    known = self._loaded[loads.loader]
                    values = [known[k] for k in keys]
                    arguments = self.python_arguments(plan) if plan.parameters else {}
                    if plan.as_rows or loads.declared is None:
                        pick = loads.pick
                        for (_, out), value in zip(items, values, strict=True):
                            out[key] = finish(value if pick is None else pick(value, **arguments), following)
                    else:
                        show = loads.show
                        for (_, out), value in zip(items, values, strict=True):
                            out[key] = finish(show(value, arguments), following)
            level = following
        return data


class CompiledQueries:
    """Plans of the known query documents of one schema, by (text, operation name)."""

    def __init__(self, schema: GraphQLSchema, maxsize: int, node_limit: NodeLimit):
        self.schema = schema
        self.maxsize = maxsize
        self.node_limit = node_limit
        self._plans: OrderedDict[tuple[str, str | None], Plan | None] = OrderedDict()
        self._lock = Lock()

    def plan(self, query: str, operation_name: str | None, document: DocumentNode) -> Plan | None:
        key = (query, operation_name)
        with self._lock:
            if key in self._plans:
                self._plans.move_to_end(key)
                return self._plans[key]
        plan = compile_document(self.schema, document, operation_name)
        if plan is not None:
            plan.cost = plan_cost(document, operation_name)
        with self._lock:
            self._plans[key] = plan
            while len(self._plans) > self.maxsize:
                self._plans.popitem(last=False)
        return plan

    async def execute(self, plan: Plan, context: Any, variables: dict[str, Any] | None) -> dict[str, Any] | None:
        """``{"data": ...}`` that encodes (with orjson) to exactly the general executor's
        answer, or None (run that). Dates and times are left to orjson to write."""
        coerced = get_variable_values(self.schema, plan.operation.variable_definitions or (), variables or {})
        if isinstance(coerced, list):
            return None  # invalid variables: the general path reports them
        nodes = plan.cost.nodes(variables, self.node_limit.default_size) if plan.cost else 0
        if nodes > self.node_limit.limit:
            return None  # the general path refuses it, before any statement
        decisions = await decide_root_fields(context, "Query", (p.name for p in plan.root.fields if p.definition is not None))
        if any(refusal is not None for refusal in decisions.values()):
            return None  # a refusal: the general path answers with the error where it belongs
        context.gate_decisions = decisions
        locale = _LOCALE.set(getattr(getattr(context, "meta", None), "locale", DEFAULT_LOCALE))
        context.observed.ran("query", plan.operation.name.value if plan.operation.name else None)
        try:
            data = await _Run(plan, self.schema, context, coerced).data()
        except Exception:
            return None
        finally:
            _LOCALE.reset(locale)
        return {"data": data, "extensions": {"cost": self.node_limit.report(nodes)}}
