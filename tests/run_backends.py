"""Run the static checks and the whole suite once per database backend, in parallel, and
report each.

    python tests/run_backends.py [pytest args...]

Checks: ruff (lint and format), mypy and the import contracts (lint-imports); any finding
fails the run.

Backends: SQLite, PostgreSQL (127.0.0.1:5432) and MariaDB (127.0.0.1:3306); each run gets
a fresh database. With CI=true a backend that cannot be reached (after trying to start
it) fails the run; otherwise it is skipped loudly. Redis is started too if it is down.
``SMALLWORKS_TEST_BACKENDS=sqlite,postgresql`` picks backends.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "var" / "test-logs"
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

SERVICES = {
    "postgresql": (
        5432,
        lambda: ["pg_ctlcluster", "--skip-systemctl-redirect", _pg_version(), "main", "start"],
    ),
    "mariadb": (3306, lambda: ["start-stop-daemon", "--start", "--oknodo", "--background", "--exec", "/usr/sbin/mariadbd"]),
    "redis": (
        6379,
        lambda: ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379", "--save", "", "--appendonly", "no"],
    ),
}


def _pg_version() -> str:
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    return versions[-1] if versions else "15"


def reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def ensure(service: str) -> bool:
    port, command = SERVICES[service]
    if reachable(port):
        return True
    cmd = command()
    if shutil.which(cmd[0]) is None:
        return False
    print(f"[tests] {service} is down; starting it: {' '.join(cmd)}", flush=True)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    for _ in range(60):
        if reachable(port):
            return True
        time.sleep(0.5)
    return False


BIN = Path(sys.executable).parent
# mypy's cache lives outside the checkout, so a fresh clone on the same machine (CI's) starts
# warm: a cold run costs about 11 s of CPU, a warm one 1 s. mypy checks every cached module
# against its source's hash, so clones of other commits can share it.
MYPY_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "smallworks" / "mypy"
CHECKS = {
    "ruff": [str(BIN / "ruff"), "check", "--no-cache", "--quiet", "."],
    "ruff-format": [str(BIN / "ruff"), "format", "--no-cache", "--check", "--quiet", "."],
    "mypy": [str(BIN / "mypy"), "--no-error-summary", "--cache-dir", str(MYPY_CACHE)],
    "import-contracts": [str(BIN / "lint-imports"), "--no-cache"],
}

# The runs and every process they start write Python's bytecode caches (__pycache__, ignored
# by git) even where PYTHONDONTWRITEBYTECODE is set, as on CI's machines: otherwise every
# CLI, server and worker process a test starts compiles the app and its libraries from
# source again (about 1.8 s of CPU each, most of the suite's subprocess cost).
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}

SUMMARY_RE = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")


# The tests that do not depend on the backend (marked ``once``) run in one run each, dealt
# out by module (a hash of its path) in four buckets so that the three runs end at about the
# same time: the PostgreSQL run also compares the executors and both server runs fuzz the
# schema. Measured with each run alone, the buckets weigh about 30, 58, 9 and 10 s.
ONCE_DEAL = {"sqlite": "1", "postgresql": "2,3", "mariadb": "0"}


def once_buckets(backend: str, wanted: list[str]) -> str:
    if set(ONCE_DEAL) <= set(wanted):
        return f"{ONCE_DEAL[backend]}/4"
    return "0,1,2,3/4" if backend == wanted[0] else "/4"


def main() -> int:
    wanted = os.environ.get("SMALLWORKS_TEST_BACKENDS", "sqlite,postgresql,mariadb").split(",")
    pytest_args = sys.argv[1:]
    LOGS.mkdir(parents=True, exist_ok=True)
    redis_ok = ensure("redis")
    if not redis_ok:
        print("[tests] WARNING: Redis is not reachable on 127.0.0.1:6379", flush=True)

    checks = {
        name: subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for name, cmd in CHECKS.items()
        if os.environ.get("SMALLWORKS_SKIP_CHECKS") != "1"
    }
    runs: dict[str, subprocess.Popen] = {}
    verdict: dict[str, str] = {}
    for backend in wanted:
        if backend != "sqlite" and not ensure(backend):
            if CI:
                verdict[backend] = "FAILED (unreachable)"
            else:
                verdict[backend] = "SKIPPED (unreachable)"
                print(f"\n[tests] !!! {backend} is not reachable: SKIPPING its run (set CI=true to make this a failure) !!!\n", flush=True)
            continue
        # Every query answered by both executors and compared (tests/conftest.py): in one run
        # only, the PostgreSQL one when it runs (SQLite's run is the longest already).
        compare = backend == ("postgresql" if "postgresql" in wanted else wanted[0])
        # The schema fuzz runs where the database refuses most (PostgreSQL, MariaDB): each of
        # them fuzzes its share of the root fields, so every field is fuzzed once.
        fuzzers = [b for b in wanted if b != "sqlite"]
        share = f"{fuzzers.index(backend)}/{len(fuzzers)}" if backend in fuzzers else "0/1"
        env = dict(
            ENV,
            SMALLWORKS_TEST_BACKEND=backend,
            PYTHONUNBUFFERED="1",
            SMALLWORKS_COMPARE_EXECUTORS="1" if compare else "0",
            SMALLWORKS_FUZZ_SHARE=share,
            SMALLWORKS_ONCE_BUCKETS=once_buckets(backend, wanted),
        )
        # The first run starts alone, and the others once it has collected the suite: by
        # then the bytecode of the tests (as pytest rewrites them) and of all they import is
        # written, and the others read it instead of each compiling it again.
        collected = LOGS / f"{backend}.collected"
        collected.unlink(missing_ok=True)
        if not runs:
            env["SMALLWORKS_COLLECTED_FLAG"] = str(collected)
        log = open(LOGS / f"{backend}.log", "w")
        cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *pytest_args]
        print(f"[tests] {backend}: {' '.join(cmd[1:])} (log: {log.name})", flush=True)
        runs[backend] = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        if len(runs) == 1:
            deadline = time.monotonic() + 60
            while not collected.exists() and runs[backend].poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)

    totals = {"passed": 0, "failed": 0, "skipped": 0}
    for backend, proc in runs.items():
        code = proc.wait()
        output = (LOGS / f"{backend}.log").read_text(errors="replace")
        print(f"\n{'=' * 30} {backend} {'=' * 30}")
        print(output[-20000:] if code else "\n".join(output.rstrip().splitlines()[-3:]))
        counts = {k: int(n) for n, k in SUMMARY_RE.findall(output.rstrip().splitlines()[-1] if output.strip() else "")}
        totals["passed"] += counts.get("passed", 0)
        totals["failed"] += counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0)
        totals["skipped"] += counts.get("skipped", 0)
        if code == 0:
            verdict[backend] = "passed"
        elif code == 5:
            verdict[backend] = "FAILED (no tests ran)"
        else:
            verdict[backend] = f"FAILED (pytest exit {code})"

    checks_ok = True
    for name, proc in checks.items():
        output, _ = proc.communicate()
        if proc.returncode != 0:
            checks_ok = False
            print(f"\n{'=' * 30} {name} {'=' * 30}\n{output[-20000:]}")
    if checks:
        print("\n[tests] checks:")
        for name, proc in checks.items():
            print(f"  {name:<17} {'passed' if proc.returncode == 0 else f'FAILED (exit {proc.returncode})'}")

    print("\n[tests] backends:")
    for backend in wanted:
        print(f"  {backend:<11} {verdict.get(backend)}")
    ok = (
        checks_ok
        and all(v == "passed" or v.startswith("SKIPPED") for v in verdict.values())
        and any(v == "passed" for v in verdict.values())
    )
    print(f"tests: {totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
