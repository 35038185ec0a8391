"""Schema extensions: limits on the size of a document, the permission gate on root
fields, and error presentation."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    default_field_resolver,
)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from sqlalchemy.exc import SQLAlchemyError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from policies.gate import authorize
from resolvers.core.errors import DomainError, Forbidden
from resolvers.core.i18n import translate
from schema.core.graphql_messages import in_locale

log = logging.getLogger("smallworks.graphql")


class QueryRefused(DomainError):
    """A document refused before it runs (nested too deep, too many aliases or tokens)."""

    graphql_code = "GRAPHQL_VALIDATION_FAILED"


def _refusal(code: str, nodes, **params: Any) -> GraphQLError:
    """A validation error carrying its code, so ``ErrorPresentation`` can translate it."""
    return GraphQLError(translate(code, "en", **params), nodes, original_error=QueryRefused(code, **params))


def _fragments(document) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


class _SelectionWalk:
    """Depth and alias count of selection sets, expanding fragment spreads; each fragment is
    measured once (a document that spreads fragments into fragments stays cheap to check)
    and cycles count as nothing (graphql-core reports them)."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]):
        self.fragments = fragments
        self._memo: dict[str, tuple[int, int]] = {}
        self._open: set[str] = set()

    def measure(self, selection_set: SelectionSetNode | None) -> tuple[int, int]:
        """``(depth, aliases)``: levels of nested fields (introspection fields add no depth)
        and the number of aliased fields."""
        depth = aliases = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                below, inner = self.measure(selection.selection_set)
                aliases += inner + (1 if selection.alias else 0)
                if not selection.name.value.startswith("__"):
                    depth = max(depth, 1 + below)
            elif isinstance(selection, InlineFragmentNode):
                below, inner = self.measure(selection.selection_set)
                depth, aliases = max(depth, below), aliases + inner
            elif isinstance(selection, FragmentSpreadNode):
                below, inner = self._fragment(selection.name.value)
                depth, aliases = max(depth, below), aliases + inner
        return depth, aliases

    def _fragment(self, name: str) -> tuple[int, int]:
        if name in self._memo:
            return self._memo[name]
        if name in self._open or name not in self.fragments:
            return 0, 0
        self._open.add(name)
        self._memo[name] = self.measure(self.fragments[name].selection_set)
        self._open.discard(name)
        return self._memo[name]


def document_limits(max_depth: int, max_aliases: int) -> type[ValidationRule]:
    """A validation rule refusing an operation nested deeper than ``max_depth`` levels of
    fields, or with more than ``max_aliases`` aliased fields (fragments counted where they
    are spread). Build it once per schema."""

    class DocumentLimits(ValidationRule):
        def __init__(self, context):
            super().__init__(context)
            document = context.document
            walk = _SelectionWalk(_fragments(document))
            for definition in document.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                depth, aliases = walk.measure(definition.selection_set)
                if depth > max_depth:
                    context.report_error(_refusal("QUERY_TOO_DEEP", [definition], limit=max_depth))
                if aliases > max_aliases:
                    context.report_error(_refusal("TOO_MANY_ALIASES", [definition], count=aliases, limit=max_aliases))

    return DocumentLimits


def _root_fields(document, operation_name: str | None) -> list[str]:
    """Names of the root fields of the operation that will run (fragments expanded)."""
    fragments = _fragments(document) if document else {}
    operations = [d for d in (document.definitions if document else ()) if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)][:1]
    names: list[str] = []

    def collect(selection_set, seen: frozenset[str]) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if not selection.name.value.startswith("__"):
                    names.append(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                collect(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments and selection.name.value not in seen:
                collect(fragments[selection.name.value].selection_set, seen | {selection.name.value})

    for operation in chosen:
        collect(operation.selection_set, frozenset())
    return names


# graphql-core's parser stops at ``max_tokens`` with this message (strawberry.MaxTokensLimiter).
_TOKEN_LIMIT = re.compile(r"Document contains more than (\d+) tokens")


# graphql-core's refusal of a request's variable values (``coerce_variable_values``).
_VARIABLE_VALUE = re.compile(r"Variable '\$\w+' has invalid value[ :]|Variable values are nested too deeply")

ROOT_TYPES = {OperationType.QUERY: "Query", OperationType.MUTATION: "Mutation", OperationType.SUBSCRIPTION: "Subscription"}
_UNDECIDED = object()


class PermissionGate(SchemaExtension):
    """Decides every root field of the operation once, before execution starts, from the
    parsed document (fragments expanded, aliases of one field decided once), with
    ``policies.gate.authorize``. No other field pays for the gate: it adds no per-field
    hook. Introspection (``__schema``, ``__type``, ``__typename``) describes the schema,
    not data, and is not gated: production refuses ``__schema``/``__type`` in validation.

    A refused query or mutation field answers null with its error while the others run
    (``gate_root_fields`` makes each root resolver honour the decision); a refused
    subscription refuses the operation before its stream opens."""

    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        if ec.result is not None:
            yield  # answered before execution (the node limit): nothing to decide
            return
        parent = ROOT_TYPES[ec.operation_type]
        names = _root_fields(ec.graphql_document, ec.operation_name)
        if ec.operation_type == OperationType.SUBSCRIPTION:
            for name in dict.fromkeys(names):
                await authorize(ec.context, parent, name)
        else:
            ec.context.gate_decisions = await decide_root_fields(ec.context, parent, names)
        yield


async def decide_root_fields(context: Any, parent: str, names: Iterable[str]) -> dict[str, Exception | None]:
    """The gate's decision for each root field: None where allowed, else the refusal. The
    general executor's root resolvers and the compiled path both act on these."""
    decisions: dict[str, Exception | None] = {}
    for name in dict.fromkeys(names):
        try:
            await authorize(context, parent, name)
            decisions[name] = None
        except DomainError as refusal:
            decisions[name] = refusal
        except Exception as fault:  # e.g. the database down while finding the caller
            # The field fails with the fault, presented (INTERNAL, request id, logged) like any
            # resolver's; the compiled path hands the request to the general executor.
            decisions[name] = fault
    return decisions


class NoteOperation(SchemaExtension):
    """Notes the operation that runs on the context's ``observed`` (``schema.core.context``):
    reached only by a document that parsed and validated, so the names noted are the
    client's own names of real operations."""

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        observed = getattr(ec.context, "observed", None)
        if observed is not None:
            observed.ran(ec.operation_type.value, ec.operation_name)
        yield


class OperationNamed(SchemaExtension):
    """A document of several operations must say which one to run (``operationName``);
    graphql-core's rule, which the request would otherwise skip by running the first."""

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        document = ec.graphql_document
        # ``operation_name`` falls back to the first operation's name; what the request gave is this:
        named = getattr(ec, "_provided_operation_name", None)
        if ec.result is None and named is None and document is not None:
            if sum(isinstance(d, OperationDefinitionNode) for d in document.definitions) > 1:
                refusal = QueryRefused("OPERATION_NAME_REQUIRED")
                if ec.operation_type == OperationType.SUBSCRIPTION:
                    raise refusal
                ec.result = GraphQLExecutionResult(data=None, errors=[GraphQLError(refusal.code, original_error=refusal)])
        yield


class ReadsForQueriesOnly(SchemaExtension):
    """A query reads through the request's one connection; a mutation works in its own
    transaction and holds no read connection meanwhile (its payload reads separately)."""

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        reads = getattr(ec.context, "reads", None)
        if reads is not None and ec.operation_type != OperationType.QUERY:
            reads.shared = False
        yield


def gate_root_fields(schema: GraphQLSchema) -> None:
    """Make every root Query and Mutation resolver honour the decision ``PermissionGate``
    took for it; a field it did not decide is refused (deny unless allowed)."""
    for root in (schema.query_type, schema.mutation_type):
        if root is None:
            continue
        for name, field in root.fields.items():
            field.resolve = _gated(field.resolve or default_field_resolver, f"{root.name}.{name}", name)


def _gated(resolve: Callable[..., Any], operation: str, name: str) -> Callable[..., Any]:
    def resolver(source: Any, info: GraphQLResolveInfo, **kwargs: Any) -> Any:
        decisions = getattr(info.context, "gate_decisions", None) or {}
        refusal = decisions.get(name, _UNDECIDED)
        if refusal is _UNDECIDED:
            raise Forbidden(operation=operation)
        if refusal is not None:
            raise refusal
        return resolve(source, info, **kwargs)

    return resolver


class ErrorPresentation(SchemaExtension):
    """Gives every error an ``extensions.code`` and a message in the caller's language
    (graphql-core's own messages through ``schema.core.graphql_messages``: a cached
    document's errors are kept in English and presented in each request's language); in
    production, unexpected errors are reduced to INTERNAL with no detail. Streamed results
    (subscriptions) are presented one by one as they are sent."""

    def __init__(self, *, production: bool = False):
        self.production = production
        self._presented: set[int] = set()

    def on_operation(self):
        yield
        result = self.execution_context.result
        self._present_result(result)
        observed = getattr(self.execution_context.context, "observed", None)
        if observed is not None and result is not None and getattr(result, "errors", None):
            observed.answered((error.extensions or {}).get("code", "") for error in result.errors)

    def on_stream_result(self, result):
        self._present_result(result)
        yield

    def _present_result(self, result) -> None:
        if not result or not getattr(result, "errors", None) or id(result) in self._presented:
            return
        self._presented.add(id(result))
        context = self.execution_context.context
        locale = getattr(getattr(context, "meta", None), "locale", "zh-CN")
        result.errors = [self._present(error, locale) for error in result.errors]

    def _present(self, error: GraphQLError, locale: str) -> GraphQLError:
        original = error.original_error
        if isinstance(original, DomainError):
            extensions = {"code": original.graphql_code}
            if original.code != original.graphql_code:
                extensions["reason"] = original.code
            message = translate(original.code, locale, **original.params)
            return GraphQLError(message, error.nodes, error.source, error.positions, error.path, None, extensions)
        too_long = _TOKEN_LIMIT.search(error.message) if isinstance(error, GraphQLSyntaxError) else None
        if too_long:
            extensions = {"code": "GRAPHQL_VALIDATION_FAILED", "reason": "TOO_MANY_TOKENS"}
            message = translate("TOO_MANY_TOKENS", locale, limit=int(too_long.group(1)))
            return GraphQLError(message, error.nodes, error.source, error.positions, None, None, extensions)
        if isinstance(error, GraphQLSyntaxError):
            # The document is not GraphQL at all: not the same as a document that does not
            # fit the schema (Apollo's code, which clients already know).
            extensions = {**(error.extensions or {}), "code": "GRAPHQL_PARSE_FAILED"}
            return GraphQLError(in_locale(error.message, locale), error.nodes, error.source, error.positions, None, None, extensions)
        if original is None or isinstance(original, GraphQLError):
            extensions = dict(error.extensions or {})
            # A variable's value that does not fit its type is bad input, as Apollo codes it;
            # a document that does not fit the schema failed validation.
            bad_value = error.path is not None or _VARIABLE_VALUE.match(error.message) is not None
            extensions.setdefault("code", "BAD_USER_INPUT" if bad_value else "GRAPHQL_VALIDATION_FAILED")
            message = in_locale(error.message, locale)
            return GraphQLError(message, error.nodes, error.source, error.positions, error.path, None, extensions)
        meta = getattr(self.execution_context.context, "meta", None)
        request_id = getattr(meta, "request_id", None)
        log.error("unexpected error in %s (request %s)", error.path, request_id, exc_info=original)
        # A database error carries SQL and its parameters: never shown, in any mode.
        hidden = self.production or _from_database(original)
        message = translate("INTERNAL", locale) if hidden else str(original) or type(original).__name__
        extensions = {"code": "INTERNAL", "requestId": request_id} if request_id else {"code": "INTERNAL"}
        return GraphQLError(message, error.nodes, error.source, error.positions, error.path, None, extensions)


def _from_database(error: BaseException) -> bool:
    """Whether an error comes from the database or its driver (SQLAlchemy's wrapper, or a
    driver's own exception)."""
    if isinstance(error, SQLAlchemyError):
        return True
    module = type(error).__module__.split(".")[0]
    return module in ("asyncpg", "aiomysql", "pymysql", "aiosqlite", "sqlite3")
