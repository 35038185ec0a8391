"""Time to open a tender with N sealed bids (50 by default) on PostgreSQL, decryption included.

    .venv/bin/python bench/tender_opening.py [--bids 50] [--repeat 3]

Creates a fresh PostgreSQL database on 127.0.0.1 (user postgres), migrates it and loads the
demo data. Then, per repetition: an approved project of the demo owner, a published simple
tender, N contractors each submitting a sealed bid with one 200 KB PDF, the clock moved to
the opening time, and ``openTender``'s service function timed: unwrapping the tender's key,
unsealing every bid and hashing it against its receipt, reading, decrypting and hashing every
document against the content, recording the opening, and drawing the committee, in one
transaction. Prints each run and the median. Drops the database at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _pdf(size: int) -> bytes:
    from app.demo.core import demo_pdf

    body = demo_pdf("bid")
    # Padding inside a comment keeps the file a valid PDF of about ``size`` bytes.
    return body.replace(b"%PDF-1.4\n", b"%PDF-1.4\n%" + os.urandom(size // 2).hex().encode()[: size - len(body)] + b"\n", 1)


async def run(n_bids: int, repeat: int) -> None:
    import asyncpg
    from sqlalchemy import select
    from stdnum.cn import uscc

    from app.demo import load_demo_data
    from app.demo.core import Demo, demo_pdf
    from app.migrate import upgrade
    from app.settings import Settings
    from app.state import AppState
    from models.accounts import User
    from models.projects import PROJECT_CATEGORIES, ProjectReview
    from resolvers.accounts import service as accounts
    from resolvers.core.clock import SHANGHAI, today_in_china
    from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
    from resolvers.core.transaction import unit_of_work
    from resolvers.core.workdays import add_working_days
    from resolvers.projects import service as projects
    from resolvers.tendering import bids, draw, evaluation
    from resolvers.tendering import service as tenders

    name = f"sw_bench_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(host="127.0.0.1", user="postgres", database="postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    meta = RequestMeta(request_id="bench")
    try:
        await asyncio.to_thread(upgrade, url)
        settings = Settings(env="development", database_url=url, storage_dir=Path(tempfile.mkdtemp(prefix="smallworks-bench-")))
        state = AppState.create(settings)
        await load_demo_data(state)
        demo = Demo(state)
        owner, reviewer, finance = await demo.actor("owner"), await demo.actor("reviewer"), await demo.actor("finance")
        async with unit_of_work(state, "bench", SYSTEM_ACTOR, meta) as uow:
            experts = (await uow.session.execute(select(User.id).where(User.username.like("expert%")))).scalars().all()
            for user_id in experts:
                await evaluation.set_specialties(uow, user_id, list(PROJECT_CATEGORIES))
            owner_org = (await uow.session.execute(select(User.organisation_id).where(User.id == owner.id))).scalar_one()
            await projects.set_allocation(uow, owner_org, today_in_china(uow.now).year, Decimal("100000000.00"))
            await projects.set_allocation(uow, owner_org, today_in_china(uow.now).year + 1, Decimal("100000000.00"))
        suppliers = []
        async with unit_of_work(state, "bench", SYSTEM_ACTOR, meta) as uow:
            for i in range(n_bids):
                body = f"91320583MB{i:07d}"
                org = await accounts.create_organisation(
                    uow,
                    accounts.OrganisationData(
                        name=f"基准施工单位{i}", kind="contractor", uscc=body + uscc.calc_check_digit(body), region_code="320583"
                    ),
                )
                user = await accounts.create_user(
                    uow,
                    accounts.UserData(
                        username=f"bench{i}",
                        display_name=f"基准{i}",
                        organisation_id=org.id,
                        password="smallworks-demo",
                        roles=["contractor"],
                    ),
                )
                suppliers.append(user.id)
        actors = [await demo.actor(f"bench{i}") for i in range(n_bids)]
        attachment = _pdf(200_000)
        timings = []
        for run_number in range(repeat):
            state.clock.offset = timedelta()
            start = today_in_china(state.clock.now()) + timedelta(days=20)
            async with unit_of_work(state, "bench", owner, meta) as uow:
                project = await projects.create_project(
                    uow,
                    projects.ProjectData(
                        title=f"开标基准项目{run_number}",
                        category="greening",
                        budget_amount=Decimal("400000.00"),
                        funding_source="基准",
                        location=projects.Location(31.43, 121.0, 300),
                        planned_start=start,
                        planned_end=start + timedelta(days=60),
                        line_items=[projects.LineItemData("绿化", Decimal("1"), "项", Decimal("400000.00"))],
                    ),
                )
                for document_type in ("proposal", "budget_table"):
                    upload = projects.Upload(f"{document_type}.pdf", "application/pdf", demo_pdf(document_type))
                    await projects.upload_document(uow, state.storage, project.id, document_type, upload)
            async with unit_of_work(state, "bench", owner, meta) as uow:
                await projects.submit_project(uow, project.id, None)
            for decider in (reviewer, finance):
                async with unit_of_work(state, "bench", decider, meta) as uow:
                    review = (
                        await uow.session.execute(
                            select(ProjectReview.id).where(ProjectReview.project_id == project.id, ProjectReview.status == "pending")
                        )
                    ).scalar_one()
                    await projects.decide_review(uow, review, True, "同意。")
            day = add_working_days(today_in_china(state.clock.now()), 3) + timedelta(days=1)
            deadline = datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI).astimezone(UTC)
            seed = draw.new_seed()
            async with unit_of_work(state, "bench", owner, meta) as uow:
                template = await tenders.create_template(
                    uow,
                    tenders.TemplateData(
                        name=f"基准模板{run_number}",
                        method="simple_tender",
                        required_documents=[tenders.DocumentRequirement("proposal", "技术方案")],
                        criteria=[
                            tenders.CriterionData("price", "价格", "price", "60"),
                            tenders.CriterionData("technical", "技术", "quality", "40"),
                        ],
                    ),
                )
                tender = await tenders.create_tender(
                    uow,
                    tenders.TenderData(
                        project_id=project.id,
                        template_id=template.id,
                        ceiling_price="390000.00",
                        bid_deadline=deadline,
                        opening_time=deadline,
                        clarification_deadline=deadline - timedelta(days=1),
                    ),
                )
            async with unit_of_work(state, "bench", owner, meta) as uow:
                await tenders.publish_tender(uow, tender.id, draw.commitment_of(seed))
            for i, actor in enumerate(actors):
                async with unit_of_work(state, "bench", actor, meta) as uow:
                    upload = projects.Upload("技术方案.pdf", "application/pdf", attachment)
                    data = bids.BidData(price=f"{380000 - i * 10}.00", answers=[], documents=[bids.BidDocument("proposal", upload)])
                    await bids.submit_bid(uow, state.storage, tender.id, data)
            state.clock.offset = deadline - datetime.now(UTC) + timedelta(seconds=1)
            started = time.perf_counter()
            async with unit_of_work(state, "bench", owner, meta) as uow:
                opened = await bids.open_tender(uow, state.storage, tender.id, seed)
            elapsed = time.perf_counter() - started
            assert opened.status == "opened" and opened.number_of_tenderers == n_bids, (opened.status, opened.number_of_tenderers)
            timings.append(elapsed)
            print(
                f"run {run_number + 1}: opened {n_bids} bids (each with a {len(attachment) // 1000} KB document) in {elapsed * 1000:.0f} ms"
            )
        state.clock.offset = timedelta()
        print(f"median: {statistics.median(timings) * 1000:.0f} ms to open a tender with {n_bids} bids on PostgreSQL, decryption included")
        await state.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bids", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(run(args.bids, args.repeat))
