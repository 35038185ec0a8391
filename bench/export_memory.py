"""Peak memory and time of a 100,000-row export, XLSX and CSV, as the worker writes it.

    .venv/bin/python bench/export_memory.py [--rows 100000] [--backend sqlite|postgresql]

Makes a scratch database (a SQLite file, or a PostgreSQL database on 127.0.0.1, user
postgres), migrates it, and bulk-inserts the rows of a list source: N projects of 50 owner
organisations in the counties of one city, each with a Chinese title, a budget to the fen and
its times, and an auditor of the city, who sees them all. Then, per format, it records an
export job of the project list as ``startExport`` does for one too large to write in the
request, and runs the worker's job function (``run_export``: the rows read from a snapshot
in batches, written as they come, progress reported, the file stored) in a fresh Python
process, which reports its peak resident set size (``getrusage(RUSAGE_SELF).ru_maxrss``),
its size before the export began (the interpreter and the application imported), and the
time taken. Fails (exit 1) if a peak reaches 200 MB. Removes the database and files at the
end.

Every step that imports the application runs in a process of its own and this one imports
nothing of it: Linux carries a process's peak resident size over into the programs it starts
(``ru_maxrss`` survives ``fork`` and ``exec``), so a large parent would hide the child's own
figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIMIT_MB = 200
PASSWORD = "bench-export-Orchid-1957"

# Run in the child process: the job as the arq worker runs it, and what it cost.
CHILD = """
import asyncio, json, resource, sys, time
from app.settings import get_settings
from app.state import AppState
from resolvers.supervision.exports import run_export

async def main(job_id):
    state = AppState.create(get_settings())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    outcome = await run_export(state, job_id)
    elapsed = time.perf_counter() - started
    await state.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"outcome": outcome, "seconds": elapsed, "before_kib": before, "peak_kib": peak}))

asyncio.run(main(int(sys.argv[1])))
"""


async def seed(url: str, settings, rows: int) -> tuple[int, int]:
    """The city's auditor and N projects; returns the auditor's user and organisation ids."""
    from sqlalchemy import insert
    from stdnum.cn import uscc

    from app.state import AppState
    from models.projects import PROJECT_CATEGORIES, PROJECT_STATUSES, Project
    from resolvers.accounts import service as accounts
    from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
    from resolvers.core.transaction import unit_of_work

    def credit_code(n: int) -> str:
        body = "91330100MA" + f"{n:07d}"
        return body + uscc.calc_check_digit(body)

    state = AppState.create(settings)
    meta = RequestMeta(request_id="bench-export")
    async with unit_of_work(state, "bench", SYSTEM_ACTOR, meta) as uow:
        owners = []
        for i in range(50):
            region = f"3301{(i % 10) + 1:02d}"
            org = await accounts.create_organisation(
                uow, accounts.OrganisationData(name=f"基准建设单位{i:02d}", kind="owner", uscc=credit_code(i), region_code=region)
            )
            owners.append((org.id, region))
        auditor_org = await accounts.create_organisation(
            uow, accounts.OrganisationData(name="基准审计局", kind="auditor", uscc=credit_code(99), region_code="330100")
        )
        auditor = await accounts.create_user(
            uow,
            accounts.UserData(
                username="bench_auditor", display_name="基准审计员", organisation_id=auditor_org.id, password=PASSWORD, roles=["auditor"]
            ),
        )
        auditor_ids = (auditor.id, auditor_org.id)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    started = time.perf_counter()
    chunk = 10_000
    for first in range(0, rows, chunk):
        batch = []
        for n in range(first, min(rows, first + chunk)):
            owner, region = owners[n % len(owners)]
            moment = base + timedelta(minutes=n)
            batch.append(
                {
                    "code": f"XM-2026-{n:06d}",
                    "title": f"第{n}号村道硬化及配套排水工程（{region}）",
                    "owner_organisation_id": owner,
                    "region_code": region,
                    "category": PROJECT_CATEGORIES[n % len(PROJECT_CATEGORIES)],
                    "budget_amount": Decimal(10_000 + (n * 7919) % 490_000) + Decimal(n % 100) / 100,
                    "funding_source": "县级财政资金",
                    "planned_start": (moment + timedelta(days=30)).date(),
                    "planned_end": (moment + timedelta(days=120)).date(),
                    "status": PROJECT_STATUSES[n % len(PROJECT_STATUSES)],
                    "submission_count": 1,
                    "created_at": moment,
                    "updated_at": moment + timedelta(hours=1),
                    "version": 1,
                }
            )
        async with state.db.write() as session:
            await session.execute(insert(Project), batch)
    print(f"inserted {rows:,} projects in {time.perf_counter() - started:.1f} s")
    await state.close()
    return auditor_ids


async def queue(settings, user_id: int, organisation_id: int, export_format: str, rows: int) -> int:
    """An export job of the project list, as ``startExport`` records one for the worker."""
    from app.state import AppState
    from models.supervision import ExportJob

    state = AppState.create(settings)
    async with state.db.write() as session:
        now = datetime.now(UTC)
        job = ExportJob(
            user_id=user_id,
            organisation_id=organisation_id,
            region_code="330100",
            source="list.projects",
            format=export_format,
            arguments="{}",
            locale="zh-CN",
            state="queued",
            total_rows=rows,
            created_at=now,
            updated_at=now,
        )
        session.add(job)
        await session.flush()
        job_id = job.id
    await state.close()
    return job_id


async def file_of(settings, job_id: int) -> tuple[str, int, int | None]:
    from app.state import AppState
    from models.supervision import ExportJob

    state = AppState.create(settings)
    async with state.db.read() as session:
        job = await session.get(ExportJob, job_id)
        assert job is not None
        found = (job.state, job.size or 0, job.rows_written)
    await state.close()
    return found


def create_database(backend: str, scratch: Path) -> tuple[str, str]:
    name = f"sw_bench_export_{secrets.token_hex(3)}"
    if backend == "sqlite":
        return name, f"sqlite+aiosqlite:///{scratch / (name + '.db')}"
    import asyncpg

    async def create() -> None:
        conn = await asyncpg.connect(host="127.0.0.1", user="postgres", database="postgres")
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()

    asyncio.run(create())
    return name, f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


def drop_database(backend: str, name: str) -> None:
    if backend != "postgresql":
        return
    import asyncpg

    async def drop() -> None:
        conn = await asyncpg.connect(host="127.0.0.1", user="postgres", database="postgres")
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    asyncio.run(drop())


def step(name: str, *args: str, env: dict[str, str]) -> str:
    """Run one step of this script in a process of its own; its last line of output."""
    done = subprocess.run(
        [sys.executable, __file__, "--step", name, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600
    )
    if done.returncode != 0:
        raise SystemExit(f"step {name} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def settings_of(env: dict[str, str]):
    from app.settings import Settings

    return Settings(env="development", database_url=env["SMALLWORKS_DATABASE_URL"], storage_dir=Path(env["SMALLWORKS_STORAGE_DIR"]))


def run_step(name: str, args: list[str]) -> None:
    """One step, in this (child) process, with the settings of the environment."""
    env = dict(os.environ)
    settings = settings_of(env)
    if name == "seed":
        from app.migrate import upgrade

        upgrade(settings.database_url)
        user_id, organisation_id = asyncio.run(seed(settings.database_url, settings, int(args[0])))
        print(json.dumps([user_id, organisation_id]))
    elif name == "queue":
        user_id, organisation_id, export_format, rows = int(args[0]), int(args[1]), args[2], int(args[3])
        print(asyncio.run(queue(settings, user_id, organisation_id, export_format, rows)))
    elif name == "file":
        print(json.dumps(asyncio.run(file_of(settings, int(args[0])))))
    elif name == "drop":
        drop_database(args[0], args[1])
        print("dropped")


def main(rows: int, backend: str) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="smallworks-bench-export-"))
    name, url = create_database(backend, scratch)
    env = {
        **os.environ,
        "SMALLWORKS_ENV": "development",
        "SMALLWORKS_DEV_SECRETS_FILE": os.environ.get("SMALLWORKS_DEV_SECRETS_FILE", str(scratch / "secrets.json")),
        "SMALLWORKS_DATABASE_URL": url,
        "SMALLWORKS_STORAGE_DIR": str(scratch / "storage"),
        "SMALLWORKS_LOG_LEVEL": "WARNING",
    }
    failed = False
    try:
        user_id, organisation_id = json.loads(step("seed", str(rows), env=env))
        print(f"{'format':<6} {'rows':>8} {'file':>9} {'time':>7} {'before':>9} {'peak':>9}")
        for export_format in ("xlsx", "csv"):
            job_id = step("queue", str(user_id), str(organisation_id), export_format, str(rows), env=env)
            child = subprocess.run([sys.executable, "-c", CHILD, job_id], cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
            if child.returncode != 0:
                print(child.stdout, child.stderr, file=sys.stderr)
                return 1
            report = json.loads(child.stdout.strip().splitlines()[-1])
            job_state, size, written = json.loads(step("file", job_id, env=env))
            peak_mb, before_mb = report["peak_kib"] / 1024, report["before_kib"] / 1024
            print(
                f"{export_format:<6} {written or 0:>8,} {size / 1e6:>7.1f}MB {report['seconds']:>6.1f}s {before_mb:>7.1f}MB {peak_mb:>7.1f}MB"
            )
            if job_state != "ready" or written != rows:
                print(f"  the job ended {job_state} ({report['outcome']}) with {written} rows", file=sys.stderr)
                failed = True
            if peak_mb >= LIMIT_MB:
                print(f"  peak {peak_mb:.1f} MB is over the {LIMIT_MB} MB limit", file=sys.stderr)
                failed = True
    finally:
        if backend == "postgresql":
            step("drop", backend, name, env=env)
        shutil.rmtree(scratch, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    arguments, rest = parser.parse_known_args()
    if arguments.step:
        run_step(arguments.step, rest)
    else:
        sys.exit(main(arguments.rows, arguments.backend))
