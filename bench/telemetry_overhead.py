"""CPU time the request telemetry (``app.observe``) adds to one request.

    .venv/bin/python bench/telemetry_overhead.py [--requests 20000]

Drives the middleware in process around an ASGI app that answers at once, as the compiled
path's GraphQL answers look to it (a route, a JSON body, ``X-Smallworks-Executor``), in
production settings: metrics counted, one JSON log line written (to /dev/null), tracing
off. Prints CPU microseconds per request with the line written, without it (its logger
above INFO), and of the bare app. Needs no database. This prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    args = parser.parse_args()

    from starlette.routing import Route

    from app.logs import configure_logging
    from app.observe import RequestTelemetry, Telemetry
    from app.settings import Settings
    from app.state import AppState

    tmp = Path(tempfile.mkdtemp(prefix="smallworks-telemetry-"))
    settings = Settings(
        env="production",
        database_url=f"sqlite+aiosqlite:///{tmp / 'unused.db'}",
        jwt_secret=base64.urlsafe_b64encode(os.urandom(36)).decode(),
        data_keys=json.dumps({"k1": base64.b64encode(os.urandom(32)).decode()}),
        data_key_id="k1",
        storage_dir=tmp / "storage",
    )
    state = AppState.create(settings)
    devnull = open(os.devnull, "w")
    configure_logging(settings, devnull)
    route = Route("/graphql", lambda request: None)

    async def answer(scope, receive, send):
        scope["route"] = route
        headers = [(b"content-type", b"application/json"), (b"x-smallworks-executor", b"compiled")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"data":{}}'})

    observed = RequestTelemetry(answer, Telemetry(state))

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        pass

    def scope():
        headers = [(b"host", b"bench"), (b"content-type", b"application/json"), (b"authorization", b"Bearer x")]
        return {"type": "http", "method": "POST", "path": "/graphql", "headers": headers, "scheme": "http"}

    async def per_request(app) -> float:
        for _ in range(1000):  # warm-up
            await app(scope(), receive, send)
        started = time.process_time()
        for _ in range(args.requests):
            await app(scope(), receive, send)
        return (time.process_time() - started) / args.requests * 1e6

    async def run() -> None:
        request_log = logging.getLogger("smallworks.request")
        for round_ in (1, 2):
            bare = await per_request(answer)
            with_line = await per_request(observed)
            request_log.setLevel(logging.WARNING)
            without_line = await per_request(observed)
            request_log.setLevel(logging.NOTSET)
            print(
                f"round {round_}: telemetry {with_line - bare:.1f} µs CPU per request with the JSON log line, "
                f"{without_line - bare:.1f} µs without it (bare app {bare:.1f} µs)"
            )
        await state.close()

    asyncio.run(run())


if __name__ == "__main__":
    main()
