"""The reports on a province: seed one, then time every report as a client calls it.

    .venv/bin/python bench/province.py [--scale 1.0] [--keep] [--runs 5]
        [--database NAME] [--explain] [--only REPORT]

Makes a fresh PostgreSQL database (127.0.0.1:5432, user postgres, ``sw_bench_province_<pid>``),
migrates it with the project's migrations, loads the demo data (users, organisations,
policy), and seeds one province (330000: 13 cities × 8 counties) with, at ``--scale 1``,
100,000 projects in every status over three calendar years, about 95,000 tenders with
300,000 bids, 80,000 contracts with 400,000 milestones, 200,000 payment requests, and
1,000,000 log entries — the progress domain's daily construction logs — plus the status
history of projects, tenders and contracts, budget allocations and reservations,
inspections, rectifications and warnings (``bench/province_seed.py`` says how). It prints
the rows and seconds per table and the total, then VACUUMs and ANALYZEs (as autovacuum would).

Then it signs in as an auditor of the province, of a city and of a county (users it made)
and calls every report root field of the schema (``Query.*Report``, found by
introspection, so a new report is timed without editing this file) over the GraphQL API,
in process (httpx over ASGI), grouped in a few typical ways; each call is made once to warm
the caches, then ``--runs`` times, and the median is printed, with the slowest SQL statement of
the call (a call over 5 s the first time is timed by that call alone). Every
report must answer in under 1 s: the run ends with exit status 1 when one does not.

``--explain`` prints ``EXPLAIN (ANALYZE, BUFFERS)`` of each call's slowest statement, with
the session settings the app's connections make (the plans in ``docs/reports-performance.md``
come from it). ``--database NAME`` times a database that
an earlier ``--keep`` run left, without seeding it again. The database is dropped at the
end unless ``--keep`` (or ``--database``).

This prints figures; it is not a test. On the shared 2-core machine use ``--scale 0.1``
while developing, and the full scale for the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from province_seed import Seeded, seed_province  # noqa: E402

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
DEMO_PASSWORD = "smallworks-demo"
LIMIT_SECONDS = 1.0
# A call this slow the first time is over the limit whatever the repeats say: timed once.
SLOW_SECONDS = 5.0


def log(message: str = "") -> None:
    print(message, flush=True)


class BenchError(Exception):
    pass


# -- database -------------------------------------------------------------------------------


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def dsn_of(name: str) -> str:
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def url_of(name: str) -> str:
    return f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


async def load_demo(url: str, storage: Path) -> None:
    from app.demo import load_demo_data
    from app.settings import Settings
    from app.state import AppState

    state = AppState.create(Settings(env="test", database_url=url, storage_dir=storage, redis_url=None))
    try:
        await load_demo_data(state)
    finally:
        await state.close()


async def seed(dsn: str, scale: float) -> Seeded:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        seeded = await seed_province(conn, scale, log)
        # As autovacuum leaves a table that has settled: statistics, and the visibility map
        # that lets a scan read an index alone.
        started = time.perf_counter()
        await conn.execute("VACUUM (ANALYZE)")
        seeded.seconds["(VACUUM ANALYZE)"] = time.perf_counter() - started
        return seeded
    finally:
        await conn.close()


# -- the reports, as the schema shows them ----------------------------------------------------

INTROSPECTION = """query Reports { __schema { queryType { fields { name description
  args { name type { ...T } defaultValue }
  type { ...T } } } types { kind name
  fields(includeDeprecated: false) { name args { name type { ...T } } type { ...T } }
  inputFields { name type { ...T } defaultValue } enumValues { name } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }"""


def unwrap(t: dict[str, Any]) -> tuple[dict[str, Any], bool, bool]:
    """(named type, required, list) of a type reference."""
    required = listed = False
    if t["kind"] == "NON_NULL":
        required = True
        t = t["ofType"]
    while t["kind"] in ("NON_NULL", "LIST"):
        listed = listed or t["kind"] == "LIST"
        t = t["ofType"]
    return t, required, listed


@dataclass
class Schema:
    fields: list[dict[str, Any]]
    types: dict[str, dict[str, Any]]

    def selection(self, type_name: str, depth: int = 0) -> str:
        """Every field of ``type_name`` without required arguments, objects to depth 3."""
        parts = []
        for f in self.types[type_name].get("fields") or []:
            if any(unwrap(a["type"])[1] for a in f["args"]):
                continue
            named, _, _ = unwrap(f["type"])
            kind = self.types[named["name"]]["kind"]
            if kind in ("SCALAR", "ENUM"):
                parts.append(f["name"])
            elif kind == "OBJECT" and depth < 3:
                inner = self.selection(named["name"], depth + 1)
                if inner:
                    parts.append(f"{f['name']} {{ {inner} }}")
        return " ".join(parts)

    def enum(self, name: str) -> list[str]:
        return [v["name"] for v in self.types[name].get("enumValues") or []]


async def read_schema(client: httpx.AsyncClient, token: str) -> Schema:
    r = await client.post("/graphql", json={"query": INTROSPECTION}, headers={"Authorization": f"Bearer {token}"})
    body = r.json()
    if r.status_code != 200 or body.get("errors"):
        raise BenchError(f"introspection failed: {r.status_code} {r.text[:500]}")
    s = body["data"]["__schema"]
    return Schema(s["queryType"]["fields"], {t["name"]: t for t in s["types"]})


@dataclass
class Call:
    report: str
    viewer: str  # province | city | county
    grouping: str
    query: str
    variables: dict[str, Any]
    seconds: list[float] = field(default_factory=list)
    rows: int = 0
    statements: int = 0
    slowest: tuple[float, str, Any] | None = None
    error: str | None = None
    skipped: bool = False  # a grouping the report does not offer

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")


def report_fields(schema: Schema) -> list[dict[str, Any]]:
    return [f for f in schema.fields if f["name"].endswith("Report")]


def plan_calls(schema: Schema, seeded: Seeded, only: str | None) -> list[Call]:
    """Each report × viewer × a few groupings, with the variables its arguments take."""
    calls = []
    for f in report_fields(schema):
        if only and f["name"] != only:
            continue
        args = {a["name"]: a for a in f["args"]}
        named, _, _ = unwrap(f["type"])
        selection = schema.selection(named["name"]) or "__typename"
        decl = ", ".join(f"${a['name']}: {type_text(a['type'])}" for a in f["args"])
        use = ", ".join(f"{a['name']}: ${a['name']}" for a in f["args"])
        query = f"query Bench{f['name'][0].upper()}{f['name'][1:]}{f'({decl})' if decl else ''} {{ {f['name']}{f'({use})' if use else ''} {{ {selection} }} }}"
        for viewer in ("province", "city", "county"):
            regions = {"province": seeded.province, "city": seeded.city, "county": seeded.county}
            for grouping, variables in groupings(schema, args, viewer, regions):
                calls.append(Call(f["name"], viewer, grouping, query, variables))
    return calls


def type_text(t: dict[str, Any]) -> str:
    if t["kind"] == "NON_NULL":
        return type_text(t["ofType"]) + "!"
    if t["kind"] == "LIST":
        return f"[{type_text(t['ofType'])}]"
    return t["name"]


# The groupings timed for every report (those its dimensions allow), as (name, groupBy, more
# filter fields). REGION is at the level below the viewer's: cities for the province's
# auditor, counties for the others.
GROUPINGS: list[tuple[str, list[str], dict[str, Any]]] = [
    ("total", [], {}),
    ("total, own region given", [], {"regionCode": "(viewer)"}),
    ("region", ["REGION"], {}),
    ("region+year", ["REGION", "YEAR"], {}),
    ("year+month", ["YEAR", "MONTH"], {}),
    ("2025 by month", ["MONTH"], {"year": 2025}),
    ("category", ["CATEGORY"], {}),
    ("method", ["METHOD"], {}),
    ("status", ["STATUS"], {}),
    ("organisation", ["ORGANISATION"], {}),
    ("warning kind", ["WARNING_KIND"], {}),
]
# A grouping a report does not offer is refused with one of these codes: not a failure.
NOT_OFFERED = ("REPORT_DIMENSION_NOT_SUPPORTED", "REPORT_MONTH_NOT_ALLOWED", "REPORT_PERIOD_YEAR_ONLY")


def groupings(schema: Schema, args: dict[str, Any], viewer: str, regions: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """Typical ways to ask: the whole scope, by region, by year and month, by category,
    method, status or owner; only those the report's filter allows."""
    filter_arg = None
    for a in args.values():
        named, _, _ = unwrap(a["type"])
        fields = {f["name"]: f for f in schema.types[named["name"]].get("inputFields") or []}
        if "groupBy" in fields:
            filter_arg = (a["name"], fields)
    if filter_arg is None:
        return [("(as is)", {})]
    name, fields = filter_arg
    dimension = unwrap(fields["groupBy"]["type"])[0]["name"]
    allowed = set(schema.enum(dimension))
    out = []
    for label, group_by, more in GROUPINGS:
        if not all(d in allowed for d in group_by):
            continue
        value: dict[str, Any] = {"groupBy": group_by, **{k: regions[viewer] if v == "(viewer)" else v for k, v in more.items()}}
        if "REGION" in group_by and "regionLevel" in fields:
            value["regionLevel"] = "CITY" if viewer == "province" else "COUNTY"
        out.append((label, {name: value}))
    return out


# -- timing ---------------------------------------------------------------------------------


async def time_reports(url: str, storage: Path, seeded: Seeded, runs: int, explain: bool, only: str | None, label: str) -> list[Call]:
    from sqlalchemy import event

    from app.main import create_app, settle_server_process
    from app.settings import Settings
    from app.state import AppState

    state = AppState.create(Settings(env="test", database_url=url, storage_dir=storage, redis_url=None))
    app = create_app(state=state)
    current: list[tuple[float, str, Any]] = []
    started_at: dict[int, float] = {}

    def before(conn, cursor, statement, parameters, context, executemany):
        # Statements run on the driver's connection come with no cursor: their context tells them apart.
        started_at[id(cursor if cursor is not None else context)] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        began = started_at.pop(id(cursor if cursor is not None else context), None)
        if began is not None and not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            current.append((time.perf_counter() - began, statement, parameters))

    engines = {
        id(e): e for e in (state.db.engine, state.db.write_engine, getattr(state.db, "replica_engine", None)) if e is not None
    }.values()
    calls: list[Call] = []
    try:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=120) as client:
            tokens: dict[str, str] = {}
            signed_in: list[float | None] = [None]

            async def sign_in() -> None:
                """Tokens of the three auditors, renewed before they expire (15 minutes)."""
                if signed_in[0] is not None and time.monotonic() - signed_in[0] < 600:
                    return
                for level, username in seeded.users.items():
                    r = await client.post("/auth/token", data={"grant_type": "password", "username": username, "password": DEMO_PASSWORD})
                    if r.status_code != 200:
                        raise BenchError(f"sign-in of {username} failed: {r.status_code} {r.text[:300]}")
                    tokens[level] = r.json()["access_token"]
                signed_in[0] = time.monotonic()

            await sign_in()
            schema = await read_schema(client, tokens["province"])
            calls = plan_calls(schema, seeded, only)
            # Collected and tuned as the server process does once its app is built (app.asgi).
            settle_server_process()
            if not calls:
                log(f"no report root fields (Query.*Report) in the schema{f' named {only}' if only else ''}: nothing to time")
                return []
            for engine in engines:
                event.listen(engine.sync_engine, "before_cursor_execute", before)
                event.listen(engine.sync_engine, "after_cursor_execute", after)
            log()
            log(f"## Reports {label}: median of {runs} calls each, over GraphQL in process (seconds)")
            log()
            log("| report | viewer | grouping | median s | min s | max s | rows | SQL statements | slowest statement s |")
            log("|---|---|---|---:|---:|---:|---:|---:|---:|")
            for call in calls:
                await sign_in()
                headers = {"Authorization": f"Bearer {tokens[call.viewer]}"}
                body = {"query": call.query, "variables": call.variables}
                for n in range(runs + 1):  # the first call warms the caches and is not counted
                    current.clear()
                    began = time.perf_counter()
                    r = await client.post("/graphql", json=body, headers=headers)
                    seconds = time.perf_counter() - began
                    answer = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
                    if r.status_code != 200 or answer.get("errors"):
                        errors = answer.get("errors") or [{"message": r.text[:300]}]
                        if any(code in json.dumps(errors) for code in NOT_OFFERED):
                            call.skipped = True
                            break
                        codes = sorted({str((e.get("extensions") or {}).get("code", "")) for e in errors})
                        call.error = f"{r.status_code} {','.join(codes)}: {errors[0].get('message', '')[:200]}"
                        break
                    if n == 0:
                        if seconds > SLOW_SECONDS:  # over the limit whatever the repeats say: time it once
                            call.seconds.append(seconds)
                            call.rows = count_rows(answer.get("data"))
                            call.statements = len(current)
                            call.slowest = max(current, default=None, key=lambda s: s[0])
                            break
                        continue
                    call.seconds.append(seconds)
                    call.statements = len(current)
                    call.rows = count_rows(answer.get("data"))
                    slowest = max(current, default=None, key=lambda s: s[0])
                    if slowest and (call.slowest is None or slowest[0] > call.slowest[0]):
                        call.slowest = slowest
                if call.skipped:
                    continue
                if call.error:
                    log(f"| {call.report} | {call.viewer} | {call.grouping} | ERROR {call.error} | | | | | |")
                    continue
                flag = "" if call.median < LIMIT_SECONDS else " **over 1 s**"
                log(
                    f"| {call.report} | {call.viewer} | {call.grouping} | {call.median:.3f}{flag} | {min(call.seconds):.3f} | "
                    f"{max(call.seconds):.3f} | {call.rows} | {call.statements} | {call.slowest[0] if call.slowest else 0:.3f} |"
                )
            for engine in engines:
                event.remove(engine.sync_engine, "before_cursor_execute", before)
                event.remove(engine.sync_engine, "after_cursor_execute", after)
    finally:
        await state.close()
    if explain:
        await explain_calls(url, calls)
    return calls


def count_rows(data: Any) -> int:
    """The rows of a report's answer: the longest list in it."""
    if isinstance(data, list):
        return max(len(data), max((count_rows(x) for x in data), default=0))
    if isinstance(data, dict):
        return max((count_rows(v) for v in data.values()), default=0)
    return 0


async def explain_calls(url: str, calls: list[Call]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest statement of each report and viewer's
    slowest grouping."""
    import asyncpg

    worst: dict[tuple[str, str], Call] = {}
    for call in calls:
        if call.slowest is None:
            continue
        key = (call.report, call.viewer)
        if key not in worst or call.slowest[0] > (worst[key].slowest or (0,))[0]:
            worst[key] = call
    from app.db import postgresql_settings
    from app.settings import Settings

    # The session settings the app's own connections make (app.db.postgresql_settings).
    conn = await asyncpg.connect(url.replace("+asyncpg", ""), server_settings=postgresql_settings(Settings(env="test", database_url=url)))
    try:
        for (report, viewer), call in sorted(worst.items()):
            assert call.slowest is not None
            seconds, statement, parameters = call.slowest
            log()
            log(f"### EXPLAIN (ANALYZE, BUFFERS): {report}, {viewer} auditor, grouped by {call.grouping} ({seconds:.3f} s in the call)")
            log()
            log("```sql")
            log(" ".join(statement.split()))
            log(f"-- parameters: {list(parameters) if parameters else []}")
            log("```")
            try:
                rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + statement, *(parameters or ()))
            except Exception as exc:  # a statement the driver sent another way: say so, go on
                log(f"(EXPLAIN failed: {exc})")
                continue
            log("```")
            for row in rows:
                log(row[0])
            log("```")
    finally:
        await conn.close()


# -- main -----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="row counts × this (default 1.0: 100,000 projects)")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end (its name is printed)")
    parser.add_argument("--runs", type=int, default=5, help="timed calls of each report (default 5; the median is shown)")
    parser.add_argument("--database", help="time an existing database (left by --keep) instead of seeding a new one")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN (ANALYZE, BUFFERS) of each report's slowest statement")
    parser.add_argument("--only", help="time only this report root field")
    parser.add_argument("--no-reports", action="store_true", help="seed only")
    args = parser.parse_args()
    if args.scale <= 0 or args.scale > 10 or args.runs < 1:
        parser.error("--scale must be in (0, 10] and --runs at least 1")

    def on_term(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    tmp = Path(tempfile.mkdtemp(prefix="smallworks-province-"))
    os.environ["SMALLWORKS_DEV_SECRETS_FILE"] = str(tmp / "dev-secrets.json")
    name = args.database or f"sw_bench_province_{os.getpid()}"
    url, dsn = url_of(name), dsn_of(name)
    created = False
    slow: list[Call] = []
    try:
        if args.database:
            seeded = asyncio.run(describe(dsn))
            log(f"database {name}: timing as left by an earlier run (scale unknown; {seeded.counts.get('projects', 0):,} projects)")
        else:
            log(f"database {name}: creating, migrating, loading the demo data")
            asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
            created = True
            started = time.perf_counter()
            from app.migrate import upgrade

            upgrade(url)
            asyncio.run(load_demo(url, tmp / "storage"))
            log(f"  migrated and demo data loaded in {time.perf_counter() - started:.1f} s (not counted in the seeding)")
            log(f"seeding province {330000} at scale {args.scale:g} (PostgreSQL, COPY; foreign keys and constraints checked):")
            seeded = asyncio.run(seed(dsn, args.scale))
            log()
            log(f"## Seeding at scale {args.scale:g}")
            log()
            log("| table | rows | seconds |")
            log("|---|---:|---:|")
            for table, count in seeded.counts.items():
                log(f"| {table} | {count:,} | {seeded.seconds[table]:.1f} |")
            for step in ("(planning)", "(sequences)", "(VACUUM ANALYZE)"):
                log(f"| {step} | | {seeded.seconds[step]:.1f} |")
            total = seeded.total_seconds
            log(f"| **total** | **{sum(seeded.counts.values()):,}** | **{total:.1f}** |")
            log()
            log(
                f"seeded in {total:.1f} s ({total / 60:.1f} min; the limit is 10 min: {'met' if total < 600 else 'NOT met'}); "
                "the 1,000,000 log entries are the progress domain's daily construction logs (daily_logs)"
            )
        if args.no_reports:
            return 0
        calls = asyncio.run(time_reports(url, tmp / "storage", seeded, args.runs, args.explain, args.only, "on the province"))
        slow = [c for c in calls if not c.skipped and (c.error or not c.median < LIMIT_SECONDS)]
        log()
        log(
            f"Machine: {os.cpu_count()} CPUs, PostgreSQL {asyncio.run(server_version(dsn))}, Python {sys.version.split()[0]}; "
            "other work shares the cores, so repeat a figure before trusting it."
        )
        if slow:
            log(f"{len(slow)} report call(s) failed or took 1 s or more: " + ", ".join(f"{c.report}/{c.viewer}/{c.grouping}" for c in slow))
            return 1
        return 0
    except BenchError as exc:
        log(f"error: {exc}")
        return 2
    finally:
        if created and not args.keep:
            try:
                asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            except Exception as exc:
                log(f"warning: could not drop database {name}: {exc}")
        elif created:
            log(
                f"kept database {name}: time it again with --database {name}; drop it with: psql -h {PG_HOST} -U {PG_USER} -c 'DROP DATABASE \"{name}\"'"
            )
        shutil.rmtree(tmp, ignore_errors=True)


async def server_version(dsn: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


async def describe(dsn: str) -> Seeded:
    """What an earlier run left: the counts and the auditors it made."""
    import asyncpg
    from province_seed import CITIES, PROVINCE

    conn = await asyncpg.connect(dsn)
    try:
        counts = {t: int(await conn.fetchval(f"SELECT count(*) FROM {t}")) for t in ("projects", "bids", "contracts", "daily_logs")}
        county = await conn.fetchval(
            "SELECT o.region_code FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.username = 'bench_auditor_county'"
        )
        if county is None:
            raise BenchError("this database has no bench auditors: was it made by bench/province.py?")
    finally:
        await conn.close()
    from datetime import UTC, datetime

    users = {"province": "bench_auditor_province", "city": "bench_auditor_city", "county": "bench_auditor_county"}
    return Seeded(counts, {}, PROVINCE[0], CITIES[0][0], county, users, datetime.now(UTC))


if __name__ == "__main__":
    sys.exit(main())
