"""Demo organisations of the demo county (320583) and one user per role."""

from __future__ import annotations

from sqlalchemy import select
from stdnum.cn import uscc

from app.demo.core import DEMO_PASSWORD, DEMO_REGION, Demo
from app.state import AppState
from models.accounts import Organisation
from resolvers.accounts import service as accounts
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.transaction import unit_of_work


def _uscc(base17: str) -> str:
    return base17 + uscc.calc_check_digit(base17)


# key: (name, kind, 17 characters of the credit code, bank account or None)
ORGANISATIONS = {
    "platform": ("昆山市公共资源交易中心", "platform", "12320583MB1A00001", None),
    "owner": ("昆山市周市镇人民政府", "owner", "11320583MB1B00002", "3205830100000012345"),
    "reviewer": ("昆山市住房和城乡建设局", "owner", "11320583MB1C00003", None),
    "finance": ("昆山市财政局", "finance", "11320583MB1D00004", "3205830100000099887"),
    "auditor": ("昆山市审计局", "auditor", "11320583MB1E00005", None),
    "contractor1": ("昆山通达市政工程有限公司", "contractor", "91320583MA1F00006", "6222020100012345678"),
    "contractor2": ("苏州绿园景观建设有限公司", "contractor", "91320583MA1G00007", "6222020100087654321"),
    "contractor3": ("昆山安居建筑修缮有限公司", "contractor", "91320583MA1H00008", "6222020100011223344"),
    "supervisor": ("昆山正信工程监理有限公司", "supervisor", "91320583MA1J00009", None),
}

# username: (display name, organisation key, roles, phone)
USERS = {
    "admin": ("系统管理员", "platform", ["platform_admin"], "13800000001"),
    "policyadmin": ("权限管理员", "platform", ["policy_admin"], "13800000002"),
    "owner": ("周市镇经办人 王芳", "owner", ["owner_staff"], "13800000003"),
    "reviewer": ("住建局审核人 李强", "reviewer", ["reviewer"], "13800000004"),
    "finance": ("财政局 张敏", "finance", ["finance_officer"], "13800000005"),
    "contractor1": ("通达市政 赵工", "contractor1", ["contractor"], "13800000006"),
    "contractor2": ("绿园景观 钱工", "contractor2", ["contractor"], "13800000007"),
    "contractor3": ("安居修缮 孙工", "contractor3", ["contractor"], "13800000008"),
    "supervisor": ("正信监理 周工", "supervisor", ["supervisor"], "13800000009"),
    "auditor": ("审计局 吴审计", "auditor", ["auditor"], "13800000010"),
    **{f"expert{i}": (f"评标专家{i}", "platform", ["evaluator"], f"1390000000{i}") for i in range(1, 6)},
}


async def present(state: AppState) -> bool:
    """Whether the demo data was loaded before (its first organisation exists)."""
    first = _uscc(ORGANISATIONS["platform"][2])
    async with state.db.read() as session:
        return (await session.execute(select(Organisation.id).where(Organisation.uscc == first))).first() is not None


async def load(demo: Demo) -> None:
    async with unit_of_work(demo.state, "cli.demo-data", SYSTEM_ACTOR, RequestMeta(request_id="demo-data")) as uow:
        org_ids = demo.organisations
        for key, (name, kind, base, account) in ORGANISATIONS.items():
            org = await accounts.create_organisation(
                uow,
                accounts.OrganisationData(
                    name=name,
                    kind=kind,
                    uscc=_uscc(base),
                    region_code=DEMO_REGION,
                    bank_name="中国工商银行昆山支行" if account else None,
                    bank_account_number=account,
                ),
            )
            org_ids[key] = org.id
        for username, (display, org_key, roles, phone) in USERS.items():
            await accounts.create_user(
                uow,
                accounts.UserData(
                    username=username,
                    display_name=display,
                    organisation_id=org_ids[org_key],
                    password=DEMO_PASSWORD,
                    roles=roles,
                    phone=phone,
                ),
            )
