"""graphql-core's execution, with shortcuts for plain leaf fields and loaded fields.

Most fields of a large answer are a scalar or enum attribute of their object (a ``column``
copied from the row). graphql-core handles each like any other field: an info object,
argument values, the resolver strawberry wraps around ``getattr``, then completion by the
field's type. For a field that strawberry itself resolves with ``getattr`` (no resolver, no
arguments, no extension) and whose type is a scalar or an enum, the value is read and
serialised here directly. Anything out of the ordinary (a missing attribute, a null where
the schema promises a value, a value that does not serialise) takes graphql-core's own
path, which reports it as it always does.

A field declared with ``fields.loaded`` is resolved from its declaration here: the
DataLoader's future, then the declared narrowing and type, completed by graphql-core as
any awaited value. That skips strawberry's wrapping of an async resolver (its own
coroutine, info object and argument conversion) for each of hundreds of rows.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.executor import to_nodes
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.utils.str_converters import to_camel_case

from schema.core.fields import LOADS, Loads

_MISSING = object()

# parent object type -> field name -> (attribute, serialize, non-null)
PlainFields = dict[GraphQLObjectType, dict[str, tuple[str, Any, bool]]]


# parent object type -> field name -> (declaration, GraphQL argument -> Python parameter)
LoadedFields = dict[GraphQLObjectType, dict[str, tuple[Loads, dict[str, str]]]]


def loaded_fields(schema: GraphQLSchema) -> LoadedFields:
    """The fields of ``schema`` declared with ``fields.loaded`` (outside the root types),
    whose arguments strawberry would pass through unchanged."""
    roots = {schema.query_type, schema.mutation_type, schema.subscription_type}
    found: LoadedFields = {}
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__") or named in roots:
            continue
        for name, definition in named.fields.items():
            strawberry_field = (definition.extensions or {}).get("strawberry-definition")
            if strawberry_field is None or strawberry_field.base_resolver is None or strawberry_field.extensions:
                continue
            declaration = getattr(strawberry_field.base_resolver.wrapped_func, LOADS, None)
            if declaration is None:
                continue
            parameters = {}
            for argument in strawberry_field.arguments:
                if argument.type not in (bool, int, float, str):
                    break
                parameters[argument.graphql_name or to_camel_case(argument.python_name)] = argument.python_name
            else:
                found.setdefault(named, {})[name] = (declaration, parameters)
    return found


def plain_fields(schema: GraphQLSchema) -> PlainFields:
    """The leaf fields of ``schema`` that strawberry resolves by reading an attribute."""
    found: PlainFields = {}
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for name, definition in named.fields.items():
            strawberry_field = (definition.extensions or {}).get("strawberry-definition")
            if (
                strawberry_field is None
                or definition.args
                or not getattr(definition.resolve, "_is_default", False)
                or strawberry_field.base_resolver is not None
                or strawberry_field.extensions
            ):
                continue
            non_null = isinstance(definition.type, GraphQLNonNull)
            leaf = definition.type.of_type if non_null else definition.type
            if isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
                found.setdefault(named, {})[name] = (strawberry_field.python_name, leaf.serialize, non_null)
    return found


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context; ``plain`` is set per schema (``with_plain_fields``)."""

    plain: PlainFields = {}
    loaded: LoadedFields = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An extension that wraps resolvers (strawberry makes it middleware) must see them all.
        manager = self.middleware_manager
        untouched = manager is None or not manager.middlewares
        self.shortcuts: PlainFields = self.plain if untouched else {}
        self.loads: LoadedFields = self.loaded if untouched else {}

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's ``execute_fields`` (3.3), with plain fields read in place (no path
        object, no call) and the awaited fields of one object settled without a task each."""
        plain = self.shortcuts.get(parent_type)
        if plain is None:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                shortcut = plain.get(field_details_list[0].node.name.value)
                if shortcut is not None:
                    value = _plain_value(shortcut, source_value)
                    if value is not _MISSING:
                        results[response_name] = value
                        continue
                result = self.execute_field(
                    parent_type, source_value, field_details_list, Path(path, response_name, parent_type.name), position_context
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                results[awaitable_fields[0]] = await results[awaitable_fields[0]]
            else:
                results.update(zip(awaitable_fields, await settle([results[f] for f in awaitable_fields]), strict=True))
            return results

        return get_results()

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        fields = self.shortcuts.get(parent_type)
        if fields is not None:
            plain = fields.get(field_details_list[0].node.name.value)
            if plain is not None:
                value = _plain_value(plain, source)
                if value is not _MISSING:
                    return value
        loads = self.loads.get(parent_type)
        if loads is not None:
            loaded = loads.get(field_details_list[0].node.name.value)
            if loaded is not None:
                started = self._load(loaded, parent_type, source, field_details_list, path)
                if started is not None:
                    return self.complete_awaitable_value(
                        started[0].type, field_details_list, started[1], path, started[2], position_context
                    )
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

    def _load(
        self,
        loaded: tuple[Loads, dict[str, str]],
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> tuple[GraphQLField, GraphQLResolveInfo, Any] | None:
        """The field's definition, info and value (awaitable) from its ``loaded`` declaration,
        or None: anything unusual (arguments that do not coerce, a source without the key)
        goes to graphql-core, which reports it."""
        declaration, parameters = loaded
        node = field_details_list[0].node
        definition = parent_type.fields[node.name.value]
        try:
            key = getattr(source.row, declaration.key)
            arguments = get_argument_values(definition, node, self.variable_values) if definition.args or node.arguments else {}
            kwargs = {parameters[name]: value for name, value in arguments.items()}
            future = getattr(self.context_value.loaders, declaration.loader).load(key)
        except Exception:
            return None
        info = self.build_resolve_info(definition, to_nodes(field_details_list), parent_type, path)
        return definition, info, _shown(declaration, future, kwargs)


def _plain_value(plain: tuple[str, Any, bool], source: Any) -> Any:
    """A plain field's serialised value, or ``_MISSING`` when graphql-core must handle it
    (no such attribute, a null where one is promised, a value that does not serialise)."""
    attribute, serialize, non_null = plain
    value = getattr(source, attribute, _MISSING)
    if value is None:
        return _MISSING if non_null else None
    if value is _MISSING:
        return _MISSING
    try:
        serialized = serialize(value)
    except Exception:
        return _MISSING
    return _MISSING if serialized is None or serialized is Undefined else serialized


async def _shown(declaration: Loads, future: Any, arguments: dict[str, Any]) -> Any:
    return declaration.show(await future, arguments)


def with_plain_fields(schema: GraphQLSchema) -> type[ExecutionContext]:
    """An execution context class for ``schema`` that knows its plain and loaded fields."""
    return type("ExecutionContext", (ExecutionContext,), {"plain": plain_fields(schema), "loaded": loaded_fields(schema)})


async def settle(awaitables: list[Any]) -> list[Any]:
    """The results of many awaitables, like ``asyncio.gather``, without a task for each.

    A level of a page starts hundreds of resolver coroutines that each await one DataLoader
    future. Wrapping each in a task costs more than the resolver itself; instead the
    coroutines are stepped here: each runs to the future it waits for, and is resumed once
    that future is done (DataLoader batches them meanwhile). Coroutines may wait for each
    other (one holds the request's read connection while another waits for it), so each
    is resumed as soon as its own future is done, not when all are. The first exception
    is raised, as with ``gather``."""
    results: list[Any] = [None] * len(awaitables)
    ready: list[tuple[int, Any]] = []
    others: list[tuple[int, Any]] = []
    for index, awaitable in enumerate(awaitables):
        if inspect.iscoroutine(awaitable):
            ready.append((index, awaitable))
        else:
            others.append((index, awaitable))
    if others:
        for (index, _), value in zip(others, await asyncio.gather(*(a for _, a in others)), strict=True):
            results[index] = value
    waiting: dict[asyncio.Future, list[tuple[int, Any]]] = {}
    try:
        while ready or waiting:
            stepped: list[tuple[int, Any]] = []
            for index, coroutine in ready:
                try:
                    yielded = coroutine.send(None)
                except StopIteration as done:
                    results[index] = done.value
                    continue
                if yielded is None:  # a bare yield (``asyncio.sleep(0)``): step it again
                    stepped.append((index, coroutine))
                else:
                    yielded._asyncio_future_blocking = False  # we wait for it, as a task would
                    waiting.setdefault(yielded, []).append((index, coroutine))
            ready = stepped
            if not (ready or waiting):
                break
            if ready:
                await asyncio.sleep(0)
            else:
                await _first_done(waiting)
            for future in [f for f in waiting if f.done()]:
                ready += waiting.pop(future)
    finally:
        for _, coroutine in ready + [item for items in waiting.values() for item in items]:
            coroutine.close()
    return results


async def _first_done(futures: dict[asyncio.Future, Any]) -> None:
    """Until one of ``futures`` is done (``asyncio.wait`` with FIRST_COMPLETED, without its
    set copies and timeout handling: a page waits like this hundreds of times)."""
    wake = asyncio.get_running_loop().create_future()

    def done(_: asyncio.Future) -> None:
        if not wake.done():
            wake.set_result(None)

    for future in futures:
        future.add_done_callback(done)
    try:
        await wake
    finally:
        for future in futures:
            future.remove_done_callback(done)
