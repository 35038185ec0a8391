"""Demo projects of the owner, one in every status of the application module."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.demo.core import Demo, demo_pdf
from models.base import utcnow
from models.projects import ProjectReview
from resolvers.core.clock import today_in_china
from resolvers.core.transaction import unit_of_work
from resolvers.projects import service as projects

# (title, category, budget, line items [(name, quantity, unit, unit price)], what happens to it)
DEMO_PROJECTS = [
    ("周市镇绿化带补植工程", "greening", "86000.00", [("乔木补植", "120", "株", "450.00"), ("草坪修复", "1600", "m²", "20.00")], "draft"),
    (
        "青阳路东段路面修复工程",
        "road",
        "240000.00",
        [("沥青路面铣刨重铺", "3000", "m²", "65.00"), ("路缘石更换", "450", "m", "90.00"), ("交通标线", "1", "项", "4500.00")],
        "submitted",
    ),
    ("新镇社区老旧小区屋面防水改造", "building_repair", "176000.00", [("屋面防水卷材", "2200", "m²", "80.00")], "reviewed"),
    (
        "陆杨村灌溉渠清淤加固",
        "water",
        "142800.00",
        [("渠道清淤", "1200", "m³", "44.00"), ("浆砌石护坡", "340", "m³", "264.00"), ("闸门维修", "1", "项", "240.00")],
        "approved",
    ),
    ("周市中学运动场照明设备采购", "equipment", "98000.00", [("LED 投光灯", "40", "套", "2450.00")], "rejected"),
    ("市北村便民桥栏杆更换", "other", "45000.00", [("不锈钢栏杆", "150", "m", "300.00")], "cancelled"),
]


async def load(demo: Demo) -> None:
    """Projects in every status of the application module, through the real resolvers."""
    state, org_ids, meta = demo.state, demo.organisations, demo.meta
    owner, reviewer, finance = await demo.actor("owner"), await demo.actor("reviewer"), await demo.actor("finance")
    today = today_in_china(utcnow())
    async with unit_of_work(state, "cli.demo-data", finance, meta) as uow:
        for year, amount in ((today.year, "1200000.00"), (today.year + 1, "3000000.00")):
            await projects.set_allocation(uow, org_ids["owner"], year, Decimal(amount))

    for index, (title, category, budget, items, fate) in enumerate(DEMO_PROJECTS):
        start = today + timedelta(days=30 + 10 * index)
        data = projects.ProjectData(
            title=title,
            category=category,
            budget_amount=Decimal(budget),
            funding_source="县级财政小额工程专项资金",
            description=f"{title}：位于昆山市周市镇，属小额工程。",
            location=projects.Location(31.4305 + index / 1000, 121.0034 + index / 1000, 300),
            planned_start=start,
            planned_end=start + timedelta(days=60),
            line_items=[projects.LineItemData(n, Decimal(q), u, Decimal(p)) for n, q, u, p in items],
        )
        async with unit_of_work(state, "cli.demo-data", owner, meta) as uow:
            project = await projects.create_project(uow, data)
            if fate == "draft":
                continue
            for document_type in ("proposal", "budget_table") + projects.REQUIRED_DOCUMENTS_BY_CATEGORY.get(category, ()):
                upload = projects.Upload(f"{document_type}.pdf", "application/pdf", demo_pdf(f"{project.code} {document_type}"))
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
            await projects.decide_review(
                uow, review, fate != "rejected", "设备选型与学校需求不符，请补充论证。" if fate == "rejected" else "同意。"
            )
        if fate in ("reviewed", "rejected"):
            continue
        async with unit_of_work(state, "cli.demo-data", finance, meta) as uow:
            await projects.decide_review(uow, await _pending_review(uow, project.id), True, "预算指标充足，同意立项。")


async def _pending_review(uow, project_id: int) -> int:
    return (
        await uow.session.execute(select(ProjectReview.id).where(ProjectReview.project_id == project_id, ProjectReview.status == "pending"))
    ).scalar_one()
