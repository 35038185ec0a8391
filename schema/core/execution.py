"""graphql-core's execution, with a shortcut for plain leaf fields.

Most fields of a large answer are a scalar or enum attribute of their object (a ``column``
copied from the row). graphql-core handles each like any other field: an info object,
argument values, the resolver strawberry wraps around ``getattr``, then completion by the
field's type. For a field that strawberry itself resolves with ``getattr`` (no resolver, no
arguments, no extension) and whose type is a scalar or an enum, the value is read and
serialised here directly. Anything out of the ordinary (a missing attribute, a null where
the schema promises a value, a value that does not serialise) takes graphql-core's own
path, which reports it as it always does.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLEnumType, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType, GraphQLSchema
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

_MISSING = object()

# parent object type -> field name -> (attribute, serialize, non-null)
PlainFields = dict[GraphQLObjectType, dict[str, tuple[str, Any, bool]]]


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An extension that wraps resolvers (strawberry makes it middleware) must see them all.
        manager = self.middleware_manager
        self.shortcuts: PlainFields = self.plain if manager is None or not manager.middlewares else {}

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
                attribute, serialize, non_null = plain
                value = getattr(source, attribute, _MISSING)
                if value is None:
                    if not non_null:
                        return None
                elif value is not _MISSING:
                    try:
                        serialized = serialize(value)
                    except Exception:
                        serialized = None
                    if serialized is not None and serialized is not Undefined:
                        return serialized
        return super().execute_field(parent_type, source, field_details_list, path, position_context)


def with_plain_fields(schema: GraphQLSchema) -> type[ExecutionContext]:
    """An execution context class for ``schema`` that knows its plain fields."""
    return type("ExecutionContext", (ExecutionContext,), {"plain": plain_fields(schema)})
