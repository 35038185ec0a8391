"""The graphql-http audit of the GraphQL-over-HTTP spec against smallworks, over real HTTP.

    .venv/bin/python bench/graphql_http_audit.py [--verbose]

Makes a SQLite database in a temporary directory, migrates it and loads the demo data,
then starts ``smallworks serve`` on it in development mode (introspection on) and runs
``auditServer`` of the npm package graphql-http against its /graphql
(``bench/graphql_http_audit/audit.mjs``); then the same in production mode (no
introspection: the audits that ask ``__type`` fail there, and only those). Prints, per
mode, how many audits were ok, notices, warnings and errors, and every audit that was not
ok with the reason (``--verbose``: every audit). Exits 1 if development mode had anything
but ok. Everything it starts is stopped at the end, on error too; traffic goes to
127.0.0.1 only.

graphql-http comes from the npm registry, as locked in
``bench/graphql_http_audit/package-lock.json``, installed once under
``var/bench/graphql_http_audit`` (``npm ci``; again when the lock changes). It needs
Node.js 18 or later (for ``fetch``); without npm the run says so and stops.
tests/core/test_graphql_http.py runs the same audit in the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "bench" / "graphql_http_audit"
INSTALL_DIR = ROOT / "var" / "bench" / "graphql_http_audit"
FILES = ("package.json", "package-lock.json", "audit.mjs")
# The audits that ask for __type: production refuses introspection, so they cannot pass there.
INTROSPECTION_AUDITS = frozenset({"2EA1", "28B9", "D6D5", "6A70"})


class AuditUnavailable(Exception):
    """node or npm is missing, or graphql-http could not be installed."""


def log(message: str = "") -> None:
    print(message, flush=True)


def install(directory: Path = INSTALL_DIR) -> list[str]:
    """graphql-http installed under ``directory`` from the lock; the command that runs
    the audit script there (a URL and ``--json`` follow)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise AuditUnavailable("node and npm are needed to run graphql-http (Node.js 18 or later)")
    directory.mkdir(parents=True, exist_ok=True)
    # One installer at a time: make test runs the suite once per backend, in parallel.
    with (directory / ".install.lock").open("w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        for name in FILES:
            shutil.copyfile(SOURCE / name, directory / name)
        lock = hashlib.sha256((SOURCE / "package-lock.json").read_bytes()).hexdigest()
        marker = directory / "node_modules" / ".smallworks-lock-sha256"
        if not (marker.exists() and marker.read_text() == lock):
            result = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=directory, capture_output=True, text=True, timeout=600
            )
            if result.returncode != 0:
                raise AuditUnavailable(f"npm ci failed: {(result.stderr or result.stdout).strip()[-500:]}")
            marker.write_text(lock)
    return [node, str(directory / "audit.mjs")]


@dataclass
class AuditRun:
    counts: dict[str, int]
    results: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def not_ok(self) -> list[dict]:
        return [r for r in self.results if r["status"] != "ok"]


def run_audit(command: list[str], url: str) -> AuditRun:
    started = time.perf_counter()
    result = subprocess.run([*command, url, "--json"], capture_output=True, text=True, timeout=120)
    if result.returncode not in (0, 1) or not result.stdout.strip():
        raise RuntimeError(f"the audit did not run ({result.returncode}): {(result.stderr or result.stdout).strip()[-2000:]}")
    report = json.loads(result.stdout)
    return AuditRun(report["counts"], report["results"], time.perf_counter() - started)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``smallworks serve`` in its own process group, with ``env`` as its whole environment."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.port = free_port()
        self.log_path = log_path
        with log_path.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2) as client:
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    if client.get(f"http://127.0.0.1:{self.port}/healthz").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        raise RuntimeError(f"smallworks serve did not become healthy on port {self.port}:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def server_env(mode: str, database_url: str, tmp: Path) -> dict[str, str]:
    """The environment of a server in ``mode`` (development or production) on
    ``database_url``: this one's, without SMALLWORKS_* settings, plus the mode's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMALLWORKS_") and k not in ("WEB_CONCURRENCY", "PORT", "HOST")}
    env.update(
        SMALLWORKS_ENV=mode,
        SMALLWORKS_DATABASE_URL=database_url,
        SMALLWORKS_STORAGE_DIR=str(tmp / "storage"),
        SMALLWORKS_DEV_SECRETS_FILE=str(tmp / "dev-secrets.json"),
    )
    if mode == "production":
        env.update(
            SMALLWORKS_JWT_SECRET=secrets.token_urlsafe(48),
            SMALLWORKS_DATA_KEYS=json.dumps({"k1": base64.b64encode(secrets.token_bytes(32)).decode()}),
            SMALLWORKS_DATA_KEY_ID="k1",
        )
    return env


def audit_server(command: list[str], env: dict[str, str], log_path: Path) -> AuditRun:
    with Server(env, log_path) as server:
        server.wait_healthy()
        return run_audit(command, server.url)


async def load_demo(url: str, tmp: Path) -> None:
    from app.demo import load_demo_data
    from app.settings import Settings
    from app.state import AppState

    # The cheapest password hashes: the demo users' passwords play no part in the audit.
    settings = Settings(
        env="test",
        database_url=url,
        storage_dir=tmp / "storage",
        redis_url=None,
        password_hash_time_cost=1,
        password_hash_memory_kib=8,
        password_hash_parallelism=1,
    )
    state = AppState.create(settings)
    try:
        await load_demo_data(state)
    finally:
        await state.close()


def report(mode: str, run: AuditRun, verbose: bool) -> None:
    counts = run.counts
    total = sum(counts.values())
    log(
        f"{mode}: {total} audits, {counts['ok']} ok, {counts['notice']} notice, {counts['warn']} warn, "
        f"{counts['error']} error ({run.seconds:.1f} s)"
    )
    for result in run.results if verbose else run.not_ok:
        reason = "" if result["status"] == "ok" else f" — {result['reason']} ({result['responseStatus']}, {result['contentType']})"
        log(f"  {result['status']:<6} {result['id']} {result['name']}{reason}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verbose", action="store_true", help="list every audit, not only those that were not ok")
    args = parser.parse_args()
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    try:
        command = install()
    except AuditUnavailable as exc:
        log(f"graphql-http audit: cannot run ({exc})")
        return 2
    version = json.loads((INSTALL_DIR / "node_modules" / "graphql-http" / "package.json").read_text())["version"]
    node_version = subprocess.run([command[0], "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    log(f"graphql-http {version} on Node.js {node_version}")

    tmp = Path(tempfile.mkdtemp(prefix="smallworks-graphql-http-audit-"))
    try:
        started = time.perf_counter()
        url = f"sqlite+aiosqlite:///{tmp / 'smallworks.db'}"
        os.environ["SMALLWORKS_DEV_SECRETS_FILE"] = str(tmp / "dev-secrets.json")
        from app.migrate import upgrade

        upgrade(url)
        asyncio.run(load_demo(url, tmp))
        log(f"SQLite database migrated, demo data loaded ({time.perf_counter() - started:.1f} s)")
        runs = {}
        for mode in ("development", "production"):
            runs[mode] = audit_server(command, server_env(mode, url, tmp), tmp / f"serve-{mode}.log")
            report(mode, runs[mode], args.verbose)
        extra = {r["id"] for r in runs["production"].not_ok} - INTROSPECTION_AUDITS
        if extra:
            log(f"production: audits not ok beyond those that need introspection: {', '.join(sorted(extra))}")
        return 0 if runs["development"].counts["ok"] == len(runs["development"].results) else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
