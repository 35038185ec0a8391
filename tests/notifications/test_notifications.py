"""Notifications from the project lifecycle in the embedded mode (no Redis: the job
functions run in the server process), the inbox, read state and preferences."""

from __future__ import annotations

import httpx
import pytest
from factories import decide_ok, new_owner, pending_review, submitted
from httpx_ws import aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport

INBOX = """query($unread: Boolean!) {
  notifications(unreadOnly: $unread, first: 100) { totalCount nodes { id eventType title body subjectId readAt } }
}"""
MARK_READ = """mutation($input: MarkNotificationsReadInput) {
  markNotificationsRead(input: $input) { count errors { code field } }
}"""
SET_PREFERENCE = """mutation($input: SetNotificationPreferenceInput!) {
  setNotificationPreference(input: $input) { preference { eventType channels locale } errors { code field message } }
}"""


async def inbox(api, token: str, unread: bool = False) -> list[dict]:
    return (await api.ok(INBOX, {"unread": unread}, token=token))["notifications"]["nodes"]


async def about(api, token: str, project_id: str) -> list[str]:
    return [n["eventType"] for n in await inbox(api, token) if n["subjectId"] == project_id]


async def test_the_review_chain_notifies_each_next_decider_and_the_owner(api):
    owner = await new_owner(api)
    project = await submitted(api, owner)
    reviewer, finance = await api.token("reviewer"), await api.token("finance")

    # Submission tells the region's reviewers, not finance yet, not the owner.
    assert await about(api, reviewer, project["id"]) == ["project.submitted"]
    assert await about(api, finance, project["id"]) == []
    note = [n for n in await inbox(api, reviewer) if n["subjectId"] == project["id"]][0]
    assert project["code"] in note["title"] and note["readAt"] is None

    await decide_ok(api, reviewer, (await pending_review(api, owner, project["id"]))["id"], "APPROVE", "同意。")
    assert await about(api, finance, project["id"]) == ["project.review_step"]
    assert await about(api, owner.staff.token, project["id"]) == ["project.review_decided"]

    await decide_ok(api, finance, (await pending_review(api, owner, project["id"]))["id"], "APPROVE", "同意立项。")
    assert sorted(await about(api, owner.staff.token, project["id"])) == [
        "project.approved",
        "project.review_decided",
        "project.review_decided",
    ]
    # Nobody outside: another owner organisation hears nothing of it.
    other = await new_owner(api, allocation=None)
    assert await about(api, other.staff.token, project["id"]) == []


async def test_rejection_tells_the_owner_with_the_reason(api):
    owner = await new_owner(api)
    project = await submitted(api, owner)
    await decide_ok(api, await api.token("reviewer"), (await pending_review(api, owner, project["id"]))["id"], "REJECT", "缺少现场照片。")
    notes = [n for n in await inbox(api, owner.staff.token) if n["subjectId"] == project["id"]]
    rejected = [n for n in notes if n["eventType"] == "project.rejected"]
    assert len(rejected) == 1 and "缺少现场照片" in rejected[0]["body"]


async def test_marking_read_affects_only_ones_own_notifications(api):
    owner = await new_owner(api)
    project = await submitted(api, owner)
    reviewer = await api.token("reviewer")
    mine = [n for n in await inbox(api, reviewer, unread=True) if n["subjectId"] == project["id"]]
    assert len(mine) == 1
    # Someone else cannot mark it: their count is zero and it stays unread.
    other = await api.ok(MARK_READ, {"input": {"ids": [mine[0]["id"]]}}, token=owner.staff.token)
    assert other["markNotificationsRead"]["count"] == 0
    assert mine[0]["id"] in [n["id"] for n in await inbox(api, reviewer, unread=True)]
    done = await api.ok(MARK_READ, {"input": {"ids": [mine[0]["id"]]}}, token=reviewer)
    assert done["markNotificationsRead"] == {"count": 1, "errors": []}
    assert mine[0]["id"] not in [n["id"] for n in await inbox(api, reviewer, unread=True)]
    # And node(id:) of someone else's notification is null.
    node = await api.ok("query($id: ID!) { node(id: $id) { id } }", {"id": mine[0]["id"]}, token=owner.staff.token)
    assert node["node"] is None


async def test_preferences_choose_channels_and_are_validated(api):
    owner = await new_owner(api)
    token = owner.staff.token
    ok = await api.ok(SET_PREFERENCE, {"input": {"eventType": "project.approved", "channels": ["email"], "locale": "en"}}, token=token)
    assert ok["setNotificationPreference"] == {
        "preference": {"eventType": "project.approved", "channels": ["email"], "locale": "en"},
        "errors": [],
    }
    bad = await api.ok(
        SET_PREFERENCE,
        {"input": {"eventType": "no.such", "channels": ["fax"], "locale": "fr"}},
        token=token,
        headers={"Accept-Language": "en"},
    )
    errors = bad["setNotificationPreference"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("UNKNOWN_EVENT_TYPE", "eventType"),
        ("UNKNOWN_CHANNEL", "channels"),
        ("UNKNOWN_LOCALE", "locale"),
    ]
    assert all(e["message"] not in ("", e["code"]) and "{" not in e["message"] for e in errors)

    # Without the in-app channel for rejections, a rejection leaves no in-app notification.
    await api.ok(SET_PREFERENCE, {"input": {"eventType": "project.rejected", "channels": [], "locale": "zh-CN"}}, token=token)
    project = await submitted(api, owner)
    await decide_ok(api, await api.token("reviewer"), (await pending_review(api, owner, project["id"]))["id"], "REJECT", "退回。")
    assert await about(api, token, project["id"]) == ["project.review_decided"]


async def decided_note(api, owner, decision: str, comment: str) -> dict:
    """The review_decided notification the owner's staff member gets for a new project."""
    project = await submitted(api, owner)
    await decide_ok(api, await api.token("reviewer"), (await pending_review(api, owner, project["id"]))["id"], decision, comment)
    [note] = [
        n for n in await inbox(api, owner.staff.token) if n["subjectId"] == project["id"] and n["eventType"] == "project.review_decided"
    ]
    return note


async def test_a_decision_is_named_by_its_label_in_the_recipients_language(api):
    """The notification says 已通过 / Approved, never the stored ``approved``; its language is
    the recipient's preference (zh-CN unless chosen), whatever language the decider used."""
    chinese, english = await new_owner(api), await new_owner(api)
    await api.ok(
        SET_PREFERENCE,
        {"input": {"eventType": "project.review_decided", "channels": ["in_app"], "locale": "en"}},
        token=english.staff.token,
    )
    approved = await decided_note(api, chinese, "APPROVE", "同意。")
    assert approved["body"].endswith("第1环节审核结果：已通过。同意。")
    returned = await decided_note(api, chinese, "REJECT", "缺少现场照片。")
    assert returned["body"].endswith("第1环节审核结果：已退回。缺少现场照片。")
    in_english = await decided_note(api, english, "APPROVE", "Fine.")
    assert in_english["body"].endswith(", review step 1: Approved. Fine.")
    for note in (approved, returned, in_english):
        assert "approved" not in note["body"] and "rejected" not in note["body"]


async def test_notifications_and_preferences_show_labels_in_the_request_language(api):
    owner = await new_owner(api)
    await decided_note(api, owner, "APPROVE", "同意。")
    await api.ok(SET_PREFERENCE, {"input": {"eventType": "*", "channels": ["in_app", "email"], "locale": "en"}}, token=owner.staff.token)
    query = """{ notifications(first: 5) { nodes { eventType eventTypeLabel } }
      notificationPreferences { eventType eventTypeLabel channels channelLabels locale localeLabel } }"""
    zh = await api.ok(query, token=owner.staff.token, headers={"Accept-Language": "zh-CN"})
    en = await api.ok(query, token=owner.staff.token, headers={"Accept-Language": "en"})
    assert {(n["eventType"], n["eventTypeLabel"]) for n in zh["notifications"]["nodes"]} == {("project.review_decided", "审核环节已处理")}
    assert {n["eventTypeLabel"] for n in en["notifications"]["nodes"]} == {"Review step decided"}
    assert zh["notificationPreferences"] == [
        {
            "eventType": "*",
            "eventTypeLabel": "全部事件",
            "channels": ["email", "in_app"],
            "channelLabels": ["电子邮件", "站内通知"],
            "locale": "en",
            "localeLabel": "英语",
        }
    ]
    [preference] = en["notificationPreferences"]
    assert (preference["eventTypeLabel"], preference["channelLabels"], preference["localeLabel"]) == (
        "All events",
        ["E-mail", "In-app"],
        "English",
    )


async def test_a_subscription_receives_notifications_as_they_are_delivered(app, api):
    owner = await new_owner(api)
    reviewer = await api.token("reviewer")
    async with httpx.AsyncClient(transport=ASGIWebSocketTransport(app), base_url="http://testserver") as client:
        async with aconnect_ws("/graphql", client, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {reviewer}"}})
            assert (await ws.receive_json())["type"] == "connection_ack"
            await ws.send_json(
                {
                    "type": "subscribe",
                    "id": "1",
                    "payload": {"query": "subscription { notificationReceived { eventType title subjectId } }"},
                }
            )
            project = await submitted(api, owner)
            message = await ws.receive_json(timeout=10)
            assert message["type"] == "next"
            assert message["payload"]["data"]["notificationReceived"]["eventType"] == "project.submitted"
            assert message["payload"]["data"]["notificationReceived"]["subjectId"] == project["id"]


async def test_a_websocket_without_a_valid_token_is_closed(app):
    from httpx_ws import WebSocketDisconnect

    async with httpx.AsyncClient(transport=ASGIWebSocketTransport(app), base_url="http://testserver") as client:
        async with aconnect_ws("/graphql", client, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send_json({"type": "connection_init", "payload": {"Authorization": "Bearer not-a-token"}})
            with pytest.raises(WebSocketDisconnect) as closed:
                await ws.receive_json(timeout=5)
    assert closed.value.code == 4403


async def test_reconcile_redelivers_unfinished_events_and_gives_up_after_the_limit(state):
    """An event handed over but never finished is handed over again; after
    ``outbox_max_dispatches`` hand-overs it is marked failed instead of retried forever."""
    from datetime import timedelta

    from sqlalchemy import select, update

    from models.accounts import User
    from models.base import utcnow
    from models.notifications import Notification, OutboxEvent
    from resolvers.core import outbox as events
    from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
    from resolvers.core.transaction import unit_of_work
    from workers.dispatch import reconcile

    async with state.db.read() as session:
        reviewer_id = (await session.execute(select(User.id).where(User.username == "reviewer"))).scalar_one()
    async with unit_of_work(state, "test.reconcile", SYSTEM_ACTOR, RequestMeta(request_id="reconcile")) as uow:
        retry = events.record(uow, "project.submitted", "Project", 0, {"code": "XM-TEST-RETRY", "title": "重试"}, [reviewer_id])
        hopeless = events.record(uow, "project.submitted", "Project", 0, {"code": "XM-TEST-FAIL", "title": "放弃"}, [reviewer_id])
    long_ago = utcnow() - timedelta(seconds=state.settings.outbox_redispatch_seconds + 60)
    async with state.db.write() as session:
        # As if both were handed over long ago and never finished (their notifications lost with a crash).
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_([retry.id, hopeless.id]))
            .values(status="dispatched", dispatched_at=long_ago, created_at=long_ago, completed_at=None)
        )
        await session.execute(update(OutboxEvent).where(OutboxEvent.id == retry.id).values(dispatch_count=1))
        await session.execute(
            update(OutboxEvent).where(OutboxEvent.id == hopeless.id).values(dispatch_count=state.settings.outbox_max_dispatches)
        )
        await session.execute(Notification.__table__.delete().where(Notification.event_id.in_([retry.id, hopeless.id])))

    await reconcile(state)

    async with state.db.read() as session:
        status = dict(
            (await session.execute(select(OutboxEvent.id, OutboxEvent.status).where(OutboxEvent.id.in_([retry.id, hopeless.id])))).all()
        )
        delivered = (
            (await session.execute(select(Notification.event_id).where(Notification.event_id.in_([retry.id, hopeless.id])))).scalars().all()
        )
    assert status == {retry.id: "done", hopeless.id: "failed"}
    assert delivered == [retry.id]
