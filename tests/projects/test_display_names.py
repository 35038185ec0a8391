"""Who did what is shown by display name: the status history (``actorName``), review steps
(``reviewerName``) and the audit trail (``actorName``) record the person's name at the
time, the username only for someone without one; rows recorded with usernames before
display names were kept are rewritten by the migration."""

from __future__ import annotations

import asyncio
import secrets

from conftest import _create_database, _drop_database, make_uscc
from factories import DETAIL, STRONG_PASSWORD, approve_fully, new_owner, pk_of, submitted
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import create_async_engine

from app.migrate import upgrade
from models.accounts import Organisation, User
from models.base import utcnow
from models.permissions import CasbinRule
from models.projects import Project, ProjectReview, ProjectStatusChange
from resolvers.core.context import Actor

AUDIT = """query($target: ID!) { auditEvents(first: 100, filter: {targetId: $target}) { nodes { operation actorName actorId } } }"""
UPDATE_USER = """mutation($input: UpdateUserInput!) { updateUser(input: $input) { errors { code } } }"""
CANCEL = """mutation($input: CancelProjectInput!) { cancelProject(input: $input) { errors { code } } }"""


async def history(api, token: str, project_id: str) -> dict:
    return (await api.ok(DETAIL, {"id": project_id}, token=token))["project"]


async def test_history_reviews_and_the_audit_trail_show_display_names(api):
    owner = await new_owner(api)
    project = await submitted(api, owner)
    await approve_fully(api, owner, project["id"])
    shown = await history(api, owner.staff.token, project["id"])
    assert owner.staff.name != owner.staff.username
    assert [(h["action"], h["actorName"]) for h in shown["statusHistory"]] == [
        ("create", owner.staff.name),
        ("submit", owner.staff.name),
        ("approve", "财政局 张敏"),
    ]
    assert [(r["role"], r["reviewerName"]) for r in shown["reviews"]] == [
        ("reviewer", "住建局审核人 李强"),
        ("finance_officer", "财政局 张敏"),
    ]
    events = (await api.ok(AUDIT, {"target": project["id"]}, token=await api.token("auditor")))["auditEvents"]["nodes"]
    names = {(e["operation"], e["actorName"]) for e in events}
    assert ("Mutation.createProject", owner.staff.name) in names
    assert ("Mutation.decideProjectReview", "财政局 张敏") in names
    assert not {name for _, name in names} & {owner.staff.username, "reviewer", "finance"}


async def test_work_is_recorded_under_the_name_at_the_time(api):
    """A renamed person's later work shows the new name; what they did before keeps the
    name they had then."""
    owner = await new_owner(api)
    project = await submitted(api, owner)
    renamed = f"改名后 {secrets.token_hex(2)}"
    data = await api.ok(UPDATE_USER, {"input": {"id": owner.staff.user_id, "displayName": renamed}}, token=await api.token("admin"))
    assert data["updateUser"]["errors"] == []
    assert (await api.ok(CANCEL, {"input": {"id": project["id"], "reason": "合并实施。"}}, token=owner.staff.token))["cancelProject"][
        "errors"
    ] == []
    shown = await history(api, owner.staff.token, project["id"])
    assert [(h["action"], h["actorName"]) for h in shown["statusHistory"]] == [
        ("create", owner.staff.name),
        ("submit", owner.staff.name),
        ("cancel", renamed),
    ]


async def test_someone_without_a_display_name_is_shown_by_username(api, state):
    """The API requires a display name; a row written around it (an import) has none."""
    owner = await new_owner(api)
    project = await submitted(api, owner)
    async with state.db.write() as session:
        await session.execute(update(User).where(User.id == pk_of(owner.staff.user_id)).values(display_name=""))
    token = (await api.password_token(owner.staff.username, STRONG_PASSWORD))["access_token"]  # a new sign-in reads the row again
    assert (await api.ok(CANCEL, {"input": {"id": project["id"], "reason": "撤销。"}}, token=token))["cancelProject"]["errors"] == []
    shown = await history(api, token, project["id"])
    assert [h["actorName"] for h in shown["statusHistory"]] == [owner.staff.name, owner.staff.name, owner.staff.username]


def test_an_actor_falls_back_to_its_name():
    actor = Actor(kind="user", id=1, name="wangfang", organisation_id=1, organisation_kind="owner", region_code="320583", roles=frozenset())
    assert actor.display_name == "wangfang"
    assert Actor(**{**actor.__dict__, "display_name": "  王芳 "}).display_name == "王芳"
    assert len(Actor(**{**actor.__dict__, "display_name": "名" * 150}).display_name) == 100


async def test_the_migration_shows_display_names_where_usernames_were_recorded():
    """A database at the revision before: its history and reviews name people by username
    (and one row by a name that is no username); after the upgrade they show display names,
    and everyone may read the labels."""
    name = f"sw_migrate_{secrets.token_hex(4)}"
    url = await asyncio.to_thread(_create_database, name)
    try:
        await asyncio.to_thread(upgrade, url, "0006")
        engine = create_async_engine(url)
        try:
            async with engine.begin() as conn:
                org = (
                    await conn.execute(
                        insert(Organisation).values(
                            name="迁移测试单位",
                            kind="owner",
                            uscc=make_uscc(),
                            region_code="320583",
                            created_at=utcnow(),
                            updated_at=utcnow(),
                        )
                    )
                ).inserted_primary_key[0]
                wang, nameless = [
                    (
                        await conn.execute(
                            insert(User).values(
                                username=username,
                                display_name=display,
                                organisation_id=org,
                                password_hash="x",
                                created_at=utcnow(),
                                updated_at=utcnow(),
                                password_changed_at=utcnow(),
                                is_active=True,
                            )
                        )
                    ).inserted_primary_key[0]
                    for username, display in (("wangfang", "周市镇经办人 王芳"), ("nameless", ""))
                ]
                project = (
                    await conn.execute(
                        insert(Project).values(
                            code="XM-2026-900001",
                            title="迁移测试",
                            owner_organisation_id=org,
                            region_code="320583",
                            category="road",
                            status="submitted",
                            created_at=utcnow(),
                            updated_at=utcnow(),
                            version=1,
                            budget_amount=0,
                            submission_count=1,
                        )
                    )
                ).inserted_primary_key[0]
                for actor_id, actor_name in ((wang, "wangfang"), (wang, "王芳（手工录入）"), (nameless, "nameless"), (None, "system")):
                    await conn.execute(
                        insert(ProjectStatusChange).values(
                            project_id=project,
                            from_status=None,
                            to_status="draft",
                            action="create",
                            actor_id=actor_id,
                            actor_name=actor_name,
                            occurred_at=utcnow(),
                        )
                    )
                await conn.execute(
                    insert(ProjectReview).values(
                        project_id=project,
                        round=1,
                        step=1,
                        role="reviewer",
                        region_code="320583",
                        status="approved",
                        reviewer_id=wang,
                        reviewer_name="wangfang",
                        created_at=utcnow(),
                    )
                )
            await asyncio.to_thread(upgrade, url, "head")
            async with engine.connect() as conn:
                actors = (await conn.execute(select(ProjectStatusChange.actor_name).order_by(ProjectStatusChange.id))).scalars().all()
                reviewers = (await conn.execute(select(ProjectReview.reviewer_name))).scalars().all()
                lines = (await conn.execute(select(CasbinRule.v0).where(CasbinRule.v2 == "Query.enumLabels"))).scalars().all()
        finally:
            await engine.dispose()
    finally:
        await asyncio.to_thread(_drop_database, name)
    assert actors == ["周市镇经办人 王芳", "王芳（手工录入）", "nameless", "system"]
    assert reviewers == ["周市镇经办人 王芳"]
    assert lines == ["public"]
