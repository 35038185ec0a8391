"""Background work on real Redis and arq (the transactional outbox), as deployed: events
committed with the change that causes them, handed to arq workers with the event id as the
job id, delivered exactly once to the in-app inbox, a real SMTP server and a real webhook
receiver, reminders sent once however often the cron job runs, and live notifications
reaching a subscriber on another server process through Redis pub/sub.

Each run starts its own ``redis-server`` on a free port (the three backends' runs share the
machine), an aiosmtpd server and an HTTP receiver; plus unit tests of the working-day
calendar the reminders count on.
"""

from __future__ import annotations

import asyncio
import base64
import email
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email import policy as email_policy
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import pytest_asyncio
from aiosmtpd.controller import Controller
from arq.constants import in_progress_key_prefix
from arq.jobs import Job
from conftest import TMP, Api, global_id, make_settings, make_uscc, unique
from httpx_ws import WebSocketDisconnect, aconnect_ws
from servers import RedisServer, free_port, run_worker
from sqlalchemy import func, select, update

from app.main import create_app
from app.state import AppState
from models.accounts import User
from models.base import utcnow
from models.notifications import EmailDelivery, Notification, OutboxEvent, ReminderSent
from models.projects import ProjectReview
from resolvers.core import outbox as events
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.transaction import unit_of_work
from resolvers.core.workdays import add_working_days, is_working_day
from workers import jobs
from workers.dispatch import event_job_id, reconcile, webhook_job_id

pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning")  # inside arq

ROOT = Path(__file__).resolve().parents[2]
STRONG_PASSWORD = "Orchid-harbour-1957"

# -- GraphQL documents ---------------------------------------------------------------

CREATE_ORGANISATION = """mutation($input: CreateOrganisationInput!) {
  createOrganisation(input: $input) { organisation { id } errors { code field } }
}"""
CREATE_USER = """mutation($input: CreateUserInput!) {
  createUser(input: $input) { user { id } errors { code field } }
}"""
UPDATE_USER = """mutation($input: UpdateUserInput!) {
  updateUser(input: $input) { user { id isActive } errors { code field } }
}"""
CREATE_API_CLIENT = """mutation($name: String!, $org: ID!) {
  createApiClient(input: {name: $name, organisationId: $org}) { apiClient { id clientId } clientSecret errors { code } }
}"""
SET_ALLOCATION = """mutation($input: SetBudgetAllocationInput!) {
  setBudgetAllocation(input: $input) { errors { code field } }
}"""
CREATE_PROJECT = """mutation($input: CreateProjectInput!) {
  createProject(input: $input) { project { id code title } errors { code field } }
}"""
UPLOAD = """mutation($input: UploadProjectDocumentInput!) {
  uploadProjectDocument(input: $input) { document { id } errors { code field } }
}"""
SUBMIT = """mutation($input: SubmitProjectInput!) {
  submitProject(input: $input) { project { id status } errors { code field } }
}"""
REVIEWS = "query($id: ID!) { project(id: $id) { reviews { id status } } }"
CANCEL = """mutation($input: CancelProjectInput!) {
  cancelProject(input: $input) { project { status } errors { code } }
}"""
NOTIFICATIONS = """query { notifications(first: 50) { nodes { id eventType title body subjectId readAt } } }"""
SET_PREFERENCE = """mutation($input: SetNotificationPreferenceInput!) {
  setNotificationPreference(input: $input) { preference { eventType channels locale } errors { code field } }
}"""
CREATE_WEBHOOK = """mutation($input: CreateWebhookSubscriptionInput!) {
  createWebhookSubscription(input: $input) { subscription { id url eventTypes isActive } secret errors { code field } }
}"""
DELETE_WEBHOOK = """mutation($id: ID!) {
  deleteWebhookSubscription(input: {id: $id}) { subscription { isActive } errors { code } }
}"""
WEBHOOK_DELIVERIES = """query($id: ID!) {
  webhookDeliveries(subscriptionId: $id, first: 20) { nodes { eventId attempt statusCode success error } }
}"""
LIVE = "subscription { notificationReceived { id eventType title subjectId } }"


# -- helpers -------------------------------------------------------------------------


def pk(global_id: str) -> int:
    raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    return int(raw.split(":", 1)[1])


def today_in_china() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def eventually(check, timeout: float, interval: float = 0.1):
    """Polls ``check`` (an async function) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(interval)


class Mailbox:
    """aiosmtpd handler: keeps every accepted message. ``stall_for`` makes the next message
    to that address hang in DATA (the server never accepts it) until ``release`` is set."""

    def __init__(self) -> None:
        self.port = 0
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.stall_for: str | None = None
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.stall_for is not None and self.stall_for in envelope.rcpt_tos:
            self.stall_for = None
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.content, policy=email_policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str, contains: str = "") -> list[email.message.EmailMessage]:
        return [m for rcpts, m in self.messages if address in rcpts and contains in str(m["Subject"])]


@dataclass
class Received:
    at: float
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A webhook receiver on a free port: answers each path with the statuses queued for
    it (then 200) and keeps every request it got."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    statuses: dict[str, list[int]] = field(default_factory=dict)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            _, path, _ = head[0].split(" ", 2)
            headers = {}
            for line in head[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append(Received(time.monotonic(), path, headers, body))
            queued = self.statuses.get(path) or []
            status = queued.pop(0) if queued else 200
            writer.write(f"HTTP/1.1 {status} Status\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
        finally:
            writer.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def at(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]


@dataclass
class Owner:
    org_id: str
    token: str


@dataclass
class Person:
    user_id: int
    username: str
    email: str | None
    token: str


async def create_organisation(api: Api, kind: str = "OWNER") -> str:
    data = await api.ok(
        CREATE_ORGANISATION,
        {"input": {"name": unique("通知测试单位"), "kind": kind, "uscc": make_uscc(), "regionCode": "320583"}},
        token=await api.token("admin"),
    )
    assert data["createOrganisation"]["errors"] == []
    return data["createOrganisation"]["organisation"]["id"]


async def create_person(api: Api, org_id: str, roles: list[str], email_address: str | None = None) -> Person:
    username = unique("n")
    data = await api.ok(
        CREATE_USER,
        {
            "input": {
                "username": username,
                "displayName": unique("经办人"),
                "organisationId": org_id,
                "password": STRONG_PASSWORD,
                "roles": roles,
                "email": email_address,
            }
        },
        token=await api.token("admin"),
    )
    assert data["createUser"]["errors"] == []
    token = (await api.password_token(username, STRONG_PASSWORD))["access_token"]
    return Person(pk(data["createUser"]["user"]["id"]), username, email_address, token)


def pdf(label: str) -> bytes:
    body = f"BT /F1 12 Tf 72 720 Td ({label}) Tj ET".encode()
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        + f"3 0 obj\n<< /Length {len(body)} >>\nstream\n".encode()
        + body
        + b"\nendstream\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


async def submit_project(api: Api, owner: Owner) -> dict:
    """Draft, document and submit a project: the submission emits project.submitted to
    the reviewers covering the region."""
    start = today_in_china() + timedelta(days=10)
    data = await api.ok(
        CREATE_PROJECT,
        {
            "input": {
                "title": unique("通知测试工程"),
                "category": "GREENING",
                "description": "测试",
                "budgetAmount": "1000.00",
                "fundingSource": "县级财政小额工程专项资金",
                "location": {"latitude": 31.43, "longitude": 121.0, "radiusMeters": 300},
                "plannedStart": start.isoformat(),
                "plannedEnd": (start + timedelta(days=30)).isoformat(),
                "lineItems": [{"name": "草坪修复", "quantity": "50", "unit": "m²", "unitPrice": "20.00"}],
            }
        },
        token=owner.token,
    )
    assert data["createProject"]["errors"] == [], data
    project = data["createProject"]["project"]
    for document_type in ("PROPOSAL", "BUDGET_TABLE"):
        operations = {"query": UPLOAD, "variables": {"input": {"projectId": project["id"], "documentType": document_type, "file": None}}}
        response = await api.client.post(
            "/graphql",
            data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.file"]})},
            files={"0": (f"{document_type}.pdf", pdf(unique(document_type)), "application/pdf")},
            headers={"Authorization": f"Bearer {owner.token}", "GraphQL-Require-Preflight": "1"},
        )
        assert response.status_code == 200 and response.json()["data"]["uploadProjectDocument"]["errors"] == [], response.text
    payload = (await api.ok(SUBMIT, {"input": {"id": project["id"], "comment": "请审核。"}}, token=owner.token))["submitProject"]
    assert payload["errors"] == [] and payload["project"]["status"] == "SUBMITTED", payload
    return project


async def submitted_event(state: AppState, project: dict) -> OutboxEvent:
    async with state.db.read() as session:
        return (
            await session.execute(
                select(OutboxEvent).where(
                    OutboxEvent.event_type == "project.submitted",
                    OutboxEvent.subject_type == "Project",
                    OutboxEvent.subject_id == str(pk(project["id"])),
                )
            )
        ).scalar_one()


async def event_rows(state: AppState, event_ids: list[int]) -> dict[int, OutboxEvent]:
    async with state.db.read() as session:
        return {e.id: e for e in (await session.execute(select(OutboxEvent).where(OutboxEvent.id.in_(event_ids)))).scalars()}


async def notification_counts(state: AppState, event_ids: list[int]) -> dict[tuple[int, int], int]:
    """(event id, user id) → number of in-app notifications."""
    async with state.db.read() as session:
        rows = (
            await session.execute(
                select(Notification.event_id, Notification.user_id, func.count())
                .where(Notification.event_id.in_(event_ids))
                .group_by(Notification.event_id, Notification.user_id)
            )
        ).all()
    return {(e, u): n for e, u, n in rows}


async def email_deliveries(state: AppState, event_id: int) -> list[EmailDelivery]:
    async with state.db.read() as session:
        return list((await session.execute(select(EmailDelivery).where(EmailDelivery.event_id == event_id))).scalars())


async def record_event(state: AppState, recipients: list[int]) -> tuple[int, str]:
    """A project.approved event recorded in a unit of work, as a resolver does (dispatched
    after commit): its id and the project code in its payload."""
    code = unique("XM")
    async with unit_of_work(state, "test.outbox", SYSTEM_ACTOR, RequestMeta(request_id=unique("req"))) as uow:
        event = events.record(uow, "project.approved", "Project", 0, {"code": code, "title": "测试工程", "budget": "1,000.00"}, recipients)
    return event.id, code


async def user_id(state: AppState, username: str) -> int:
    async with state.db.read() as session:
        return (await session.execute(select(User.id).where(User.username == username))).scalar_one()


def worker_env(database_url: str, redis: RedisServer, mailbox_port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMALLWORKS_")}
    env.update(
        {
            "SMALLWORKS_ENV": "test",
            "SMALLWORKS_DEV_SECRETS_FILE": os.environ["SMALLWORKS_DEV_SECRETS_FILE"],
            "SMALLWORKS_DATABASE_URL": database_url,
            "SMALLWORKS_REDIS_URL": redis.url,
            "SMALLWORKS_SMTP_HOST": "127.0.0.1",
            "SMALLWORKS_SMTP_PORT": str(mailbox_port),
            "SMALLWORKS_STORAGE_DIR": str(TMP / "storage"),
            **extra,
        }
    )
    return env


def start_process(args: list[str], env: dict[str, str], log_name: str) -> tuple[subprocess.Popen, Path]:
    log = TMP / f"{log_name}-{unique()}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return process, log


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# -- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    if server.ping():
        server.stop()


@pytest.fixture(scope="module")
def mailbox():
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    handler.release.set()
    controller.stop()


@pytest_asyncio.fixture(scope="module")
async def receiver():
    recv = Receiver()
    server = await asyncio.start_server(recv.handle, "127.0.0.1", 0)
    recv.port = server.sockets[0].getsockname()[1]
    yield recv
    server.close()
    await server.wait_closed()


@pytest_asyncio.fixture(scope="module")
async def rstate(state, database_url, redis_server, mailbox):
    """An AppState configured as a deployment with Redis: events go to arq."""
    s = AppState.create(
        make_settings(
            database_url,
            redis_url=redis_server.url,
            smtp_host="127.0.0.1",
            smtp_port=mailbox.port,
            smtp_timeout_seconds=5,
            webhook_backoff_seconds=0.2,
            webhook_timeout_seconds=5,
            outbox_grace_seconds=0,
            worker_retry_seconds=0.2,
        )
    )
    yield s
    await s.close()


@pytest_asyncio.fixture(scope="module")
async def rapi(rstate):
    """A client of an app whose committed events go to Redis."""
    transport = httpx.ASGITransport(app=create_app(state=rstate), client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client)


@pytest_asyncio.fixture(scope="module")
async def owner(api) -> Owner:
    org_id = await create_organisation(api)
    staff = await create_person(api, org_id, ["OWNER_STAFF"])
    year = today_in_china().year
    for fiscal_year in (year, year + 1):
        data = await api.ok(
            SET_ALLOCATION,
            {"input": {"organisationId": org_id, "fiscalYear": fiscal_year, "amount": "1000000.00"}},
            token=await api.token("finance"),
        )
        assert data["setBudgetAllocation"]["errors"] == []
    return Owner(org_id, staff.token)


@pytest_asyncio.fixture(scope="module")
async def mail_reviewer(api):
    """A reviewer of the county with an e-mail address; disabled again afterwards so other
    tests see the reviewers they expect."""
    person = await create_person(api, await create_organisation(api), ["REVIEWER"], f"{unique('reviewer')}@example.test")
    yield person
    data = await api.ok(
        UPDATE_USER, {"input": {"id": global_id("User", person.user_id), "isActive": False}}, token=await api.token("admin")
    )
    assert data["updateUser"]["errors"] == []


# -- 1. exactly once across a Redis outage --------------------------------------------


@pytest.mark.subprocess
async def test_events_committed_while_redis_is_down_are_delivered_exactly_once_after_it_returns(
    api, rapi, rstate, redis_server, owner, mail_reviewer, mailbox
):
    plain = await create_person(api, await create_organisation(api), ["OWNER_STAFF"])
    redis_server.stop()
    try:
        # Writes go on while Redis is down; their events wait in the outbox.
        project = await submit_project(rapi, owner)
        direct, direct_code = await record_event(rstate, [plain.user_id, mail_reviewer.user_id])
    finally:
        redis_server.start()
    submitted = await submitted_event(rstate, project)
    mine = [submitted.id, direct]
    pending = await event_rows(rstate, mine)
    assert {e.status for e in pending.values()} == {"pending"}
    assert all(e.dispatch_count == 0 for e in pending.values())
    reviewer_id = await user_id(rstate, "reviewer")
    recipients = {submitted.id: set(json.loads(submitted.recipients)), direct: {plain.user_id, mail_reviewer.user_id}}
    assert {reviewer_id, mail_reviewer.user_id} <= recipients[submitted.id]
    assert await notification_counts(rstate, mine) == {}

    assert await reconcile(rstate) >= 2
    assert {e.status for e in (await event_rows(rstate, mine)).values()} == {"dispatched"}
    await run_worker(rstate, redis_server.url)

    done = await event_rows(rstate, mine)
    assert {e.status for e in done.values()} == {"done"}
    expected = {(event_id, user): 1 for event_id, users in recipients.items() for user in users}
    assert await notification_counts(rstate, mine) == expected
    # The reviewer sees it in the inbox, once.
    inbox = (await api.ok(NOTIFICATIONS, token=await api.token("reviewer")))["notifications"]["nodes"]
    assert [(n["eventType"], n["title"]) for n in inbox if n["subjectId"] == project["id"]] == [
        ("project.submitted", f"项目待审核：{project['code']}")
    ]
    assert len(mailbox.to(mail_reviewer.email, project["code"])) == 1
    assert [m["Subject"] for m in mailbox.to(mail_reviewer.email, direct_code)] == [f"项目已立项：{direct_code}"]

    # Reconciling and running the worker again, even with every job forced onto the
    # queue once more, changes nothing.
    await reconcile(rstate)
    for event_id in mine:
        assert await rstate.dispatcher.enqueue_event(event_id, again=True)
    await run_worker(rstate, redis_server.url)
    assert await notification_counts(rstate, mine) == expected
    assert {e.status for e in (await event_rows(rstate, mine)).values()} == {"done"}
    assert len(mailbox.to(mail_reviewer.email, project["code"])) == 1
    assert len(mailbox.to(mail_reviewer.email, direct_code)) == 1
    for event_id in mine:
        assert [d.user_id for d in await email_deliveries(rstate, event_id)].count(mail_reviewer.user_id) == 1


# -- 2. a worker killed mid-job ---------------------------------------------------------


@pytest.mark.subprocess
async def test_a_worker_killed_mid_job_is_replaced_and_the_effects_happen_once(
    api, rstate, database_url, redis_server, mailbox, mail_reviewer
):
    env = worker_env(database_url, redis_server, mailbox.port, SMALLWORKS_WORKER_JOB_TIMEOUT_SECONDS="2")
    mailbox.release.clear()
    mailbox.stall_for = mail_reviewer.email
    first, first_log = start_process(["worker"], env, "worker-killed")
    second = None
    try:
        event_id, code = await record_event(rstate, [mail_reviewer.user_id])
        # The job records the notification, then hangs on the SMTP server: kill it there.
        stalled = await asyncio.to_thread(mailbox.stalled.wait, 20)
        assert stalled, first_log.read_text()
        first.kill()
        first.wait(timeout=10)
        mailbox.release.set()
        mailbox.stalled.clear()
        half = (await event_rows(rstate, [event_id]))[event_id]
        assert half.status == "dispatched"
        assert await notification_counts(rstate, [event_id]) == {(event_id, mail_reviewer.user_id): 1}
        assert [d.sent_at for d in await email_deliveries(rstate, event_id)] == [None]

        # Another worker takes the job over once arq's in-progress lock lapses
        # (job timeout + 10 s) and finishes what is left. The killed worker's lock is a
        # Redis key that expires by itself within that time: it is made to expire now
        # rather than waited out.
        second, second_log = start_process(["worker"], env, "worker-second")
        pool = await rstate.dispatcher.pool()
        lock = in_progress_key_prefix + event_job_id(event_id)
        assert 0 < await pool.pttl(lock) <= (2 + 10) * 1000
        await pool.pexpire(lock, 1)

        async def finished():
            return (await event_rows(rstate, [event_id]))[event_id].status == "done"

        assert await eventually(finished, 30, 0.2), second_log.read_text()
    finally:
        mailbox.release.set()
        stop_process(first)
        if second is not None:
            stop_process(second)
    # The same arq job (its id is the event's), finished on its second try.
    result = await Job(event_job_id(event_id), await rstate.dispatcher.pool()).result_info()
    assert (result.success, result.job_try) == (True, 2)
    assert await notification_counts(rstate, [event_id]) == {(event_id, mail_reviewer.user_id): 1}
    deliveries = await email_deliveries(rstate, event_id)
    assert len(deliveries) == 1 and deliveries[0].sent_at is not None
    assert [m["Subject"] for m in mailbox.to(mail_reviewer.email, code)] == [f"项目已立项：{code}"]


# -- 3. webhook retries and signatures --------------------------------------------------


@pytest.mark.subprocess
async def test_a_webhook_is_retried_with_growing_backoff_and_every_attempt_is_signed(api, rapi, rstate, redis_server, owner, receiver):
    admin = await api.token("admin")
    path = f"/hooks/{unique()}"
    created = (
        await api.ok(
            CREATE_WEBHOOK,
            {"input": {"organisationId": owner.org_id, "url": receiver.url(path), "eventTypes": ["project.submitted"]}},
            token=admin,
        )
    )["createWebhookSubscription"]
    assert created["errors"] == [] and created["subscription"]["isActive"] is True
    secret, subscription = created["secret"], created["subscription"]["id"]
    try:
        receiver.statuses[path] = [500, 500]
        project = await submit_project(rapi, owner)
        event = await submitted_event(rstate, project)
        await run_worker(rstate, redis_server.url)

        calls = receiver.at(path)
        assert len(calls) == 3
        for call in calls:
            assert hmac.compare_digest(call.headers["x-smallworks-signature"], signature(secret, call.body))
            assert not hmac.compare_digest(call.headers["x-smallworks-signature"], signature(secret + "x", call.body))
            assert call.headers["x-smallworks-event"] == "project.submitted"
            assert call.headers["x-smallworks-delivery"] == str(event.id)
            body = json.loads(call.body)
            assert (body["id"], body["type"], body["subject"]) == (
                event.id,
                "project.submitted",
                {"type": "Project", "id": str(pk(project["id"]))},
            )
            assert body["payload"]["code"] == project["code"]
        assert len({c.body for c in calls}) == 1  # the same event, the same bytes each time
        # Backoff 0.2 s, then 0.4 s (plus polling and round trips).
        first_wait, second_wait = calls[1].at - calls[0].at, calls[2].at - calls[1].at
        assert 0.2 <= first_wait < 2.0, first_wait
        assert 0.4 <= second_wait < 2.5, second_wait
        assert second_wait > first_wait

        deliveries = (await api.ok(WEBHOOK_DELIVERIES, {"id": subscription}, token=admin))["webhookDeliveries"]["nodes"]
        assert [(d["eventId"], d["attempt"], d["statusCode"], d["success"], d["error"]) for d in deliveries] == [
            (event.id, 3, 200, True, None),
            (event.id, 2, 500, False, "HTTP 500"),
            (event.id, 1, 500, False, "HTTP 500"),
        ]

        # Delivered once: the webhook job run again (its arq result gone) calls nobody.
        pool = await rstate.dispatcher.pool()
        await pool.delete(f"arq:result:{webhook_job_id(event.id, pk(subscription))}")
        await rstate.dispatcher.schedule_webhook(event.id, pk(subscription))
        await run_worker(rstate, redis_server.url)
        rerun = await Job(webhook_job_id(event.id, pk(subscription)), pool).result_info()
        assert rerun is not None and rerun.success  # it ran again ...
        assert len(receiver.at(path)) == 3  # ... and called nobody
        assert len((await api.ok(WEBHOOK_DELIVERIES, {"id": subscription}, token=admin))["webhookDeliveries"]["nodes"]) == 3
    finally:
        await api.ok(DELETE_WEBHOOK, {"id": subscription}, token=admin)


# -- 4. e-mail ----------------------------------------------------------------------------


@pytest.mark.subprocess
async def test_email_goes_out_in_the_recipients_language_once(api, rapi, rstate, redis_server, owner, mail_reviewer, mailbox):
    zh = await submit_project(rapi, owner)
    await run_worker(rstate, redis_server.url)
    [message] = mailbox.to(mail_reviewer.email, zh["code"])
    assert message["Subject"] == f"项目待审核：{zh['code']}"
    assert message["To"] == mail_reviewer.email
    assert zh["title"] in message.get_content()

    chosen = (
        await api.ok(
            SET_PREFERENCE, {"input": {"eventType": "*", "channels": ["in_app", "email"], "locale": "en"}}, token=mail_reviewer.token
        )
    )["setNotificationPreference"]
    assert chosen == {"preference": {"eventType": "*", "channels": ["email", "in_app"], "locale": "en"}, "errors": []}
    en = await submit_project(rapi, owner)
    await run_worker(rstate, redis_server.url)
    [message] = mailbox.to(mail_reviewer.email, en["code"])
    assert message["Subject"] == f"Project awaiting review: {en['code']}"
    assert f"{en['title']} (budget CNY 1,000.00) was submitted for your review." in message.get_content()
    inbox = (await api.ok(NOTIFICATIONS, token=mail_reviewer.token))["notifications"]["nodes"]
    assert [n["title"] for n in inbox if n["subjectId"] == en["id"]] == [f"Project awaiting review: {en['code']}"]

    event = await submitted_event(rstate, en)
    [delivery] = [d for d in await email_deliveries(rstate, event.id) if d.user_id == mail_reviewer.user_id]
    assert delivery.to_address == mail_reviewer.email and delivery.sent_at is not None and delivery.error is None

    # The worker died after sending but before closing the event: the re-run sends nothing.
    async with rstate.db.write() as session:
        await session.execute(update(OutboxEvent).where(OutboxEvent.id == event.id).values(status="dispatched"))
    assert await rstate.dispatcher.enqueue_event(event.id, again=True)
    await run_worker(rstate, redis_server.url)
    assert (await event_rows(rstate, [event.id]))[event.id].status == "done"
    assert len(mailbox.to(mail_reviewer.email, en["code"])) == 1
    assert [d.id for d in await email_deliveries(rstate, event.id) if d.user_id == mail_reviewer.user_id] == [delivery.id]
    assert (await notification_counts(rstate, [event.id]))[(event.id, mail_reviewer.user_id)] == 1


async def test_notification_preferences_and_webhooks_reject_unknown_values(api, owner, mail_reviewer):
    body = (
        await api.ok(
            SET_PREFERENCE, {"input": {"eventType": "project.nothing", "channels": ["sms"], "locale": "fr"}}, token=mail_reviewer.token
        )
    )["setNotificationPreference"]
    assert body["preference"] is None
    assert sorted((e["code"], e["field"]) for e in body["errors"]) == [
        ("UNKNOWN_CHANNEL", "channels"),
        ("UNKNOWN_EVENT_TYPE", "eventType"),
        ("UNKNOWN_LOCALE", "locale"),
    ]
    created = (
        await api.ok(
            CREATE_WEBHOOK,
            {"input": {"organisationId": owner.org_id, "url": "ftp://example.test/hook", "eventTypes": ["project.nothing"]}},
            token=await api.token("admin"),
        )
    )["createWebhookSubscription"]
    assert created["subscription"] is None and created["secret"] is None
    assert sorted((e["code"], e["field"]) for e in created["errors"]) == [("INVALID_URL", "url"), ("UNKNOWN_EVENT_TYPE", "eventTypes")]


# -- 5. reminders ---------------------------------------------------------------------------


@pytest.mark.subprocess
async def test_an_overdue_review_is_reminded_once_to_each_eligible_reviewer(api, rapi, rstate, redis_server, owner):
    project = await submit_project(rapi, owner)
    await run_worker(rstate, redis_server.url)
    deciders = set(json.loads((await submitted_event(rstate, project)).recipients))
    [review] = [
        r for r in (await api.ok(REVIEWS, {"id": project["id"]}, token=owner.token))["project"]["reviews"] if r["status"] == "PENDING"
    ]
    review_id = pk(review["id"])

    async def set_age(days: int) -> datetime:
        created = utcnow() - timedelta(days=days)
        async with rstate.db.write() as session:
            await session.execute(update(ProjectReview).where(ProjectReview.id == review_id).values(created_at=created))
        return created

    async def reminders() -> dict[int, int]:
        async with rstate.db.read() as session:
            rows = (
                await session.execute(
                    select(Notification.user_id, func.count())
                    .where(Notification.event_type == "review.overdue", Notification.subject_id == str(review_id))
                    .group_by(Notification.user_id)
                )
            ).all()
        return dict(rows)

    try:
        # A day old is within two working days, whatever the date: nobody is reminded.
        await set_age(1)
        await jobs.send_reminders({"state": rstate})
        await run_worker(rstate, redis_server.url)
        assert await reminders() == {}

        created = await set_age(10)
        first = await jobs.send_reminders({"state": rstate})
        assert first >= len(deciders)
        assert await jobs.send_reminders({"state": rstate}) == 0
        await run_worker(rstate, redis_server.url)
        assert await jobs.send_reminders({"state": rstate}) == 0
        await run_worker(rstate, redis_server.url)
    finally:
        cancelled = (await api.ok(CANCEL, {"input": {"id": project["id"], "reason": "测试结束。"}}, token=owner.token))["cancelProject"]
        assert cancelled["errors"] == []

    assert await reminders() == {user: 1 for user in deciders}
    async with rstate.db.read() as session:
        sent = (
            (
                await session.execute(
                    select(ReminderSent).where(ReminderSent.rule == "review_overdue", ReminderSent.subject_id == str(review_id))
                )
            )
            .scalars()
            .all()
        )
    assert sorted(r.user_id for r in sent) == sorted(deciders)
    assert {r.due_date for r in sent} == {add_working_days(created.astimezone(ZoneInfo("Asia/Shanghai")).date(), 2)}
    inbox = (await api.ok(NOTIFICATIONS, token=await api.token("reviewer")))["notifications"]["nodes"]
    overdue = [n for n in inbox if n["eventType"] == "review.overdue" and pk(n["subjectId"]) == review_id]
    assert [n["title"] for n in overdue] == [f"审核超时提醒：{project['code']}"]


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 1, 1), False),  # 元旦
        (date(2026, 1, 4), True),  # Sunday, made up for 元旦
        (date(2026, 2, 14), True),  # Saturday, made up for 春节
        (date(2026, 2, 16), False),  # Monday in 春节
        (date(2026, 2, 28), True),  # Saturday, made up for 春节
        (date(2026, 5, 1), False),  # 劳动节
        (date(2026, 9, 20), True),  # Sunday, made up for 国庆节
        (date(2026, 10, 1), False),  # 国庆节
        (date(2026, 10, 10), True),  # Saturday, made up for 国庆节
        (date(2026, 11, 25), True),  # an ordinary Wednesday
        (date(2026, 11, 28), False),  # an ordinary Saturday
    ],
)
def test_working_days_follow_the_official_2026_calendar(day, working):
    assert is_working_day(day) is working


def test_adding_working_days_skips_holidays_and_counts_make_up_weekends():
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)  # Friday → make-up Saturday
    assert add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)  # over the Spring Festival
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)  # over National Day
    assert add_working_days(date(2026, 11, 27), 2) == date(2026, 12, 1)  # over an ordinary weekend
    assert add_working_days(date(2026, 11, 25), 0) == date(2026, 11, 25)


def test_years_the_calendar_does_not_cover_fall_back_to_monday_to_friday():
    assert is_working_day(date(2031, 1, 1)) is True  # a Wednesday: New Year's Day is not known yet
    assert is_working_day(date(2031, 1, 4)) is False  # Saturday
    assert is_working_day(date(2031, 1, 5)) is False  # Sunday
    assert add_working_days(date(2031, 1, 3), 1) == date(2031, 1, 6)  # Friday → Monday


# -- 6. live notifications through another server process ------------------------------------


@pytest.fixture(scope="module")
def second_server(database_url, redis_server, mailbox):
    """``smallworks serve`` in its own process, on the same database and Redis."""
    port = free_port()
    # Policy and sign-in caches that never lapse within the tests: only an announcement can
    # make it apply a policy edit or a sign-out made elsewhere.
    env = worker_env(
        database_url, redis_server, mailbox.port, SMALLWORKS_POLICY_CACHE_SECONDS="3600", SMALLWORKS_SIGN_IN_CACHE_SECONDS="3600"
    )
    process, log = start_process(["serve", "--port", str(port)], env, "serve")
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    stop_process(process)


@pytest.mark.subprocess
async def test_a_policy_edit_reaches_another_server_process_within_a_second(api, rapi, second_server):
    """The edit is made in this process (with Redis); the other server, whose policy cache
    would last an hour, applies it as soon as it hears the announcement."""
    query = {"query": "{ auditEvents(first: 1) { totalCount } }"}
    line = {"ptype": "P", "values": ["contractor", "320583", "Query.auditEvents", "read"]}
    token = await api.token("contractor1")
    admin = await api.token("policyadmin")
    async with httpx.AsyncClient(base_url=second_server, headers={"Authorization": f"Bearer {token}"}) as remote:

        async def code() -> str | None:
            body = (await remote.post("/graphql", json=query)).json()
            return body["errors"][0]["extensions"]["code"] if body.get("errors") else None

        assert await code() == "FORBIDDEN"
        added = (await rapi.ok(ADD_POLICY_RULE, {"input": line}, token=admin))["addPolicyRule"]
        assert added["errors"] == []
        try:

            async def allowed() -> bool:
                return await code() is None

            assert await eventually(allowed, 1.0, 0.05)
        finally:
            removed = (await rapi.ok(REMOVE_POLICY_RULE, {"input": line}, token=admin))["removePolicyRule"]
            assert removed["errors"] == []

        async def refused_again() -> bool:
            return await code() == "FORBIDDEN"

        assert await eventually(refused_again, 1.0, 0.05)


@pytest.mark.subprocess
async def test_a_sign_out_reaches_another_server_process_at_once(rapi, second_server):
    """The other server keeps who a token speaks for (for an hour here); a sign-out made in
    this process ends the session there too as soon as it hears the announcement."""
    token = await rapi.token("contractor1")
    async with httpx.AsyncClient(base_url=second_server, headers={"Authorization": f"Bearer {token}"}) as remote:

        async def code() -> str | None:
            body = (await remote.post("/graphql", json={"query": "{ viewer { kind } }"})).json()
            return body["errors"][0]["extensions"]["code"] if body.get("errors") else None

        assert await code() is None
        assert await code() is None  # answered from the other server's cache of signed-in actors
        assert (await rapi.ok("mutation { logout { revoked } }", token=token))["logout"]["revoked"] is True

        async def signed_out() -> bool:
            return await code() == "UNAUTHENTICATED"

        assert await eventually(signed_out, 1.0, 0.05)


@pytest.mark.subprocess
async def test_a_role_granted_through_one_server_process_is_enforced_by_another_within_a_second(api, rapi, second_server):
    """A grant is a policy change like any other: the other server (whose policy cache would
    last an hour) enforces it, and names the new policy version, within a second."""
    query = {"query": "{ auditEvents(first: 1) { totalCount } }"}
    token = await api.token("contractor1")
    admin = await api.token("policyadmin")
    contractor = (await api.ok("{ viewer { user { id } } }", token=token))["viewer"]["user"]["id"]
    grant = {"userId": contractor, "role": "auditor", "regionCode": "320583"}
    async with httpx.AsyncClient(base_url=second_server, headers={"Authorization": f"Bearer {token}"}) as remote:

        async def answer() -> tuple[str | None, str | None]:
            response = await remote.post("/graphql", json=query)
            body = response.json()
            return (body["errors"][0]["extensions"]["code"] if body.get("errors") else None), response.headers.get(
                "x-smallworks-policy-version"
            )

        assert (await answer())[0] == "FORBIDDEN"
        granted = (await rapi.ok(GRANT_ROLE, {"input": grant}, token=admin))["grantRole"]
        assert granted["errors"] == []
        version = str(granted["version"]["number"])
        try:

            async def allowed() -> bool:
                return await answer() == (None, version)

            assert await eventually(allowed, 1.0, 0.05)
        finally:
            revoked = (await rapi.ok(REVOKE_ROLE, {"input": grant}, token=admin))["revokeRole"]
            assert revoked["errors"] == []

        async def refused_again() -> bool:
            return (await answer()) == ("FORBIDDEN", str(revoked["version"]["number"]))

        assert await eventually(refused_again, 1.0, 0.05)


GRANT_ROLE = "mutation($input: GrantRoleInput!) { grantRole(input: $input) { version { number } errors { code } } }"
REVOKE_ROLE = "mutation($input: RevokeRoleInput!) { revokeRole(input: $input) { version { number } errors { code } } }"
ADD_POLICY_RULE = "mutation($input: PolicyRuleInput!) { addPolicyRule(input: $input) { errors { code } } }"
REMOVE_POLICY_RULE = "mutation($input: PolicyRuleInput!) { removePolicyRule(input: $input) { errors { code } } }"


async def subscribers(redis_url: str, user: int) -> int:
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    try:
        return dict(await redis.pubsub_numsub(f"smallworks:notifications:{user}")).get(f"smallworks:notifications:{user}".encode(), 0)
    finally:
        await redis.aclose()


@pytest.mark.subprocess
async def test_a_subscriber_on_another_server_process_hears_of_a_submission(api, rapi, rstate, redis_server, owner, second_server):
    reviewer = await user_id(rstate, "reviewer")
    async with httpx.AsyncClient() as http:
        async with aconnect_ws(f"{second_server}/graphql", http, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {await api.token('reviewer')}"}})
            assert (await ws.receive_json(timeout=10))["type"] == "connection_ack"
            await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": LIVE}})

            async def listening():
                return await subscribers(redis_server.url, reviewer) > 0

            assert await eventually(listening, 10)
            project = await submit_project(rapi, owner)
            await run_worker(rstate, redis_server.url)
            heard = []
            while True:
                try:
                    message = await ws.receive_json(timeout=3)
                except TimeoutError:
                    break
                assert message["type"] == "next" and message["id"] == "1", message
                live = message["payload"]["data"]["notificationReceived"]
                if live["subjectId"] == project["id"]:
                    heard.append(live)
                    break
    assert [(n["eventType"], n["title"]) for n in heard] == [("project.submitted", f"项目待审核：{project['code']}")]
    inbox = (await api.ok(NOTIFICATIONS, token=await api.token("reviewer")))["notifications"]["nodes"]
    assert [n["id"] for n in inbox if n["subjectId"] == project["id"]] == [heard[0]["id"]]


@pytest.mark.subprocess
@pytest.mark.parametrize("payload", [None, {}, {"Authorization": "Bearer not-a-token"}])
async def test_a_connection_without_a_valid_token_is_closed_with_4403(second_server, payload):
    async with httpx.AsyncClient() as http:
        async with aconnect_ws(f"{second_server}/graphql", http, subprotocols=["graphql-transport-ws"]) as ws:
            init = {"type": "connection_init"} if payload is None else {"type": "connection_init", "payload": payload}
            await ws.send_json(init)
            with pytest.raises(WebSocketDisconnect) as closed:
                await ws.receive_json(timeout=10)
    assert closed.value.code == 4403


async def integrator_subscribes(api, owner, second_server) -> tuple[int, dict]:
    """An integrator's API client signs in and subscribes to notificationReceived: its id
    and the first message the server answers."""
    created = (await api.ok(CREATE_API_CLIENT, {"name": unique("接口"), "org": owner.org_id}, token=await api.token("admin")))[
        "createApiClient"
    ]
    assert created["errors"] == []
    response = await api.client.post(
        "/auth/token",
        data={"grant_type": "client_credentials", "client_id": created["apiClient"]["clientId"], "client_secret": created["clientSecret"]},
    )
    assert response.status_code == 200, response.text
    async with httpx.AsyncClient() as http:
        async with aconnect_ws(f"{second_server}/graphql", http, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {response.json()['access_token']}"}})
            assert (await ws.receive_json(timeout=10))["type"] == "connection_ack"
            await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": LIVE}})
            return pk(created["apiClient"]["id"]), await ws.receive_json(timeout=10)


@pytest.mark.subprocess
async def test_an_api_client_is_refused_a_notification_subscription(api, owner, redis_server, second_server):
    client_id, message = await integrator_subscribes(api, owner, second_server)
    # Refused before the stream opens: one result carrying the error, no data.
    assert message["type"] == "next" and message["id"] == "1", message
    assert message["payload"]["data"] is None
    # Nothing listens on the channel of the person whose id the client's id equals.
    assert await subscribers(redis_server.url, client_id) == 0


@pytest.mark.subprocess
async def test_an_api_client_refused_a_subscription_gets_the_forbidden_code(api, owner, second_server):
    _, message = await integrator_subscribes(api, owner, second_server)
    errors = message["payload"]["errors"]
    assert [e.get("extensions", {}).get("code") for e in errors] == ["FORBIDDEN"]
    assert "Subscription.notificationReceived" in errors[0]["message"]
