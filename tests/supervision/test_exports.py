"""Exports: lists streamed to XLSX and CSV through a signed link, as the person who asked sees
them. Fixture rows live in a province of their own (84: counties 840101 and 840102 of city
8401), so no other test changes what these exports hold."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from xml.etree import ElementTree

import httpx
import pytest
import pytest_asyncio
from conftest import DEMO_PASSWORD, make_uscc, unique
from sqlalchemy import event, select, text, update

from models.projects import Project
from models.supervision import ExportJob
from resolvers.core.clock import SHANGHAI
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.pagination import ListQuery
from resolvers.core.transaction import unit_of_work
from resolvers.supervision import exports
from resolvers.supervision.list_sources import batches
from resolvers.supervision.sources import ExportContext

ZH, EN = {"Accept-Language": "zh-CN"}, {"Accept-Language": "en"}
JOB = "id source sourceLabel format state stateLabel progress rowsWritten totalRows filename size sha256 url errorCode errorMessage availableActions"
START = "mutation($input: StartExportInput!) { startExport(input: $input) { job { %s } errors { code field message } } }" % JOB
CANCEL = "mutation($input: CancelExportInput!) { cancelExport(input: $input) { job { %s } errors { code field message } } }" % JOB
GET = "query($id: ID!) { exportJob(id: $id) { %s } }" % JOB
PROJECTS = """query($f: ProjectFilter, $o: ProjectOrder) { projects(filter: $f, orderBy: $o, first: 100) { totalCount nodes {
  code title statusLabel categoryLabel regionCode ownerOrganisation { name } budgetAmount fundingSource plannedStart plannedEnd
  createdAt updatedAt } } }"""
IN_84 = {"filter": {"regionPrefix": "84"}}


@dataclass
class World:
    county: str  # username of an auditor of county 840101
    city: str  # username of an auditor of city 8401 (both counties)
    owner: str  # username of an owner's staff in 840101
    projects: dict[str, list[str]]  # region -> project codes


@pytest_asyncio.fixture(scope="module")
async def world(state) -> World:
    """Two counties of one city, an owner with projects in each, and an auditor of each
    county and of the city; projects inserted directly, a title that looks like a formula."""
    from resolvers.accounts import service as accounts

    meta = RequestMeta(request_id="exports-fixture")
    async with unit_of_work(state, "test", SYSTEM_ACTOR, meta) as uow:

        async def organisation(kind: str, region: str):
            data = accounts.OrganisationData(name=unique(f"导出测试{kind}"), kind=kind, uscc=make_uscc(), region_code=region)
            return await accounts.create_organisation(uow, data)

        async def person(org, role: str) -> str:
            username = unique("exp")
            data = accounts.UserData(
                username=username, display_name="导出 测试", organisation_id=org.id, password=DEMO_PASSWORD, roles=[role]
            )
            await accounts.create_user(uow, data)
            return username

        owners = {"840101": await organisation("owner", "840101"), "840102": await organisation("owner", "840102")}
        county = await person(await organisation("auditor", "840101"), "auditor")
        city = await person(await organisation("auditor", "840100"), "auditor")
        owner = await person(owners["840101"], "owner_staff")
        codes: dict[str, list[str]] = {"840101": [], "840102": []}
        base = datetime(2026, 3, 1, 1, 2, 3, 456000, tzinfo=UTC)
        for i, (region, budget, title) in enumerate(
            [
                ("840101", "123456.78", "乡村道路修复"),
                ("840101", "0.50", '=HYPERLINK("http://example.com","点击")'),
                ("840101", "499999.99", '社区绿化, 含"引号"与换行\n第二行'),
                ("840102", "200000.00", "老旧小区改造"),
                ("840102", "88.80", "-负号开头的名称"),
            ]
        ):
            code = unique("XM-84-")
            codes[region].append(code)
            uow.session.add(
                Project(
                    code=code,
                    title=title,
                    owner_organisation_id=owners[region].id,
                    region_code=region,
                    category=("road", "greening", "water")[i % 3],
                    budget_amount=Decimal(budget),
                    funding_source="县级财政" if i % 2 else None,
                    planned_start=base.date() + timedelta(days=i),
                    status=("approved", "submitted", "in_progress")[i % 3],
                    created_at=base + timedelta(hours=i),
                    updated_at=base + timedelta(hours=i, minutes=5),
                )
            )
    return World(county, city, owner, codes)


async def token(api, username: str) -> str:
    return (await api.password_token(username))["access_token"]


async def start(api, token_: str, source: str, fmt: str, arguments: dict | None = None, headers: dict | None = None) -> dict:
    data = await api.ok(START, {"input": {"source": source, "format": fmt, "arguments": arguments}}, token=token_, headers=headers)
    return data["startExport"]


async def download(api, url: str, **kw) -> httpx.Response:
    return await api.client.get(url, **kw)


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def read_xlsx(body: bytes) -> list[list[object]]:
    """The first sheet's cells (an XLSX is a zip of XML): text as str, numbers as float."""
    with zipfile.ZipFile(io.BytesIO(body)) as book:
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iterfind(".//m:sheetData/m:row", NS):
        cells: list[object] = []
        for cell in row.iterfind("m:c", NS):
            column = "".join(ch for ch in cell.attrib["r"] if ch.isalpha())
            index = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(column))) - 1
            cells.extend([None] * (index - len(cells)))
            if cell.attrib.get("t") == "inlineStr":
                cells.append("".join(t.text or "" for t in cell.iterfind(".//m:t", NS)))
            else:
                value = cell.find("m:v", NS)
                cells.append(float(value.text) if value is not None and value.text is not None else None)
        rows.append(cells)
    return rows


def guarded(text: str) -> str:
    """A text cell as CSV writes it: one a spreadsheet would read as a formula starts with '."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def china(moment: str) -> datetime:
    return datetime.fromisoformat(moment).astimezone(SHANGHAI)


def excel_time(serial: float) -> datetime:
    return datetime(1899, 12, 30) + timedelta(days=serial)


async def listed(api, token_: str, headers: dict, variables: dict | None = None) -> dict:
    return (await api.ok(PROJECTS, variables or {"f": IN_84["filter"]}, token=token_, headers=headers))["projects"]


# -- the list, as its GraphQL answer shows it, in the requester's scope (every backend) --------


async def test_a_small_export_is_the_list_as_the_requester_sees_it(api, state, world):
    """Written at once in the request: the county auditor's CSV holds the county's projects
    only, the city auditor's XLSX both counties', each row as the GraphQL list shows it."""
    county, city = await token(api, world.county), await token(api, world.city)

    job = await start(api, county, "LIST_PROJECTS", "CSV", IN_84, ZH)
    assert job["errors"] == []
    job = job["job"]
    assert (job["state"], job["stateLabel"], job["progress"], job["availableActions"]) == ("READY", "可下载", 100, [])
    assert job["sourceLabel"] == "项目列表" and job["filename"].startswith("项目列表-") and job["filename"].endswith(".csv")
    response = await download(api, job["url"])
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.headers["etag"] == f'"{job["sha256"]}"' and int(response.headers["content-length"]) == job["size"]
    header, *rows = read_csv(response.content)
    assert header[:3] == ["项目编号", "项目名称", "状态"] and header[10] == "创建时间（北京时间）"
    shown = await listed(api, county, ZH)
    assert shown["totalCount"] == len(rows) == job["rowsWritten"] == job["totalRows"] == 3
    assert {r[0] for r in rows} == set(world.projects["840101"])  # not a row of 840102
    for row, node in zip(rows, shown["nodes"], strict=True):
        assert row[:5] == [node["code"], guarded(node["title"]), node["statusLabel"], node["categoryLabel"], node["regionCode"]]
        assert row[5] == node["ownerOrganisation"]["name"]
        assert row[6] == node["budgetAmount"] and row[6] == f"{Decimal(node['budgetAmount']):.2f}"  # two decimals: 0.50
        assert row[7] == (node["fundingSource"] or "") and row[8] == (node["plannedStart"] or "")
        assert datetime.fromisoformat(row[10]) == datetime.fromisoformat(node["createdAt"]).replace(microsecond=0)
        assert row[10].endswith("+08:00") and row[11].endswith("+08:00")
    assert "'=HYPERLINK" in [r[1][:11] for r in rows]  # a title that would be a formula stays text

    job = (await start(api, city, "LIST_PROJECTS", "XLSX", {**IN_84, "orderBy": {"field": "BUDGET_AMOUNT", "direction": "ASC"}}, EN))["job"]
    assert job["state"] == "READY" and job["filename"].startswith("Projects-") and job["filename"].endswith(".xlsx")
    response = await download(api, job["url"])
    assert response.headers["content-type"] == exports.MEDIA_TYPES["xlsx"]
    header, *rows = read_xlsx(response.content)
    assert header[:2] == ["Code", "Title"] and header[10] == "Created (China time, UTC+8)"
    shown = await listed(api, city, EN, {"f": IN_84["filter"], "o": {"field": "BUDGET_AMOUNT", "direction": "ASC"}})
    assert len(rows) == shown["totalCount"] == 5
    for row, node in zip(rows, shown["nodes"], strict=True):
        assert row[:5] == [node["code"], node["title"], node["statusLabel"], node["categoryLabel"], node["regionCode"]]
        assert row[6] == float(node["budgetAmount"])
        assert abs(excel_time(row[10]) - china(node["createdAt"]).replace(tzinfo=None)) < timedelta(milliseconds=1)


async def test_batches_read_on_past_nulls_where_the_backend_sorts_them(state, world, monkeypatch):
    """A list ordered by a column that may be NULL, one row per statement, both ways: every
    row once, in the order one statement gives (NULLs sort last on PostgreSQL, first on
    MariaDB and SQLite, as the list's own ORDER BY puts them)."""
    monkeypatch.setattr(state.settings, "export_batch_rows", 1)
    ids = [await queued_job(state, world.county) for _ in range(4)]
    async with state.db.write() as session:
        await session.execute(update(ExportJob).where(ExportJob.id.in_(ids)).values(state="cancelled"))
        for i in ids[1::2]:
            await session.execute(update(ExportJob).where(ExportJob.id == i).values(total_rows=None))
    for descending in (False, True):
        order = [(ExportJob.total_rows, descending), (ExportJob.id, descending)]
        query = ListQuery(select(ExportJob).where(ExportJob.id.in_(ids)), order)
        async with state.db.read() as session:
            ctx = ExportContext(session=session, actor=SYSTEM_ACTOR, settings=state.settings, locale="zh-CN")
            got = [row.id for batch in [b async for b in batches(ctx, query)] for row in batch]
            ordering = [c.desc() if d else c.asc() for c, d in order]
            expected = (await session.execute(select(ExportJob.id).where(ExportJob.id.in_(ids)).order_by(*ordering))).scalars().all()
        assert got == list(expected) and sorted(got) == sorted(ids), descending


# -- refusals (once) ----------------------------------------------------------------------------


async def jobs_of(state, username: str) -> int:
    async with state.db.read() as session:
        return (
            await session.execute(
                text("SELECT COUNT(*) FROM export_jobs j JOIN users u ON u.id = j.user_id WHERE u.username = :u"), {"u": username}
            )
        ).scalar_one()


@pytest.mark.once
async def test_bad_sources_and_arguments_are_typed_errors_and_nothing_is_queued(api, state, world, monkeypatch):
    county, owner = await token(api, world.county), await token(api, world.owner)
    before = await jobs_of(state, world.county)
    body = await api.gql(START, {"input": {"source": "LIST_NOPE", "format": "CSV"}}, token=county)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT" and "LIST_NOPE" in body["errors"][0]["message"]

    bad = [
        ({"filter": {"status": ["NOPE"]}}, "EXPORT_ARGUMENT_INVALID", "filter.status[0]"),
        ({"nope": 1}, "EXPORT_ARGUMENT_UNKNOWN", "nope"),
        ({"filter": {"ownerOrganisationId": "UHJvamVjdDox"}}, "EXPORT_ARGUMENT_INVALID", "filter.ownerOrganisationId"),  # a Project's ID
        ({"filter": {"budgetMin": "1.001"}}, "TOO_MANY_DECIMALS", None),
        ({"filter": {"plannedStartFrom": "2026-02-30"}}, "EXPORT_ARGUMENT_INVALID", "filter.plannedStartFrom"),
        ({"filter": {"search": "a\x00b"}}, "INVALID_CHARACTERS", None),
        ({"filter": []}, "EXPORT_ARGUMENT_INVALID", "filter"),
        ({"orderBy": {"field": "PASSWORD"}}, "EXPORT_ARGUMENT_INVALID", "orderBy.field"),
    ]
    for arguments, reason, named in bad:
        body = await api.gql(
            START, {"input": {"source": "LIST_PROJECTS", "format": "XLSX", "arguments": arguments}}, token=county, headers=EN
        )
        (error,) = body["errors"]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": reason}, (arguments, error)
        assert named is None or named in error["message"], error["message"]
    body = await api.gql(START, {"input": {"source": "LIST_PROJECTS", "format": "CSV", "arguments": [1]}}, token=county, headers=ZH)
    assert body["errors"][0]["extensions"]["reason"] == "EXPORT_ARGUMENT_INVALID" and "JSON 对象" in body["errors"][0]["message"]
    body = await api.gql(
        START, {"input": {"source": "LIST_PROJECTS", "format": "CSV", "arguments": {"filter": {"status": ["X"]}}}}, token=county, headers=EN
    )
    assert "DRAFT, SUBMITTED" in body["errors"][0]["message"]  # the values it takes

    # A list the caller may not run: FORBIDDEN (only auditors read the audit trail).
    body = await api.gql(START, {"input": {"source": "LIST_AUDIT_EVENTS", "format": "CSV"}}, token=owner)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN" and body["data"]["startExport"] is None

    # More rows than one file holds: a user error naming the numbers.
    monkeypatch.setattr(state.settings, "export_max_rows", 2)
    refused = await start(api, county, "LIST_PROJECTS", "CSV", IN_84, EN)
    assert refused["job"] is None and [(e["code"], e["field"]) for e in refused["errors"]] == [("EXPORT_TOO_LARGE", "arguments")]
    assert "3 rows" in refused["errors"][0]["message"] and "limit of 2" in refused["errors"][0]["message"]
    assert await jobs_of(state, world.county) == before and await jobs_of(state, world.owner) == 0


@pytest.mark.once
async def test_another_user_neither_sees_nor_downloads_the_job(api, state, world):
    county, city = await token(api, world.county), await token(api, world.city)
    job = (await start(api, county, "LIST_PROJECTS", "CSV", IN_84))["job"]
    assert (await api.ok(GET, {"id": job["id"]}, token=city))["exportJob"] is None
    assert (await api.ok("query($id: ID!) { node(id: $id) { id } }", {"id": job["id"]}, token=city))["node"] is None
    assert job["id"] not in [
        n["id"] for n in (await api.ok("{ exportJobs(first: 100) { nodes { id } } }", token=city))["exportJobs"]["nodes"]
    ]
    assert job["id"] in [
        n["id"] for n in (await api.ok("{ exportJobs(first: 100) { nodes { id } } }", token=county))["exportJobs"]["nodes"]
    ]
    body = await api.gql(CANCEL, {"input": {"id": job["id"]}}, token=city)
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"

    path = job["url"].split("?")[0]
    assert (await download(api, path, headers={"Authorization": f"Bearer {city}"})).status_code == 404
    assert (await download(api, path)).status_code == 401
    forged = job["url"].replace("actor=user%3A", "actor=user%3A1")  # another person's id under the requester's seal
    assert (await download(api, forged)).status_code == 401
    mine = await download(api, path, headers={"Authorization": f"Bearer {county}", **EN})
    assert mine.status_code == 200 and len(read_csv(mine.content)) == 4
    # Ready exports cannot be cancelled.
    refused = (await api.ok(CANCEL, {"input": {"id": job["id"]}}, token=county, headers=EN))["cancelExport"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("EXPORT_NOT_CANCELLABLE", "id")] and "“Ready”" in refused["errors"][0][
        "message"
    ]


# -- the job: queued, cut off, cancelled, expired (once) ----------------------------------------


async def job_row(state, job_id: int) -> ExportJob:
    async with state.db.read() as session:
        return (await session.execute(select(ExportJob).where(ExportJob.id == job_id))).scalar_one()


def pk(global_id: str) -> int:
    import base64

    return int(base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode().split(":")[1])


async def queued_job(state, username: str, fmt: str = "csv") -> int:
    """A job as ``startExport`` records one for the worker (the worker has not run it)."""
    async with unit_of_work(state, "test", SYSTEM_ACTOR, RequestMeta(request_id="exports-queued")) as uow:
        user_id, org_id = (
            await uow.session.execute(text("SELECT id, organisation_id FROM users WHERE username = :u"), {"u": username})
        ).one()
        job = ExportJob(
            user_id=user_id, organisation_id=org_id, region_code="840100", source="list.projects", format=fmt,
            arguments=json.dumps(IN_84), locale="zh-CN", state="queued", total_rows=5, created_at=uow.now, updated_at=uow.now,
        )  # fmt: skip
        uow.session.add(job)
        await uow.session.flush()
        return job.id


@pytest.mark.once
async def test_a_run_cut_off_half_way_runs_again_from_the_start_and_a_second_run_does_nothing(api, state, world):
    job_id = await queued_job(state, world.city)
    # A first run died half-way: RUNNING, its attempt and progress left behind.
    async with state.db.write() as session:
        await session.execute(
            update(ExportJob).where(ExportJob.id == job_id).values(state="running", attempt=1, progress=40, rows_written=2)
        )
    leftover = exports.work_dir(state.settings, job_id, 1)
    leftover.mkdir(parents=True, exist_ok=True)
    (leftover / "export.csv").write_text("half")
    assert await exports.run_export(state, job_id) == "ready: 5 rows"
    row = await job_row(state, job_id)
    assert (row.state, row.attempt, row.progress, row.rows_written, row.total_rows) == ("ready", 2, 100, 5, 5)
    assert not leftover.exists() and exports.export_storage(state.settings).exists(row.storage_key)
    assert await exports.run_export(state, job_id) == "nothing to do"
    again = await job_row(state, job_id)
    assert (again.attempt, again.sha256, again.finished_at) == (row.attempt, row.sha256, row.finished_at)
    # The requester is told (queued exports notify; the in-process dispatcher delivered it).
    city = await token(api, world.city)
    notes = (await api.ok("{ notifications(first: 5) { nodes { eventType title body subjectId } } }", token=city))["notifications"]["nodes"]
    assert notes[0]["eventType"] == "export.ready" and notes[0]["title"] == "导出文件已生成：项目列表"
    assert "共 5 行" in notes[0]["body"] and row.filename in notes[0]["body"]


@pytest.mark.once
async def test_cancelled_while_queued_it_is_never_written(api, state, world):
    job_id = await queued_job(state, world.city)
    city = await token(api, world.city)
    gid = exports_id(job_id)
    assert (await api.ok(GET, {"id": gid}, token=city, headers=EN))["exportJob"]["availableActions"] == ["CANCEL"]
    cancelled = (await api.ok(CANCEL, {"input": {"id": gid}}, token=city, headers=EN))["cancelExport"]
    assert cancelled["errors"] == [] and (cancelled["job"]["state"], cancelled["job"]["stateLabel"]) == ("CANCELLED", "Cancelled")
    assert cancelled["job"]["url"] is None and cancelled["job"]["availableActions"] == []
    assert await exports.run_export(state, job_id) == "nothing to do"
    assert (await job_row(state, job_id)).storage_key is None
    response = await download(api, f"/files/export/{job_id}", headers={"Authorization": f"Bearer {city}"})
    assert (response.status_code, response.json()["error"]) == (409, "EXPORT_NOT_READY")


def exports_id(job_id: int) -> str:
    from conftest import global_id

    return global_id("ExportJob", job_id)


@pytest.mark.once
async def test_ready_files_expire_and_stalled_jobs_fail(api, state, world):
    city = await token(api, world.city)
    # A file of its own (exports of the same rows may share one stored file).
    job = (await start(api, city, "LIST_PROJECTS", "XLSX", {"filter": {"regionPrefix": "840102"}}, EN))["job"]
    job_id = pk(job["id"])
    stalled = await queued_job(state, world.city)
    row = await job_row(state, job_id)
    storage = exports.export_storage(state.settings)
    assert storage.exists(row.storage_key)
    now = state.clock.now()
    async with state.db.write() as session:
        await session.execute(update(ExportJob).where(ExportJob.id == job_id).values(expires_at=now - timedelta(seconds=1)))
        await session.execute(update(ExportJob).where(ExportJob.id == stalled).values(updated_at=now - timedelta(hours=2)))
    # Before the rule runs, the download already refuses a file past its time.
    response = await download(api, job["url"])
    assert (response.status_code, response.json()["error"]) == (410, "EXPORT_EXPIRED")
    async with unit_of_work(state, "cron.expire_exports", SYSTEM_ACTOR, RequestMeta(request_id="t")) as uow:
        assert await exports.expire_exports(uow, now.date()) >= 2
    assert (await job_row(state, job_id)).state == "expired" and not storage.exists(row.storage_key)
    shown = (await api.ok(GET, {"id": exports_id(stalled)}, token=city, headers=EN))["exportJob"]
    assert (shown["state"], shown["errorCode"]) == ("FAILED", "EXPORT_INTERRUPTED") and "start it again" in shown["errorMessage"]
    assert (await api.ok(GET, {"id": job["id"]}, token=city))["exportJob"]["url"] is None


# -- every list (once) --------------------------------------------------------------------------

LISTS = [
    ("LIST_TENDERS", "tenders(first: 100) { totalCount nodes { code statusLabel ceilingPrice } }", ("code", "statusLabel", "ceilingPrice"), (0, 3, 7)),
    ("LIST_CONTRACTS", "contracts(first: 100) { totalCount nodes { code statusLabel amount } }", ("code", "statusLabel", "amount"), (0, 3, 9)),
    ("LIST_PAYMENT_REQUESTS", "paymentRequests(first: 100) { totalCount nodes { code statusLabel amount } }", ("code", "statusLabel", "amount"), (0, 1, 9)),
    ("LIST_INVOICES", "invoices(first: 100) { totalCount nodes { number statusLabel totalAmount } }", ("number", "statusLabel", "totalAmount"), (0, 4, 12)),
    ("LIST_PROGRESS_WARNINGS", "progressWarnings(first: 100) { totalCount nodes { kindLabel statusLabel explanation } }", ("kindLabel", "statusLabel", "explanation"), (1, 3, 4)),
]  # fmt: skip


@pytest.mark.once
async def test_every_list_exports_as_its_graphql_list_shows_it_without_sensitive_values(api, state, world):
    auditor = await api.token("auditor")  # the demo county's auditor
    for source, field, keys, columns in LISTS:
        job = (await start(api, auditor, source, "CSV", None, EN))["job"]
        assert job["state"] == "READY", (source, job)
        header, *rows = read_csv((await download(api, job["url"])).content)
        shown = (await api.ok("{ %s }" % field, token=auditor, headers=EN))[field.split("(")[0]]
        assert len(rows) == shown["totalCount"] > 0, source
        for row, node in zip(rows, shown["nodes"], strict=False):
            assert [row[i] for i in columns] == [node[k] for k in keys], source
        words = " ".join(header).lower()
        assert not any(w in words for w in ("account", "phone", "sealed", "quote")), (source, header)

    # The audit trail, up to a moment (the export records an event of its own).
    city = await token(api, world.city)
    await start(api, city, "LIST_PROJECTS", "CSV", IN_84)
    moment = state.clock.now().isoformat()
    await start(api, city, "LIST_PROJECTS", "CSV", IN_84)
    arguments = {"filter": {"targetType": "ExportJob", "occurredBefore": moment}}
    job = (await start(api, city, "LIST_AUDIT_EVENTS", "XLSX", arguments, EN))["job"]
    header, *rows = read_xlsx((await download(api, job["url"])).content)
    query = "query($f: AuditEventFilter) { auditEvents(filter: $f, first: 100) { nodes { sequence operation actorTypeLabel hash } } }"
    shown = (await api.ok(query, {"f": arguments["filter"]}, token=city, headers=EN))["auditEvents"]["nodes"]
    assert header[0] == "Sequence" and len(rows) == len(shown) > 0
    assert [(int(r[0]), r[4], r[2], r[11]) for r in rows] == [
        (n["sequence"], n["operation"], n["actorTypeLabel"], n["hash"]) for n in shown
    ]


# -- cells (once) -------------------------------------------------------------------------------


@pytest.mark.once
def test_csv_cells_are_exact_and_never_formulas():
    cell = exports.csv_cell
    assert [cell("money", Decimal("5")), cell("money", Decimal("1234567.8")), cell("money", None)] == ["5.00", "1234567.80", ""]
    assert cell("datetime", datetime(2026, 1, 31, 17, 30, tzinfo=UTC)) == "2026-02-01T01:30:00+08:00"  # the day in China
    assert [cell("text", t) for t in ("=1+1", "+86 138", "-x", "@SUM(A1)", "普通", "a=b")] == [
        "'=1+1",
        "'+86 138",
        "'-x",
        "'@SUM(A1)",
        "普通",
        "a=b",
    ]
    assert cell("percent", Decimal("0.2500")) == "0.2500" and cell("integer", 7) == "7"
    assert exports.progress_of(0, None) == 0 and exports.progress_of(5, 10) == 50 and exports.progress_of(10, 10) == 99
    assert exports.sheet_name("a/b:c*d?[e]") == "a b c d  e" and len(exports.sheet_name("长" * 40)) == 31


# -- a large export through the arq worker (once) -----------------------------------------------


@pytest.mark.once
@pytest.mark.subprocess
async def test_a_large_export_is_written_by_the_worker_with_progress_and_a_notification(api, state, world, monkeypatch):
    """Deployed with Redis: over the inline limit, the export is queued as an arq job; the
    worker writes it batch by batch, reporting its progress, stores it, and the requester is
    notified; the link downloads the XLSX, which holds what the list shows."""
    from types import SimpleNamespace

    from servers import RedisServer, run_worker

    from workers.dispatch import ArqDispatcher

    city = await token(api, world.city)
    redis = RedisServer()
    redis.start()
    # This process's service queues through arq on that Redis, as a deployed API does.
    monkeypatch.setattr(state, "dispatcher", ArqDispatcher(SimpleNamespace(settings=SimpleNamespace(redis_url=redis.url), db=state.db)))
    for name, value in {"export_inline_max_rows": 2, "export_batch_rows": 2, "export_progress_rows": 2}.items():
        monkeypatch.setattr(state.settings, name, value)
    written: list[int] = []

    def progress(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE EXPORT_JOBS SET PROGRESS"):
            written.append(list(parameters.values() if isinstance(parameters, dict) else parameters)[0])

    event.listen(state.db.write_engine.sync_engine, "before_cursor_execute", progress)
    try:
        job = (await start(api, city, "LIST_PROJECTS", "XLSX", IN_84, ZH))["job"]
        assert (job["state"], job["progress"], job["totalRows"], job["url"]) == ("QUEUED", 0, 5, None)
        assert job["availableActions"] == ["CANCEL"]
        await run_worker(state, redis.url)
        done = (await api.ok(GET, {"id": job["id"]}, token=city))["exportJob"]
        assert (done["state"], done["progress"], done["rowsWritten"], done["totalRows"]) == ("READY", 100, 5, 5)
        assert written == [0, 40, 80]  # reported after 0, 2 and 4 of the 5 rows
        notes = (await api.ok("{ notifications(first: 3) { nodes { eventType title subjectId } } }", token=city))["notifications"]["nodes"]
        assert (notes[0]["eventType"], notes[0]["subjectId"], notes[0]["title"]) == ("export.ready", job["id"], "导出文件已生成：项目列表")
        header, *rows = read_xlsx((await download(api, done["url"])).content)
        shown = await listed(api, city, ZH)
        assert [r[0] for r in rows] == [n["code"] for n in shown["nodes"]] and header[0] == "项目编号"
    finally:
        event.remove(state.db.write_engine.sync_engine, "before_cursor_execute", progress)
        await state.dispatcher.close()
        redis.stop()
