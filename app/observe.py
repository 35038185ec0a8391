"""What each HTTP request leaves behind: a log line, metrics, a trace span.

``RequestTelemetry`` wraps the whole app (pure ASGI, nothing read twice). It settles the
request id (the client's ``X-Request-Id`` if well formed, else a new one), makes it the id
of everything logged while the request runs and answers it as ``X-Request-Id``; when the
answer is sent it counts the request (``app.metrics``), writes one line to the
``smallworks.request`` logger (``app.logs``) and ends the request's span (``app.tracing``,
when tracing is on).

What ran is not parsed again from the body: the request's context (``app.context``)
carries ``observed`` (``schema.core.context.Observed``), which the executors fill — the
operation that ran, the codes of the errors answered and of the mutation payloads' user
errors — and the response's ``X-Smallworks-Executor`` says which executor answered. A
GraphQL answer refused before any executor ran (too large, persisted query unknown,
throttled, bad JSON) is a small JSON body: its error codes are read from it.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import metrics
from app.context import REQUEST_CONTEXTS, RequestContext
from app.logs import REQUEST_ID, new_request_id, well_formed_request_id
from app.state import AppState
from app.tracing import Tracing, provider_from_settings
from resolvers.core.i18n import negotiate, translate

log = logging.getLogger("smallworks.request")

EXECUTOR_HEADER = b"x-smallworks-executor"
POLICY_VERSION_HEADER = b"x-smallworks-policy-version"
# Answered often and uneventfully: their lines are written at DEBUG level.
QUIET_ROUTES = frozenset(("/metrics", "/healthz", "/readyz"))
EXECUTORS = frozenset(("compiled", "general", "none"))
_CAPTURE_LIMIT = 64 * 1024


class Telemetry:
    """The process's request telemetry: metric labels, the tracer, and ``/metrics``."""

    def __init__(self, state: AppState, tracer_provider: Any | None = None, graphql_path: str = "/graphql"):
        settings = state.settings
        self.state = state
        self.graphql_path = graphql_path
        self.operation_labels = metrics.BoundedLabels(settings.metrics_max_operations, metrics.OTHER)
        self.error_codes = metrics.ErrorCodes()
        provider = tracer_provider if tracer_provider is not None else provider_from_settings(settings)
        self.tracing = Tracing(provider, state.db, owned=tracer_provider is None) if provider is not None else None
        # The metric series of each label set, looked up once (the label sets are bounded).
        self._http: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._graphql: dict[tuple[str, str], tuple[Any, Any]] = {}
        token = settings.metrics_token
        self._token = token.encode() if token else None
        # Without a token, /metrics is served outside production only.
        self.serves_metrics = bool(token) or not settings.production

    async def metrics_endpoint(self, request: Request) -> Response:
        if self._token is not None:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), self._token):
                locale = negotiate(request.headers.get("accept-language"))
                return JSONResponse(
                    {"error": "UNAUTHENTICATED", "message": translate("UNAUTHENTICATED", locale)},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="metrics"', "Cache-Control": "no-store"},
                )
        body = await metrics.scrape(self.state)
        return Response(body, media_type=metrics.CONTENT_TYPE, headers={"Cache-Control": "no-store"})

    async def run(self) -> None:
        """With several server processes (multiprocess mode), each sets its pool gauges
        every few seconds, since only the one answering a scrape reads its own then."""
        if not metrics.MULTIPROCESS_DIR:
            return
        while True:
            metrics.refresh_pools(self.state.db)
            await asyncio.sleep(5)

    def close(self) -> None:
        metrics.process_ended()
        if self.tracing is not None:
            self.tracing.close()

    def http_series(self, method: str, route: str, status: int) -> tuple[Any, Any]:
        key = (method, route, status)
        series = self._http.get(key)
        if series is None:
            series = self._http[key] = (metrics.HTTP_REQUESTS.labels(method, route, str(status)), metrics.HTTP_DURATION.labels(route))
        return series

    def graphql_series(self, operation: str, executor: str) -> tuple[Any, Any]:
        key = (operation, executor)
        series = self._graphql.get(key)
        if series is None:
            series = self._graphql[key] = (
                metrics.GRAPHQL_REQUESTS.labels(operation, executor),
                metrics.GRAPHQL_DURATION.labels(operation, executor),
            )
        return series

    def operation_of(self, context: RequestContext | None) -> tuple[str, str | None, str | None]:
        """(metric label, name, type) of the operation a request ran."""
        operations = context.observed.operations if context is not None else []
        if not operations:
            return metrics.NONE, None, None
        if len(operations) > 1:
            return metrics.BATCH, None, None
        kind, name = operations[0]
        return (self.operation_labels(name) if name else metrics.UNNAMED), name, kind


class _Answer:
    """What was sent back: status, executor, and a refused GraphQL request's small body."""

    __slots__ = ("status", "executor", "body")

    def __init__(self) -> None:
        self.status = 0
        self.executor: str | None = None
        self.body: bytearray | None = None


class RequestTelemetry:
    """ASGI middleware: request id, metrics, the request's log line and span."""

    def __init__(self, app: ASGIApp, telemetry: Telemetry):
        self.app = app
        self.telemetry = telemetry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "websocket":
            # Logged while the socket is open: the id of the request that opened it.
            token = REQUEST_ID.set(well_formed_request_id(_header(scope, b"x-request-id")) or new_request_id())
            try:
                await self.app(scope, receive, send)
            finally:
                REQUEST_ID.reset(token)
            return
        if kind != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()
        telemetry = self.telemetry
        request_id = well_formed_request_id(_header(scope, b"x-request-id")) or new_request_id()
        id_header = (b"x-request-id", request_id.encode())
        id_token = REQUEST_ID.set(request_id)
        contexts: list[RequestContext] = []
        contexts_token = REQUEST_CONTEXTS.set(contexts)
        tracing = telemetry.tracing
        span = span_token = None
        if tracing is not None:
            span, span_token = tracing.start(scope, {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]})
        answer = _Answer()

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer.status = message["status"]
                headers = list(message.get("headers", ()))
                json_body = False
                for name, value in headers:
                    name = name.lower()
                    if name == EXECUTOR_HEADER:
                        answer.executor = value.decode("latin-1")
                    elif name == b"content-type":
                        json_body = b"json" in value
                if json_body and answer.executor is None and _route(scope) == telemetry.graphql_path:
                    answer.body = bytearray()  # refused before an executor ran: read its codes
                headers.append(id_header)
                version = telemetry.state.policy.version
                if version is not None:
                    # Which policy this process enforces: every process should say the same.
                    headers.append((POLICY_VERSION_HEADER, str(version).encode()))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and answer.body is not None and len(answer.body) < _CAPTURE_LIMIT:
                answer.body += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        except asyncio.CancelledError:
            answer.status = answer.status or 499  # the client went away before the answer
            raise
        except Exception:
            answer.status = answer.status or 500
            log.exception("request failed: %s %s", scope.get("method"), scope.get("path"))
            raise
        finally:
            try:
                self._finish(scope, request_id, answer, contexts, time.perf_counter() - started, span, span_token)
            finally:
                REQUEST_CONTEXTS.reset(contexts_token)
                REQUEST_ID.reset(id_token)

    def _finish(self, scope: Scope, request_id: str, answer: _Answer, contexts: list, elapsed: float, span: Any, span_token: Any) -> None:
        telemetry = self.telemetry
        status = answer.status or 500  # nothing sent: the client went away, or the app failed
        route = _route(scope)
        route_label = route or "(unmatched)"
        method = scope.get("method", "")
        requests, durations = telemetry.http_series(method if method in metrics.METHODS else "OTHER", route_label, status)
        requests.inc()
        durations.observe(elapsed)

        context: RequestContext | None = contexts[-1] if contexts else None
        line: dict[str, Any] = {"request_id": request_id, "method": method, "path": scope.get("path", ""), "status": status}
        line["duration_ms"] = round(elapsed * 1000, 2)
        span_name = f"{method} {route_label}"
        attributes: dict[str, Any] = {"http.response.status_code": status, "http.route": route_label, "smallworks.request_id": request_id}
        if route is not None and route == telemetry.graphql_path:
            label, name, operation_type = telemetry.operation_of(context)
            executor = answer.executor or "none"
            requests, durations = telemetry.graphql_series(label, executor if executor in EXECUTORS else "other")
            requests.inc()
            durations.observe(elapsed)
            observed = context.observed if context is not None else None
            codes = list(observed.error_codes) if observed is not None and observed.error_codes else _codes_in(answer.body)
            for code in codes:
                metrics.GRAPHQL_ERRORS.labels(label, telemetry.error_codes(code)).inc()
            user_codes = observed.user_error_codes if observed is not None else []
            for code in user_codes:
                metrics.USER_ERRORS.labels(label, telemetry.error_codes(code)).inc()
            line.update(operation=name, operation_type=operation_type, executor=executor)
            if codes:
                line["error_codes"] = codes
            if user_codes:
                line["user_error_codes"] = list(user_codes)
            attributes["smallworks.executor"] = executor
            if operation_type is not None:
                attributes["graphql.operation.type"] = operation_type
                attributes["graphql.operation.name"] = label
                span_name = f"{operation_type} {label}" if name else operation_type
        actor = context.known_actor() if context is not None else None
        if actor is not None:
            line.update(actor_kind=actor.kind, actor_id=actor.id)
            attributes["enduser.id"] = f"{actor.kind}:{actor.id}"
        if span is not None and telemetry.tracing is not None:
            line["trace_id"] = telemetry.tracing.trace_id(span)
            telemetry.tracing.finish(span, span_token, span_name, attributes, error=status >= 500)

        level = logging.ERROR if status >= 500 else logging.DEBUG if route in QUIET_ROUTES and status < 400 else logging.INFO
        if log.isEnabledFor(level):
            log.log(level, "%s %s %s", method, line["path"], status, extra=line)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _route(scope: Scope) -> str | None:
    """The template of the route that answered (``/files/project-document/{document_id}``)."""
    route = scope.get("route")
    return getattr(route, "path", None)


def _codes_in(body: bytearray | None) -> list[str]:
    """``extensions.code`` of the errors of a GraphQL answer's JSON body."""
    if not body:
        return []
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return []
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if not isinstance(errors, list):
        return []
    codes = []
    for error in errors:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        if isinstance(extensions, dict) and isinstance(extensions.get("code"), str):
            codes.append(extensions["code"])
    return codes
