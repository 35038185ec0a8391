"""Throughput of the GraphQL service over real HTTP.

    .venv/bin/python bench/graphql_throughput.py [--database-url URL] [--seconds 5] [--concurrency 8]

Starts `smallworks serve` on a free local port against a fresh database (a temporary SQLite
file unless --database-url names an empty PostgreSQL/MariaDB database), loads the demo
data, then for a fixed time each drives: a list query (users, 50 per page, with nested
organisation and roles), a node lookup, and an audited mutation (updateUser). Prints
requests per second and latency percentiles. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def drive(name: str, client: httpx.AsyncClient, body_for, seconds: float, concurrency: int) -> None:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker(n: int) -> None:
        nonlocal errors
        i = 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            r = await client.post("/graphql", json=body_for(n, i))
            latencies.append(time.perf_counter() - started)
            if r.status_code != 200 or r.json().get("errors"):
                errors += 1
            i += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    elapsed = time.perf_counter() - started
    ms = sorted(x * 1000 for x in latencies)
    p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    print(
        f"{name:<28} {len(ms) / elapsed:8.1f} req/s   p50 {statistics.median(ms):6.1f} ms   "
        f"p95 {p(0.95):6.1f} ms   p99 {p(0.99):6.1f} ms   errors {errors}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="smallworks-bench-"))
    env = {
        **os.environ,
        "SMALLWORKS_ENV": "development",
        "SMALLWORKS_DATABASE_URL": args.database_url or f"sqlite:///{tmp / 'bench.db'}",
        "SMALLWORKS_DEV_SECRETS_FILE": str(tmp / "secrets.json"),
        "SMALLWORKS_MAX_ALIASES": "30",
    }
    cli = [sys.executable, "-m", "app.cli"]
    subprocess.run([*cli, "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*cli, "demo-data"], env=env, cwd=ROOT, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            for _ in range(100):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            token = (
                await client.post("/auth/token", data={"grant_type": "password", "username": "admin", "password": "smallworks-demo"})
            ).json()["access_token"]
            client.headers["Authorization"] = f"Bearer {token}"
            me = (await client.post("/graphql", json={"query": "{ viewer { user { id } } }"})).json()["data"]["viewer"]["user"]["id"]
            print(f"database: {env['SMALLWORKS_DATABASE_URL'].split('://')[0]}, concurrency {args.concurrency}, {args.seconds:.0f} s each")
            users = {"query": "{ users(first: 50) { totalCount nodes { username phone roles organisation { name kind } } } }"}
            await drive("users page (50, nested)", client, lambda n, i: users, args.seconds, args.concurrency)
            node = {
                "query": "query($id: ID!) { node(id: $id) { ... on User { username organisation { name } } } }",
                "variables": {"id": me},
            }
            await drive("node(id:)", client, lambda n, i: node, args.seconds, args.concurrency)
            mutation = "mutation($input: UpdateUserInput!) { updateUser(input: $input) { errors { code } } }"
            await drive(
                "updateUser (audited)",
                client,
                lambda n, i: {"query": mutation, "variables": {"input": {"id": me, "displayName": f"管理员 {n}-{i}"}}},
                args.seconds,
                args.concurrency,
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    asyncio.run(main())
