"""The read path under load: smallworks against a hand-written endpoint, over real HTTP.

    .venv/bin/python bench/read_path.py [--projects 20000] [--rounds 3] [--seconds 10]
        [--workers 1] [--compare-workers] [--policy-lines 0] [--rss-requests 10000] [--show-sql]
        [--executor compiled|general] [--no-postgraphile]

Makes a fresh PostgreSQL database (127.0.0.1:5432, user postgres, ``sw_bench_<pid>``),
migrates it, loads the demo data, and seeds ``--projects`` projects of the demo owner
organisation (3 line items, 1-2 status changes, 2 documents each) with COPY. Then starts
``smallworks serve`` in production mode, ``bench/raw_endpoint.py`` (Starlette, asyncpg,
orjson) with the same number of workers, and PostGraphile 5 (amber preset, one Node.js
process) over the same tables; checks that smallworks and raw answer the read-path query
(``QUERY`` below) with the same JSON and PostGraphile its own form of it (``PG_QUERY``)
with the same rows, and drives all with wrk (8 connections, 2 threads), alternating,
``--rounds`` rounds of ``--seconds`` each after a short warm-up. Prints, per system, the
median req/s, p50 and p99 latency, SQL statements per request, RSS of the server process
tree, CPU time per request, and the ratios; then a Markdown table and the machine.
Everything it starts is stopped and the database dropped at the end, on error too.
Traffic goes to 127.0.0.1 only.

PostGraphile needs Node.js 22: both come from the npm registry, as locked in
``bench/postgraphile/package-lock.json``, installed once under ``var/bench/postgraphile``
(``npm ci``); without npm the run leaves PostGraphile out and says so.

This prints figures; it is not a test. On a 2-core machine wrk, PostgreSQL and the
server share the cores, so the figures are noisy: compare ratios, not absolute numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
WRK = "/usr/bin/wrk"
CONNECTIONS, THREADS = 8, 2
WARMUP_SECONDS = 2
DEMO_PASSWORD = "smallworks-demo"

QUERY = """query ReadPath { projects(first: 100) {
  pageInfo { hasNextPage endCursor }
  nodes { id code title status budgetAmount createdAt
    ownerOrganisation { name }
    lineItems { position name quantity unit unitPrice amount }
    statusHistory { fromStatus toStatus action actorName comment occurredAt }
    documents { id documentType version filename mediaType sizeBytes sha256 uploadedAt } } } }"""
BODY = json.dumps({"query": QUERY, "operationName": "ReadPath"})
RAW_STATEMENTS = 5  # by construction: bench/raw_endpoint.py sends one statement per batch

# The same data from PostGraphile's schema of the same tables. It names things its own way,
# shows amounts as the stored integers (fen) and enums as stored, and lets lists be ordered
# by indexed columns only (line items and history come in id order, which is their order in
# the seeded data).
PG_QUERY = """query ReadPath { allProjects(first: 100, condition: {ownerOrganisationId: "%s"}, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) {
  pageInfo { hasNextPage endCursor }
  nodes { id code title status budgetAmount createdAt
    organisationByOwnerOrganisationId { name }
    projectLineItemsByProjectId(orderBy: [ROW_ID_ASC]) { nodes { position name quantity unit unitPrice amount } }
    projectStatusChangesByProjectId(orderBy: [ROW_ID_ASC]) { nodes { fromStatus toStatus action actorName comment occurredAt } }
    projectDocumentsByProjectId(orderBy: [DOCUMENT_TYPE_ASC, VERSION_ASC]) {
      nodes { id documentType version filename mediaType sizeBytes sha256 uploadedAt } } } } }"""
PG_BODY = {"value": ""}  # set once the owner organisation is known
POSTGRAPHILE_SOURCE = BENCH / "postgraphile"
POSTGRAPHILE_DIR = ROOT / "var" / "bench" / "postgraphile"


class BenchError(Exception):
    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


def log(message: str = "") -> None:
    print(message, flush=True)


# -- machine and prerequisites ------------------------------------------------------------


def install_postgraphile() -> tuple[Path | None, str]:
    """PostGraphile 5.1.5 and Node.js 22 from the npm registry, as locked in
    bench/postgraphile/package-lock.json, installed once under var/bench/postgraphile.
    Returns the node binary to run it with, or None and why not."""
    npm = shutil.which("npm")
    if npm is None:
        return None, "PostGraphile: skipped (npm is not installed, so Node.js 22 and PostGraphile cannot be fetched)"
    POSTGRAPHILE_DIR.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json", "server.mjs"):
        shutil.copyfile(POSTGRAPHILE_SOURCE / name, POSTGRAPHILE_DIR / name)
    node = POSTGRAPHILE_DIR / "node_modules" / ".bin" / "node"
    if not (node.exists() and (POSTGRAPHILE_DIR / "node_modules" / "postgraphile").exists()):
        log("PostGraphile: installing Node.js 22 and PostGraphile 5 from the npm registry (npm ci, once)")
        result = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=POSTGRAPHILE_DIR, capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            return None, f"PostGraphile: skipped (npm ci failed: {(result.stderr or result.stdout).strip()[-500:]})"
    version = subprocess.run([str(node), "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    match = re.match(r"v?(\d+)", version)
    if not match or int(match.group(1)) < 22:
        return None, f"PostGraphile: skipped (needs Node.js ≥ 22; got {version or 'nothing'})"
    return node, f"PostGraphile 5.1.5 (amber preset) on Node.js {version}"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- database -----------------------------------------------------------------------------


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_database(name: str) -> None:
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))


def drop_database(name: str) -> None:
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def postgres_version(dsn: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval("SHOW server_version")
    finally:
        await conn.close()


async def load_demo(url: str, storage: Path) -> None:
    from app.demo import load_demo_data
    from app.settings import Settings
    from app.state import AppState

    settings = Settings(env="test", database_url=url, storage_dir=storage, redis_url=None)
    state = AppState.create(settings)
    try:
        await load_demo_data(state)
    finally:
        await state.close()


LINE_ITEM_NAMES = [
    ("沥青路面铣刨重铺", "m²"),
    ("路缘石更换", "m"),
    ("乔木补植", "株"),
    ("草坪修复", "m²"),
    ("屋面防水卷材", "m²"),
    ("渠道清淤", "m³"),
    ("浆砌石护坡", "m³"),
    ("不锈钢栏杆", "m"),
    ("LED 投光灯", "套"),
    ("交通标线", "项"),
]
TITLE_PLACES = ["周市镇", "陆杨村", "市北村", "新镇社区", "青阳路", "东方村", "永平社区", "朝阳路"]
TITLE_WORKS = {
    "road": "道路修复工程",
    "greening": "绿化补植工程",
    "building_repair": "房屋修缮工程",
    "water": "灌溉渠清淤加固",
    "equipment": "设备采购",
    "other": "便民设施改造",
}
ACTIONS = {"submitted": "submit", "approved": "approve", "rejected": "reject", "cancelled": "cancel"}


@dataclass
class Seeded:
    owner_user_id: int
    owner_organisation_id: int
    region_code: str
    projects: int
    line_items: int
    status_changes: int
    documents: int
    policy_lines: int
    seconds: float


async def seed(dsn: str, count: int, policy_lines: int) -> Seeded:
    """``count`` projects of the demo owner organisation with their children, by COPY."""
    import asyncpg

    from models.projects import DOCUMENT_TYPES, PROJECT_CATEGORIES, PROJECT_STATUSES

    started = time.perf_counter()
    rng = random.Random(20260101)
    conn = await asyncpg.connect(dsn)
    try:
        owner = await conn.fetchrow(
            "SELECT u.id, u.display_name, u.organisation_id, o.region_code FROM users u "
            "JOIN organisations o ON o.id = u.organisation_id WHERE u.username = 'owner'"
        )
        if owner is None:
            raise BenchError("demo user 'owner' not found after loading the demo data")
        org_id, region, user_id, actor_name = owner["organisation_id"], owner["region_code"], owner["id"], owner["display_name"]

        async def next_id(table: str) -> int:
            return int(await conn.fetchval(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"))

        project_id = await next_id("projects")
        item_id = await next_id("project_line_items")
        change_id = await next_id("project_status_changes")
        document_id = await next_id("project_documents")

        now = datetime.now(UTC).replace(microsecond=0)
        newest = now - timedelta(days=1)
        span = 2 * 365 * 86400  # created over two years, newest first
        projects, items, changes, documents = [], [], [], []
        created_at = newest
        digits = max(5, len(str(count - 1)))
        for i in range(count):
            pid = project_id + i
            if i and i % 50 != 0:  # every 50th project shares its creation time with the one before
                created_at = newest - timedelta(microseconds=int(i * span * 1_000_000 / count) + rng.randrange(1_000_000))
            category = PROJECT_CATEGORIES[i % len(PROJECT_CATEGORIES)]
            status = PROJECT_STATUSES[(i // 3) % len(PROJECT_STATUSES)]
            budget = 0
            for position in range(1, 4):
                name, unit = LINE_ITEM_NAMES[(i + position) % len(LINE_ITEM_NAMES)]
                quantity = rng.randrange(1, 3_000_000)  # thousandths: 0.001 … 2999.999
                if position == 1:
                    quantity = quantity // 1000 * 1000 or 1000  # whole numbers too
                unit_price = rng.randrange(100, 50_000)  # fen: 1.00 … 499.99
                amount = int((Decimal(quantity) * Decimal(unit_price) / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))
                budget += amount
                items.append((item_id, pid, position, name, quantity, unit, unit_price, amount))
                item_id += 1
            start = (created_at + timedelta(days=30)).date()
            projects.append(
                (
                    pid,
                    f"XM-2026-9{i:0{digits}d}",
                    f"{TITLE_PLACES[i % len(TITLE_PLACES)]}{TITLE_WORKS.get(category, '小额工程')}（压测 {i}）",
                    f"压测项目 {i}：位于昆山市，属小额工程。",
                    org_id,
                    region,
                    category,
                    budget,
                    "县级财政小额工程专项资金",
                    31.43 + rng.random() / 10,
                    121.0 + rng.random() / 10,
                    300,
                    start,
                    start + timedelta(days=60),
                    status,
                    0 if status == "draft" else 1,
                    user_id,
                    created_at,
                    created_at,
                    1,
                )
            )
            changes.append((change_id, pid, None, "draft", "create", user_id, actor_name, None, created_at))
            change_id += 1
            if status != "draft":
                comment = "请审核。" if i % 2 else None
                changes.append(
                    (
                        change_id,
                        pid,
                        "draft",
                        status,
                        ACTIONS.get(status, "advance"),
                        user_id,
                        actor_name,
                        comment,
                        created_at + timedelta(hours=2),
                    )
                )
                change_id += 1
            # Two document rows: either two types, or two versions of one (only the latest shows).
            kinds = [(DOCUMENT_TYPES[0], 1), (DOCUMENT_TYPES[1], 1)] if i % 2 == 0 else [(DOCUMENT_TYPES[0], 1), (DOCUMENT_TYPES[0], 2)]
            for kind, version in kinds:
                digest = hashlib.sha256(f"{pid}/{kind}/{version}".encode()).hexdigest()
                documents.append(
                    (
                        document_id,
                        pid,
                        kind,
                        version,
                        f"{kind}-v{version}.pdf",
                        "application/pdf",
                        10_000 + rng.randrange(2_000_000),
                        digest,
                        f"bench/{pid}/{digest}",
                        user_id,
                        created_at + timedelta(minutes=10 * version),
                    )
                )
                document_id += 1

        async with conn.transaction():
            await conn.copy_records_to_table(
                "projects",
                records=projects,
                columns=[
                    "id",
                    "code",
                    "title",
                    "description",
                    "owner_organisation_id",
                    "region_code",
                    "category",
                    "budget_amount",
                    "funding_source",
                    "latitude",
                    "longitude",
                    "geofence_radius_m",
                    "planned_start",
                    "planned_end",
                    "status",
                    "submission_count",
                    "created_by_id",
                    "created_at",
                    "updated_at",
                    "version",
                ],
            )
            await conn.copy_records_to_table(
                "project_line_items",
                records=items,
                columns=["id", "project_id", "position", "name", "quantity", "unit", "unit_price", "amount"],
            )
            await conn.copy_records_to_table(
                "project_status_changes",
                records=changes,
                columns=["id", "project_id", "from_status", "to_status", "action", "actor_id", "actor_name", "comment", "occurred_at"],
            )
            await conn.copy_records_to_table(
                "project_documents",
                records=documents,
                columns=[
                    "id",
                    "project_id",
                    "document_type",
                    "version",
                    "filename",
                    "media_type",
                    "size_bytes",
                    "sha256",
                    "storage_key",
                    "uploaded_by_id",
                    "uploaded_at",
                ],
            )
            for table in ("projects", "project_line_items", "project_status_changes", "project_documents"):
                await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
            if policy_lines:
                await conn.copy_records_to_table(
                    "casbin_rule",
                    records=[("p", f"bench_role_{i}", region, f"Query.bench{i}", "read", "", "") for i in range(policy_lines)],
                    columns=["ptype", "v0", "v1", "v2", "v3", "v4", "v5"],
                )
                bumped = await conn.execute("UPDATE policy_state SET version = version + 1 WHERE id = 1")
                if bumped != "UPDATE 1":
                    raise BenchError(f"bumping policy_state.version: {bumped}")
        await conn.execute("ANALYZE")
        return Seeded(
            owner_user_id=user_id,
            owner_organisation_id=org_id,
            region_code=region,
            projects=len(projects),
            line_items=len(items),
            status_changes=len(changes),
            documents=len(documents),
            policy_lines=policy_lines,
            seconds=time.perf_counter() - started,
        )
    finally:
        await conn.close()


# -- processes ----------------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry))
    tree, todo = [], [root]
    while todo and len(tree) < 10_000:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def tree_rss_kib(root: int) -> int:
    total = 0
    for pid in process_tree(root):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root: int) -> float:
    """user + system time of the tree (utime, stime, and the reaped children's cutime, cstime)."""
    ticks = 0
    for pid in process_tree(root):
        fields = _stat_fields(pid)
        if fields:
            ticks += sum(int(x) for x in fields[11:15])
    return ticks / CLOCK_TICKS


@dataclass
class Round:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    graphql_errors: int
    cpu_seconds: float


@dataclass
class System:
    name: str
    kind: str  # smallworks | raw | postgraphile
    workers: int
    port: int = 0
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    rss_start_kib: int = 0
    rss_end_kib: int = 0
    rounds: list[Round] = field(default_factory=list)
    statements: float | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(r, attribute) for r in self.rounds)

    @property
    def cpu_ms_per_request(self) -> float:
        requests = sum(r.requests for r in self.rounds)
        return 1000 * sum(r.cpu_seconds for r in self.rounds) / requests if requests else math.nan


def start(system: System, command: list[str], env: dict[str, str], tmp: Path) -> None:
    system.port = free_port()
    system.log_path = tmp / f"{system.name.replace(' ', '_')}.log"
    out = system.log_path.open("wb")
    if system.kind == "postgraphile":  # one Node.js process; it reads PORT
        env, cwd = {**env, "PORT": str(system.port)}, POSTGRAPHILE_DIR
    else:
        command, cwd = [*command, "--host", "127.0.0.1", "--port", str(system.port), "--workers", str(system.workers)], ROOT
    try:
        system.process = subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so its workers stop with it
        )
    finally:
        out.close()


def wait_healthy(system: System, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=system.base, timeout=5) as client:
        for _ in range(int(timeout / 0.2) + 1):
            if system.process is not None and system.process.poll() is not None:
                break
            try:
                if system.kind == "postgraphile":
                    if client.post("/graphql", json={"query": "{ __typename }"}).status_code == 200:
                        return
                elif client.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
    raise BenchError(f"{system.name} did not become healthy on port {system.port}:\n{tail(system)}")


def tail(system: System, lines: int = 30) -> str:
    try:
        return "\n".join(system.log_path.read_text(errors="replace").splitlines()[-lines:]) if system.log_path else ""
    except OSError:
        return ""


def stop(system: System) -> None:
    process = system.process
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)
    # Workers that outlived their supervisor are in the same process group.
    for _ in range(50):
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


# -- HTTP ---------------------------------------------------------------------------------


class Tokens:
    """Access tokens of the demo owner from smallworks (valid 15 minutes), renewed when older
    than a minute, so one lasts through any wrk run (at most 10 minutes)."""

    def __init__(self, base: str):
        self.base = base
        self.token: str | None = None
        self.at = 0.0

    def get(self) -> str:
        if self.token is None or time.monotonic() - self.at > 60:
            r = httpx.post(
                f"{self.base}/auth/token",
                data={"grant_type": "password", "username": "owner", "password": DEMO_PASSWORD},
                timeout=60,
            )
            if r.status_code != 200:
                raise BenchError(f"sign-in as owner failed: {r.status_code} {r.text[:500]}")
            self.token = r.json()["access_token"]
            self.at = time.monotonic()
        return self.token


# Which smallworks executor to ask for (``X-Smallworks-Executor``): "compiled" (the
# default: a known document runs compiled) or "general" (graphql-core for every request).
EXECUTOR = {"name": "compiled"}


def body_for(system: System) -> str:
    return PG_BODY["value"] if system.kind == "postgraphile" else BODY


def headers_for(system: System, tokens: Tokens) -> dict[str, str]:
    h = {"Content-Type": "application/json"}
    if system.kind == "smallworks":
        h["Authorization"] = f"Bearer {tokens.get()}"
        if EXECUTOR["name"] == "general":
            h["X-Smallworks-Executor"] = "general"
    return h


def fetch(system: System, tokens: Tokens) -> httpx.Response:
    return httpx.post(f"{system.base}/graphql", content=body_for(system).encode(), headers=headers_for(system, tokens), timeout=60)


def first_difference(a: Any, b: Any, path: str = "$") -> tuple[str, Any, Any] | None:
    if type(a) is not type(b):
        return path, a, b
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{path} (keys)", list(a), list(b)
        for key in a:
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        if len(a) != len(b):
            return f"{path} (length)", len(a), len(b)
        return None
    return None if a == b else (path, a, b)


def short(value: Any, limit: int = 300) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"


def verify(smallworks: System, raw: System, tokens: Tokens) -> dict[str, Any]:
    a, b = fetch(smallworks, tokens), fetch(raw, tokens)
    if a.status_code != 200:
        raise BenchError(f"smallworks answered {a.status_code}: {a.text[:1000]}")
    if b.status_code != 200:
        raise BenchError(f"raw endpoint answered {b.status_code}: {b.text[:1000]}")
    ja, jb = a.json(), b.json()
    if ja.get("errors"):
        raise BenchError("smallworks answered the read-path query with errors (production mode):\n" + short(ja["errors"], 3000))
    nodes = ((ja.get("data") or {}).get("projects") or {}).get("nodes") or []
    log(
        f"responses: smallworks {len(a.content):,} bytes, raw {len(b.content):,} bytes; "
        f"{len(nodes)} projects, hasNextPage {ja['data']['projects']['pageInfo']['hasNextPage']}"
    )
    log(f"  byte-for-byte equal: {'yes' if a.content == b.content else 'no'}")
    difference = first_difference(ja, jb)
    log(f"  equal as parsed JSON (values and key order): {'yes' if difference is None else 'no'}")
    if a.content != b.content and difference is None:
        reasons = []
        if b"\\u" in a.content and b"\\u" not in b.content:
            reasons.append("smallworks escapes non-ASCII characters (\\uXXXX), orjson writes UTF-8")
        if b", " in a.content[:200] or b": " in a.content[:200]:
            reasons.append("smallworks separates with ', ' and ': ', orjson writes compact JSON")
        if reasons:
            log("  (bytes differ only in encoding: " + "; ".join(reasons) + ")")
    if difference is not None:
        path, x, y = difference
        raise BenchError(f"the answers differ first at {path}:\n  smallworks: {short(x)}\n  raw:        {short(y)}")
    if not nodes:
        raise BenchError("the read-path query returned no projects")
    return ja


def verify_postgraphile(postgraphile: System, smallworks_answer: dict[str, Any], tokens: Tokens) -> None:
    """PostGraphile's answer holds the same projects, in the same order, with the same
    nested rows (its own names, stored amounts and enum values aside)."""
    response = fetch(postgraphile, tokens)
    body = response.json() if response.status_code == 200 else {}
    if response.status_code != 200 or body.get("errors"):
        raise BenchError(f"PostGraphile answered {response.status_code}: {response.text[:1000]}")
    theirs = body["data"]["allProjects"]["nodes"]
    ours = smallworks_answer["data"]["projects"]["nodes"]

    def summary(nodes: list[dict], line_items: str, history: str, documents: str, owner: str, nested: bool) -> list[tuple]:
        def rows(node: dict, key: str) -> list[dict]:
            return node[key]["nodes"] if nested else node[key]

        def instant(text: str) -> datetime:  # PostgreSQL writes .000000 where Python writes nothing
            return datetime.fromisoformat(text)

        return [
            (
                n["code"],
                n["title"],
                instant(n["createdAt"]),
                (n[owner] or {}).get("name"),
                [(i["position"], i["name"]) for i in rows(n, line_items)],
                [(h["action"], h["actorName"], instant(h["occurredAt"])) for h in rows(n, history)],
                latest([(d["documentType"].lower(), d["version"], d["filename"], d["sha256"]) for d in rows(n, documents)]),
            )
            for n in nodes
        ]

    def latest(documents: list[tuple]) -> list[tuple]:
        """The latest version of each type: what smallworks' documents field shows. PostGraphile's
        schema of the table has no such filter, so it answers with every version."""
        newest: dict[str, tuple] = {}
        for d in documents:
            if d[0] not in newest or d[1] > newest[d[0]][1]:
                newest[d[0]] = d
        return sorted(newest.values())

    mine = summary(ours, "lineItems", "statusHistory", "documents", "ownerOrganisation", nested=False)
    other = summary(
        theirs,
        "projectLineItemsByProjectId",
        "projectStatusChangesByProjectId",
        "projectDocumentsByProjectId",
        "organisationByOwnerOrganisationId",
        nested=True,
    )
    log(f"responses: PostGraphile {len(response.content):,} bytes; {len(theirs)} projects")
    if mine != other:
        first = next((i for i, (a, b) in enumerate(zip(mine, other, strict=False)) if a != b), min(len(mine), len(other)))
        raise BenchError(f"PostGraphile's answer differs from smallworks' at project {first}")
    every = sum(len(n["projectDocumentsByProjectId"]["nodes"]) for n in theirs)
    shown = sum(len(n["documents"]) for n in ours)
    log(
        "  same projects in the same order with the same owners, line items, history and latest documents: yes "
        f"(PostGraphile lists every version: {every} documents against {shown})"
    )


async def count_transactions(dsn: str, system: System, tokens: Tokens, requests: int = 20) -> float:
    """Transactions per request of ``system`` from pg_stat_database: PostGraphile's statements
    run outside explicit transactions, so each is one. An idle backend reports its counts
    within 10 s (PostgreSQL 15), so the count waits that long before and after."""
    import asyncpg

    sql = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
    conn = await asyncpg.connect(dsn)
    try:
        await asyncio.sleep(11)
        before = await conn.fetchval(sql)
        async with httpx.AsyncClient(timeout=60) as client:
            for _ in range(requests):
                r = await client.post(f"{system.base}/graphql", content=body_for(system).encode(), headers=headers_for(system, tokens))
                r.raise_for_status()
        await asyncio.sleep(11)
        after = await conn.fetchval(sql)
    finally:
        await conn.close()
    return round((after - before - 1) / requests, 2)  # less the first count's own transaction


# -- SQL statements per request (in process) ----------------------------------------------


async def count_statements(settings_values: dict[str, Any], token: str, show: bool) -> tuple[int, int, list[str]]:
    """Statements (without BEGIN/COMMIT/ROLLBACK) and pool check-outs of one read-path
    request, after warm-up, on smallworks built in this process over httpx.ASGITransport."""
    from sqlalchemy import event

    from app.main import create_app
    from app.settings import Settings
    from app.state import AppState

    state = AppState.create(Settings(**settings_values))
    app = create_app(state=state)
    statements: list[str] = []
    checkouts = [0]

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    def checkout(dbapi_connection, record_, proxy):
        checkouts[0] += 1

    engines = {
        id(e): e for e in (state.db.engine, state.db.write_engine, getattr(state.db, "replica_engine", None)) if e is not None
    }.values()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60) as client:
            for _ in range(2):  # warm-up: policy load, document cache
                r = await client.post("/graphql", content=BODY.encode(), headers=headers)
                if r.status_code != 200 or r.json().get("errors"):
                    raise BenchError(f"in-process smallworks answered {r.status_code}: {r.text[:1000]}")
            for engine in engines:
                event.listen(engine.sync_engine, "before_cursor_execute", record)
                event.listen(engine.sync_engine, "checkout", checkout)
            try:
                r = await client.post("/graphql", content=BODY.encode(), headers=headers)
            finally:
                for engine in engines:
                    event.remove(engine.sync_engine, "before_cursor_execute", record)
                    event.remove(engine.sync_engine, "checkout", checkout)
            if r.status_code != 200 or r.json().get("errors"):
                raise BenchError(f"in-process smallworks answered {r.status_code}: {r.text[:1000]}")
    finally:
        await state.close()
    if show:
        log("SQL statements of one read-path request (smallworks, in process):")
        for i, s in enumerate(statements, 1):
            log(f"  [{i}] " + " ".join(s.split()))
    return len(statements), checkouts[0], statements


# -- wrk ----------------------------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not m:
        raise ValueError(text)
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(output: str) -> tuple[float, float, float, int, float, int, int, int]:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s*50(?:\.0+)?%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s*99(?:\.0+)?%\s+(\S+)", output, re.M).group(1))
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h)", output)
    requests, seconds = int(m.group(1)), _ms(m.group(2) + m.group(3)) / 1000
    non_2xx = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", output))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    socket_errors = sum(int(x) for x in socket.groups()) if socket else 0
    graphql = re.search(r"GraphQL errors: (\d+) of (\d+) responses", output)
    graphql_errors = int(graphql.group(1)) if graphql else -1
    return rps, p50, p99, requests, seconds, non_2xx, socket_errors, graphql_errors


# Counts the answers that carry GraphQL errors (an HTTP 200 with "errors": an expired token,
# a refused field), which wrk's own figures do not show.
LUA_COUNT_ERRORS = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) graphql_errors = 0; responses = 0 end
function response(status, headers, body)
  responses = responses + 1
  if body and string.find(body, '"errors"', 1, true) then graphql_errors = graphql_errors + 1 end
end
function done(summary, latency, requests)
  local errors, total = 0, 0
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("graphql_errors")
    total = total + thread:get("responses")
  end
  io.write(string.format("GraphQL errors: %d of %d responses\\n", errors, total))
end
"""


def lua_script(system: System, tokens: Tokens, tmp: Path) -> Path:
    path = tmp / f"wrk-{system.kind}-{system.port}.lua"
    lines = ['wrk.method = "POST"', f"wrk.body = [==[{body_for(system)}]==]"]
    for name, value in headers_for(system, tokens).items():
        lines.append(f'wrk.headers["{name}"] = "{value}"')
    path.write_text("\n".join(lines) + "\n" + LUA_COUNT_ERRORS)
    return path


def run_wrk(system: System, tokens: Tokens, tmp: Path, seconds: int) -> tuple[Round, str]:
    script = lua_script(system, tokens, tmp)
    before = tree_cpu_seconds(system.process.pid)
    command = [
        WRK,
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(script),
        f"{system.base}/graphql",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    cpu = tree_cpu_seconds(system.process.pid) - before
    if result.returncode != 0:
        raise BenchError(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    try:
        rps, p50, p99, requests, elapsed, non_2xx, socket_errors, graphql_errors = parse_wrk(result.stdout)
    except (AttributeError, ValueError) as exc:
        raise BenchError(f"could not read wrk's output ({exc}):\n{result.stdout}") from None
    return Round(rps, p50, p99, requests, elapsed, non_2xx, socket_errors, graphql_errors, cpu), result.stdout


# -- report -------------------------------------------------------------------------------


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f}"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b and not math.isnan(a) and not math.isnan(b) else "n/a"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=20_000, help="projects to seed (default 20000)")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds per system (default 3)")
    parser.add_argument("--seconds", type=int, default=10, help="seconds per round (default 10)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes of each server (default 1)")
    parser.add_argument("--compare-workers", action="store_true", help="also run smallworks with 1 and 2 workers and print the ratio")
    parser.add_argument("--policy-lines", type=int, default=0, help="extra p lines in casbin_rule (default 0)")
    parser.add_argument("--rss-requests", type=int, default=10_000, help="requests of the RSS run against smallworks (default 10000)")
    parser.add_argument("--show-sql", action="store_true", help="print the SQL of one smallworks request")
    parser.add_argument("--no-postgraphile", action="store_true", help="leave PostGraphile out (it is installed from npm on first use)")
    parser.add_argument(
        "--executor", choices=("compiled", "general"), default="compiled", help="smallworks executor to measure (default compiled)"
    )
    args = parser.parse_args()
    for name in ("projects", "rounds", "seconds", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.policy_lines < 0 or args.rss_requests < 0:
        parser.error("--policy-lines and --rss-requests cannot be negative")
    EXECUTOR["name"] = args.executor
    log(f"smallworks executor: {args.executor}")

    if not (Path(WRK).exists() or shutil.which("wrk")):
        log("wrk is not installed: apt-get install wrk")
        return 2
    wrk_path = WRK if Path(WRK).exists() else shutil.which("wrk")
    globals()["WRK"] = wrk_path

    def on_term(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)

    tmp = Path(tempfile.mkdtemp(prefix="smallworks-read-path-"))
    secrets_file = tmp / "dev-secrets.json"
    os.environ["SMALLWORKS_DEV_SECRETS_FILE"] = str(secrets_file)
    name = f"sw_bench_{os.getpid()}"
    url = f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    dsn = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    systems: list[System] = []
    created = False
    try:
        log(f"database {name}: creating, migrating, loading the demo data")
        create_database(name)
        created = True
        started = time.perf_counter()
        from app.migrate import upgrade

        upgrade(url)
        asyncio.run(load_demo(url, tmp / "storage"))
        log(f"  migrated and demo data loaded in {time.perf_counter() - started:.1f} s")
        seeded = asyncio.run(seed(dsn, args.projects, args.policy_lines))
        log(
            f"  seeded {seeded.projects:,} projects, {seeded.line_items:,} line items, {seeded.status_changes:,} status changes, "
            f"{seeded.documents:,} documents in {seeded.seconds:.1f} s (owner organisation {seeded.owner_organisation_id}, "
            f"region {seeded.region_code})"
        )
        if args.policy_lines:
            log(f"  added {args.policy_lines:,} policy lines to casbin_rule and bumped policy_state.version")
        pg_version = asyncio.run(postgres_version(dsn))

        secrets = json.loads(secrets_file.read_text())
        jwt_secret = base64.urlsafe_b64encode(os.urandom(36)).decode()  # 48 characters
        data_keys = json.dumps(secrets["data_keys"])
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("SMALLWORKS_") and k not in ("WEB_CONCURRENCY", "PORT", "HOST")}
        sw_env = {
            **base_env,
            "SMALLWORKS_ENV": "production",
            "SMALLWORKS_DATABASE_URL": url,
            "SMALLWORKS_JWT_SECRET": jwt_secret,
            "SMALLWORKS_DATA_KEYS": data_keys,
            "SMALLWORKS_DATA_KEY_ID": secrets["data_key_id"],
            "SMALLWORKS_STORAGE_DIR": str(tmp / "storage"),
        }
        raw_env = {
            **base_env,
            "RAW_DATABASE_DSN": dsn,
            "RAW_OWNER_ORGANISATION_ID": str(seeded.owner_organisation_id),
            "RAW_REGION_CODE": seeded.region_code,
            "PYTHONPATH": os.pathsep.join(p for p in (str(BENCH), base_env.get("PYTHONPATH")) if p),
        }
        sw_command = [str(ROOT / ".venv" / "bin" / "smallworks"), "serve"]
        if not Path(sw_command[0]).exists():
            sw_command = [sys.executable, "-m", "app.cli", "serve"]
        raw_command = [sys.executable, "-m", "uvicorn", "raw_endpoint:app", "--log-level", "info"]

        def label(kind: str, workers: int) -> str:
            return f"{kind} ({workers} worker{'s' if workers > 1 else ''})"

        smallworks = System(label("smallworks", args.workers), "smallworks", args.workers)
        raw = System(label("raw", args.workers), "raw", args.workers)
        systems = [smallworks, raw]
        extra: dict[int, System] = {args.workers: smallworks}
        postgraphile: System | None = None
        if args.no_postgraphile:
            postgraphile_state = "PostGraphile: left out (--no-postgraphile)"
        else:
            node, postgraphile_state = install_postgraphile()
            if node is not None:
                postgraphile = System("postgraphile (1 process)", "postgraphile", 1)
                systems.append(postgraphile)
                PG_BODY["value"] = json.dumps({"query": PG_QUERY % seeded.owner_organisation_id, "operationName": "ReadPath"})
        log(postgraphile_state)
        pg_env = {**base_env, "DATABASE_URL": dsn, "GRAPHILE_ENV": "production"}
        commands = {"smallworks": (sw_command, sw_env), "raw": (raw_command, raw_env)}
        if postgraphile is not None and node is not None:
            commands["postgraphile"] = ([str(node), "server.mjs"], pg_env)
        if args.compare_workers:
            for workers in (1, 2):
                if workers not in extra:
                    extra[workers] = System(label("smallworks", workers), "smallworks", workers)
                    systems.append(extra[workers])
        for system in systems:
            start(system, *commands[system.kind], tmp)
        for system in systems:
            wait_healthy(system)
            log(f"{system.name}: listening on 127.0.0.1:{system.port} (pid {system.process.pid})")

        tokens = Tokens(smallworks.base)
        answer = verify(smallworks, raw, tokens)
        for system in systems:
            if system.kind == "smallworks" and system is not smallworks:
                verify(system, raw, tokens)
        if postgraphile is not None:
            verify_postgraphile(postgraphile, answer, tokens)

        count, checkouts, _ = asyncio.run(
            count_statements(
                dict(
                    env="production",
                    database_url=url,
                    jwt_secret=jwt_secret,
                    data_keys=data_keys,
                    data_key_id=secrets["data_key_id"],
                    storage_dir=tmp / "storage",
                    redis_url=None,
                ),
                tokens.get(),
                args.show_sql,
            )
        )
        for system in systems:
            system.statements = count if system.kind == "smallworks" else RAW_STATEMENTS
        if postgraphile is not None:
            postgraphile.statements = asyncio.run(count_transactions(dsn, postgraphile, tokens))
            log(f"SQL statements per request: PostGraphile {postgraphile.statements:g} (transactions in pg_stat_database)")
        log(
            f"SQL statements per request: smallworks {count} (measured in process, BEGIN/COMMIT/ROLLBACK excluded; "
            f"{checkouts} pool check-out(s), each with a pre-ping), raw {RAW_STATEMENTS} (by construction)"
        )

        for system in systems:
            system.rss_start_kib = tree_rss_kib(system.process.pid)
        for system in systems:
            run_wrk(system, tokens, tmp, WARMUP_SECONDS)
        log(
            f"warm-up: {WARMUP_SECONDS} s per system; measuring {args.rounds} round(s) of {args.seconds} s, "
            f"wrk -t{THREADS} -c{CONNECTIONS} --latency, systems alternating"
        )
        for n in range(args.rounds):
            order = systems if n % 2 == 0 else list(reversed(systems))
            for system in order:
                result, _ = run_wrk(system, tokens, tmp, args.seconds)
                system.rounds.append(result)
                problems = ""
                if result.non_2xx or result.socket_errors or result.graphql_errors:
                    problems = (
                        f"  non-2xx {result.non_2xx}, socket errors {result.socket_errors}, "
                        f"answers with GraphQL errors {result.graphql_errors}"
                    )
                log(
                    f"  round {n + 1} {system.name:<24} {result.rps:8.1f} req/s  p50 {result.p50_ms:7.2f} ms  "
                    f"p99 {result.p99_ms:7.2f} ms  {result.requests:>7,} requests  "
                    f"cpu {1000 * result.cpu_seconds / max(result.requests, 1):6.2f} ms/req{problems}"
                )
        for system in systems:
            system.rss_end_kib = tree_rss_kib(system.process.pid)

        rss_run = None
        rss_result: Round | None = None
        if args.rss_requests:
            rate = max(smallworks.median("rps"), 1.0)
            before = tree_rss_kib(smallworks.process.pid)
            done = 0
            for _ in range(3):
                seconds = min(600, max(2, math.ceil((args.rss_requests - done) / rate * 1.15) + 1))
                result, _ = run_wrk(smallworks, tokens, tmp, seconds)
                done += result.requests
                if rss_result is None:
                    rss_result = result
                else:
                    rss_result.non_2xx += result.non_2xx
                    rss_result.socket_errors += result.socket_errors
                    rss_result.graphql_errors += max(result.graphql_errors, 0)
                if done >= args.rss_requests:
                    break
            after = tree_rss_kib(smallworks.process.pid)
            rss_run = (done, before, after)
            change = (after - before) / before * 100 if before else math.nan
            log(
                f"RSS run: {done:,} requests against {smallworks.name}: RSS {mib(before)} MiB before, {mib(after)} MiB after "
                f"({change:+.1f} %, {'flat' if abs(change) <= 10 else 'NOT flat'} within ±10 %)"
            )

        # Still right after the load (the token is renewed, the answer unchanged)?
        verify(smallworks, raw, tokens)

        for s in systems:
            rounds = s.rounds + ([rss_result] if s is smallworks and rss_result else [])
            non_2xx = sum(r.non_2xx for r in rounds)
            socket_errors = sum(r.socket_errors for r in rounds)
            graphql_errors = sum(max(r.graphql_errors, 0) for r in rounds)
            if non_2xx or socket_errors or graphql_errors:
                log(
                    f"WARNING: {s.name}: {non_2xx} non-2xx responses, {socket_errors} socket errors, "
                    f"{graphql_errors} answers with GraphQL errors under load"
                )
            else:
                log(f"{s.name}: no non-2xx responses, socket errors or GraphQL errors under load")

        log()
        log(postgraphile_state)
        log()
        log(f"## Read path: projects(first: 100) with nested lines, history and documents ({args.projects:,} projects seeded)")
        log()
        log(
            f"Median of {args.rounds} round(s) × {args.seconds} s, wrk -t{THREADS} -c{CONNECTIONS}; "
            f"policy lines added: {args.policy_lines}."
        )
        log()
        log(
            "| system | workers | req/s | p50 ms | p99 ms | SQL statements/request | RSS after start-up MiB | RSS after rounds MiB | CPU ms/request |"
        )
        log("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for s in systems:
            statements = f"{s.statements:g}" + {"raw": " (by construction)", "postgraphile": " (transactions)"}.get(s.kind, "")
            log(
                f"| {s.kind} | {s.workers} | {s.median('rps'):.1f} | {s.median('p50_ms'):.2f} | {s.median('p99_ms'):.2f} | "
                f"{statements} | {mib(s.rss_start_kib)} | {mib(s.rss_end_kib)} | {s.cpu_ms_per_request:.2f} |"
            )
        log(
            f"| **smallworks/raw** | | {ratio(smallworks.median('rps'), raw.median('rps'))} | "
            f"{ratio(smallworks.median('p50_ms'), raw.median('p50_ms'))} | {ratio(smallworks.median('p99_ms'), raw.median('p99_ms'))} | "
            f"{ratio(smallworks.statements, raw.statements)} | {ratio(smallworks.rss_start_kib, raw.rss_start_kib)} | "
            f"{ratio(smallworks.rss_end_kib, raw.rss_end_kib)} | {ratio(smallworks.cpu_ms_per_request, raw.cpu_ms_per_request)} |"
        )
        if postgraphile is not None:
            log(
                f"| **smallworks/PostGraphile** | | {ratio(smallworks.median('rps'), postgraphile.median('rps'))} | "
                f"{ratio(smallworks.median('p50_ms'), postgraphile.median('p50_ms'))} | "
                f"{ratio(smallworks.median('p99_ms'), postgraphile.median('p99_ms'))} | "
                f"{ratio(smallworks.statements, postgraphile.statements)} | {ratio(smallworks.rss_start_kib, postgraphile.rss_start_kib)} | "
                f"{ratio(smallworks.rss_end_kib, postgraphile.rss_end_kib)} | "
                f"{ratio(smallworks.cpu_ms_per_request, postgraphile.cpu_ms_per_request)} |"
            )
        if args.compare_workers:
            one, two = extra[1], extra[2]
            log()
            log(
                f"smallworks 2 workers / 1 worker: req/s {ratio(two.median('rps'), one.median('rps'))}, "
                f"p50 {ratio(two.median('p50_ms'), one.median('p50_ms'))}, p99 {ratio(two.median('p99_ms'), one.median('p99_ms'))}, "
                f"RSS {ratio(two.rss_end_kib, one.rss_end_kib)}"
            )
        if rss_run:
            done, before, after = rss_run
            change = (after - before) / before * 100 if before else math.nan
            log()
            log(
                f"RSS of smallworks ({smallworks.workers} worker{'s' if smallworks.workers > 1 else ''}) over {done:,} more requests: "
                f"{mib(before)} → {mib(after)} MiB ({change:+.1f} %, {'flat' if abs(change) <= 10 else 'not flat'} within ±10 %)"
            )
        log()
        log(
            f"Machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu_model()}; PostgreSQL {pg_version}; "
            f"Python {sys.version.split()[0]}. wrk, PostgreSQL and the servers share the cores: figures are noisy."
        )
        return 0
    except BenchError as exc:
        log(f"error: {exc}")
        return exc.code
    finally:
        for system in systems:
            stop(system)
        if created:
            try:
                drop_database(name)
            except Exception as exc:
                log(f"warning: could not drop database {name}: {exc}")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
