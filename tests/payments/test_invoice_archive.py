"""The archiving job cut off and run again leaves one archive record and one file: killed
(SIGKILL, in another process) while it writes a large invoice's file, and interrupted after
the file was in place but before its record was committed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from payment_flows import clock_kept, in_force, live_request, supervisor, today, upload_pdf
from sqlalchemy import text

from app.demo.core import demo_pdf
from resolvers.payments.archive import archive_invoice

ROOT = Path(__file__).resolve().parents[2]
# Archiving is files and one small transaction, the same on every backend: tested in one run.
pytestmark = pytest.mark.once


def files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def typed_invoice(api, works, request: dict, day, data: bytes) -> str:
    fields = {
        "number": f"26{os.getpid():06d}{time.time_ns() % 10**12:012d}",
        "issuedOn": day.isoformat(),
        "sellerName": request["payee"]["name"],
        "sellerTaxId": request["payee"]["uscc"],
        "buyerName": request["payer"]["name"],
        "buyerTaxId": request["payer"]["uscc"],
        "amountWithoutTax": "90.00",
        "taxAmount": "10.00",
        "totalAmount": "100.00",
    }
    uploaded = await upload_pdf(api, works.contractor, request["id"], data, **fields)
    assert uploaded["errors"] == [], uploaded
    return uploaded["invoice"]["id"]


async def verify(api, finance: str, invoice_id: str, state) -> int:
    """Finance verifies the invoice (the test has kept its archiving job from running)."""
    from payment_flows import VERIFY, act

    payload = await act(api, VERIFY, "verifyInvoice", finance, id=invoice_id)
    assert payload["errors"] == [] and payload["invoice"]["status"] == "VERIFIED", payload
    async with state.db.read() as session:
        return int((await session.execute(text("SELECT id FROM invoices WHERE status = 'verified' ORDER BY id DESC"))).scalars().first())


async def _not_now(name: str, *args, job_id: str) -> None:
    return None


async def archive_state(state, invoice_id: int) -> tuple[int, str]:
    async with state.db.read() as session:
        records = (
            await session.execute(text("SELECT COUNT(*) FROM invoice_archives WHERE invoice_id = :i"), {"i": invoice_id})
        ).scalar_one()
        status = (await session.execute(text("SELECT status FROM invoices WHERE id = :i"), {"i": invoice_id})).scalar_one()
    return records, status


@pytest.mark.subprocess
async def test_killed_while_writing_then_run_again(api, state, database_url, monkeypatch):
    supervisor_org, supervisor_token = await supervisor(api)
    finance = await api.token("finance")
    monkeypatch.setattr(state.dispatcher, "enqueue_job", _not_now)
    with clock_kept(state):
        works = await in_force(api, state, supervisor_org, supervisor_token)
        request = await live_request(api, works.owner, works.contract["id"], 1)
        big = demo_pdf("invoice") + os.urandom(6 * 1024 * 1024)  # long enough to be caught mid-write
        invoice_id = await verify(api, finance, await typed_invoice(api, works, request, today(state), big), state)
    root = Path(state.settings.archive_dir)
    before = set(files(root))
    env = {
        **os.environ,
        "SMALLWORKS_DATABASE_URL": database_url,
        "SMALLWORKS_ENV": "test",
        "SMALLWORKS_STORAGE_DIR": str(state.settings.storage_dir),
        "SMALLWORKS_ARCHIVE_DIR": str(root),
    }
    script = (
        "import asyncio, sys\n"
        "from app.settings import get_settings\n"
        "from app.state import AppState\n"
        "from resolvers.payments.archive import archive_invoice\n"
        "async def main():\n"
        "    state = AppState.create(get_settings())\n"
        "    print('started', flush=True)\n"
        f"    await archive_invoice(state, {invoice_id})\n"
        "asyncio.run(main())\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    killed_mid_write = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if any(p.name.endswith(".tmp") for p in files(root)):
            process.send_signal(signal.SIGKILL)
            killed_mid_write = True
            break
        await asyncio.sleep(0.0005)
    process.wait(timeout=30)
    assert killed_mid_write, process.stdout.read().decode() if process.stdout else ""
    assert await archive_state(state, invoice_id) == (0, "verified")  # nothing committed

    # Run again (twice): one record, one file, and the cut-off write's leftovers gone.
    assert (await archive_invoice(state, invoice_id)).startswith("archived as")
    assert await archive_invoice(state, invoice_id) == "archived already"
    assert await archive_state(state, invoice_id) == (1, "archived")
    new = set(files(root)) - before
    assert len(new) == 1 and not any(p.name.endswith(".tmp") for p in files(root))

    # The operator's check agrees, and names the file once it is changed.
    (archived,) = new
    cli = [sys.executable, "-m", "app.cli", "verify-archive"]
    result = subprocess.run(cli, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and " 0 changed or missing" in result.stdout, result.stdout + result.stderr
    whole = archived.read_bytes()
    archived.write_bytes(whole[:-1])
    result = subprocess.run(cli, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    archived.write_bytes(whole)  # put back: the archive is the test run's, shared
    assert result.returncode == 1 and "changed: expected sha256" in result.stderr, result.stdout + result.stderr


async def test_interrupted_before_its_record_then_run_again(api, state, monkeypatch):
    supervisor_org, supervisor_token = await supervisor(api)
    finance = await api.token("finance")
    monkeypatch.setattr(state.dispatcher, "enqueue_job", _not_now)
    with clock_kept(state):
        works = await in_force(api, state, supervisor_org, supervisor_token)
        request = await live_request(api, works.owner, works.contract["id"], 1)
        invoice_id = await verify(api, finance, await typed_invoice(api, works, request, today(state), demo_pdf("invoice")), state)
    root = Path(state.settings.archive_dir)
    before = set(files(root))

    # The file was written, the transaction that records it never committed.
    original = archive_invoice.__globals__["unit_of_work"]

    class Interrupted(Exception):
        pass

    def cut_off(*args, **kwargs):
        raise Interrupted

    monkeypatch.setitem(archive_invoice.__globals__, "unit_of_work", cut_off)
    with pytest.raises(Interrupted):
        await archive_invoice(state, invoice_id)
    monkeypatch.setitem(archive_invoice.__globals__, "unit_of_work", original)
    assert len(set(files(root)) - before) == 1 and await archive_state(state, invoice_id) == (0, "verified")

    # Run again, and once more: one record, the same one file.
    assert (await archive_invoice(state, invoice_id)).startswith("archived as")
    assert await archive_invoice(state, invoice_id) == "archived already"
    assert await archive_state(state, invoice_id) == (1, "archived") and len(set(files(root)) - before) == 1


@pytest.mark.subprocess
async def test_archived_by_the_arq_worker_from_the_invoice_event(api, state, database_url):
    """Deployed with Redis: the upload's event is an arq job; delivering it queues the
    archiving job, which the same worker runs. Queued again, it archives nothing twice."""
    from conftest import Api, make_settings
    from payment_flows import invoice_xml, upload_xml
    from servers import RedisServer, run_worker

    from app.main import create_app
    from app.state import AppState

    supervisor_org, supervisor_token = await supervisor(api)
    redis = RedisServer()
    redis.start()
    rstate = AppState.create(make_settings(database_url, redis_url=redis.url, outbox_grace_seconds=0, worker_retry_seconds=0.2))
    try:
        with clock_kept(state):
            works = await in_force(api, state, supervisor_org, supervisor_token)
            request = await live_request(api, works.owner, works.contract["id"], 1)
            _, xml = invoice_xml(request, today(state))
            rstate.clock.offset = state.clock.offset  # the same moment in both processes' clocks
            transport = httpx.ASGITransport(app=create_app(state=rstate), client=("127.0.0.1", 50002))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                uploaded = await upload_xml(Api(client), works.contractor, request["id"], xml)
        assert uploaded["errors"] == [] and uploaded["invoice"]["status"] == "VERIFIED"
        invoice_id = int((await archive_ids(state, uploaded["invoice"]["number"]))[0])
        assert await archive_state(state, invoice_id) == (0, "verified")  # queued, not run
        await run_worker(rstate, redis.url)
        assert await archive_state(state, invoice_id) == (1, "archived")
        await rstate.dispatcher.enqueue_job("archive_invoice", invoice_id, job_id=f"again-{invoice_id}")
        await run_worker(rstate, redis.url)
        assert await archive_state(state, invoice_id) == (1, "archived")
    finally:
        await rstate.close()
        redis.stop()


async def archive_ids(state, number: str) -> list[int]:
    async with state.db.read() as session:
        return list((await session.execute(text("SELECT id FROM invoices WHERE number = :n"), {"n": number})).scalars())
