"""Schema extensions: the permission gate on root fields and error presentation."""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from policies.gate import authorize
from resolvers.errors import DomainError
from resolvers.messages import translate

log = logging.getLogger("smallworks.graphql")


class PermissionGate(SchemaExtension):
    """Runs ``policies.gate.authorize`` before every root field; other fields pass straight through."""

    def resolve(self, _next, root, info, *args: Any, **kwargs: Any):
        if info.path.prev is None:
            return self._gated(_next, root, info, *args, **kwargs)
        return _next(root, info, *args, **kwargs)

    async def _gated(self, _next, root, info, *args, **kwargs):
        await authorize(info.context, info.parent_type.name, info.field_name)
        result = _next(root, info, *args, **kwargs)
        if hasattr(result, "__await__"):
            result = await result
        return result


class ErrorPresentation(SchemaExtension):
    """Gives every error an ``extensions.code`` and a message in the caller's language;
    in production, unexpected errors are reduced to INTERNAL with no detail."""

    def __init__(self, *, production: bool = False):
        self.production = production

    def on_operation(self):
        yield
        result = self.execution_context.result
        if not result or not getattr(result, "errors", None):
            return
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
        if original is None or isinstance(original, GraphQLError):
            extensions = dict(error.extensions or {})
            extensions.setdefault("code", "GRAPHQL_VALIDATION_FAILED" if error.path is None else "BAD_USER_INPUT")
            return GraphQLError(error.message, error.nodes, error.source, error.positions, error.path, None, extensions)
        log.error("unexpected error in %s", error.path, exc_info=original)
        message = translate("INTERNAL", locale) if self.production else str(original) or type(original).__name__
        return GraphQLError(message, error.nodes, error.source, error.positions, error.path, None, {"code": "INTERNAL"})
