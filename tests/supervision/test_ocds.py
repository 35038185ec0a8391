"""OCDS 1.1.5 publication: one release per lifecycle event, published once and never changed;
release and record packages as a client fetches them, valid against the official package
schemas (offline: the vendored copies and a local registry for their ``$ref`` URLs), with
compiled records that ``ocdskit compile`` reproduces; sealed bids absent from every release
until the opening; the list in GraphQL within the viewer's row scope."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import pytest_asyncio
from conftest import DEMO_PASSWORD, make_uscc, unique
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from sqlalchemy import select, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tendering"))  # the procurement flows

from factories import pk_of
from flows import bid_ok, clock_kept, open_tender, published

from app.demo.accounts import ORGANISATIONS, USERS
from models.accounts import Organisation, User
from models.notifications import OutboxEvent
from models.payments import PaymentRequest
from models.projects import Project
from models.supervision import OcdsRelease
from models.tendering import Tender
from resolvers.accounts import service as accounts
from resolvers.core.clock import SHANGHAI
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.transaction import unit_of_work
from resolvers.projects import events as project_events
from resolvers.projects.service import next_code
from resolvers.supervision import ocds, ocds_map, ocds_schema
from resolvers.tendering import ocds as tender_ocds
from workers.delivery import deliver_event

OCDSKIT = Path(sys.executable).with_name("ocdskit")
ZH, EN = {"Accept-Language": "zh-CN"}, {"Accept-Language": "en"}
# Bid prices no other test uses: found in a release only if the release shows that bid.
PRICES = ("8417.93", "8529.17", "8631.29")
REGION = "839901"  # a region of this module's own (no real code starts with 83)

# -- checking packages -------------------------------------------------------------------------

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time")
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(RFC3339.match(value))


@FORMATS.checks("uri")
def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


def _validators(name: str) -> list[jsonschema.Draft4Validator]:
    """The package schema ``name`` twice: with the official release schema, and with the
    release schema the bids extension patches (which the packages name), so the extension's
    fields are checked too. ``$ref`` URLs resolve to the vendored files."""
    validators = []
    for release_schema in (ocds_schema.schema("release-schema.json"), ocds_schema.patched_release_schema()):
        registry: Registry = Registry().with_resources(
            (ocds_schema.SCHEMA_BASE + file, Resource(contents=contents, specification=DRAFT4))
            for file, contents in (
                ("release-schema.json", release_schema),
                ("release-package-schema.json", ocds_schema.schema("release-package-schema.json")),
                ("record-package-schema.json", ocds_schema.schema("record-package-schema.json")),
            )
        )
        validators.append(jsonschema.Draft4Validator(ocds_schema.schema(name), registry=registry, format_checker=FORMATS))
    return validators


RELEASE_PACKAGE = _validators("release-package-schema.json")
RECORD_PACKAGE = _validators("record-package-schema.json")


def check_codes(release: dict) -> None:
    """Codes of the open codelists (which the schema does not enumerate) are the codelists' own."""
    for party in release.get("parties", []):
        assert set(party["roles"]) <= ocds_schema.codelist("partyRole"), party
    tender = release.get("tender", {})
    if "awardCriteria" in tender:
        assert tender["awardCriteria"] in ocds_schema.codelist("awardCriteria")
    assert set(tender.get("submissionMethod", [])) <= ocds_schema.codelist("submissionMethod")
    for contract in release.get("contracts", []):
        for milestone in contract.get("implementation", {}).get("milestones", []):
            assert milestone["type"] in ocds_schema.codelist("milestoneType")
    for statistic in release.get("bids", {}).get("statistics", []):
        assert statistic["measure"] in ocds_schema.codelist("bids/bidStatistics")


def valid(package: dict, validators: list[jsonschema.Draft4Validator]) -> None:
    for validator in validators:
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(package)]
        assert errors == [], errors[:5]
    for release in package.get("releases", []) + [r for record in package.get("records", []) for r in record["releases"]]:
        check_codes(release)


async def all_pages(client, url: str) -> list[dict]:
    """Every page of a release package, following ``links.next``."""
    pages = []
    while url:
        response = await client.get(url)
        assert response.status_code == 200, response.text
        assert response.headers["access-control-allow-origin"] == "*"
        pages.append(response.json())
        url = pages[-1].get("links", {}).get("next")
    return pages


async def release_texts(state, ocid: str | None = None) -> list[str]:
    """The releases as stored, of one process or all."""
    stmt = select(OcdsRelease.data).order_by(OcdsRelease.id)
    if ocid is not None:
        stmt = stmt.where(OcdsRelease.ocid == ocid)
    async with state.db.read() as session:
        return list((await session.execute(stmt)).scalars())


async def ocid_of_project(state, project_pk: int) -> str:
    async with state.db.read() as session:
        code = (await session.execute(select(Project.code).where(Project.id == project_pk))).scalar_one()
    return ocds.ocid_of(state.settings, code)


# -- the demo's releases -----------------------------------------------------------------------


@pytest.mark.demo_state
async def test_the_demo_published_one_release_per_lifecycle_event(state):
    """Loading the demo ran the real services; each event they recorded that publishes was
    delivered in process and gave exactly one release, of its tag, dated after the one
    before it in its process."""
    async with state.db.read() as session:
        events = (await session.execute(select(OutboxEvent).where(OutboxEvent.event_type.in_(ocds.PUBLISHED_ON)))).scalars().all()
        releases = (await session.execute(select(OcdsRelease).order_by(OcdsRelease.ocid, OcdsRelease.sequence))).scalars().all()
        never_published = set(
            (await session.execute(select(Tender.id).where(Tender.published_at.is_(None)))).scalars()
        )  # a draft cancelled before publication
    expected = {
        e.id: ocds.PUBLISHED_ON[e.event_type]
        for e in events
        if not (ocds.subject_of(e.event_type) == "tender" and int(e.subject_id) in never_published)
    }
    assert {r.event_id: r.tag for r in releases} == expected
    assert set(expected.values()) == {"planning", "tender", "tenderUpdate", "award", "contract", "implementation"}
    by_ocid: dict[str, list[OcdsRelease]] = {}
    for r in releases:
        by_ocid.setdefault(r.ocid, []).append(r)
    for ocid, rows in by_ocid.items():
        assert [r.sequence for r in rows] == list(range(1, len(rows) + 1)), ocid
        assert all(a.date < b.date for a, b in zip(rows, rows[1:], strict=False)), ocid
        assert rows[0].tag == "planning"
        for r in rows:
            assert ocds.sha256_of(r.data) == r.sha256
            release = json.loads(r.data)
            assert (release["ocid"], release["id"], release["tag"]) == (ocid, r.release_id, [r.tag])
            assert release["date"] == ocds_map.release_date(r.date)


@pytest.mark.demo_state
async def test_every_package_served_validates_and_pages_follow_links_next(client, state):
    pages = await all_pages(client, "/ocds/releases?limit=7")
    assert len(pages) > 2
    served = [r for page in pages for r in page["releases"]]
    assert [json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":")) for r in served] == await release_texts(state)
    for page in pages:
        valid(page, RELEASE_PACKAGE)
        assert page["version"] == "1.1" and page["publisher"] == {"name": "smallworks"}
        assert page["uri"].startswith("http://testserver/ocds/releases?limit=7")
        has_bids = any("bids" in r for r in page["releases"])
        assert page.get("extensions", []) == ([ocds_schema.BIDS_EXTENSION] if has_bids else [])
    for ocid in sorted({r["ocid"] for r in served}):
        response = await client.get(f"/ocds/records/{ocid}")
        assert response.status_code == 200
        package = response.json()
        valid(package, RECORD_PACKAGE)
        (record,) = package["records"]
        assert record["ocid"] == ocid and [r["ocid"] for r in record["releases"]] == [ocid] * len(record["releases"])
        assert record["compiledRelease"]["tag"] == ["compiled"]
        assert package["packages"] == [f"http://testserver/ocds/releases?ocid={ocid}"]


@pytest.mark.demo_state
async def test_a_whole_process_reads_as_ocds_says(client, state):
    """The demo's road contract from its approval to its first payment: planning, tender,
    opening, evaluation, award, contract, implementation; the compiled release holds the
    latest of each, with the parties' roles accumulated."""
    async with state.db.read() as session:
        paid = (await session.execute(select(PaymentRequest).where(PaymentRequest.status == "paid"))).scalars().first()
    ocid = await ocid_of_project(state, paid.project_id)
    record = (await client.get(f"/ocds/records/{ocid}")).json()["records"][0]
    assert [r["tag"][0] for r in record["releases"]] == [
        "planning",
        "tender",
        "tenderUpdate",
        "tenderUpdate",
        "award",
        "contract",
        "implementation",
    ]
    compiled = record["compiledRelease"]
    roles = {p["name"]: p["roles"] for p in compiled["parties"]}
    assert roles["昆山市周市镇人民政府"] == ["buyer", "payer", "procuringEntity"]
    assert roles["昆山通达市政工程有限公司"] == ["payee", "supplier", "tenderer"]
    assert roles["苏州绿园景观建设有限公司"] == ["tenderer"]
    owner = next(p for p in compiled["parties"] if "buyer" in p["roles"])
    assert owner["identifier"] == {"scheme": "CN-USCI", "id": owner["id"].removeprefix("CN-USCI-"), "legalName": owner["name"]}
    assert compiled["tender"]["status"] == "complete" and compiled["tender"]["procurementMethod"] == "selective"
    assert compiled["tender"]["contractPeriod"]["startDate"].endswith("T00:00:00+08:00")
    assert (
        compiled["tender"]["procurementMethodDetails"] == "询价 (request for quotation)"
        and compiled["tender"]["awardCriteria"] == "priceOnly"
    )
    assert {b["status"] for b in compiled["bids"]["details"]} == {"valid"}
    (award,) = compiled["awards"]
    (contract,) = compiled["contracts"]
    assert award["status"] == "active" and contract["awardID"] == award["id"] and contract["status"] == "active"
    (transaction,) = contract["implementation"]["transactions"]
    assert transaction["id"] == paid.code and transaction["value"] == {"amount": ocds_map.number(paid.paid_amount), "currency": "CNY"}
    assert transaction["payer"]["id"] == owner["id"] and transaction["payee"]["id"] == award["suppliers"][0]["id"]
    assert compiled["planning"]["budget"]["projectID"] == ocid.removeprefix(state.settings.ocds_ocid_prefix + "-")


@pytest.mark.demo_state
async def test_no_person_and_no_bank_detail_is_published(state):
    """No one's name or phone, no account, no bank reference: in none of the demo's releases."""
    async with state.db.read() as session:
        names = set((await session.execute(select(User.display_name))).scalars())
        references = set(
            (await session.execute(select(PaymentRequest.bank_reference).where(PaymentRequest.bank_reference.is_not(None)))).scalars()
        )
    phones = {phone for *_, phone in USERS.values()}
    accounts_ = {account for *_, account in ORGANISATIONS.values() if account}
    assert references and accounts_ and phones
    texts = await release_texts(state)
    for text in texts:
        for secret in names | phones | accounts_ | references:
            assert secret not in text, secret
        release = json.loads(text)
        assert not any("contactPoint" in p for p in release["parties"])


@pytest.mark.once
@pytest.mark.demo_state
async def test_ocdskit_compile_over_the_releases_reproduces_the_records(client, tmp_path):
    """``ocdskit compile`` (the CLI, offline with the vendored schema the bids extension
    patches) over every release package gives each record's compiled release."""
    schema = tmp_path / "release-schema.json"
    schema.write_text(json.dumps(ocds_schema.patched_release_schema()), encoding="utf-8")
    pages = await all_pages(client, "/ocds/releases")
    stdin = "\n".join(json.dumps(page, ensure_ascii=False) for page in pages)
    run = subprocess.run(
        [str(OCDSKIT), "compile", "--schema", str(schema)], input=stdin, capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    compiled = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    ocids = sorted({r["ocid"] for page in pages for r in page["releases"]})
    assert [c["ocid"] for c in compiled] == ocids
    for release in compiled:
        record = (await client.get(f"/ocds/records/{release['ocid']}")).json()["records"][0]
        assert release == record["compiledRelease"], release["ocid"]


# -- a procurement of this module: sealed bids, the opening, redelivery --------------------------


AMEND = "mutation($i: AmendTenderInput!) { amendTender(input: $i) { errors { code message } } }"


@pytest_asyncio.fixture(scope="module")
async def sealed(api, state):
    """An rfq published, three bids submitted and then the notice amended (a release made
    while the bids are sealed): the releases as they stand before the opening, then after it."""
    p = await published(api, state, "rfq")
    for supplier, price in zip(p.suppliers, PRICES, strict=True):
        await bid_ok(api, supplier, p.tender["id"], price)
    amended = await api.ok(
        AMEND,
        {"i": {"id": p.tender["id"], "summary": "更正公告", "noticeText": "更正后的询价公告。联系人手机 13912345678。"}},
        token=p.owner.staff.token,
    )
    assert amended["amendTender"]["errors"] == []
    async with state.db.read() as session:
        tender = (await session.execute(select(Tender).where(Tender.code == p.tender["code"]))).scalar_one()
        bidders = {
            uscc: name
            for uscc, name in (
                await session.execute(
                    select(Organisation.uscc, Organisation.name).where(Organisation.id.in_([pk_of(s.org_id) for s in p.suppliers]))
                )
            ).all()
        }
    ocid = await ocid_of_project(state, tender.project_id)
    before = {"all": await release_texts(state), "process": await release_texts(state, ocid)}
    async with state.db.read() as session:
        rows_before = (
            (await session.execute(select(OcdsRelease).where(OcdsRelease.ocid == ocid).order_by(OcdsRelease.sequence))).scalars().all()
        )
    with clock_kept(state):
        opened = await open_tender(api, state, p)
    assert opened["errors"] == [] and opened["tender"]["status"] == "OPENED"
    return {"p": p, "ocid": ocid, "bidders": bidders, "before": before, "rows_before": rows_before, "tender_id": tender.id}


async def test_no_release_shows_a_sealed_bid_before_opening(sealed):
    before = sealed["before"]
    assert [json.loads(t)["tag"] for t in before["process"]] == [["planning"], ["tender"], ["tenderUpdate"]]
    for text in before["all"]:
        for price in PRICES:
            assert price not in text and str(ocds_map.number(Decimal(price))) not in text
    for text in before["process"]:
        release = json.loads(text)
        assert "bids" not in release and "numberOfTenderers" not in release.get("tender", {})
        for uscc, name in sealed["bidders"].items():
            assert uscc not in text and name not in text  # not even who bid, nor who was invited
    tender = json.loads(before["process"][-1])["tender"]
    assert tender["status"] == "active" and tender["value"] == {"amount": 9000, "currency": "CNY"}
    assert tender["description"] == "更正后的询价公告。联系人手机 ＊＊＊。" and [a["rationale"] for a in tender["amendments"]] == [
        "更正公告"
    ]
    assert tender["tenderPeriod"]["endDate"] == ocds_map.instant(datetime.fromisoformat(sealed["p"].tender["bidDeadline"]))


async def test_the_opening_publishes_the_bids(client, sealed):
    pages = await all_pages(client, f"/ocds/releases?ocid={sealed['ocid']}")
    releases = [r for page in pages for r in page["releases"]]
    assert [r["tag"] for r in releases] == [["planning"], ["tender"], ["tenderUpdate"], ["tenderUpdate"]]
    opened = releases[-1]
    details = opened["bids"]["details"]
    assert sorted(d["value"]["amount"] for d in details) == [float(p) for p in PRICES]
    assert {d["status"] for d in details} == {"pending"}
    assert {d["tenderers"][0]["id"] for d in details} == {f"CN-USCI-{uscc}" for uscc in sealed["bidders"]}
    assert opened["tender"]["numberOfTenderers"] == 3 and opened["bids"]["statistics"][0]["value"] == 3
    assert {p["name"] for p in opened["parties"] if p["roles"] == ["tenderer"]} == set(sealed["bidders"].values())
    for page in pages:
        valid(page, RELEASE_PACKAGE)
        assert page["extensions"] == [ocds_schema.BIDS_EXTENSION]
    record = (await client.get(f"/ocds/records/{sealed['ocid']}")).json()
    valid(record, RECORD_PACKAGE)
    compiled = record["records"][0]["compiledRelease"]
    assert compiled["tender"]["numberOfTenderers"] == 3 and compiled["bids"] == opened["bids"]


async def test_a_redelivered_event_publishes_nothing_and_releases_never_change(state, sealed):
    """The opening's event delivered again, as the worker does after a failure half-way:
    no second release; and the releases published before the opening are as they were."""
    async with state.db.read() as session:
        rows = (
            (await session.execute(select(OcdsRelease).where(OcdsRelease.ocid == sealed["ocid"]).order_by(OcdsRelease.sequence)))
            .scalars()
            .all()
        )
    opening = next(r for r in rows if r.event_type == "tender.opened")
    async with state.db.write() as session:
        await session.execute(update(OutboxEvent).where(OutboxEvent.id == opening.event_id).values(status="pending", completed_at=None))
    await deliver_event(state, opening.event_id, state.dispatcher.schedule_webhook)
    async with unit_of_work(state, "test", SYSTEM_ACTOR, RequestMeta(request_id="t")) as uow:
        assert await ocds.publish(uow, opening.event_id) is None
    async with state.db.read() as session:
        after = (
            (await session.execute(select(OcdsRelease).where(OcdsRelease.ocid == sealed["ocid"]).order_by(OcdsRelease.sequence)))
            .scalars()
            .all()
        )
        done = (await session.execute(select(OutboxEvent.status).where(OutboxEvent.id == opening.event_id))).scalar_one()
    assert done == "done"

    def kept(row: OcdsRelease) -> tuple:
        return (row.id, row.release_id, row.sequence, row.date, row.data, row.sha256, row.published_at)

    assert [kept(r) for r in after] == [kept(r) for r in rows]
    assert [kept(r) for r in sealed["rows_before"]] == [kept(r) for r in after[:3]]


# -- the list in GraphQL, in row scope ------------------------------------------------------------

LIST = """query($project: ID, $tags: [OcdsReleaseTag!]) { ocdsReleases(projectId: $project, tags: $tags, first: 50) {
  totalCount nodes { id releaseId ocid sequence tag tagLabel eventType eventTypeLabel sha256 intact data project { code regionCode } } } }"""
NODE = "query($id: ID!) { node(id: $id) { id ... on OcdsRelease { ocid } } }"


@pytest_asyncio.fixture(scope="module")
async def elsewhere(api, state):
    """An approved project and an auditor in a region of this module's own: the approval's
    event is delivered in process, which publishes the planning release."""
    async with unit_of_work(state, "test", SYSTEM_ACTOR, RequestMeta(request_id="t")) as uow:
        owner = await accounts.create_organisation(
            uow, accounts.OrganisationData(name=unique("外区建设单位"), kind="owner", uscc=make_uscc(), region_code=REGION)
        )
        audit = await accounts.create_organisation(
            uow, accounts.OrganisationData(name=unique("外区审计局"), kind="auditor", uscc=make_uscc(), region_code=REGION)
        )
        username = unique("aud")
        await accounts.create_user(
            uow,
            accounts.UserData(
                username=username, display_name="外区 审计", organisation_id=audit.id, password=DEMO_PASSWORD, roles=["auditor"]
            ),
        )
        project = Project(
            code=await next_code(uow, "XM"),
            title=unique("外区道路修复"),
            owner_organisation_id=owner.id,
            region_code=REGION,
            category="road",
            budget_amount=Decimal("120000.50"),
            funding_source="区级财政",
            status="approved",
            created_at=uow.now,
            updated_at=uow.now,
        )
        uow.session.add(project)
        await uow.session.flush()
        await project_events.status_changed(uow, project, "approve", "同意。")
    token = (await api.password_token(username))["access_token"]
    return {"project": project, "token": token, "ocid": ocds.ocid_of(state.settings, project.code)}


async def test_a_county_auditor_lists_only_the_releases_of_its_county(api, elsewhere):
    mine = (await api.ok(LIST, {}, token=elsewhere["token"]))["ocdsReleases"]
    assert mine["totalCount"] >= 1 and {n["project"]["regionCode"] for n in mine["nodes"]} == {REGION}
    (planning,) = [n for n in mine["nodes"] if n["ocid"] == elsewhere["ocid"]]
    assert (planning["tag"], planning["tagLabel"], planning["eventType"], planning["intact"]) == (
        "PLANNING",
        "立项",
        "project.approved",
        True,
    )
    assert json.loads(planning["data"])["planning"]["budget"]["amount"] == {"amount": 120000.5, "currency": "CNY"}
    demo_auditor = await api.token("auditor")
    theirs = (await api.ok(LIST, {}, token=demo_auditor))["ocdsReleases"]["nodes"]
    assert theirs and elsewhere["ocid"] not in {n["ocid"] for n in theirs}
    assert {n["project"]["regionCode"] for n in theirs} == {"320583"}
    assert (await api.ok(NODE, {"id": planning["id"]}, token=demo_auditor))["node"] is None
    assert (await api.ok(NODE, {"id": planning["id"]}, token=elsewhere["token"]))["node"] == {
        "id": planning["id"],
        "ocid": elsewhere["ocid"],
    }
    tags = (await api.ok(LIST, {"tags": ["TENDER_UPDATE"]}, token=demo_auditor))["ocdsReleases"]["nodes"]
    assert tags and {n["tag"] for n in tags} == {"TENDER_UPDATE"}
    contractor = await api.post(LIST, {}, token=await api.token("contractor1"))
    assert contractor.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


START_EXPORT = """mutation($input: StartExportInput!) { startExport(input: $input) {
  job { state rowsWritten url } errors { code message } } }"""


async def test_the_list_exports_as_the_auditor_sees_it(api, elsewhere):
    """The list as an export source: the county auditor's CSV holds its county's releases,
    tags and events by their labels; a bad tag is refused before anything is queued."""
    arguments = {"tags": ["PLANNING"], "since": "2000-01-01T00:00:00+08:00"}
    started = await api.ok(
        START_EXPORT, {"input": {"source": "LIST_OCDS_RELEASES", "format": "CSV", "arguments": arguments}}, token=elsewhere["token"]
    )
    job = started["startExport"]["job"]
    assert started["startExport"]["errors"] == [] and job["state"] == "READY"
    body = (await api.client.get(job["url"])).content.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(body, newline="")))
    assert header[:4] == ["发布标识", "开放合同标识", "序号", "发布类型"] and len(rows) == job["rowsWritten"] >= 1
    mine = next(r for r in rows if r[1] == elsewhere["ocid"])
    assert mine[3] == "立项" and mine[5] == "项目立项" and mine[6] == elsewhere["project"].code
    assert {r[3] for r in rows} == {"立项"}
    bad = await api.gql(
        START_EXPORT,
        {"input": {"source": "LIST_OCDS_RELEASES", "format": "CSV", "arguments": {"tags": ["SOMETHING"]}}},
        token=elsewhere["token"],
        headers=EN,
    )
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT" and "tags[0]" in bad["errors"][0]["message"]


# -- refusals and rules ----------------------------------------------------------------------------


@pytest.mark.once
async def test_bad_filters_are_refused_in_the_callers_language(client):
    response = await client.get("/ocds/releases?since=2026-13-01", headers=EN)
    assert response.status_code == 400
    assert response.json() == {
        "error": "OCDS_INVALID_MOMENT",
        "message": "`since` must be an ISO 8601 date-time with its offset (2026-12-01T10:00:00+08:00) or a date (2026-12-01); got “2026-13-01”.",
    }
    naive = await client.get("/ocds/releases?until=2026-12-01T10:00:00", headers=ZH)
    assert naive.status_code == 400 and naive.json()["error"] == "OCDS_INVALID_MOMENT" and "`until`" in naive.json()["message"]
    for query, code in (
        ("limit=0", "OCDS_INVALID_LIMIT"),
        ("limit=100000", "OCDS_INVALID_LIMIT"),
        ("cursor=nonsense", "INVALID_CURSOR"),
        ("since=2026-12-02&until=2026-12-01", "INVALID_TIME_RANGE"),
    ):
        response = await client.get(f"/ocds/releases?{query}", headers=ZH)
        assert (response.status_code, response.json()["error"]) == (400, code), query
    nothing = await client.get("/ocds/releases?since=2999-01-01", headers=EN)
    assert (nothing.status_code, nothing.json()["error"]) == (404, "OCDS_NO_RELEASES")
    unknown = await client.get("/ocds/records/ocds-xxxxxx-XM-0000-000000", headers=ZH)
    assert unknown.status_code == 404 and unknown.json()["message"] == "开放合同标识 ocds-xxxxxx-XM-0000-000000 下没有已发布的数据。"
    assert (await client.post("/ocds/releases")).status_code == 405


@pytest.mark.once
async def test_since_and_until_filter_by_release_date(client):
    releases = [r for page in await all_pages(client, "/ocds/releases") for r in page["releases"]]
    middle = sorted(r["date"] for r in releases)[len(releases) // 2]
    later = [r for page in await all_pages(client, f"/ocds/releases?since={middle}") for r in page["releases"]]
    earlier = [r for page in await all_pages(client, f"/ocds/releases?until={middle}") for r in page["releases"]]
    assert {r["id"] for r in later} == {r["id"] for r in releases if r["date"] >= middle}
    assert {r["id"] for r in earlier} == {r["id"] for r in releases if r["date"] < middle}
    day = date.fromisoformat(middle[:10])
    by_day = [r for page in await all_pages(client, f"/ocds/releases?since={day}") for r in page["releases"]]
    midnight_in_china = ocds_map.release_date(datetime.combine(day, time(), SHANGHAI))
    assert {r["id"] for r in by_day} == {r["id"] for r in releases if r["date"] >= midnight_in_china}


@pytest.mark.once
def test_the_codes_the_mapping_uses_are_the_codelists_own():
    assert set(tender_ocds.METHOD.values()) <= ocds_schema.codelist("method")
    assert set(tender_ocds.TENDER_STATUS.values()) <= ocds_schema.codelist("tenderStatus")
    assert {tender_ocds.award_criteria(m) for m in tender_ocds.METHOD} <= ocds_schema.codelist("awardCriteria")
    assert {tender_ocds.award_status(s) for s in tender_ocds.TENDER_STATUS} - {None} <= ocds_schema.codelist("awardStatus")
    assert {tender_ocds.main_procurement_category(c) for c in ("road", "equipment", None)} <= ocds_schema.codelist("procurementCategory")
    assert set(ocds_map.BID_STATUS.values()) <= ocds_schema.codelist("bids/bidStatus")
    assert set(ocds.PUBLISHED_ON.values()) <= ocds_schema.codelist("releaseTag")
    from resolvers.contracts import ocds as contract_ocds

    statuses = {
        contract_ocds.contract_status(s, signed)
        for s in ("draft", "active", "completed", "terminated")
        for signed in (None, datetime.now(UTC))
    }
    assert statuses <= ocds_schema.codelist("contractStatus")
    assert {contract_ocds.milestone_status(s) for s in ("planned", "accepted", "rejected")} <= ocds_schema.codelist("milestoneStatus")


@pytest.mark.once
def test_amounts_are_exact_numbers_and_days_are_china_days():
    assert ocds_map.number(Decimal("8500.00")) == 8500 and isinstance(ocds_map.number(Decimal("8500.00")), int)
    assert json.dumps(ocds_map.number(Decimal("123456789.01"))) == "123456789.01"
    assert json.dumps(ocds_map.number(Decimal("0.10"))) == "0.1"
    assert ocds_map.day_start(date(2026, 12, 1)) == "2026-12-01T00:00:00+08:00"
    assert ocds_map.day_end(date(2026, 12, 1)) == "2026-12-01T23:59:59+08:00"
    assert ocds_map.release_date(datetime(2026, 12, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-12-01T02:03:04.000005Z"
    assert ocds.parse_moment("since", "2026-12-01") == datetime(2026, 11, 30, 16, tzinfo=UTC)
    assert ocds.parse_moment("since", "2026-12-01T10:00:00 08:00") == datetime(2026, 12, 1, 2, tzinfo=UTC)  # an unencoded "+"


@pytest.mark.once
def test_free_texts_are_published_without_personal_numbers():
    text = "联系人 13800000003，身份证 32058319900101123X，账户 6222020100012345678；电话 0512-57601234，ZB-2026-000001，148600 元，91320583MA1F00006K"
    assert (
        ocds_map.public_text(text)
        == "联系人 ＊＊＊，身份证 ＊＊＊，账户 ＊＊＊；电话 0512-57601234，ZB-2026-000001，148600 元，91320583MA1F00006K"
    )


@pytest.mark.once
def test_the_bids_extension_patches_the_release_schema():
    patched = ocds_schema.patched_release_schema()
    assert "bids" in patched["properties"] and "Bid" in patched["definitions"]
    assert "relatedBid" in patched["definitions"]["Award"]["properties"]
    assert "title" in patched["definitions"]["Award"]["properties"]  # the core's fields stay
    assert ocds_schema.merge_patch({"a": {"b": 1, "c": 2}}, {"a": {"b": None, "d": 3}}) == {"a": {"c": 2, "d": 3}}
    assert "bids" not in ocds_schema.schema("release-schema.json")["properties"]  # the copy as the standard publishes it
