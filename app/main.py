"""The ASGI application: GraphQL at /graphql, OAuth2 tokens at /auth/token, /healthz and /readyz.

/graphql follows GraphQL over HTTP (``app.graphql_http``): every answer, the compiled
path's, the general executor's and the transport errors', is written in the media type
that the request's Accept header chose, with that media type's status codes."""

from __future__ import annotations

import asyncio
import base64
import binascii
import gc
import logging
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any
from urllib.parse import unquote

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET

from app import graphiql, graphql_http, ocds
from app.broker import sender
from app.checks import readiness
from app.context import RequestContext, bearer_token, request_meta
from app.exports import download_export
from app.files import (
    download_bid_file,
    download_certificate,
    download_contract_document,
    download_invoice,
    download_project_document,
    download_site_photo,
    download_site_photo_thumbnail,
)
from app.observe import RequestTelemetry, Telemetry
from app.settings import Settings, get_settings
from app.state import AppState
from resolvers.accounts import auth as auth_svc
from resolvers.core.context import UnitOfWork
from resolvers.core.i18n import negotiate, translate
from schema import build_schema
from schema.core.compiled import CompiledQueries
from schema.core.documents import PersistedQueries, PersistedQueryError
from schema.core.graphql_messages import transport_detail

log = logging.getLogger("smallworks")

# Headers that a browser cannot send cross-site without a CORS preflight (the same rule as
# Apollo's CSRF prevention): a multipart request must carry one of them.
EXECUTOR_HEADER = "X-Smallworks-Executor"
PREFLIGHT_HEADERS = ("graphql-require-preflight", "apollo-require-preflight", "x-apollo-operation-name")


class GraphQLApp(GraphQL[RequestContext, None]):
    def __init__(self, state: AppState):
        settings = state.settings
        schema = build_schema(settings)
        super().__init__(
            schema,
            graphql_ide=None if settings.production else "graphiql",
            multipart_uploads_enabled=True,
        )
        self.state = state
        self.documents = schema.documents
        self.persisted = PersistedQueries(state.queries, state.trusted.get, trusted_only=settings.trusted_documents_only)
        self.compiled = CompiledQueries(schema._schema, settings.document_cache_size, schema.node_limit)

    @property
    def graphql_ide_html(self) -> str:
        """GraphiQL with its scripts and styles served by this application (app/graphiql.py)."""
        return graphiql.page()

    async def render_graphql_ide(self, request) -> Response:
        return graphiql.page_response()

    def should_render_graphql_ide(self, request) -> bool:
        """A GET without ``query`` is a browser asking for GraphiQL, unless it names a
        persisted query (``extensions``)."""
        return super().should_render_graphql_ide(request) and "extensions" not in request.query_params

    async def parse_http_body(self, request):
        """The request's operations, with a persisted query's text in place of its hash.
        An ``operationName`` that is neither a string nor null makes the request malformed
        (strawberry checks the other parameters' types)."""
        data = await super().parse_http_body(request)
        for item in data if isinstance(data, list) else [data]:
            if not (item.operation_name is None or isinstance(item.operation_name, str)):
                raise HTTPException(400, "The GraphQL operation's `operationName` must be a string or null, if provided.")
            item.query = await self.persisted.resolve(item.query, item.extensions)
        return data

    def decode_json(self, data: str | bytes) -> object:
        # orjson refuses a body that is not UTF-8 with a JSONDecodeError, which is answered
        # 400; the standard library would raise UnicodeDecodeError, a 500.
        return orjson.loads(data)

    def encode_json(self, data: object) -> str:
        # Text, not bytes: WebSocket messages of graphql-transport-ws must be text frames.
        return orjson.dumps(data).decode()

    async def on_ws_connect(self, context: RequestContext):
        """graphql-transport-ws: the access token comes in connection_init's payload, as
        ``{"Authorization": "Bearer …"}`` (or ``authToken``); a bad one closes with 4403."""
        params = context.connection_params or {}
        token = bearer_token(params.get("Authorization") or params.get("authorization")) or params.get("authToken")
        if token:
            context.token = token
        if await context.actor() is None:
            raise ConnectionRejectionError()
        return UNSET

    async def get_context(self, request, response) -> RequestContext:
        # Answers are per person and may carry tokens (login, refreshToken): never cache them.
        if not isinstance(response, WebSocket):
            response.headers["Cache-Control"] = "no-store"
            response.headers[EXECUTOR_HEADER] = "general"
            response.media_type = getattr(request.state, "graphql_media", graphql_http.JSON)  # read by create_response
        websocket = isinstance(response, WebSocket)
        context = RequestContext.for_request(self.state, request, shared_reads=not websocket)
        if not websocket:
            request.state.smallworks_context = context  # closed once the response is ready
            context.response_headers = response.headers
        return context

    def create_response(self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response) -> Response:
        """The general executor's answer in the negotiated media type: with
        ``application/graphql-response+json`` a request error has no ``data`` and a 4xx
        (or 500) status; with ``application/json`` the body and 200 stay as they were."""
        media = sub_response.media_type or graphql_http.JSON
        status = sub_response.status_code or 200
        body: object = response_data
        if media == graphql_http.GRAPHQL_RESPONSE_JSON and isinstance(response_data, dict) and graphql_http.is_request_error(response_data):
            body = {key: value for key, value in response_data.items() if key != "data"}
            status = graphql_http.request_error_status(response_data)
        response = Response(self.encode_json(body), status_code=status, media_type=graphql_http.CONTENT_TYPES[media])
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        return response

    async def execute_single(self, request, request_adapter, sub_response, context, root_value, request_data):
        """One operation over HTTP. Subscriptions are served over WebSocket only: over HTTP
        one is refused (``SUBSCRIPTION_OVER_HTTP``) rather than run as if it were a query."""
        allowed = OperationType.from_http(request_adapter.method) - {OperationType.SUBSCRIPTION}
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except CannotGetOperationTypeError as e:
            raise HTTPException(400, e.as_http_error_reason()) from e
        except InvalidOperationTypeError as e:
            raise HTTPException(400, e.as_http_error_reason(request_adapter.method)) from e
        except MissingQueryError as e:
            raise HTTPException(400, "No GraphQL query found in the request") from e

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive=receive)
        locale = negotiate(request.headers.get("accept-language"))
        content_type = request.headers.get("content-type")
        multipart = (content_type or "").startswith("multipart/")
        accepted = graphql_http.negotiate_media_type(request.headers.get("accept"))
        media = request.state.graphql_media = accepted or graphql_http.JSON
        error = partial(_graphql_http_error, locale=locale, media=media)
        if request.method not in ("GET", "POST"):
            response = error("METHOD_NOT_ALLOWED", 405, headers={"Allow": "GET, POST"})
        elif accepted is None and not self.should_render_graphql_ide(request):
            response = error("NOT_ACCEPTABLE", 406)  # in application/json, as the client accepts neither
        elif request.method == "POST" and not (multipart or graphql_http.is_json_body(content_type)):
            response = error("UNSUPPORTED_MEDIA_TYPE", 415)
        elif multipart and not any(h in request.headers for h in PREFLIGHT_HEADERS):
            response = error("CSRF_PREFLIGHT_REQUIRED", 400)
        elif not multipart and not await _read_within(request, self.state.settings.max_request_bytes):
            limit = self.state.settings.max_request_bytes
            response = error("REQUEST_TOO_LARGE", 413, limit=limit)
        else:
            compiled = await self._compiled(request, media)
            if compiled is not None:
                await compiled(scope, receive, send)
                return
            try:
                response = await self.run(request)
            except PersistedQueryError as exc:
                response = error(exc.code, exc.legacy_status if media == graphql_http.JSON else exc.status)
            except HTTPException as exc:
                # Strawberry answers transport errors in plain text; clients get JSON with a code.
                if isinstance(exc.__cause__, InvalidOperationTypeError) and exc.__cause__.operation_type == OperationType.MUTATION:
                    # GraphQL over HTTP: 405, and Allow names the method that may carry it.
                    response = error("MUTATION_OVER_GET", 405, headers={"Allow": "POST"})
                elif isinstance(exc.__cause__, InvalidOperationTypeError) and exc.__cause__.operation_type == OperationType.SUBSCRIPTION:
                    response = error("SUBSCRIPTION_OVER_HTTP", 400)
                elif isinstance(exc.__cause__, CannotGetOperationTypeError):
                    # A request error of a well-formed request: 200 for application/json.
                    status = 200 if media == graphql_http.JSON else 400
                    response = error("OPERATION_RESOLUTION_FAILURE", status, name=orjson.dumps(exc.__cause__.operation_name).decode())
                else:
                    response = error("BAD_REQUEST", exc.status_code, detail=str(exc.reason))
            finally:
                context = getattr(request.state, "smallworks_context", None)
                if context is not None:
                    await context.close()
        await response(scope, receive, send)

    async def _compiled(self, request: Request, media: str) -> Response | None:
        """A known query document answered on the compiled path (``schema.core.compiled``),
        in ``media``, or None to run the general executor (which also answers every request
        that is not well-formed). ``X-Smallworks-Executor: general`` asks for the general
        executor; every answer says which one ran."""
        if (
            request.method != "POST"
            or request.headers.get(EXECUTOR_HEADER, "").lower() == "general"
            or request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json"
        ):
            return None
        try:
            payload = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return None
        if not isinstance(payload, dict):
            return None
        try:
            query = await self.persisted.resolve(payload.get("query"), payload.get("extensions"))
        except PersistedQueryError:
            return None  # the general path answers with the error
        operation_name = payload.get("operationName")
        variables = payload.get("variables")
        extensions = payload.get("extensions")
        if (
            query is None
            or not (operation_name is None or isinstance(operation_name, str))
            or not (variables is None or isinstance(variables, dict))
            or not (extensions is None or isinstance(extensions, dict))
        ):
            return None
        known = self.documents.peek(query)
        if known is None or known.errors:
            return None
        plan = self.compiled.plan(query, operation_name, known.document)
        if plan is None:
            return None
        context = RequestContext.for_request(self.state, request)
        try:
            result = await self.compiled.execute(plan, context, variables)
        finally:
            await context.close()
        if result is None:
            return None
        # Only a result with data and no errors comes this way: 200 in either media type.
        return Response(
            self.encode_json(result),
            media_type=graphql_http.CONTENT_TYPES[media],
            headers={"Cache-Control": "no-store", EXECUTOR_HEADER: "compiled"},
        )


async def _read_within(request: Request, limit: int) -> bool:
    """Read the request's body if it is at most ``limit`` bytes (kept for ``body()``); False
    as soon as it is known to be larger, by its Content-Length or by what arrived."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        return False
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return False
        chunks.append(chunk)
    request._body = b"".join(chunks)  # what Request.body() returns from now on
    return True


def _graphql_http_error(
    code: str,
    status: int,
    locale: str,
    detail: str | None = None,
    *,
    media: str = graphql_http.JSON,
    headers: dict[str, str] | None = None,
    **params: object,
) -> Response:
    """A GraphQL response of one request error (no ``data``), typed by ``code``, in the
    negotiated media type."""
    message = translate(code, locale, detail=transport_detail(detail or "", locale), **params)
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
    return Response(
        body, status_code=status, media_type=graphql_http.CONTENT_TYPES[media], headers={"Cache-Control": "no-store", **(headers or {})}
    )


def _oauth_error(error: str, description: str, status: int = 400, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={"Cache-Control": "no-store", "Pragma": "no-cache", **(headers or {})},
    )


def _text(form: FormData, key: str) -> str | None:
    """A field of a form; an application/x-www-form-urlencoded body has no files, only text."""
    value = form.get(key)
    return value if isinstance(value, str) else None


def _client_credentials(request: Request, form: FormData) -> tuple[str | None, str | None]:
    """client_id and client_secret from HTTP Basic (preferred by RFC 6749) or the form body."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(auth[6:].strip()).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return _text(form, "client_id"), _text(form, "client_secret")


async def token_endpoint(request: Request) -> JSONResponse:
    """RFC 6749 token endpoint: password, refresh_token and client_credentials grants."""
    state: AppState = request.app.state.smallworks
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        return _oauth_error("invalid_request", "the body must be application/x-www-form-urlencoded")
    form = await request.form()
    repeated = sorted({key for key in form.keys() if len(form.getlist(key)) > 1})
    if repeated:
        # RFC 6749 section 3.2: request parameters must not be included more than once.
        return _oauth_error("invalid_request", f"parameters repeated: {', '.join(repeated)}")
    grant = form.get("grant_type")
    client = request.client.host if request.client else None
    ctx = RequestContext(state, request_meta(request.headers, client, state.settings.trusted_proxy_networks), None)
    locale = ctx.meta.locale
    scope = _text(form, "scope")
    run_grant: Callable[[UnitOfWork], Awaitable[auth_svc.TokenSet | auth_svc.AuthFailure]]
    if grant == "password":
        username, password = _text(form, "username"), _text(form, "password")
        if not username or password is None:
            return _oauth_error("invalid_request", "username and password are required")
        operation, run_grant = "auth.token:password", partial(auth_svc.password_grant, username=username, password=password, scope=scope)
    elif grant == "refresh_token":
        refresh_token = _text(form, "refresh_token")
        if not refresh_token:
            return _oauth_error("invalid_request", "refresh_token is required")
        operation, run_grant = "auth.token:refresh_token", partial(auth_svc.refresh_grant, refresh_token=refresh_token, scope=scope)
    elif grant == "client_credentials":
        client_id, secret = _client_credentials(request, form)
        if not client_id or not secret:
            return _oauth_error("invalid_client", "client authentication failed", 401, {"WWW-Authenticate": 'Basic realm="smallworks"'})
        operation, run_grant = (
            "auth.token:client_credentials",
            partial(auth_svc.client_credentials_grant, client_id=client_id, client_secret=secret, scope=scope),
        )
    elif not grant:
        return _oauth_error("invalid_request", "grant_type is required")
    else:
        return _oauth_error("unsupported_grant_type", f"grant_type {grant!r} is not supported")

    async with ctx.unit_of_work(operation) as uow:
        result = await run_grant(uow)
    if isinstance(result, auth_svc.AuthFailure):
        description = translate(result.code, locale, retry_after=result.retry_after, **result.params)
        if result.code == "TOO_MANY_ATTEMPTS":
            return _oauth_error("invalid_grant", description, 429, {"Retry-After": str(result.retry_after)})
        if result.oauth_error == "invalid_client":
            return _oauth_error("invalid_client", description, 401, {"WWW-Authenticate": 'Basic realm="smallworks"'})
        return _oauth_error(result.oauth_error, description)
    body = {
        "access_token": result.access_token,
        "token_type": "Bearer",
        "expires_in": result.expires_in,
        "scope": " ".join(sorted(result.scopes)),
    }
    if result.refresh_token:
        body["refresh_token"] = result.refresh_token
    return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


async def healthz(request: Request) -> JSONResponse:
    """Liveness: the process is up and its event loop answers. It probes neither the
    database nor Redis on purpose: restarting the process cures neither's outage, and a
    liveness probe that failed with them would restart every server at once. Whether this
    process can serve is /readyz."""
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


async def readyz(request: Request) -> JSONResponse:
    """Readiness: the database answers and is at the latest migration, and Redis answers
    when configured; 503 otherwise, so a load balancer sends this process no traffic."""
    state = request.app.state.smallworks
    checks = await readiness(state)
    ready = all(c.ok for c in checks)
    return JSONResponse(
        # The policy version this process enforces (the same in every process once they agree).
        {"status": "ok" if ready else "error", "checks": {c.name: c.summary for c in checks}, "policy_version": state.policy.version},
        status_code=200 if ready else 503,
        headers={"Cache-Control": "no-store"},
    )


async def run_background(state: AppState) -> None:
    from workers import jobs

    ctx = {"state": state}
    while True:
        await asyncio.sleep(state.settings.background_interval_seconds)
        for job in (jobs.reconcile_outbox, jobs.send_reminders, jobs.run_scheduled, jobs.run_periodic):
            try:
                await job(ctx)
            except Exception:
                log.exception("background job %s failed", job.__name__)


async def watch(state: AppState, topic: str, apply: Callable[[], None]) -> None:
    """Apply changes of ``topic`` announced by other server processes (Redis pub/sub) at
    once, rather than when this process's cache of them expires."""
    own = sender()
    while True:
        try:
            async for announcer in state.broker.announcements(topic):
                if announcer != own:
                    apply()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("listening for %s changes failed; retrying", topic, exc_info=True)
            await asyncio.sleep(1)


def _policy_changed(state: AppState) -> None:
    """Check the policy's version now and rebuild it in the background if it changed."""
    state.policy.expire()
    state.policy.refresh_in_background()


def settle_server_process() -> None:
    """Tune the garbage collector for a server process, once its app is built.

    A server process keeps what it built at start-up (schema, plans, compiled SQL) for its
    whole life: it is moved out of the collector's way, and the youngest generation is
    collected less often (one read request makes tens of thousands of short-lived objects,
    and a collection that runs in the middle of one walks every object kept: on a report of
    a few thousand rows, a full collection over the unfrozen start-up objects took 0.2 s of
    the request). The older generations keep their default pace, so cyclic garbage does not
    pile up in them: with them slowed too, a process answering large queries on the general
    executor grew by 70 MiB a minute; like this it levels off.

    ``app.asgi`` calls it; so does a bench that serves the app in its own process, to time
    what a server would answer."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def create_app(settings: Settings | None = None, state: AppState | None = None, tracer_provider: Any | None = None) -> Starlette:
    """The app. ``tracer_provider``: an OpenTelemetry TracerProvider to trace requests with,
    instead of the one the settings configure (``app.tracing``)."""
    settings = settings or (state.settings if state else get_settings())
    state = state or AppState.create(settings)
    telemetry = Telemetry(state, tracer_provider)

    @asynccontextmanager
    async def lifespan(app):
        loop = asyncio.get_running_loop()
        tasks = []
        if not settings.redis_url:
            # No worker without Redis: this process reconciles the outbox and sends reminders.
            tasks.append(loop.create_task(run_background(state)))
        else:
            tasks.append(loop.create_task(watch(state, "policy", partial(_policy_changed, state))))
            tasks.append(loop.create_task(watch(state, "sign-in", state.signed_in.forget)))
            tasks.append(loop.create_task(watch(state, "trusted-documents", state.trusted.forget)))
        tasks.append(loop.create_task(telemetry.run()))
        try:
            await state.policy.reload()  # before the first request, so none waits for it
        except Exception:
            log.exception("loading the policy at start-up failed")
        yield
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        telemetry.close()
        await state.close()

    graphql = GraphQLApp(state)
    app = Starlette(
        routes=[
            Route("/graphql", graphql),  # every method: GraphQLApp answers the others 405 itself
            WebSocketRoute("/graphql", graphql),
            Route("/auth/token", token_endpoint, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            *([] if settings.production else [Route(graphiql.ROUTE, graphiql.static_file, methods=["GET"])]),
            Route("/files/project-document/{document_id}", download_project_document, methods=["GET"]),
            Route("/files/bid-file/{document_id}", download_bid_file, methods=["GET"]),
            Route("/files/qualification-certificate/{document_id}", download_certificate, methods=["GET"]),
            Route("/files/contract-document/{document_id}", download_contract_document, methods=["GET"]),
            Route("/files/site-photo/{document_id}", download_site_photo, methods=["GET"]),
            Route("/files/site-photo-thumbnail/{document_id}", download_site_photo_thumbnail, methods=["GET"]),
            Route("/files/invoice/{document_id}", download_invoice, methods=["GET"]),
            Route("/files/export/{job_id}", download_export, methods=["GET"]),
            Route("/ocds/releases", ocds.releases, methods=["GET"]),
            Route("/ocds/records/{ocid}", ocds.record, methods=["GET"]),
            *([Route("/metrics", telemetry.metrics_endpoint, methods=["GET"])] if telemetry.serves_metrics else []),
        ],
        middleware=[Middleware(RequestTelemetry, telemetry=telemetry)],
        lifespan=lifespan,
    )
    app.state.smallworks = state
    app.state.telemetry = telemetry
    return app
