"""Demo supervision for the demo county (320583):
- the red flags of its processes computed (the demo's tenders ran with short submission
  periods, Cardinal's R003), the first acknowledged by the auditor with what they found and
  the others left open;
- a signed checkpoint of the audit chain, covering everything the demo did (when the
  checkpoint key is configured, as it is in development);
- the auditor's export of the project list, written and ready to download.

The OCDS releases are there already: the other domains' demo processes published them as
their events were delivered. Everything goes through the supervision services, as the API
and the worker would.
"""

from __future__ import annotations

from sqlalchemy import select

from app.demo.core import DEMO_REGION, Demo
from models.supervision import RedFlag
from resolvers.core.clock import today_in_china
from resolvers.core.context import SYSTEM_ACTOR
from resolvers.core.transaction import unit_of_work
from resolvers.supervision import exports, flags
from resolvers.supervision.checkpoints import sign_checkpoint, signer_from

ACKNOWLEDGEMENT = "已核实：该批项目为汛期前道路抢修，经县政府常务会议同意缩短投标期，会议纪要已存档。"


async def load(demo: Demo) -> None:
    state = demo.state
    async with unit_of_work(state, "scheduled.recompute_red_flags", SYSTEM_ACTOR, demo.meta) as uow:
        await flags.recompute_red_flags(uow, today_in_china(uow.now))
    async with state.db.read() as session:
        first = (
            await session.execute(
                select(RedFlag.id).where(RedFlag.region_code == DEMO_REGION, RedFlag.status == "open").order_by(RedFlag.id).limit(1)
            )
        ).scalar_one_or_none()
    auditor = await demo.actor("auditor")
    if first is not None:
        async with unit_of_work(state, "Mutation.acknowledgeRedFlag", auditor, demo.meta) as uow:
            await flags.acknowledge(uow, first, ACKNOWLEDGEMENT)
    async with unit_of_work(state, "Mutation.startExport", auditor, demo.meta) as uow:
        await exports.start_export(uow, state, "list.projects", "xlsx", {})
    signer = signer_from(state.settings)
    if signer is not None:
        await sign_checkpoint(state, signer, force=True)
