"""A hand-written comparison endpoint for bench/read_path.py: asyncpg and orjson, no GraphQL.

    RAW_DATABASE_DSN=postgresql://postgres@127.0.0.1:5432/NAME RAW_OWNER_ORGANISATION_ID=3 \
        .venv/bin/python -m uvicorn --app-dir bench raw_endpoint:app --port 8001 --workers 1

``POST /graphql`` ignores its body and answers what smallworks answers, as the owner's staff,
to the read-path query of bench/read_path.py (the first 100 projects, newest first, with
their owner organisation, line items, status history and latest documents). Same JSON
(key order, global IDs, enum names, decimals as strings with the column's places, ISO
datetimes, the keyset cursor), same statements, one per data batch, five in all:

1. the page: the owner organisation's projects, ``created_at DESC, id DESC``, 101 rows;
2. organisations by id, within the owner's scope (own region or own organisation);
3. line items, 4. status history, 5. documents, each ``project_id = ANY(...)`` and within
   the owner's scope (projects of their organisation), in smallworks' order.

The predicates, order and limits are those of the statements smallworks sends (see
``read_path.py --show-sql``); ids travel as one array parameter (``= ANY($1)``) instead of
one parameter per id, and only the columns the answer needs are read. There is no
authentication: the caller is fixed (``RAW_OWNER_ORGANISATION_ID``, ``RAW_REGION_CODE``).
Every request reads through one pooled connection, as a smallworks request does.
"""

from __future__ import annotations

import base64
import os
from collections import defaultdict
from contextlib import asynccontextmanager
from decimal import Decimal

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

DSN = os.environ.get("RAW_DATABASE_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
OWNER_ORGANISATION_ID = int(os.environ.get("RAW_OWNER_ORGANISATION_ID", "0"))
REGION_CODE = os.environ.get("RAW_REGION_CODE", "320583")
POOL_SIZE = int(os.environ.get("RAW_POOL_SIZE", "10"))
PAGE_SIZE = 100

# The owner's row scope of the children: rows of projects of their organisation.
_OF_OWN_PROJECTS = "project_id IN (SELECT projects.id FROM projects WHERE projects.owner_organisation_id = $2)"

SQL_PAGE = """
SELECT id, code, title, status, budget_amount, created_at, owner_organisation_id
FROM projects
WHERE owner_organisation_id = $1
ORDER BY created_at DESC, id DESC
LIMIT $2
"""
SQL_ORGANISATIONS = """
SELECT id, name FROM organisations
WHERE id = ANY($1::bigint[]) AND (region_code LIKE $2 ESCAPE '/' OR id = $3)
"""
SQL_LINE_ITEMS = f"""
SELECT project_id, position, name, quantity, unit, unit_price, amount
FROM project_line_items
WHERE project_id = ANY($1::bigint[]) AND {_OF_OWN_PROJECTS}
ORDER BY position
"""
SQL_STATUS_HISTORY = f"""
SELECT project_id, from_status, to_status, action, actor_name, comment, occurred_at
FROM project_status_changes
WHERE project_id = ANY($1::bigint[]) AND {_OF_OWN_PROJECTS}
ORDER BY occurred_at, id
"""
SQL_DOCUMENTS = f"""
SELECT id, project_id, document_type, version, filename, media_type, size_bytes, sha256, uploaded_at
FROM project_documents
WHERE project_id = ANY($1::bigint[]) AND {_OF_OWN_PROJECTS}
ORDER BY document_type, version
"""
STATEMENTS = 5


def global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def scaled(value: int | None, places: int) -> str | None:
    """An integer of fen (places=2) or thousandths (places=3) as smallworks shows it."""
    if value is None:
        return None
    if value < 0:
        return str(Decimal(value).scaleb(-places))
    unit = 10**places
    return f"{value // unit}.{value % unit:0{places}d}"


def end_cursor(created_at, pk: int) -> str:
    raw = '[{"dt":"%s"},%d]' % (created_at.isoformat(), pk)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


async def read_path(conn: asyncpg.Connection) -> bytes:
    rows = await conn.fetch(SQL_PAGE, OWNER_ORGANISATION_ID, PAGE_SIZE + 1)
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    ids = [r["id"] for r in rows]
    organisation_ids = list(dict.fromkeys(r["owner_organisation_id"] for r in rows))
    names = {}
    if organisation_ids:
        region_like = REGION_CODE.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"
        for r in await conn.fetch(SQL_ORGANISATIONS, organisation_ids, region_like, OWNER_ORGANISATION_ID):
            names[r["id"]] = r["name"]
    items = defaultdict(list)
    history = defaultdict(list)
    documents = defaultdict(list)
    if ids:
        for r in await conn.fetch(SQL_LINE_ITEMS, ids, OWNER_ORGANISATION_ID):
            items[r["project_id"]].append(
                {
                    "position": r["position"],
                    "name": r["name"],
                    "quantity": scaled(r["quantity"], 3),
                    "unit": r["unit"],
                    "unitPrice": scaled(r["unit_price"], 2),
                    "amount": scaled(r["amount"], 2),
                }
            )
        for r in await conn.fetch(SQL_STATUS_HISTORY, ids, OWNER_ORGANISATION_ID):
            history[r["project_id"]].append(
                {
                    "fromStatus": r["from_status"].upper() if r["from_status"] else None,
                    "toStatus": r["to_status"].upper(),
                    "action": r["action"],
                    "actorName": r["actor_name"],
                    "comment": r["comment"],
                    "occurredAt": r["occurred_at"].isoformat(),
                }
            )
        for r in await conn.fetch(SQL_DOCUMENTS, ids, OWNER_ORGANISATION_ID):
            documents[r["project_id"]].append(r)
    nodes = []
    for r in rows:
        latest = {}
        for d in documents.get(r["id"], ()):
            kind = d["document_type"]
            if kind not in latest or d["version"] > latest[kind]["version"]:
                latest[kind] = d
        organisation = r["owner_organisation_id"]
        nodes.append(
            {
                "id": global_id("Project", r["id"]),
                "code": r["code"],
                "title": r["title"],
                "status": r["status"].upper(),
                "budgetAmount": scaled(r["budget_amount"], 2),
                "createdAt": r["created_at"].isoformat(),
                "ownerOrganisation": {"name": names[organisation]} if organisation in names else None,
                "lineItems": items.get(r["id"], []),
                "statusHistory": history.get(r["id"], []),
                "documents": [
                    {
                        "id": global_id("ProjectDocument", d["id"]),
                        "documentType": d["document_type"].upper(),
                        "version": d["version"],
                        "filename": d["filename"],
                        "mediaType": d["media_type"],
                        "sizeBytes": d["size_bytes"],
                        "sha256": d["sha256"],
                        "uploadedAt": d["uploaded_at"].isoformat(),
                    }
                    for d in sorted(latest.values(), key=lambda d: (d["document_type"], d["version"]))
                ],
            }
        )
    last = rows[-1] if rows else None
    body = {
        "data": {
            "projects": {
                "pageInfo": {
                    "hasNextPage": has_next,
                    "endCursor": end_cursor(last["created_at"], last["id"]) if last is not None else None,
                },
                "nodes": nodes,
            }
        },
        # What smallworks reports of the same query: one connection of PAGE_SIZE nodes.
        "extensions": {"cost": {"requestedNodes": PAGE_SIZE, "limit": 50_000}},
    }
    return orjson.dumps(body)


async def graphql(request: Request) -> Response:
    await request.body()  # read and ignored: the answer is always the read path's
    async with request.app.state.pool.acquire() as conn:
        body = await read_path(conn)
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})


async def healthz(request: Request) -> Response:
    async with request.app.state.pool.acquire() as conn:
        await conn.fetchval("SELECT 1")
    return Response(b'{"status":"ok"}', media_type="application/json")


@asynccontextmanager
async def lifespan(app: Starlette):
    app.state.pool = await asyncpg.create_pool(DSN, min_size=1, max_size=POOL_SIZE)
    try:
        yield
    finally:
        await app.state.pool.close()


app = Starlette(
    routes=[Route("/graphql", graphql, methods=["POST"]), Route("/healthz", healthz, methods=["GET"])],
    lifespan=lifespan,
)
