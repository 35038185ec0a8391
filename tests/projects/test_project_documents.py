"""Project documents: uploads through the GraphQL multipart request spec (content sniffed,
checked against an allow-list and against the client's claim, nothing kept when refused),
versions, and downloads by signed link or Bearer token with row scope checked again at
download time."""

from __future__ import annotations

import hashlib
import json
import random
import struct
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import httpx
import pytest
import pytest_asyncio
from conftest import make_settings, unique
from factories import (
    CREATE_PROJECT,
    STRONG_PASSWORD,
    UPLOAD,
    Owner,
    create_person,
    jpeg_bytes,
    new_owner,
    pdf_bytes,
    pk_of,
    png_bytes,
    project_input,
    upload,
    zip_bytes,
)
from sqlalchemy import func, select

from models.audit import AuditHead
from models.base import utcnow
from models.projects import ProjectDocument
from resolvers.accounts.auth import load_user_actor
from resolvers.core.context import RequestMeta
from resolvers.core.transaction import unit_of_work
from resolvers.projects import service as projects
from resolvers.security.downloads import DownloadGrant, signed_path
from resolvers.security.storage import ALLOWED, claim_matches, sniff

# -- content built from scratch ------------------------------------------------------------

XLSX = zip_bytes(
    {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": b"<Relationships/>",
        "xl/workbook.xml": b"<workbook/>",
    }
)
OFD = zip_bytes({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"})
DOCX = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
# The first entry's name alone says "spreadsheet"; the archive has no workbook.
XL_FOLDER_ONLY = zip_bytes({"xl/payload.bin": b"\x00" * 16})
DXF = b"0\nSECTION\n2\nHEADER\n9\n$ACADVER\n1\nAC1032\n0\nENDSEC\n0\nEOF\n"
DWG = b"AC1032" + bytes(122)
PLAIN_ZIP = zip_bytes({"readme.txt": b"hello"})
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
WINDOWS_EXE = b"MZ\x90\x00" + bytes(56) + struct.pack("<I", 64) + b"PE\x00\x00" + bytes(64)
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(120)
RANDOM = random.Random(20240531).randbytes(4096)


# -- GraphQL --------------------------------------------------------------------------------

UPDATE_USER = """
mutation($input: UpdateUserInput!) {
  updateUser(input: $input) { user { id isActive } errors { code field message } }
}"""
DOCUMENTS = """
query($id: ID!, $all: Boolean!) {
  project(id: $id) {
    documents(allVersions: $all) { id documentType version filename mediaType sha256 downloadUrl }
  }
}"""
AUDIT_OF = """query($target: ID!) {
  auditEvents(first: 20, filter: {targetId: $target}) { nodes { operation targetType } }
}"""


async def create_draft(api, token: str, **overrides) -> dict:
    """A draft of ``project_input(**overrides)``."""
    data = await api.ok(CREATE_PROJECT, {"input": project_input(**overrides)}, token=token)
    assert data["createProject"]["errors"] == [], data
    return data["createProject"]["project"]


def stored_files(settings) -> set[str]:
    """Every file under the storage directory, temporary files included."""
    root = Path(settings.storage_dir)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


async def audit_head(state) -> int:
    async with state.db.read() as session:
        return (await session.execute(select(AuditHead.seq).where(AuditHead.id == 1))).scalar_one()


async def documents(api, token: str, project_id: str, all_versions: bool = True) -> list[dict]:
    data = await api.ok(DOCUMENTS, {"id": project_id, "all": all_versions}, token=token)
    return data["project"]["documents"]


@pytest_asyncio.fixture(scope="module")
async def owner(api) -> Owner:
    return await new_owner(api, allocation=None)


@pytest_asyncio.fixture
async def draft(api, owner) -> dict:
    """A fresh draft project of ``owner``."""
    return await create_draft(api, owner.staff.token)


@pytest_asyncio.fixture(scope="module")
async def stored(api, client, owner) -> dict:
    """A draft with one stored proposal (Chinese file name), shared by the download tests."""
    project = await create_draft(api, owner.staff.token)
    content = pdf_bytes(unique("download"))
    payload = await upload(client, owner.staff.token, project["id"], "PROPOSAL", "项目建议书 (终稿).pdf", content, "application/pdf")
    assert payload["errors"] == []
    return {"project": project, "document": payload["document"], "content": content}


# -- sniffing and claims (pure rules) -------------------------------------------------------


@pytest.mark.parametrize(
    "content, expected",
    [
        (pdf_bytes(), "application/pdf"),
        (png_bytes(), "image/png"),
        (jpeg_bytes(), "image/jpeg"),
        (XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (OFD, "application/ofd"),
        (DXF, "image/vnd.dxf"),
        (DWG, "image/vnd.dwg"),
    ],
    ids=["pdf", "png", "jpeg", "xlsx", "ofd", "dxf", "dwg"],
)
def test_sniff_recognises_allowed_formats_by_content(content, expected):
    assert sniff(content) == expected
    assert expected in ALLOWED


@pytest.mark.parametrize(
    "content, expected",
    [
        (PLAIN_ZIP, "application/zip"),
        (XL_FOLDER_ONLY, "application/zip"),
        (DOCX, "application/zip"),
        (WINDOWS_EXE, "application/x-msdownload"),
        (ELF, "application/x-executable"),
        (HTML, None),
        (RANDOM, None),
        (b"PK\x03\x04 not really a zip", None),
    ],
    ids=["plain-zip", "zip-with-only-an-xl-folder", "docx", "windows-exe", "elf", "html", "random", "broken-zip"],
)
def test_sniff_does_not_admit_other_content(content, expected):
    assert sniff(content) == expected
    assert ALLOWED.get(expected or "") is None


@pytest.mark.parametrize(
    "mime, claimed, filename, matches",
    [
        ("application/pdf", "application/pdf", "proposal.pdf", True),
        ("application/pdf", "application/octet-stream", "x.pdf", True),
        ("application/pdf", "application/pdf; charset=binary", "X.PDF", True),
        ("application/pdf", None, "x.pdf", True),
        ("application/pdf", "image/png", "x.pdf", False),
        ("application/pdf", "application/pdf", "x.png", False),
        ("application/pdf", "application/pdf", "pdf", False),
        ("image/jpeg", "image/jpg", "photo.JPEG", True),
        ("image/png", "application/pdf", "plan.pdf", False),
        ("image/vnd.dwg", "application/acad", "site.dwg", True),
        ("image/vnd.dxf", "application/octet-stream", "site.dwg", False),
        ("application/ofd", "application/ofd", "invoice.ofd", True),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.ms-excel", "budget.xlsx", False),
    ],
)
def test_claim_matches_type_and_extension(mime, claimed, filename, matches):
    assert claim_matches(ALLOWED[mime], claimed, filename) is matches


# -- uploads --------------------------------------------------------------------------------


async def test_upload_stores_pdf_with_hash_size_and_sniffed_type(api, client, state, owner, draft):
    """A PDF sent as application/octet-stream named x.pdf is stored as application/pdf, with
    its SHA-256 and size, in the storage directory, and the upload is audited."""
    content = pdf_bytes(unique("proposal"))
    payload = await upload(client, owner.staff.token, draft["id"], "PROPOSAL", "x.pdf", content, "application/octet-stream")
    assert payload["errors"] == []
    document = payload["document"]
    digest = hashlib.sha256(content).hexdigest()
    assert {k: document[k] for k in ("documentType", "version", "filename", "mediaType", "sizeBytes", "sha256")} == {
        "documentType": "PROPOSAL",
        "version": 1,
        "filename": "x.pdf",
        "mediaType": "application/pdf",
        "sizeBytes": len(content),
        "sha256": digest,
    }
    assert (Path(state.settings.storage_dir) / digest[:2] / digest).read_bytes() == content
    events = (await api.ok(AUDIT_OF, {"target": document["id"]}, token=await api.token("auditor")))["auditEvents"]["nodes"]
    assert events == [{"operation": "Mutation.uploadProjectDocument", "targetType": "ProjectDocument"}]


async def test_upload_keeps_only_the_base_name_of_a_path(client, owner, draft):
    payload = await upload(
        client, owner.staff.token, draft["id"], "OTHER", "C:\\Users\\经办人\\预算表.pdf", pdf_bytes(unique()), "application/pdf"
    )
    assert payload["errors"] == []
    assert payload["document"]["filename"] == "预算表.pdf"


async def test_reupload_makes_version_two_and_version_one_stays_readable(api, client, owner, draft):
    first, second = pdf_bytes(unique("v1")), pdf_bytes(unique("v2"))
    one = await upload(client, owner.staff.token, draft["id"], "BUDGET_TABLE", "budget.pdf", first, "application/pdf")
    two = await upload(client, owner.staff.token, draft["id"], "BUDGET_TABLE", "budget-rev.pdf", second, "application/pdf")
    assert (one["errors"], two["errors"]) == ([], [])
    assert (one["document"]["version"], two["document"]["version"]) == (1, 2)

    latest = await documents(api, owner.staff.token, draft["id"], all_versions=False)
    assert [(d["documentType"], d["version"], d["filename"]) for d in latest] == [("BUDGET_TABLE", 2, "budget-rev.pdf")]
    every = await documents(api, owner.staff.token, draft["id"], all_versions=True)
    assert [(d["version"], d["sha256"]) for d in every] == [
        (1, hashlib.sha256(first).hexdigest()),
        (2, hashlib.sha256(second).hexdigest()),
    ]
    response = await client.get(every[0]["downloadUrl"])
    assert response.status_code == 200
    assert response.content == first


# Each refused content carries a unique marker, so a file stored by mistake would be new.
REFUSALS = {
    "png-named-pdf": (lambda m: png_bytes(m), "plan.pdf", "application/pdf", "FILE_TYPE_MISMATCH"),
    "pdf-claimed-as-png": (lambda m: pdf_bytes(m), "plan.png", "image/png", "FILE_TYPE_MISMATCH"),
    "windows-exe": (lambda m: WINDOWS_EXE + m.encode(), "setup.pdf", "application/pdf", "FILE_TYPE_NOT_ALLOWED"),
    "elf": (lambda m: ELF + m.encode(), "tool.pdf", "application/octet-stream", "FILE_TYPE_NOT_ALLOWED"),
    "html": (lambda m: HTML + m.encode(), "page.html", "text/html", "FILE_TYPE_NOT_ALLOWED"),
    "plain-zip": (lambda m: zip_bytes({"readme.txt": m.encode()}), "drawings.zip", "application/zip", "FILE_TYPE_NOT_ALLOWED"),
    "empty": (lambda m: b"", "empty.pdf", "application/pdf", "EMPTY_FILE"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
async def test_refused_upload_stores_nothing(api, client, state, owner, draft, case):
    """A refused upload is a user error on ``file`` and leaves no file, no document row and
    no audit event behind."""
    make, filename, content_type, code = REFUSALS[case]
    content = make(unique("marker"))
    files_before, head_before = stored_files(state.settings), await audit_head(state)

    payload = await upload(client, owner.staff.token, draft["id"], "PROPOSAL", filename, content, content_type)

    assert payload["document"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, "file")]
    assert payload["errors"][0]["message"]
    assert stored_files(state.settings) == files_before
    assert await documents(api, owner.staff.token, draft["id"]) == []
    assert await audit_head(state) == head_before


MISMATCHES = {
    # A PDF declared as a PDF, named .png: the extension disagrees, not the declared type.
    "extension": (
        lambda m: pdf_bytes(m),
        "plan.png",
        "application/pdf",
        "文件内容为 PDF 文档（application/pdf），与文件扩展名 .png（应为 .pdf）不符。",
        "The file's content is PDF document (application/pdf), which does not match its file extension .png (expected .pdf).",
    ),
    "declared type": (
        lambda m: png_bytes(m),
        "plan.pdf",
        "application/pdf",
        "文件内容为 PNG 图片（image/png），与声明的文件类型（application/pdf）不符。",
        "The file's content is PNG image (image/png), which does not match its declared type application/pdf.",
    ),
    "no extension": (
        lambda m: jpeg_bytes() + m.encode(),
        "site-photo",
        "image/jpeg",
        "文件内容为 JPEG 图片（image/jpeg），与没有扩展名的文件名 site-photo（应以 .jpg 或 .jpeg 结尾）不符。",
        "The file's content is JPEG image (image/jpeg), which does not match its file name site-photo, "
        "which has no extension (expected .jpg or .jpeg).",
    ),
    "not allowed": (
        lambda m: zip_bytes({"readme.txt": m.encode()}),
        "drawings.zip",
        "application/zip",
        "不允许的文件类型：ZIP 压缩包（application/zip）。仅支持 PDF、OFD、图片、电子表格和 CAD 图纸。",
        "File type not allowed: ZIP archive (application/zip). PDF, OFD, images, spreadsheets and CAD drawings are accepted.",
    ),
    "unrecognised": (
        lambda m: b"\x00\x01 not a known format " + m.encode(),
        "notes.pdf",
        "application/pdf",
        "不允许的文件类型：无法识别的文件格式。仅支持 PDF、OFD、图片、电子表格和 CAD 图纸。",
        "File type not allowed: unrecognised content. PDF, OFD, images, spreadsheets and CAD drawings are accepted.",
    ),
}


@pytest.mark.parametrize("case", sorted(MISMATCHES))
async def test_refusal_message_names_what_the_file_is_and_what_disagrees(client, owner, draft, case):
    """The message says what the content really is and which part of the claim disagrees
    (the declared type, the extension), in the request's language."""
    make, filename, content_type, zh, en = MISMATCHES[case]
    for locale, expected in (("zh-CN", zh), ("en", en)):
        payload = await upload(
            client, owner.staff.token, draft["id"], "PROPOSAL", filename, make(unique()), content_type, {"Accept-Language": locale}
        )
        assert [e["message"] for e in payload["errors"]] == [expected]


async def test_oversized_upload_is_refused_and_stores_nothing(api, state, database_url, owner, draft):
    """With a 1 KiB limit, exactly 1,024 bytes are accepted and 1,025 are refused with
    FILE_TOO_LARGE, leaving nothing behind."""
    from app.main import create_app

    small = create_app(make_settings(database_url, upload_max_bytes=1024))
    try:
        transport = httpx.ASGITransport(app=small, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as small_client:
            marker = unique("big")
            base = pdf_bytes(marker)
            at_limit = base + b"%" * (1024 - len(base))
            over = base + b"%" * (1025 - len(base))

            accepted = await upload(small_client, owner.staff.token, draft["id"], "OTHER", "fits.pdf", at_limit, "application/pdf")
            assert accepted["errors"] == []
            assert accepted["document"]["sizeBytes"] == 1024

            files_before, head_before = stored_files(state.settings), await audit_head(state)
            refused = await upload(small_client, owner.staff.token, draft["id"], "PROPOSAL", "big.pdf", over, "application/pdf")
    finally:
        await small.state.smallworks.close()
    assert refused["document"] is None
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("FILE_TOO_LARGE", "file")]
    assert refused["errors"][0]["message"] == "文件过大（上限 0.000977 MB）。"
    assert stored_files(state.settings) == files_before
    assert [d["documentType"] for d in await documents(api, owner.staff.token, draft["id"])] == ["OTHER"]
    assert await audit_head(state) == head_before


async def test_upload_without_preflight_header_is_refused(client, owner, draft):
    operations = {"query": UPLOAD, "variables": {"input": {"projectId": draft["id"], "documentType": "PROPOSAL", "file": None}}}
    response = await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.file"]})},
        files={"0": ("x.pdf", pdf_bytes(), "application/pdf")},
        headers={"Authorization": f"Bearer {owner.staff.token}"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_PREFLIGHT_REQUIRED"


class LaterStepFailed(Exception):
    """A failure in the same transaction after the file was stored."""


async def _owner_actor(state, owner: Owner):
    async with state.db.read() as session:
        return await load_user_actor(session, pk_of(owner.staff.user_id), None)


async def _document_rows(state, project_pk: int) -> int:
    async with state.db.read() as session:
        return (
            await session.execute(select(func.count()).select_from(ProjectDocument).where(ProjectDocument.project_id == project_pk))
        ).scalar_one()


async def test_file_stored_by_a_transaction_that_fails_is_removed(state, owner, draft):
    """upload_document stores the file before the transaction commits; when something later
    in the same transaction fails, the rollback hook removes the file again."""
    actor = await _owner_actor(state, owner)
    content = pdf_bytes(unique("rolled-back"))
    digest = hashlib.sha256(content).hexdigest()
    path = Path(state.settings.storage_dir) / digest[:2] / digest
    files_before = stored_files(state.settings)

    with pytest.raises(LaterStepFailed):
        async with unit_of_work(state, "test.upload", actor, RequestMeta(request_id=unique("r"))) as uow:
            document = await projects.upload_document(
                uow, state.storage, pk_of(draft["id"]), "proposal", projects.Upload("x.pdf", "application/pdf", content)
            )
            assert document.storage_key == digest
            assert path.read_bytes() == content
            raise LaterStepFailed()

    assert not path.exists()
    assert stored_files(state.settings) == files_before
    assert await _document_rows(state, pk_of(draft["id"])) == 0


async def test_rollback_keeps_a_file_that_committed_documents_use(client, state, owner, draft):
    """Storage is content-addressed: a failed upload of bytes that are already stored for a
    committed document must not remove them."""
    content = pdf_bytes(unique("shared"))
    committed = await upload(client, owner.staff.token, draft["id"], "PROPOSAL", "a.pdf", content, "application/pdf")
    assert committed["errors"] == []
    actor = await _owner_actor(state, owner)

    with pytest.raises(LaterStepFailed):
        async with unit_of_work(state, "test.upload", actor, RequestMeta(request_id=unique("r"))) as uow:
            await projects.upload_document(
                uow, state.storage, pk_of(draft["id"]), "other", projects.Upload("b.pdf", "application/pdf", content)
            )
            raise LaterStepFailed()

    response = await client.get(committed["document"]["downloadUrl"])
    assert response.status_code == 200
    assert response.content == content
    assert await _document_rows(state, pk_of(draft["id"])) == 1


async def test_rollback_hooks_run_in_reverse_order_only_on_failure(state):
    calls: list[str] = []

    async def hook(name):
        calls.append(name)

    async with unit_of_work(state, "test.hooks", None, RequestMeta(request_id=unique("r"))) as uow:
        uow.on_rollback(lambda: hook("committed"))
    assert calls == []

    with pytest.raises(LaterStepFailed):
        async with unit_of_work(state, "test.hooks", None, RequestMeta(request_id=unique("r"))) as uow:
            uow.on_rollback(lambda: hook("first"))
            uow.on_rollback(lambda: hook("second"))
            raise LaterStepFailed()
    assert calls == ["second", "first"]


async def test_a_failing_rollback_hook_neither_stops_the_others_nor_hides_the_failure(state):
    calls: list[str] = []

    async def cleanup():
        calls.append("cleanup")

    async def broken():
        raise OSError("storage unavailable")

    with pytest.raises(LaterStepFailed):
        async with unit_of_work(state, "test.hooks", None, RequestMeta(request_id=unique("r"))) as uow:
            uow.on_rollback(cleanup)
            uow.on_rollback(broken)
            raise LaterStepFailed()
    assert calls == ["cleanup"]


# -- downloads ------------------------------------------------------------------------------


async def test_download_url_serves_the_file_to_its_holder(client, stored):
    document = stored["document"]
    response = await client.get(document["downloadUrl"])
    assert response.status_code == 200
    assert response.content == stored["content"]
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    extended = [part.strip() for part in disposition.split(";") if part.strip().startswith("filename*=")]
    assert len(extended) == 1 and extended[0].startswith("filename*=UTF-8''")
    assert unquote(extended[0].removeprefix("filename*=UTF-8''")) == "项目建议书 (终稿).pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "no-store" in response.headers["cache-control"]


def _tampered(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    path = parts.path
    if "document_id" in changes:
        path = path.rsplit("/", 1)[0] + f"/{changes.pop('document_id')}"
    query.update(changes)
    return f"{path}?{urlencode(query)}"


async def test_tampered_signature_is_refused(client, stored):
    url = stored["document"]["downloadUrl"]
    signature = parse_qs(urlsplit(url).query)["signature"][0]
    forged = ("0" if signature[0] != "0" else "1") + signature[1:]
    response = await client.get(_tampered(url, signature=forged))
    assert response.status_code == 401
    assert response.json()["error"] == "UNAUTHENTICATED"


async def test_link_with_another_actor_is_refused(api, client, stored, owner):
    """The owner's colleague could see the file, but the link was not issued to them."""
    colleague = await create_person(api, owner.org_id, ["OWNER_STAFF"])
    response = await client.get(_tampered(stored["document"]["downloadUrl"], actor=f"user:{pk_of(colleague.user_id)}"))
    assert response.status_code == 401


async def test_link_for_another_document_is_refused(client, owner, stored):
    other = await upload(client, owner.staff.token, stored["project"]["id"], "OTHER", "other.pdf", pdf_bytes(unique()), "application/pdf")
    other_pk = pk_of(other["document"]["id"])
    response = await client.get(_tampered(stored["document"]["downloadUrl"], document_id=other_pk))
    assert response.status_code == 401
    assert (await client.get(other["document"]["downloadUrl"])).status_code == 200


async def test_expired_link_is_refused(client, state, owner, stored):
    """A correctly sealed link past its expiry is refused; the same link with a future
    expiry works."""
    now = int(utcnow().timestamp())
    document_pk, user_pk = pk_of(stored["document"]["id"]), pk_of(owner.staff.user_id)
    secret = state.settings.jwt_secret
    expired = signed_path(secret, DownloadGrant("project-document", document_pk, "user", user_pk, now - 1))
    valid = signed_path(secret, DownloadGrant("project-document", document_pk, "user", user_pk, now + 60))
    assert (await client.get(expired)).status_code == 401
    assert (await client.get(valid)).status_code == 200


async def test_download_without_link_or_token_is_refused(client, stored):
    response = await client.get(f"/files/project-document/{pk_of(stored['document']['id'])}")
    assert response.status_code == 401


async def test_bearer_token_download(client, owner, stored):
    response = await client.get(
        f"/files/project-document/{pk_of(stored['document']['id'])}", headers={"Authorization": f"Bearer {owner.staff.token}"}
    )
    assert response.status_code == 200
    assert response.content == stored["content"]
    assert response.headers["content-type"] == "application/pdf"


@pytest.mark.parametrize("username", ["contractor1", "owner"], ids=["contractor", "other-owner-organisation"])
async def test_download_checks_row_scope(api, client, stored, username):
    """A draft's document is not found for a contractor or another owner organisation's staff."""
    token = await api.token(username)
    response = await client.get(f"/files/project-document/{pk_of(stored['document']['id'])}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    assert response.json()["error"] == "NOT_FOUND"


async def test_link_of_a_disabled_user_stops_working(api, client, owner, stored):
    colleague = await create_person(api, owner.org_id, ["OWNER_STAFF"])
    (proposal,) = [d for d in await documents(api, colleague.token, stored["project"]["id"]) if d["id"] == stored["document"]["id"]]
    url = proposal["downloadUrl"]
    assert (await client.get(url)).status_code == 200

    data = await api.ok(UPDATE_USER, {"input": {"id": colleague.user_id, "isActive": False}}, token=await api.token("admin"))
    assert data["updateUser"]["user"]["isActive"] is False

    assert (await client.get(url)).status_code == 401


async def test_unknown_document_is_not_found(client, owner):
    response = await client.get("/files/project-document/999999999", headers={"Authorization": f"Bearer {owner.staff.token}"})
    assert response.status_code == 404


async def test_link_stops_working_when_its_session_signs_out(api, client, owner, stored):
    """A downloadUrl belongs to the sign-in it was issued in: logging out ends it too,
    while a link from another sign-in of the same person keeps working."""
    colleague = await create_person(api, owner.org_id, ["OWNER_STAFF"])
    second = await api.password_token(colleague.username, STRONG_PASSWORD)
    (mine,) = [d for d in await documents(api, colleague.token, stored["project"]["id"]) if d["id"] == stored["document"]["id"]]
    (other,) = [d for d in await documents(api, second["access_token"], stored["project"]["id"]) if d["id"] == stored["document"]["id"]]
    assert "session=" in mine["downloadUrl"]
    assert (await client.get(mine["downloadUrl"])).status_code == 200

    await api.ok("mutation { logout { revoked } }", token=colleague.token)

    assert (await client.get(mine["downloadUrl"])).status_code == 401
    assert (await client.get(other["downloadUrl"])).status_code == 200
