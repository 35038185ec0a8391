"""The root types and the schema with its limits."""

from __future__ import annotations

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

from app.settings import Settings
from graphql import GraphQLError, GraphQLObjectType, GraphQLSchema, get_named_type

from policies.gate import PUBLIC_ROLE
from resolvers.core.errors import BadInput, DomainError
from schema.accounts.types import AccountsMutation, AccountsQuery
from schema.audit.types import AuditQuery
from schema.core.base import NODE_TYPES, Node, from_global_id
from schema.core.extensions import ErrorPresentation, PermissionGate, document_limits
from schema.permissions.types import PermissionsMutation, PermissionsQuery
from schema.notifications.types import NotificationsMutation, NotificationsQuery, Subscription
from schema.projects.types import ProjectsMutation, ProjectsQuery


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
    for name, field in schema.query_type.fields.items():
        connection = get_named_type(field.type)
        if isinstance(connection, GraphQLObjectType) and {"edges", "nodes", "pageInfo"} <= connection.fields.keys():
            if get_named_type(connection.fields["nodes"].type).name == type_name:
                operations.append(f"Query.{name}")
    return operations


async def _may_list(info: Info, type_name: str) -> bool:
    """``node(id:)`` shows an object only to whom the policy lets list its type, so the
    permission of each list cannot be side-stepped by asking for its items one by one."""
    ctx = info.context
    actor = await ctx.actor()
    if actor is None:
        return False
    operations = _list_operations(info.schema._schema, type_name)
    roles = actor.roles | {PUBLIC_ROLE}
    return not operations or any(ctx.policy.allows(roles, actor.region_code, op, "read") for op in operations)


async def _load_node(info: Info, global_id: strawberry.ID) -> Node | None:
    type_name, pk = from_global_id(str(global_id))
    if type_name not in NODE_TYPES:
        raise BadInput("INVALID_ID", id=global_id)
    loader_name, cls = NODE_TYPES[type_name]
    if not pk.isdigit():
        raise BadInput("INVALID_ID", id=global_id)
    if not await _may_list(info, type_name):
        return None
    row = await getattr(info.context.loaders, loader_name).load(int(pk))
    return cls.of(row) if row is not None else None


@strawberry.type(description="Read operations. 查询。")
class Query(AccountsQuery, AuditQuery, PermissionsQuery, ProjectsQuery, NotificationsQuery):
    @strawberry.field(description="Any object by global ID, if you may see it. 按全局ID获取对象。")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await _load_node(info, id)

    @strawberry.field(description="Objects by global IDs (at most 100), null where not visible. 按全局ID批量获取。")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None] | None:
        limit = info.context.settings.page_size_max
        if len(ids) > limit:
            raise BadInput("PAGE_SIZE_EXCEEDED", argument="ids", requested=len(ids), limit=limit)
        import asyncio

        return list(await asyncio.gather(*(_load_node(info, i) for i in ids)))


@strawberry.type(description="Write operations; each takes one `input` and returns a payload with `errors`. 变更。")
class Mutation(AccountsMutation, PermissionsMutation, ProjectsMutation, NotificationsMutation):
    pass


class Schema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        """Log only unexpected faults; refusals and validation errors are normal traffic."""
        unexpected = [e for e in errors if e.original_error is not None and not isinstance(e.original_error, (DomainError, GraphQLError))]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(settings: Settings) -> strawberry.Schema:
    # Order matters: limits set the parse options and validation rules that the caches key on.
    extensions = [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: document_limits(settings.max_query_depth, settings.max_aliases),
    ]
    if settings.production:
        extensions.append(lambda: AddValidationRules([NoSchemaIntrospectionCustomRule]))
    extensions += [
        # Front ends send the same few documents again and again: validate each once.
        lambda: ValidationCache(maxsize=512),
        PermissionGate,
        lambda: ErrorPresentation(production=settings.production),
    ]
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[cls for _, cls in NODE_TYPES.values()],
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=settings.production),
    )
