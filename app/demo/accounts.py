"""Demo data for the demo county (320583): organisations and one user per role.

Loaded through the same resolver functions as the API, so it is validated and audited
like any other change. Idempotent: a second run finds the demo organisations and stops.
Never loaded in production.
"""

from __future__ import annotations

from sqlalchemy import select
from stdnum.cn import uscc

from app.context import unit_of_work
from app.state import AppState
from models.accounts import Organisation
from resolvers.accounts import service as accounts
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta

DEMO_PASSWORD = "smallworks-demo"
DEMO_REGION = "320583"


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


async def load_demo_data(state: AppState) -> bool:
    """Returns False if the demo data was already there."""
    if state.settings.production:
        raise RuntimeError("demo data is never loaded in production")
    first = _uscc(ORGANISATIONS["platform"][2])
    async with state.db.read() as session:
        if (await session.execute(select(Organisation.id).where(Organisation.uscc == first))).first():
            return False
    async with unit_of_work(state, "cli.demo-data", SYSTEM_ACTOR, RequestMeta(request_id="demo-data")) as uow:
        org_ids = {}
        for key, (name, kind, base, account) in ORGANISATIONS.items():
            org = await accounts.create_organisation(
                uow,
                accounts.OrganisationData(
                    name=name, kind=kind, uscc=_uscc(base), region_code=DEMO_REGION,
                    bank_name="中国工商银行昆山支行" if account else None, bank_account_number=account,
                ),
            )
            org_ids[key] = org.id
        for username, (display, org_key, roles, phone) in USERS.items():
            await accounts.create_user(
                uow,
                accounts.UserData(
                    username=username, display_name=display, organisation_id=org_ids[org_key],
                    password=DEMO_PASSWORD, roles=roles, phone=phone,
                ),
            )
    await load_demo_projects(state, org_ids)
    return True


def _demo_pdf(title: str) -> bytes:
    """A small valid PDF, so demo documents download and open."""
    text = title.encode("ascii", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\nBT /F1 18 Tf 72 760 Td (%s) Tj ET\nendstream" % (len(text) + 35, text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# (title, category, budget, line items [(name, quantity, unit, unit price)], what happens to it)
DEMO_PROJECTS = [
    ("周市镇绿化带补植工程", "greening", "86000.00", [("乔木补植", "120", "株", "450.00"), ("草坪修复", "1600", "m²", "20.00")], "draft"),
    ("青阳路东段路面修复工程", "road", "240000.00", [("沥青路面铣刨重铺", "3000", "m²", "65.00"), ("路缘石更换", "450", "m", "90.00"), ("交通标线", "1", "项", "4500.00")], "submitted"),
    ("新镇社区老旧小区屋面防水改造", "building_repair", "176000.00", [("屋面防水卷材", "2200", "m²", "80.00")], "reviewed"),
    ("陆杨村灌溉渠清淤加固", "water", "142800.00", [("渠道清淤", "1200", "m³", "44.00"), ("浆砌石护坡", "340", "m³", "264.00"), ("闸门维修", "1", "项", "240.00")], "approved"),
    ("周市中学运动场照明设备采购", "equipment", "98000.00", [("LED 投光灯", "40", "套", "2450.00")], "rejected"),
    ("市北村便民桥栏杆更换", "other", "45000.00", [("不锈钢栏杆", "150", "m", "300.00")], "cancelled"),
]


async def load_demo_projects(state: AppState, org_ids: dict[str, int]) -> None:
    """Projects in every status of the application module, through the real resolvers."""
    from datetime import timedelta
    from decimal import Decimal

    from models.base import utcnow
    from resolvers.projects import service as projects
    from resolvers.accounts.auth import load_user_actor
    from models.accounts import User

    async def actor_of(username: str):
        async with state.db.read() as session:
            user_id = (await session.execute(select(User.id).where(User.username == username))).scalar_one()
            return await load_user_actor(session, user_id, None)

    owner, reviewer, finance = await actor_of("owner"), await actor_of("reviewer"), await actor_of("finance")
    meta = RequestMeta(request_id="demo-data")
    today = projects.today_in_china(utcnow())
    async with unit_of_work(state, "cli.demo-data", finance, meta) as uow:
        for year, amount in ((today.year, "1200000.00"), (today.year + 1, "3000000.00")):
            await projects.set_allocation(uow, org_ids["owner"], year, Decimal(amount))

    for index, (title, category, budget, items, fate) in enumerate(DEMO_PROJECTS):
        start = today + timedelta(days=30 + 10 * index)
        data = projects.ProjectData(
            title=title, category=category, budget_amount=Decimal(budget), funding_source="县级财政小额工程专项资金",
            description=f"{title}：位于昆山市周市镇，属小额工程。",
            location=projects.Location(31.4305 + index / 1000, 121.0034 + index / 1000, 300),
            planned_start=start, planned_end=start + timedelta(days=60),
            line_items=[projects.LineItemData(n, Decimal(q), u, Decimal(p)) for n, q, u, p in items],
        )
        async with unit_of_work(state, "cli.demo-data", owner, meta) as uow:
            project = await projects.create_project(uow, data)
            if fate == "draft":
                continue
            for document_type in ("proposal", "budget_table") + projects.REQUIRED_DOCUMENTS_BY_CATEGORY.get(category, ()):
                upload = projects.Upload(f"{document_type}.pdf", "application/pdf", _demo_pdf(f"{project.code} {document_type}"))
                await projects.upload_document(uow, state.storage, project.id, document_type, upload)
        async with unit_of_work(state, "cli.demo-data", owner, meta) as uow:
            await projects.submit_project(uow, project.id, "请审核。")
        if fate == "submitted":
            continue
        if fate == "cancelled":
            async with unit_of_work(state, "cli.demo-data", owner, meta) as uow:
                await projects.cancel_project(uow, project.id, "村委会决定与明年道路工程合并实施。")
            continue
        async with unit_of_work(state, "cli.demo-data", reviewer, meta) as uow:
            review = await _pending_review(uow, project.id)
            await projects.decide_review(uow, review, fate != "rejected", "设备选型与学校需求不符，请补充论证。" if fate == "rejected" else "同意。")
        if fate in ("reviewed", "rejected"):
            continue
        async with unit_of_work(state, "cli.demo-data", finance, meta) as uow:
            await projects.decide_review(uow, await _pending_review(uow, project.id), True, "预算指标充足，同意立项。")


async def _pending_review(uow, project_id: int) -> int:
    from models.projects import ProjectReview

    return (await uow.session.execute(
        select(ProjectReview.id).where(ProjectReview.project_id == project_id, ProjectReview.status == "pending")
    )).scalar_one()
