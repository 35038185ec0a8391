"""The schema: every domain's root fields merged into Query, Mutation and Subscription, with
the limits, the permission gate and error presentation.

Domains are found through ``models.DOMAINS``: ``schema.<domain>`` exposes ``Query``,
``Mutation`` and ``Subscription`` classes (each optional), and this module merges them.
"""

from __future__ import annotations

import asyncio

import strawberry
from graphql import GraphQLError, GraphQLObjectType, GraphQLSchema, get_named_type
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter
from strawberry.schema.config import StrawberryConfig

from models import domain_modules
from policies.gate import may_read_through
from resolvers.core.errors import BadInput, DomainError
from schema.core.context import Info
from schema.core.cost import CostPlans, NodeLimit
from schema.core.documents import DocumentCache, TrustedDocumentsOnly
from schema.core.execution import with_plain_fields
from schema.core.extensions import (
    ErrorPresentation,
    NoteOperation,
    OperationNamed,
    PermissionGate,
    ReadsForQueriesOnly,
    document_limits,
    gate_root_fields,
)
from schema.core.labels import LabelQuery
from schema.core.node import NODE_TYPES, Node, from_global_id, primary_key, shown
from schema.core.payload import user_error_code_enum

_LIST_OPERATIONS: dict[tuple[int, str], list[str]] = {}


def _list_operations(schema: GraphQLSchema, type_name: str) -> list[str]:
    """The root list fields of a node type (``Query.users`` for ``User``): the connections on
    ``Query`` whose nodes are of that type. Worked out once per schema and type."""
    key = (id(schema), type_name)
    if key not in _LIST_OPERATIONS:
        _LIST_OPERATIONS[key] = _find_list_operations(schema, type_name)
    return _LIST_OPERATIONS[key]


def _find_list_operations(schema: GraphQLSchema, type_name: str) -> list[str]:
    operations = []
    assert schema.query_type is not None
    for name, field in schema.query_type.fields.items():
        connection = get_named_type(field.type)
        if isinstance(connection, GraphQLObjectType) and {"edges", "nodes", "pageInfo"} <= connection.fields.keys():
            if get_named_type(connection.fields["nodes"].type).name == type_name:
                operations.append(f"Query.{name}")
    return operations


async def _load_node(info: Info, global_id: strawberry.ID) -> Node | None:
    type_name, pk = from_global_id(str(global_id))
    if type_name not in NODE_TYPES:
        raise BadInput("INVALID_ID", id=shown(global_id))
    loader_name, cls = NODE_TYPES[type_name]
    key = primary_key(pk, global_id)
    # ``node(id:)`` shows an object only to whom the policy lets list its type.
    if not await may_read_through(info.context, _list_operations(info.schema._schema, type_name)):
        return None
    row = await getattr(info.context.loaders, loader_name).load(key)
    return cls.of(row) if row is not None else None


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by global ID, if you may see it. 按全局ID获取对象。")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await _load_node(info, id)

    @strawberry.field(description="Objects by global IDs (at most 100), null where not visible. 按全局ID批量获取。")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None] | None:
        limit = info.context.settings.page_size_max
        if len(ids) > limit:
            raise BadInput("PAGE_SIZE_EXCEEDED", argument="ids", requested=len(ids), limit=limit)
        return list(await asyncio.gather(*(_load_node(info, i) for i in ids)))


def _merged(name: str, description: str, parts: list[type]) -> type | None:
    """One root type whose fields are those of every domain's part, in domain order."""
    if not parts:
        return None
    return strawberry.type(type(name, tuple(parts), {}), name=name, description=description)


def root_types() -> tuple[type, type | None, type | None]:
    """Query, Mutation and Subscription merged from every domain in ``models.DOMAINS``."""
    modules = domain_modules("schema")
    query = _merged("Query", "Read operations. 查询。", [m.Query for m in modules if hasattr(m, "Query")] + [NodeQuery, LabelQuery])
    mutation = _merged(
        "Mutation",
        "Write operations; each takes one `input` and returns a payload with `errors`. 变更。",
        [m.Mutation for m in modules if hasattr(m, "Mutation")],
    )
    subscription = _merged(
        "Subscription",
        "Live updates over graphql-transport-ws. 实时订阅。",
        [m.Subscription for m in modules if hasattr(m, "Subscription")],
    )
    assert query is not None
    return query, mutation, subscription


class Schema(strawberry.Schema):
    documents: DocumentCache
    node_limit: NodeLimit

    def process_errors(self, errors, execution_context=None) -> None:
        """Log only unexpected faults; refusals and validation errors are normal traffic."""
        unexpected = [e for e in errors if e.original_error is not None and not isinstance(e.original_error, (DomainError, GraphQLError))]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(settings) -> Schema:
    from resolvers import load_domains

    load_domains()  # every domain's message codes, before the error code enum is built
    query, mutation, subscription = root_types()
    # Built once: the validation rules must be the same classes on every request, or no
    # cached result could be trusted (and caches keyed on them would never hit).
    rules: list = [document_limits(settings.max_query_depth, settings.max_aliases)]
    if settings.production:
        rules.append(NoSchemaIntrospectionCustomRule)
    documents = DocumentCache(settings.document_cache_size)
    node_limit = NodeLimit(settings.max_query_nodes, settings.page_size_default, CostPlans(settings.document_cache_size))
    extensions: list = [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: AddValidationRules(rules),
        documents.extension(),
        NoteOperation,
        ReadsForQueriesOnly,
        OperationNamed,
        *([TrustedDocumentsOnly] if settings.trusted_documents_only else []),
        node_limit.extension(),  # before the gate: a refused operation runs no statement
        PermissionGate,
        lambda: ErrorPresentation(production=settings.production),
    ]
    schema = Schema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=[cls for _, cls in NODE_TYPES.values()] + [user_error_code_enum()],
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=settings.production),
    )
    gate_root_fields(schema._schema)
    schema.execution_context_class = with_plain_fields(schema._schema)
    schema.documents = documents
    schema.node_limit = node_limit
    return schema
