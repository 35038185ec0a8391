"""What running the server shows its operators: Prometheus metrics at /metrics (and who
may read them), one structured log line per request with the request id, and
OpenTelemetry spans when tracing is on. Through the HTTP API, as a scraper, a log
collector and a trace collector see them; the outbox backlog on a real Redis with no
worker running; several server processes behind one /metrics.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from conftest import DEMO_PASSWORD, TMP, count_statements, make_settings, unique
from factories import new_owner, pk_of, ready
from prometheus_client.parser import text_string_to_metric_families
from servers import RedisServer, free_port, run_worker

from app.logs import configure_logging

ROOT = Path(__file__).resolve().parents[2]
METRICS_TOKEN = "scrape-" + secrets.token_hex(16)
VIEWER = "query %s { viewer { user { id username } } }"
TRACED = "query %s { viewer { user { id } } users(first: 3) { totalCount nodes { username organisation { name } } } }"
BAD_ORG = """mutation %s($input: CreateOrganisationInput!) {
  createOrganisation(input: $input) { organisation { id } errors { code field } }
}"""


Samples = dict[tuple[str, frozenset], float]


def samples(text: str) -> Samples:
    """Every sample of an exposition, by (name, labels)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(s: Samples, name: str, **labels: str) -> float:
    return s.get((name, frozenset(labels.items())), 0.0)


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


async def scrape(client: httpx.AsyncClient, token: str | None = METRICS_TOKEN) -> Samples:
    r = await client.get("/metrics", headers={"Authorization": f"Bearer {token}"} if token else {})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return samples(r.text)


async def signed_in(client: httpx.AsyncClient, username: str = "admin") -> str:
    r = await client.post("/auth/token", data={"grant_type": "password", "username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


@pytest_asyncio.fixture(scope="module")
async def observed(state, database_url):
    """An app of its own on the shared database: /metrics behind a token, and room for
    three operation names in its metric labels."""
    from app.main import create_app
    from app.state import AppState

    own = AppState.create(make_settings(database_url, metrics_token=METRICS_TOKEN, metrics_max_operations=3))
    app = create_app(state=own)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 50002)), base_url="http://testserver"
    ) as client:
        yield client
    await own.close()


@contextmanager
def request_log(settings) -> Iterator[io.StringIO]:
    """The process's log lines, as ``configure_logging`` formats them for ``settings``."""
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(settings, stream)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def lines_of(stream: io.StringIO) -> list[dict]:
    """Every line parsed as JSON (each record is one line)."""
    return [json.loads(line) for line in stream.getvalue().splitlines()]


# -- metrics ------------------------------------------------------------------------------


async def test_graphql_requests_errors_and_statuses_are_counted_by_operation_and_executor(observed):
    admin = await signed_in(observed)
    viewer = f"ObsViewer{secrets.token_hex(3)}"
    users = f"ObsUsers{secrets.token_hex(3)}"
    bad_org = f"ObsBadOrg{secrets.token_hex(3)}"
    before = await scrape(observed)

    auth = {"Authorization": f"Bearer {admin}"}
    first = await observed.post("/graphql", json={"query": VIEWER % viewer}, headers=auth)
    again = await observed.post("/graphql", json={"query": VIEWER % viewer}, headers=auth)
    assert (first.headers["X-Smallworks-Executor"], again.headers["X-Smallworks-Executor"]) == ("general", "compiled")
    assert first.json() == again.json() and "errors" not in first.json()
    # Anonymous callers may not list users: an execution error with a code.
    refused = await observed.post("/graphql", json={"query": "query %s { users(first: 1) { nodes { id } } }" % users})
    refused_codes = [e["extensions"]["code"] for e in refused.json()["errors"]]
    # A document that does not validate runs no operation: its name is never a label.
    invalid = await observed.post("/graphql", json={"query": "query ObsNeverALabel { viewer { nope } }"}, headers=auth)
    assert invalid.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    # Refused before any executor ran (a transport error): the code comes from the answer.
    broken = await observed.post("/graphql", content=b'{"query": ', headers={**auth, "Content-Type": "application/json"})
    transport_code = broken.json()["errors"][0]["extensions"]["code"]
    assert "X-Smallworks-Executor" not in broken.headers
    org = {"name": unique("观测单位"), "kind": "CONTRACTOR", "uscc": "123", "regionCode": "320583"}
    payload = (await observed.post("/graphql", json={"query": BAD_ORG % bad_org, "variables": {"input": org}}, headers=auth)).json()
    assert [e["code"] for e in payload["data"]["createOrganisation"]["errors"]] == ["INVALID_USCC"]

    after = await scrape(observed)
    requests = "smallworks_graphql_requests_total"
    assert moved(before, after, requests, operation=viewer, executor="general") == 1
    assert moved(before, after, requests, operation=viewer, executor="compiled") == 1
    assert moved(before, after, "smallworks_graphql_request_duration_seconds_count", operation=viewer, executor="compiled") == 1
    assert moved(before, after, requests, operation=users, executor="general") == 1
    assert moved(before, after, requests, operation="(none)", executor="general") == 1  # the invalid document
    assert moved(before, after, requests, operation="(none)", executor="none") == 1  # the transport error
    assert moved(before, after, requests, operation=bad_org, executor="general") == 1
    errors = "smallworks_graphql_errors_total"
    for code in set(refused_codes):
        assert moved(before, after, errors, operation=users, code=code) == refused_codes.count(code)
    assert moved(before, after, errors, operation="(none)", code="GRAPHQL_VALIDATION_FAILED") == 1
    assert moved(before, after, errors, operation="(none)", code=transport_code) == 1
    assert moved(before, after, errors, operation=viewer, code="GRAPHQL_VALIDATION_FAILED") == 0
    assert moved(before, after, "smallworks_graphql_user_errors_total", operation=bad_org, code="INVALID_USCC") == 1
    statuses = Counter(str(r.status_code) for r in (first, again, refused, invalid, broken)) + Counter(["200"])  # and the mutation
    for status, count in statuses.items():
        assert moved(before, after, "smallworks_http_requests_total", method="POST", route="/graphql", status=status) == count
    assert moved(before, after, "smallworks_http_requests_total", method="GET", route="/metrics", status="200") == 1  # the first scrape
    assert not any("ObsNeverALabel" in str(labels) for _, labels in after)


async def test_operation_names_past_the_limit_count_as_other(observed):
    """The app keeps three operation names; every later name shares one label."""
    admin = await signed_in(observed)
    names = [f"ObsCap{secrets.token_hex(4)}" for _ in range(5)]
    before = await scrape(observed)
    for name in names:
        r = await observed.post("/graphql", json={"query": VIEWER % name}, headers={"Authorization": f"Bearer {admin}"})
        assert r.status_code == 200 and "errors" not in r.json()
    after = await scrape(observed)
    labelled = {dict(labels).get("operation") for name, labels in after if name == "smallworks_graphql_requests_total"}
    # The module's first test took the three places; these all count as (other).
    assert not labelled & set(names)
    assert moved(before, after, "smallworks_graphql_requests_total", operation="(other)", executor="general") == 5


async def test_outbox_backlog_and_job_outcomes(state, database_url, api):
    """With Redis and no worker running, a submission's event waits in the outbox: the
    backlog gauge counts it and the oldest event's age grows; a worker run delivers it,
    the backlog falls back and the job counts as ok."""
    from app.main import create_app
    from app.state import AppState

    redis = RedisServer()
    redis.start()
    rstate = None
    try:
        redis_url = redis.url
        rstate = AppState.create(make_settings(database_url, redis_url=redis_url, metrics_token=METRICS_TOKEN))
        app = create_app(state=rstate)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            owner = await new_owner(api)
            project = await ready(api, owner)
            before = await scrape(client)
            # Submitted through the app with Redis: its one event is handed to arq, and waits.
            r = await client.post(
                "/graphql",
                json={
                    "query": "mutation($input: SubmitProjectInput!) { submitProject(input: $input) { errors { code } } }",
                    "variables": {"input": {"id": project["id"], "comment": "请审核。"}},
                },
                headers={"Authorization": f"Bearer {owner.staff.token}"},
            )
            assert r.json()["data"]["submitProject"]["errors"] == [], r.text
            waiting = await scrape(client)
            assert moved(before, waiting, "smallworks_outbox_events", status="dispatched") == 1
            assert moved(before, waiting, "smallworks_outbox_events", status="pending") == 0
            age = value(waiting, "smallworks_outbox_oldest_unsent_age_seconds")
            assert age > 0
            assert value(await scrape(client), "smallworks_outbox_oldest_unsent_age_seconds") > age

            await run_worker(rstate, redis_url)
            delivered = await scrape(client)
            assert value(delivered, "smallworks_outbox_events", status="dispatched") == value(
                before, "smallworks_outbox_events", status="dispatched"
            )
            assert moved(waiting, delivered, "smallworks_background_jobs_total", job="deliver_event", outcome="ok") == 1
            assert moved(waiting, delivered, "smallworks_background_job_duration_seconds_count", job="deliver_event") == 1
    finally:
        if rstate is not None:
            await rstate.close()
        redis.stop()
    # Without Redis the server's own loop runs the jobs; they are counted the same way.
    from app.main import run_background

    quick = AppState.create(make_settings(database_url, background_interval_seconds=0.01))
    start = await scrape(api.client, None)
    loop = asyncio.get_running_loop().create_task(run_background(quick))
    try:
        deadline = time.monotonic() + 10
        while moved(start, await scrape(api.client, None), "smallworks_background_jobs_total", job="send_reminders", outcome="ok") < 1:
            assert time.monotonic() < deadline, "the background loop ran no job"
            await asyncio.sleep(0.02)
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
        await quick.close()
    now = await scrape(api.client, None)
    assert moved(start, now, "smallworks_background_jobs_total", job="reconcile_outbox", outcome="ok") >= 1


async def test_database_pools_are_reported(observed, state):
    s = await scrape(observed)
    assert value(s, "smallworks_db_pool_connections", engine="primary", state="checked_out") >= 0
    if state.db.dialect != "sqlite":
        assert value(s, "smallworks_db_pool_size", engine="primary") == state.settings.database_pool_size
    else:
        assert ("smallworks_db_pool_connections", frozenset({"engine": "write", "state": "idle"}.items())) in s


# -- who may read /metrics ------------------------------------------------------------------


async def test_metrics_need_the_token_when_one_is_set(observed):
    anonymous = await observed.get("/metrics")
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert "smallworks_" not in anonymous.text
    wrong = await observed.get("/metrics", headers={"Authorization": "Bearer " + METRICS_TOKEN[:-1] + "x"})
    assert wrong.status_code == 401
    basic = await observed.get("/metrics", headers={"Authorization": "Basic " + METRICS_TOKEN})
    assert basic.status_code == 401
    await scrape(observed)


async def test_metrics_are_open_outside_production_and_absent_in_production_without_a_token(client, production_app):
    assert (await client.get("/metrics")).status_code == 200
    assert (await production_app.get("/metrics")).status_code == 404


@pytest.mark.once
def test_a_short_metrics_token_is_refused(database_url):
    with pytest.raises(ValueError, match="metrics_token"):
        make_settings(database_url, metrics_token="short")


# -- request logs ---------------------------------------------------------------------------


async def test_each_request_writes_one_json_line_with_its_request_id(observed, database_url, api):
    admin = await signed_in(observed)
    viewer_id = (await api.ok("{ viewer { user { id } } }", token=admin))["viewer"]["user"]["id"]
    name = f"ObsLogged{secrets.token_hex(3)}"
    given = "obs-" + secrets.token_hex(8)
    with request_log(make_settings(database_url, log_format="json")) as stream:
        signed = await observed.post(
            "/graphql", json={"query": VIEWER % name}, headers={"Authorization": f"Bearer {admin}", "X-Request-Id": given}
        )
        anonymous = await observed.post("/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": "not a good id"})
        broken = await observed.post("/graphql", content=b"[", headers={"Content-Type": "application/json"})
    assert signed.headers["X-Request-Id"] == given
    generated = anonymous.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)

    lines = [line for line in lines_of(stream) if line["logger"] == "smallworks.request"]
    by_id = {line["request_id"]: line for line in lines}
    line = by_id[given]
    assert line["level"] == "INFO" and line["message"] == "POST /graphql 200"
    assert (line["method"], line["path"], line["status"]) == ("POST", "/graphql", 200)
    assert (line["operation"], line["operation_type"], line["executor"]) == (name, "query", "general")
    assert (line["actor_kind"], line["actor_id"]) == ("user", pk_of(viewer_id))
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    assert "error_codes" not in line
    quiet = by_id[generated]
    assert "actor_id" not in quiet and quiet["operation"] is None and quiet["operation_type"] == "query"
    (refused,) = [line for line in lines if line["request_id"] not in (given, generated)]
    assert refused["request_id"] == broken.headers["X-Request-Id"]
    assert refused["executor"] == "none" and refused["operation"] is None
    assert refused["error_codes"] == [e["extensions"]["code"] for e in broken.json()["errors"]]


async def test_an_error_logged_inside_a_request_is_one_json_line_with_the_request_id(production_app):
    """Production logs JSON by default. A fault inside a resolver (a phone number sealed
    with a key this app does not hold) is logged with its traceback inside one line that
    carries the request id the client was given, the same as the error's requestId."""
    settings = production_app.settings
    assert settings.log_format is None and settings.json_logs
    token = await signed_in(production_app)
    query = '{ users(first: 1, filter: {search: "auditor"}) { nodes { username phone } } }'
    with request_log(settings) as stream:
        r = await production_app.post("/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"})
    error = r.json()["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL"
    request_id = r.headers["X-Request-Id"]
    assert error["extensions"]["requestId"] == request_id
    lines = lines_of(stream)  # every line is one JSON object
    faults = [line for line in lines if line.get("exc_info")]
    assert any(line["logger"] == "smallworks.graphql" for line in faults)
    assert all(line["request_id"] == request_id and line["level"] == "ERROR" and "Traceback" in line["exc_info"] for line in faults)
    (line,) = [line for line in lines if line["logger"] == "smallworks.request"]
    assert line["request_id"] == request_id and line["error_codes"] == ["INTERNAL"]


@pytest.mark.once
def test_text_logs_have_the_same_fields(database_url):
    from app.logs import REQUEST_ID

    with request_log(make_settings(database_url, log_format="text")) as stream:
        token = REQUEST_ID.set("req-text-1")
        try:
            logging.getLogger("smallworks.request").info("GET /x 200", extra={"status": 200, "error_codes": ["A", "B"]})
        finally:
            REQUEST_ID.reset(token)
    text = stream.getvalue()
    assert text.rstrip().endswith("INFO smallworks.request GET /x 200 status=200 error_codes=A,B request_id=req-text-1")


# -- traces ---------------------------------------------------------------------------------


async def test_a_graphql_request_is_a_server_span_named_after_its_operation(state):
    """The request's span continues the caller's trace; every SQL statement the request
    runs (on PostgreSQL list pages and loader batches run on asyncpg directly) is a child
    span with its text."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import SpanKind

    from app.main import create_app

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(state=state, tracer_provider=provider)
    name = f"ObsTraced{secrets.token_hex(3)}"
    trace_id = secrets.token_hex(16)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            token = await signed_in(client)
            exporter.clear()
            with count_statements(state) as statements_run:
                r = await client.post(
                    "/graphql",
                    json={"query": TRACED % name},
                    headers={"Authorization": f"Bearer {token}", "traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"},
                )
    finally:
        app.state.telemetry.close()
    assert r.status_code == 200 and "errors" not in r.json()
    spans = exporter.get_finished_spans()
    (server,) = [s for s in spans if s.kind == SpanKind.SERVER]
    assert server.name == f"query {name}"
    assert server.attributes["graphql.operation.name"] == name
    assert server.attributes["graphql.operation.type"] == "query"
    assert server.attributes["http.response.status_code"] == 200
    assert server.attributes["http.route"] == "/graphql"
    assert server.attributes["smallworks.request_id"] == r.headers["X-Request-Id"]
    assert format(server.context.trace_id, "032x") == trace_id  # the caller's trace goes on
    statements = [s for s in spans if s.kind == SpanKind.CLIENT]
    assert all(s.parent is not None and s.parent.span_id == server.context.span_id for s in statements)
    texts = [s.attributes["db.query.text"] for s in statements if not s.name.startswith(("BEGIN", "COMMIT", "ROLLBACK"))]
    assert statements_run and texts == statements_run
    assert all(s.attributes["db.system.name"] == state.db.dialect for s in statements)
    # Closed, the app leaves no listener behind.
    exporter.clear()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(state=state)), base_url="http://testserver") as client:
        await client.post("/graphql", json={"query": TRACED % name}, headers={"Authorization": f"Bearer {token}"})
    assert exporter.get_finished_spans() == ()


@pytest.mark.once
async def test_tracing_is_off_unless_configured_and_exports_over_otlp_when_it_is(state, database_url):
    """Off by default; with SMALLWORKS_OTEL_ENDPOINT the spans reach an OTLP/HTTP collector
    (a local receiver here) as protobuf."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    from app.main import create_app

    assert create_app(state=state).state.telemetry.tracing is None
    received: list[tuple[str, bytes]] = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append((self.path, self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app = create_app(make_settings(database_url, otel_endpoint=f"http://127.0.0.1:{server.server_address[1]}"))
    name = f"ObsExported{secrets.token_hex(3)}"
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            r = await client.post("/graphql", json={"query": "query %s { __typename }" % name})
            assert r.status_code == 200
        await asyncio.to_thread(app.state.telemetry.close)  # flushes the batch
    finally:
        await app.state.smallworks.close()
        server.shutdown()
    names = set()
    for path, body in received:
        assert path == "/v1/traces"
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            service = {a.key: a.value.string_value for a in resource_spans.resource.attributes}["service.name"]
            assert service == "smallworks"
            names |= {span.name for scope in resource_spans.scope_spans for span in scope.spans}
    assert f"query {name}" in names


# -- several processes ----------------------------------------------------------------------


@pytest.mark.subprocess
@pytest.mark.once
def test_several_server_processes_answer_one_metrics_page(database_url):
    """``serve --workers 2`` with PROMETHEUS_MULTIPROC_DIR: whichever process answers
    /metrics counts the requests of both (the directory is emptied at start). The server
    writes nothing but JSON lines, uvicorn's own included."""
    port = free_port()
    metrics_dir = TMP / f"metrics-{port}"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"left by an earlier run")
    env = {
        **os.environ,
        "SMALLWORKS_DATABASE_URL": database_url,
        "SMALLWORKS_STORAGE_DIR": str(TMP / "storage"),
        "SMALLWORKS_LOG_FORMAT": "json",
        "SMALLWORKS_METRICS_TOKEN": METRICS_TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    command = [str(ROOT / ".venv" / "bin" / "smallworks"), "serve", "--port", str(port), "--workers", "2"]
    if not Path(command[0]).exists():
        command = [sys.executable, "-m", "app.cli", *command[1:]]
    log_file = TMP / f"serve-{port}.log"
    with open(log_file, "wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    name = f"ObsShared{secrets.token_hex(3)}"
    sent = 0

    def ask() -> None:
        # A connection of its own, so that either process may accept it.
        r = httpx.post(base + "/graphql", json={"query": "query %s { __typename }" % name}, timeout=30)
        assert r.status_code == 200

    def processes() -> set[str]:
        return {p.stem.split("_")[-1] for p in metrics_dir.glob("counter_*.db")}

    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, log_file.read_text()
            time.sleep(0.2)
        assert "1" not in processes()  # the stale file is gone
        while len(processes()) < 2 or sent < 20:
            assert time.monotonic() < deadline, "one process answered every request"
            threads = [threading.Thread(target=ask) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            sent += len(threads)
        for _ in range(3):
            page = httpx.get(base + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=30)
            assert page.status_code == 200
            s = samples(page.text)
            total = sum(v for (n, labels), v in s.items() if n == "smallworks_graphql_requests_total" and dict(labels)["operation"] == name)
            assert total == sent
            assert value(s, "smallworks_graphql_request_duration_seconds_count", operation=name, executor="general") >= 1
            assert not [labels for n, labels in s if n == "smallworks_db_pool_connections" and "pid" in dict(labels)]
    finally:
        server.terminate()
        server.wait(timeout=60)
    lines = [line for line in log_file.read_text().splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # nothing but JSON lines
    assert any(line["logger"].startswith("uvicorn") for line in parsed)
    assert sum(1 for line in parsed if line["logger"] == "smallworks.request" and line.get("operation") == name) == sent


@pytest.mark.once
async def test_job_runs_are_told_apart_by_how_they_end():
    from arq.worker import Retry
    from prometheus_client import REGISTRY

    from workers.delivery import RetryLater
    from workers.metrics import counted

    def runs(outcome: str) -> float:
        return REGISTRY.get_sample_value("smallworks_background_jobs_total", {"job": "obs_job", "outcome": outcome}) or 0.0

    @counted
    async def obs_job(ctx, ending: BaseException | None) -> str:
        if ending is not None:
            raise ending
        return "done"

    before = {outcome: runs(outcome) for outcome in ("ok", "retry", "error", "cancelled")}
    assert obs_job.__name__ == "obs_job" and await obs_job({}, None) == "done"
    for ending in (RetryLater(1.0, "later"), Retry(defer=1), ValueError("no"), asyncio.CancelledError()):
        with pytest.raises(type(ending)):
            await obs_job({}, ending)
    assert {outcome: runs(outcome) - before[outcome] for outcome in before} == {"ok": 1, "retry": 2, "error": 1, "cancelled": 1}


@pytest.mark.once
def test_the_worker_serves_its_metrics_when_asked():
    from workers.metrics import JOBS, serve_metrics

    JOBS.labels("obs_probe", "ok").inc()
    port = free_port()
    server = serve_metrics(port, "127.0.0.1")
    try:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    finally:
        server.shutdown()
    assert value(samples(text), "smallworks_background_jobs_total", job="obs_probe", outcome="ok") >= 1


@pytest_asyncio.fixture(scope="module")
async def production_app(state, database_url):
    """The app as deployed (production settings, its own data key: the demo's phone numbers
    cannot be decrypted by it), without a metrics token."""
    import base64

    from app.main import create_app

    settings = make_settings(
        database_url,
        env="production",
        jwt_secret=secrets.token_urlsafe(48),
        data_keys=json.dumps({"k1": base64.b64encode(secrets.token_bytes(32)).decode()}),
        data_key_id="k1",
        checkpoint_private_key=base64.b64encode(b"c" * 32).decode(),
    )
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        client.settings = settings  # type: ignore[attr-defined]
        yield client
    await app.state.smallworks.close()
