"""ASGI entry point for uvicorn: ``uvicorn app.asgi:app``."""

import gc

from app.logs import configure_logging
from app.main import create_app
from app.settings import get_settings

configure_logging(get_settings())

app = create_app()

# A server process keeps what it built at start-up (schema, plans, compiled SQL) for its
# whole life: it is moved out of the collector's way, and the youngest generation is
# collected less often (one read request makes tens of thousands of short-lived objects,
# and a collection that runs in the middle of one walks every object kept). The older
# generations keep their default pace, so cyclic garbage does not pile up in them: with
# them slowed too, a process answering large queries on the general executor grew by
# 70 MiB a minute; like this it levels off.
gc.collect()
gc.freeze()
gc.set_threshold(10_000, 10, 10)
