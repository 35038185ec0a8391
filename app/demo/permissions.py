"""Demo permission administration for the demo county (320583), by its policy administrator:
- a temporary acting appointment (代理): ``deputy``, an expert of the platform, reviews the
  county's projects for the next 30 days while the reviewer is on leave (a grant with an
  end date);
- a grant made by mistake and revoked (a version of each kind a person's grants make);
- a change waiting for a second policy administrator (the four-eyes rule), and one its
  author withdrew.

The default lines are left as they are. Everything goes through the permission services,
as the API would, so each change is a numbered version with its audit event.
"""

from __future__ import annotations

from datetime import timedelta

from app.demo.core import DEMO_PASSWORD, DEMO_REGION, Demo
from policies.engine import default_lines
from resolvers.accounts import service as accounts
from resolvers.core.clock import today_in_china
from resolvers.core.transaction import unit_of_work
from resolvers.permissions import grants, pending
from resolvers.permissions.changes import Change

ACTING = "代理审核：审核人休假期间，由财务人员代为审核本县项目申报。"
MISTAKE = "误授：应为监理单位人员，已撤销。"
PROPOSAL = "拟允许监理单位查阅本县审计记录，请另一位权限管理员审批。"
WITHDRAWN = "拟允许施工单位查阅本县审计记录（已撤回：范围过大）。"


async def load(demo: Demo) -> None:
    state = demo.state
    # The operations the default policy names: the demo's changes name no other (and the
    # schema's own catalogue would cost building the schema once more).
    ops = {line[3]: line[4] for line in default_lines() if line[0] == "p"}
    admin = await demo.actor("policyadmin")
    async with unit_of_work(state, "Mutation.createUser", await demo.actor("admin"), demo.meta) as uow:
        deputy = await accounts.create_user(
            uow,
            accounts.UserData(
                username="deputy",
                display_name="代理审核人 陈静",
                organisation_id=demo.organisations["platform"],
                password=DEMO_PASSWORD,
                roles=["evaluator"],
                phone="13800000011",
            ),
        )
    today = today_in_china(state.clock.now())

    async with unit_of_work(state, "Mutation.grantRole", admin, demo.meta) as uow:
        await grants.grant_role(uow, ops, deputy.id, "reviewer", DEMO_REGION, today, today + timedelta(days=30), ACTING)
    async with unit_of_work(state, "Mutation.grantRole", admin, demo.meta) as uow:
        await grants.grant_role(uow, ops, deputy.id, "supervisor", DEMO_REGION, None, None, MISTAKE)
    async with unit_of_work(state, "Mutation.revokeRole", admin, demo.meta) as uow:
        await grants.revoke_role(uow, ops, deputy.id, "supervisor", DEMO_REGION, MISTAKE)

    line = ("p", "supervisor", DEMO_REGION, "Query.auditEvents", "read")
    async with unit_of_work(state, "Mutation.applyPolicyChange", admin, demo.meta) as uow:
        await pending.propose(uow, "change", [Change("add", line)], PROPOSAL, None)
    async with unit_of_work(state, "Mutation.applyPolicyChange", admin, demo.meta) as uow:
        proposed = await pending.propose(
            uow, "change", [Change("add", ("p", "contractor", DEMO_REGION, "Query.auditEvents", "read"))], WITHDRAWN, None
        )
    async with unit_of_work(state, "Mutation.withdrawPolicyChange", admin, demo.meta) as uow:
        await pending.withdraw(uow, proposed.id)
