"""The audit trail: what every successful mutation records, the hash chain an inspector can
verify, tamper detection, querying, and one gapless chain under concurrent writers."""

from __future__ import annotations

import asyncio
import hashlib
import json
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta, timezone

from conftest import client_at, global_id, make_uscc, unique
from factories import CREATE_ORGANISATION, CREATE_USER
from sqlalchemy import text

GENESIS_HASH = "0" * 64

EVENT_FIELDS = """
    id sequence occurredAt actorType actorId actorName organisationId regionCode
    operation targetType targetId changes requestId clientAddress previousHash hash
"""

UPDATE_USER = """
mutation($input: UpdateUserInput!) {
  updateUser(input: $input) { user { id displayName } errors { code field message } }
}"""

VERIFY = "{ verifyAuditTrail { valid checkedEvents headSequence firstBrokenSequence reason verifiedAt } }"

EVENTS = (
    """
query($filter: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { %s }
  }
}"""
    % EVENT_FIELDS
)

# Columns of audit_events, in table order, for saving and restoring rows exactly.
COLUMNS = (
    "seq",
    "occurred_at",
    "actor_type",
    "actor_id",
    "actor_name",
    "organisation_id",
    "region_code",
    "operation",
    "target_type",
    "target_id",
    "changes",
    "request_id",
    "client_address",
    "prev_hash",
    "hash",
)


# -- helpers -------------------------------------------------------------------------


def organisation_input(**overrides) -> dict:
    values = {
        "name": unique("审计测试单位"),
        "kind": "CONTRACTOR",
        "uscc": make_uscc(),
        "regionCode": "320583",
        "bankName": "中国银行昆山支行",
        "bankAccountNumber": "6222020100055556666",
    }
    values.update(overrides)
    return values


async def create_organisation(api, token: str, headers: dict | None = None, **overrides) -> dict:
    data = await api.ok(CREATE_ORGANISATION, {"input": organisation_input(**overrides)}, token=token, headers=headers)
    payload = data["createOrganisation"]
    assert payload["errors"] == []
    return payload["organisation"]


async def platform_organisation_id(api, token: str) -> str:
    data = await api.ok("{ organisations(filter: {kind: PLATFORM}, first: 1) { nodes { id } } }", token=token)
    return data["organisations"]["nodes"][0]["id"]


async def create_user(api, token: str, organisation_id: str, roles: list[str] | None = None, password: str = "Kunshan-audit-2026!") -> dict:
    username = unique("audit.user.")
    data = await api.ok(
        CREATE_USER,
        {
            "input": {
                "username": username,
                "displayName": "审计测试用户",
                "organisationId": organisation_id,
                "password": password,
                "roles": roles or [],
                "phone": "13912345678",
            }
        },
        token=token,
    )
    assert data["createUser"]["errors"] == []
    return data["createUser"]["user"]


async def verify(api) -> dict:
    return (await api.ok(VERIFY, token=await api.token("auditor")))["verifyAuditTrail"]


async def events_of(api, filter: dict, first: int = 100) -> list[dict]:
    data = await api.ok(EVENTS, {"filter": filter, "first": first}, token=await api.token("auditor"))
    return data["auditEvents"]["nodes"]


async def fetch_rows(state, first_seq: int, last_seq: int) -> list[dict]:
    async with state.db.read() as session:
        rows = (
            await session.execute(
                text(f"SELECT {', '.join(COLUMNS)} FROM audit_events WHERE seq BETWEEN :a AND :b ORDER BY seq"),
                {"a": first_seq, "b": last_seq},
            )
        ).all()
    return [dict(r._mapping) for r in rows]


async def head(state) -> tuple[int, str]:
    async with state.db.read() as session:
        seq, hash_ = (await session.execute(text("SELECT seq, hash FROM audit_head WHERE id = 1"))).one()
    return seq, hash_


async def execute(state, sql: str, params: dict) -> None:
    async with state.db.write() as session:
        await session.execute(text(sql), params)


async def reinsert(state, row: dict) -> None:
    placeholders = ", ".join(f":{c}" for c in COLUMNS)
    await execute(state, f"INSERT INTO audit_events ({', '.join(COLUMNS)}) VALUES ({placeholders})", row)


@asynccontextmanager
async def fresh_tail(api, state):
    """Writes a few events of its own (so the chain has a middle and an end that belong to
    this test), yields their rows, and afterwards checks the chain is whole again."""
    admin = await api.token("admin")
    await api.token("auditor")  # signed in before anything is tampered with
    await create_organisation(api, admin)
    await create_organisation(api, admin)
    await create_organisation(api, admin)
    last, _ = await head(state)
    rows = await fetch_rows(state, last - 2, last)
    assert [r["seq"] for r in rows] == [last - 2, last - 1, last]
    try:
        yield rows
    finally:
        result = await verify(api)
        assert result["valid"] is True, result


def canonical_hash(row: dict) -> str:
    """SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of an event's fields,
    the previous event's hash among them: recomputed here from the stored row alone."""
    occurred = row["occurred_at"]
    if isinstance(occurred, str):  # SQLite stores text
        occurred = datetime.fromisoformat(occurred)
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=UTC)
    fields = {c: row[c] for c in COLUMNS if c not in ("occurred_at", "hash")}
    fields["occurred_at"] = occurred.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# -- what an event records -----------------------------------------------------------


async def test_mutation_records_actor_target_changes_request_and_client(api, app):
    """createOrganisation writes one event with who, what, the fields after the change, the
    X-Request-ID, the client address and a UTC time."""
    admin = await api.token("admin")
    viewer = (await api.ok("{ viewer { user { id } organisation { id } } }", token=admin))["viewer"]
    request_id = unique("req-")
    before = datetime.now(UTC)
    async with client_at(app, "203.0.113.7") as remote:
        response = await remote.post(
            "/graphql",
            json={"query": CREATE_ORGANISATION, "variables": {"input": organisation_input(name="审计记录测试单位")}},
            headers={"Authorization": f"Bearer {admin}", "X-Request-ID": request_id},
        )
    after = datetime.now(UTC)
    org = response.json()["data"]["createOrganisation"]["organisation"]

    [event] = await events_of(api, {"targetId": org["id"]})
    assert event["operation"] == "Mutation.createOrganisation"
    assert event["targetType"] == "Organisation"
    assert event["targetId"] == org["id"]
    assert event["actorType"] == "user"
    assert event["actorId"] == viewer["user"]["id"]
    assert event["actorName"] == "系统管理员"  # the display name; actorId identifies the account
    assert event["organisationId"] == viewer["organisation"]["id"]
    assert event["regionCode"] == "320583"
    assert event["requestId"] == request_id
    assert event["clientAddress"] == "203.0.113.7"
    occurred = datetime.fromisoformat(event["occurredAt"])
    assert occurred.utcoffset() == timedelta(0)
    assert before <= occurred <= after
    assert event["changes"]["name"] == {"before": None, "after": "审计记录测试单位"}
    assert event["changes"]["kind"] == {"before": None, "after": "contractor"}
    assert event["changes"]["bank_name"] == {"before": None, "after": "中国银行昆山支行"}


async def test_sensitive_fields_are_redacted_in_changes(api):
    """A bank account number and a phone number appear in the trail only as ``[redacted]``,
    though the change itself is recorded."""
    admin = await api.token("admin")
    org = await create_organisation(api, admin, bankAccountNumber="6222020100077778888")
    [created] = await events_of(api, {"targetId": org["id"]})
    assert created["changes"]["bank_account_number"] == {"before": None, "after": "[redacted]"}
    assert "6222020100077778888" not in json.dumps(created["changes"])

    user = await create_user(api, admin, org["id"], roles=["CONTRACTOR"])
    data = await api.ok(UPDATE_USER, {"input": {"id": user["id"], "phone": "13755556666", "displayName": "改名后"}}, token=admin)
    assert data["updateUser"]["errors"] == []
    update, create = await events_of(api, {"targetId": user["id"]})
    assert create["operation"] == "Mutation.createUser"
    assert create["changes"]["password_hash"] == {"before": None, "after": "[redacted]"}
    assert create["changes"]["phone"] == {"before": None, "after": "[redacted]"}
    assert update["operation"] == "Mutation.updateUser"
    assert update["changes"]["phone"] == {"before": "[redacted]", "after": "[redacted]"}
    assert update["changes"]["display_name"] == {"before": "审计测试用户", "after": "改名后"}
    dumped = json.dumps([create["changes"], update["changes"]])
    assert "13912345678" not in dumped and "13755556666" not in dumped
    assert "Kunshan-audit-2026!" not in dumped


async def test_update_records_before_and_after_of_changed_fields_only(api):
    admin = await api.token("admin")
    org = await create_organisation(api, admin)
    data = await api.ok(
        "mutation($input: UpdateOrganisationInput!) { updateOrganisation(input: $input) { errors { code } } }",
        {"input": {"id": org["id"], "name": "更名后的单位"}},
        token=admin,
    )
    assert data["updateOrganisation"]["errors"] == []
    latest = (await events_of(api, {"targetId": org["id"]}))[0]
    assert latest["operation"] == "Mutation.updateOrganisation"
    assert latest["changes"] == {"name": {"before": org["name"], "after": "更名后的单位"}}


async def test_request_id_is_generated_when_the_header_is_absent(api):
    """Without X-Request-ID each request gets its own id, so its events can still be grouped."""
    admin = await api.token("admin")
    first = await create_organisation(api, admin)
    second = await create_organisation(api, admin)
    [a] = await events_of(api, {"targetId": first["id"]})
    [b] = await events_of(api, {"targetId": second["id"]})
    assert len(a["requestId"]) == 32 and int(a["requestId"], 16) >= 0
    assert a["requestId"] != b["requestId"]


async def test_failed_mutation_writes_no_event(api, state):
    """A mutation answered with user errors rolls back entirely, audit event included."""
    admin = await api.token("admin")
    await api.token("auditor")
    seq_before, hash_before = await head(state)
    data = await api.ok(CREATE_ORGANISATION, {"input": organisation_input(uscc="91320583MA1XXXXXX0")}, token=admin)
    assert [e["code"] for e in data["createOrganisation"]["errors"]] == ["INVALID_USCC"]
    assert data["createOrganisation"]["organisation"] is None
    assert await head(state) == (seq_before, hash_before)
    assert (await verify(api))["headSequence"] == seq_before


async def test_refused_mutation_writes_no_event(api, state):
    """A mutation refused with a GraphQL error (not found) writes nothing either."""
    admin = await api.token("admin")
    seq_before = (await head(state))[0]
    body = await api.gql(UPDATE_USER, {"input": {"id": global_id("User", 987654321), "displayName": "x"}}, token=admin)
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (await head(state))[0] == seq_before


# -- the hash chain ------------------------------------------------------------------


async def test_each_hash_covers_the_event_and_links_to_the_previous(api, state):
    """An inspector can recompute every hash from the stored rows: SHA-256 over the canonical
    JSON of the event including the previous hash; the first event links to the genesis hash."""
    admin = await api.token("admin")
    await create_organisation(api, admin)
    last, head_hash = await head(state)
    rows = await fetch_rows(state, 1, last)
    assert [r["seq"] for r in rows] == list(range(1, last + 1))
    previous = GENESIS_HASH
    for row in rows:
        assert row["prev_hash"] == previous, row["seq"]
        assert canonical_hash(row) == row["hash"], row["seq"]
        previous = row["hash"]
    assert head_hash == previous


async def test_api_exposes_the_links(api):
    """Consecutive events as the API shows them: each ``previousHash`` is the hash before it."""
    admin = await api.token("admin")
    await create_organisation(api, admin)
    await create_organisation(api, admin)
    newest, older = (await api.ok(EVENTS, {"first": 2}, token=await api.token("auditor")))["auditEvents"]["nodes"]
    assert newest["sequence"] == older["sequence"] + 1
    assert newest["previousHash"] == older["hash"]
    assert len(newest["hash"]) == 64 and int(newest["hash"], 16) >= 0


async def test_verification_of_an_intact_chain(api, state):
    admin = await api.token("admin")
    await create_organisation(api, admin)
    result = await verify(api)
    last, _ = await head(state)
    assert result["valid"] is True
    assert result["reason"] is None and result["firstBrokenSequence"] is None
    assert result["headSequence"] == last
    assert result["checkedEvents"] == last
    assert datetime.fromisoformat(result["verifiedAt"]).utcoffset() == timedelta(0)


async def test_only_auditors_may_verify(api):
    body = await api.gql(VERIFY, token=await api.token("admin"))
    assert body["data"]["verifyAuditTrail"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await api.gql(VERIFY)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_edited_row_fails_verification_at_that_sequence(api, state):
    """Changing the recorded changes of one event in SQL breaks its hash (HASH_MISMATCH)."""
    async with fresh_tail(api, state) as rows:
        middle = rows[1]
        forged = json.dumps({"name": {"before": None, "after": "伪造"}}, ensure_ascii=False)
        await execute(state, "UPDATE audit_events SET changes = :c WHERE seq = :s", {"c": forged, "s": middle["seq"]})
        try:
            result = await verify(api)
            assert result["valid"] is False
            assert result["reason"] == "HASH_MISMATCH"
            assert result["firstBrokenSequence"] == middle["seq"]
            assert result["checkedEvents"] == middle["seq"] - 1
        finally:
            await execute(state, "UPDATE audit_events SET changes = :c WHERE seq = :s", {"c": middle["changes"], "s": middle["seq"]})


async def test_rehashed_forgery_breaks_the_next_link(api, state):
    """Editing a row and recomputing its own hash is caught at the following event, whose
    ``prev_hash`` no longer matches (PREVIOUS_HASH_MISMATCH)."""
    async with fresh_tail(api, state) as rows:
        middle, following = rows[1], rows[2]
        forged = dict(middle, actor_name="somebody-else")
        forged["hash"] = canonical_hash(forged)
        await execute(
            state,
            "UPDATE audit_events SET actor_name = :n, hash = :h WHERE seq = :s",
            {"n": forged["actor_name"], "h": forged["hash"], "s": middle["seq"]},
        )
        try:
            result = await verify(api)
            assert result["valid"] is False
            assert result["reason"] == "PREVIOUS_HASH_MISMATCH"
            assert result["firstBrokenSequence"] == following["seq"]
        finally:
            await execute(
                state,
                "UPDATE audit_events SET actor_name = :n, hash = :h WHERE seq = :s",
                {"n": middle["actor_name"], "h": middle["hash"], "s": middle["seq"]},
            )


async def test_deleted_middle_row_is_a_sequence_gap(api, state):
    async with fresh_tail(api, state) as rows:
        middle = rows[1]
        await execute(state, "DELETE FROM audit_events WHERE seq = :s", {"s": middle["seq"]})
        try:
            result = await verify(api)
            assert result["valid"] is False
            assert result["reason"] == "SEQUENCE_GAP"
            assert result["firstBrokenSequence"] == middle["seq"]
        finally:
            await reinsert(state, middle)


async def test_deleted_last_row_is_a_head_mismatch(api, state):
    async with fresh_tail(api, state) as rows:
        last = rows[2]
        await execute(state, "DELETE FROM audit_events WHERE seq = :s", {"s": last["seq"]})
        try:
            result = await verify(api)
            assert result["valid"] is False
            assert result["reason"] == "HEAD_MISMATCH"
            assert result["firstBrokenSequence"] == last["seq"]
            assert result["headSequence"] == last["seq"]
        finally:
            await reinsert(state, last)


# -- querying ------------------------------------------------------------------------


async def test_events_by_actor_newest_first(api):
    """Events by one actor only, in descending sequence order."""
    admin = await api.token("admin")
    org = await create_organisation(api, admin)
    second_admin = await create_user(api, admin, await platform_organisation_id(api, admin), roles=["PLATFORM_ADMIN"])
    token = (await api.password_token(second_admin["username"], "Kunshan-audit-2026!"))["access_token"]
    for name in ("第一次改名", "第二次改名", "第三次改名"):
        data = await api.ok(
            "mutation($input: UpdateOrganisationInput!) { updateOrganisation(input: $input) { errors { code } } }",
            {"input": {"id": org["id"], "name": name}},
            token=token,
        )
        assert data["updateOrganisation"]["errors"] == []

    events = await events_of(api, {"actorId": second_admin["id"], "operation": "Mutation.updateOrganisation"})
    assert [e["changes"]["name"]["after"] for e in events] == ["第三次改名", "第二次改名", "第一次改名"]
    assert {e["actorId"] for e in events} == {second_admin["id"]}
    sequences = [e["sequence"] for e in events]
    assert sequences == sorted(sequences, reverse=True)
    # The first admin's events on the same organisation are not among them.
    by_target = await events_of(api, {"targetId": org["id"]})
    assert [e["actorName"] for e in by_target] == [second_admin["displayName"]] * 3 + ["系统管理员"]


async def test_events_by_operation(api):
    admin = await api.token("admin")
    org = await create_organisation(api, admin)
    user = await create_user(api, admin, org["id"])
    events = await events_of(api, {"operation": "Mutation.createUser"}, first=5)
    assert events and {e["operation"] for e in events} == {"Mutation.createUser"}
    assert events[0]["targetId"] == user["id"]


async def test_events_in_a_time_range(api):
    """``occurredAfter`` is inclusive, ``occurredBefore`` exclusive."""
    admin = await api.token("admin")
    start = datetime.now(UTC)
    first = await create_organisation(api, admin)
    second = await create_organisation(api, admin)
    middle = datetime.now(UTC)
    third = await create_organisation(api, admin)
    end = datetime.now(UTC)

    in_range = await events_of(
        api, {"targetType": "Organisation", "occurredAfter": start.isoformat(), "occurredBefore": middle.isoformat()}
    )
    assert [e["targetId"] for e in in_range] == [second["id"], first["id"]]
    later = await events_of(api, {"targetType": "Organisation", "occurredAfter": middle.isoformat(), "occurredBefore": end.isoformat()})
    assert [e["targetId"] for e in later] == [third["id"]]
    exact = datetime.fromisoformat(later[0]["occurredAt"])
    assert [e["targetId"] for e in await events_of(api, {"targetId": third["id"], "occurredAfter": exact.isoformat()})] == [third["id"]]
    assert await events_of(api, {"targetId": third["id"], "occurredBefore": exact.isoformat()}) == []


async def test_inverted_time_range_is_refused(api):
    now = datetime.now(UTC)
    body = await api.gql(
        EVENTS,
        {"filter": {"occurredAfter": now.isoformat(), "occurredBefore": (now - timedelta(hours=1)).isoformat()}},
        token=await api.token("auditor"),
        headers={"Accept-Language": "en"},
    )
    assert body["data"]["auditEvents"] is None
    error = body["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": "INVALID_TIME_RANGE"}
    assert error["message"] == "The start of the time range must be before its end."


async def test_events_paginate_newest_first_without_overlap(api):
    """Paging forward through one target's events returns each exactly once, newest first."""
    admin = await api.token("admin")
    org = await create_organisation(api, admin)
    for i in range(6):
        data = await api.ok(
            "mutation($input: UpdateOrganisationInput!) { updateOrganisation(input: $input) { errors { code } } }",
            {"input": {"id": org["id"], "name": f"分页名称{i}"}},
            token=admin,
        )
        assert data["updateOrganisation"]["errors"] == []
    auditor = await api.token("auditor")
    seen, after, pages = [], None, 0
    while True:
        data = await api.ok(EVENTS, {"filter": {"targetId": org["id"]}, "first": 3, "after": after}, token=auditor)
        connection = data["auditEvents"]
        assert connection["totalCount"] == 7
        seen += [e["sequence"] for e in connection["nodes"]]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert pages == 3
    assert len(seen) == 7 == len(set(seen))
    assert seen == sorted(seen, reverse=True)


async def test_only_auditors_may_read_events(api):
    """The default policy grants ``auditEvents`` to auditors; an administrator is refused."""
    body = await api.gql(EVENTS, {"first": 5}, token=await api.token("admin"))
    assert body["data"]["auditEvents"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# -- concurrent writers --------------------------------------------------------------


async def test_concurrent_mutations_form_one_gapless_chain(api, state):
    """A burst of 40 mutations from three signed-in administrators at once: every one is
    recorded, sequence numbers stay gapless and the chain verifies."""
    admin = await api.token("admin")
    await api.token("auditor")
    platform = await platform_organisation_id(api, admin)
    tokens = [admin]
    for _ in range(2):
        other = await create_user(api, admin, platform, roles=["PLATFORM_ADMIN"])
        tokens.append((await api.password_token(other["username"], "Kunshan-audit-2026!"))["access_token"])
    org = await create_organisation(api, admin)
    targets = [await create_user(api, admin, org["id"]) for _ in range(4)]
    seq_before, _ = await head(state)

    async def update(i: int):
        variables = {"input": {"id": targets[i % len(targets)]["id"], "displayName": f"并发改名{i}"}}
        return (await api.ok(UPDATE_USER, variables, token=tokens[i % len(tokens)]))["updateUser"]

    async def create(i: int):
        variables = {"input": organisation_input(name=f"并发单位{i}-{unique()}")}
        return (await api.ok(CREATE_ORGANISATION, variables, token=tokens[i % len(tokens)]))["createOrganisation"]

    results = await asyncio.gather(*(update(i) if i % 2 else create(i) for i in range(40)))
    assert all(r["errors"] == [] for r in results)

    seq_after, head_hash = await head(state)
    assert seq_after == seq_before + 40
    rows = await fetch_rows(state, seq_before + 1, seq_after)
    assert [r["seq"] for r in rows] == list(range(seq_before + 1, seq_after + 1))
    operations = [r["operation"] for r in rows]
    assert operations.count("Mutation.updateUser") == 20 and operations.count("Mutation.createOrganisation") == 20
    created_ids = {r["organisation"]["id"] for r in results if "organisation" in r}
    recorded = {global_id("Organisation", r["target_id"]) for r in rows if r["target_type"] == "Organisation"}
    assert recorded == created_ids
    assert rows[-1]["hash"] == head_hash
    result = await verify(api)
    assert result["valid"] is True, result
    assert result["headSequence"] == result["checkedEvents"] >= seq_after


async def test_verification_while_mutations_commit_reports_no_false_break(api, state):
    """Checking the chain while other requests append to it sees one consistent state: the
    chain is reported whole, never a head mismatch caused by rows committed mid-check."""
    admin = await api.token("admin")
    auditor = await api.token("auditor")

    async def create(i: int):
        variables = {"input": organisation_input(name=f"校验并发单位{i}-{unique()}")}
        return (await api.ok(CREATE_ORGANISATION, variables, token=admin))["createOrganisation"]

    async def check():
        return (await api.ok(VERIFY, token=auditor))["verifyAuditTrail"]

    results = await asyncio.gather(*(check() if i % 3 == 0 else create(i) for i in range(45)))
    verifications = [r for r in results if "valid" in r]
    assert len(verifications) == 15
    assert [v for v in verifications if not v["valid"]] == []
    assert all(v["checkedEvents"] == v["headSequence"] for v in verifications)


def test_canonical_json_is_stable_for_every_column_type():
    """The hashed form: sorted keys, no spaces, UTF-8 text; instants in UTC, calendar dates
    and amounts as exact strings. A change here would break every existing chain."""
    from decimal import Decimal

    from resolvers.core.audit import canonical_json

    shanghai = timezone(timedelta(hours=8))
    value = {
        "name": "昆山",
        "at": datetime(2026, 3, 1, 8, 0, 0, 123456, tzinfo=shanghai),
        "due": datetime(2026, 3, 2).date(),
        "amount": Decimal("1234.50"),
        "roles": {"reviewer", "auditor"},
        "nested": {"b": 1, "a": [None, True]},
    }
    assert canonical_json(value) == (
        '{"amount":"1234.50","at":"2026-03-01T00:00:00.123456+00:00","due":"2026-03-02",'
        '"name":"昆山","nested":{"a":[null,true],"b":1},"roles":["auditor","reviewer"]}'
    )
