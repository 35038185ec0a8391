"""Notifications dispatched and delivered per second by one worker, on real Redis and
PostgreSQL.

    .venv/bin/python bench/notifications_throughput.py [--events 2000] [--batch 50]

Creates a fresh PostgreSQL database on 127.0.0.1 (user postgres), migrates it, loads the
demo data, then:
  1. records N domain events in transactions of --batch events, each dispatched to arq on
     commit (figure: events committed and dispatched per second);
  2. runs one arq worker (10 jobs at a time) in burst mode until the queue is empty (figure: events delivered
     and in-app notifications written per second; each event has two recipients).
Uses Redis database 15 on 127.0.0.1:6379 (flushed first). Drops the database at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


async def run(n_events: int, batch: int) -> None:
    import asyncpg
    from arq.connections import RedisSettings
    from arq.worker import Worker
    from sqlalchemy import func, select

    from app.demo import load_demo_data
    from app.migrate import upgrade
    from app.settings import Settings
    from app.state import AppState
    from models.accounts import User
    from models.notifications import Notification, OutboxEvent
    from resolvers.core import outbox as events
    from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
    from resolvers.core.transaction import unit_of_work
    from workers.settings import WorkerSettings

    name = f"sw_bench_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(host="127.0.0.1", user="postgres", database="postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    redis_url = "redis://127.0.0.1:6379/15"
    try:
        await asyncio.to_thread(upgrade, url)
        tmp = Path(tempfile.mkdtemp(prefix="smallworks-bench-"))
        settings = Settings(env="development", database_url=url, redis_url=redis_url, storage_dir=tmp)
        state = AppState.create(settings)
        from redis.asyncio import Redis

        redis = Redis.from_url(redis_url)
        await redis.flushdb()
        await redis.aclose()
        await load_demo_data(state)

        def new_worker():
            return Worker(
                functions=WorkerSettings.functions,
                redis_settings=RedisSettings.from_dsn(redis_url),
                ctx={"state": state},
                burst=True,
                max_jobs=10,
                poll_delay=0.01,
                handle_signals=False,
                keep_result=60,
            )

        # The demo data's own events first, so they do not count below.
        warm = new_worker()
        await warm.main()
        await warm.close()
        async with state.db.read() as session:
            recipients = list((await session.execute(select(User.id).where(User.username.in_(["reviewer", "owner"])))).scalars())
            before_events = (await session.execute(select(func.count()).select_from(OutboxEvent))).scalar_one()
            before_notes = (await session.execute(select(func.count()).select_from(Notification))).scalar_one()

        started = time.perf_counter()
        for start in range(0, n_events, batch):
            async with unit_of_work(state, "bench", SYSTEM_ACTOR, RequestMeta(request_id="bench")) as uow:
                for i in range(start, min(start + batch, n_events)):
                    events.record(
                        uow,
                        "project.submitted",
                        "Project",
                        i,
                        {"code": f"XM-BENCH-{i:06d}", "title": "基准测试", "budget": "1.00"},
                        recipients,
                    )
        dispatch_s = time.perf_counter() - started
        print(
            f"dispatch: {n_events} events committed and enqueued in {dispatch_s:.2f} s = {n_events / dispatch_s:,.0f} events/s "
            f"(transactions of {batch})"
        )

        worker = new_worker()
        started = time.perf_counter()
        await worker.main()
        deliver_s = time.perf_counter() - started
        await worker.close()
        async with state.db.read() as session:
            done = (await session.execute(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.status == "done"))).scalar_one()
            notes = (await session.execute(select(func.count()).select_from(Notification))).scalar_one() - before_notes
        print(
            f"delivery: one worker delivered {done - before_events} events ({notes} in-app notifications) in {deliver_s:.2f} s = "
            f"{(done - before_events) / deliver_s:,.0f} events/s, {notes / deliver_s:,.0f} notifications/s"
        )
        await state.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    os.environ.setdefault("SMALLWORKS_DEV_SECRETS_FILE", str(Path(tempfile.mkdtemp()) / "secrets.json"))
    asyncio.run(run(args.events, args.batch))
