"""OpenTelemetry traces, off unless an OTLP endpoint is configured.

``SMALLWORKS_OTEL_ENDPOINT`` (the collector's OTLP/HTTP base URL, e.g.
``http://collector:4318``) or the standard ``OTEL_EXPORTER_OTLP_ENDPOINT`` /
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` switch it on (``OTEL_SDK_DISABLED=true`` keeps it
off); ``OTEL_SERVICE_NAME`` names the service (``smallworks``), and the exporter's other
``OTEL_EXPORTER_OTLP_*`` variables (headers, timeout, certificates) apply. It needs the
``otel`` extra (``pip install 'smallworks[otel]'``; the Docker image has it).

Each HTTP request is a server span (``app.observe``), named after the GraphQL operation
that ran, continuing the caller's W3C ``traceparent``; SQL statements on the process's
engines are its child spans. (opentelemetry-instrumentation-sqlalchemy does not support
SQLAlchemy 2.1; the few event listeners here do what it does.) Off, nothing of this is
imported, no listener is added, and a request pays one ``is None`` test.
"""

from __future__ import annotations

import logging
import os
from collections.abc import MutableMapping
from typing import Any

from sqlalchemy import event

from app.settings import Settings

log = logging.getLogger("smallworks.tracing")


def wanted(settings: Settings) -> bool:
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return bool(
        settings.otel_endpoint or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    )


def traces_url(endpoint: str) -> str:
    """The OTLP/HTTP traces URL of a collector's base URL."""
    base = endpoint.rstrip("/")
    return base if base.endswith("/v1/traces") else base + "/v1/traces"


def provider_from_settings(settings: Settings) -> Any | None:
    """A TracerProvider exporting over OTLP/HTTP in batches, or None when tracing is off
    (or its packages are missing: that is logged, and the server runs untraced)."""
    if not wanted(settings):
        return None
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        log.error("tracing is configured but OpenTelemetry is not installed: pip install 'smallworks[otel]'; running untraced")
        return None
    provider = TracerProvider(resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME") or "smallworks"}))
    endpoint = traces_url(settings.otel_endpoint) if settings.otel_endpoint else None  # None: the exporter reads OTEL_*
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return provider


class Tracing:
    """Server spans for requests, and SQL spans for the engines of ``db``."""

    def __init__(self, provider: Any, db: Any, *, owned: bool):
        from opentelemetry import context, propagate, trace

        self.provider = provider
        self.owned = owned  # shut the provider down on close (not one a caller passed in)
        self.tracer = provider.get_tracer("smallworks")
        self._context = context
        self._propagate = propagate
        self._trace = trace
        self._statements = _StatementSpans(self.tracer, db)

    def start(self, scope: MutableMapping[str, Any], headers: dict[str, str]) -> tuple[Any, Any]:
        """A server span for the request, made current for the request's task."""
        trace = self._trace
        parent = self._propagate.extract(headers)
        method = scope.get("method", "")
        span = self.tracer.start_span(
            f"{method} {scope.get('path', '')}",
            context=parent,
            kind=trace.SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": scope.get("path", ""), "url.scheme": scope.get("scheme", "http")},
        )
        token = self._context.attach(trace.set_span_in_context(span, parent))
        return span, token

    def finish(self, span: Any, token: Any, name: str, attributes: dict[str, Any], error: bool) -> None:
        span.update_name(name)
        span.set_attributes(attributes)
        if error:
            span.set_status(self._trace.Status(self._trace.StatusCode.ERROR))
        span.end()
        self._context.detach(token)

    @staticmethod
    def trace_id(span: Any) -> str:
        return format(span.get_span_context().trace_id, "032x")

    def close(self) -> None:
        self._statements.remove()
        if self.owned:
            self.provider.shutdown()


class _StatementSpans:
    """A client span for each SQL statement on the engines of ``db``, child of the span
    current when it runs (SQLAlchemy's events; the statement's text with its placeholders,
    never its values). The statements that ``app.driver_reads`` runs on asyncpg directly
    raise the same events."""

    SPAN = "_smallworks_span"

    def __init__(self, tracer: Any, db: Any):
        from opentelemetry import trace

        self.tracer = tracer
        self.kind = trace.SpanKind.CLIENT
        self.error = trace.Status(trace.StatusCode.ERROR)
        self.engines = [
            e.sync_engine for e in {id(e): e for e in (db.engine, db.write_engine, db.replica_engine) if e is not None}.values()
        ]
        self._listeners = (("before_cursor_execute", self.before), ("after_cursor_execute", self.after), ("handle_error", self.failed))
        for engine in self.engines:
            for name, listener in self._listeners:
                event.listen(engine, name, listener)

    def before(self, conn, cursor, statement: str, parameters, context, executemany) -> None:
        if context is None:
            return
        url = conn.engine.url
        words = statement.split(None, 1)
        span = self.tracer.start_span(
            f"{words[0].upper() if words else 'SQL'} {url.database or ''}".strip(),
            kind=self.kind,
            attributes={"db.system.name": conn.dialect.name, "db.namespace": url.database or "", "db.query.text": statement},
        )
        setattr(context, self.SPAN, span)

    def after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        span = getattr(context, self.SPAN, None)
        if span is not None:
            span.end()

    def failed(self, exception_context) -> None:
        span = getattr(exception_context.execution_context, self.SPAN, None)
        if span is not None:
            span.set_status(self.error)
            span.end()

    def remove(self) -> None:
        for engine in self.engines:
            for name, listener in self._listeners:
                if event.contains(engine, name, listener):
                    event.remove(engine, name, listener)
