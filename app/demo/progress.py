"""Demo construction progress on the road contract in force: the contractor's daily log of
each day of the works so far (five at most), a correction of the first, two site photos (one
taken on site, one two kilometres away, which is flagged and warned of), two check-ins (the
contractor's on site in GCJ-02, as a mini-program reports it, and the supervisor's from its
office, outside the fence, flagged and warned of), the first milestone started, which puts
the project's works in progress, and the supervisor's inspection of it against the road
checklist, with one failed item and its rectification open.

Everything goes through the progress services, as the API would, with the process clock
moved to the moment each step happens (the tendering demo's ``Loader``); the clock is put
back when the loader ends, whether it succeeds or not. The photos are JPEGs made here with
Pillow, their capture time and GPS position written in their EXIF as a phone camera writes
them, so the service reads, measures and thumbnails them as it does a real upload.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

from PIL import Image
from PIL.TiffImagePlugin import IFDRational
from sqlalchemy import select

from app.demo.core import Demo
from app.demo.tendering import DEMO_PROJECTS, Loader, china_at
from models.base import utcnow
from models.contracts import Contract, ContractMilestone
from models.projects import Project
from resolvers.core.clock import SHANGHAI, today_in_china
from resolvers.progress import geo, quality
from resolvers.progress import service as progress
from resolvers.projects.service import Upload

# What the road works did each day, in order: (weather, work done, crew, machinery, materials).
DAYS = [
    ("晴，8～16℃", "施工围挡搭设，现场交通导改标志设置；旧人行道板拆除 180 平方米。", 9, "小型挖掘机 1 台，自卸车 2 辆", "围挡 120 米"),
    ("多云，10～17℃", "旧人行道板拆除 420 平方米，基层清理整平；侧石拆除 60 米。", 12, "小型挖掘机 1 台，自卸车 2 辆", ""),
    ("阴，9～14℃", "碎石垫层摊铺压实 300 平方米；新侧石安砌 45 米。", 14, "压路机 1 台，切割机 2 台", "侧石 50 米，碎石 40 立方米"),
    ("小雨转多云，8～13℃", "上午雨停施工；下午透水砖铺装 160 平方米，完成面洒水养护。", 11, "切割机 2 台", "透水砖 600 平方米"),
    ("晴，6～15℃", "透水砖铺装 260 平方米；检查井井盖调平 4 座。", 13, "切割机 2 台，平板夯 1 台", "井盖座圈 4 套"),
]
# The first log's correction, written the next day.
CORRECTION = "更正：当日旧人行道板拆除面积经复核为 165 平方米。"
# The site (31.4405 N, 120.9934 E, WGS-84, a 300 m fence): a point some 50 m inside, the
# supervisor's office about 1.2 km south-west, and a yard 2 km north where a photo is taken.
ON_SITE = (31.44081, 120.99377)
OFFICE = (31.4325, 120.9855)
YARD = (31.4585, 120.9934)


def _degrees(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    """EXIF's degrees, minutes and seconds (seconds to 1/10000)."""
    seconds = Fraction(round(abs(value) * 36_000_000), 10_000)
    whole_minutes, rest = divmod(seconds, 60)
    degrees, minutes = divmod(whole_minutes, 60)
    return IFDRational(int(degrees)), IFDRational(int(minutes)), IFDRational(rest.numerator, rest.denominator)


def site_photo(latitude: float, longitude: float, taken: datetime, colour: tuple[int, int, int] = (96, 112, 88)) -> bytes:
    """A JPEG as a phone camera writes it: its capture time (local, with its UTC offset) in
    the Exif IFD and its WGS-84 position in the GPS IFD."""
    image = Image.new("RGB", (640, 480), colour)
    image.paste((200, 200, 196), (0, 300, 640, 480))  # pavement below, works above
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Demo", "SiteCam"  # Make, Model
    fields = exif.get_ifd(0x8769)
    fields[0x9003] = taken.astimezone(SHANGHAI).strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    fields[0x9011] = "+08:00"  # OffsetTimeOriginal
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N" if latitude >= 0 else "S", _degrees(latitude)
    gps[3], gps[4] = "E" if longitude >= 0 else "W", _degrees(longitude)
    gps[0x12] = "WGS-84"  # GPSMapDatum
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=85)
    return out.getvalue()


# The quality checklist of road works, kept by the platform.
ROAD_CHECKLIST = (
    "road",
    "道路工程基层及附属检查表",
    [
        quality.ItemData("base_compaction", "基层压实度符合设计要求"),
        quality.ItemData("kerb_alignment", "侧石安装线形顺直、顶面平整"),
    ],
)


@dataclass
class ProgressLoader:
    tenders: Loader

    async def road_contract(self) -> tuple[int, date, int]:
        """The road contract in force: its id, the first day of its works, its first milestone."""
        async with self.tenders.state.db.read() as session:
            contract_id, works_start = (
                await session.execute(
                    select(Contract.id, Contract.works_start)
                    .join(Project, Project.id == Contract.project_id)
                    .where(Project.title == DEMO_PROJECTS["road"][0], Contract.status == "active")
                )
            ).one()
            milestone_id = (
                (
                    await session.execute(
                        select(ContractMilestone.id)
                        .where(ContractMilestone.contract_id == contract_id)
                        .order_by(ContractMilestone.sequence)
                    )
                )
                .scalars()
                .first()
            )
        assert milestone_id is not None
        return contract_id, works_start, milestone_id

    async def check_in(self, username: str, contract_id: int, moment: datetime, where: tuple[float, float]) -> None:
        """A check-in from a mini-program: the WGS-84 position ``where`` as it reports it, in GCJ-02."""
        self.tenders.at(moment)
        reading = geo.wgs84_to_gcj02(*where)
        position = progress.Position(reading[0], reading[1], 12.0, "gcj02", moment)
        async with self.tenders.work(username) as uow:
            await progress.check_in(uow, contract_id, f"demo-check-in-{username}-{moment:%Y%m%d}", position)

    async def photo(self, log_id: int, day: date, where: tuple[float, float], taken: datetime, key: str, name: str) -> None:
        """A photo taken at ``where`` uploaded with the day's log, that evening."""
        self.tenders.at(china_at(day, 18, 10))
        upload = Upload(f"{name}.jpg", "image/jpeg", site_photo(*where, taken))
        async with self.tenders.work("contractor1") as uow:
            await progress.upload_site_photo(uow, self.tenders.state.storage, log_id, f"demo-photo-{key}", upload)

    async def load(self) -> None:
        today = today_in_china(utcnow())
        contract_id, works_start, first_milestone = await self.road_contract()
        days = [works_start + timedelta(days=n) for n in range(min(len(DAYS), (today - works_start).days))]
        assert len(days) >= 2, "the contracts demo starts the road works at least two days before today"
        first_log = 0
        for number, (day, (weather, work, crew, machinery, materials)) in enumerate(zip(days, DAYS, strict=False)):
            if number == 0:
                # The first morning the contractor checks in on site and starts the first milestone.
                await self.check_in("contractor1", contract_id, china_at(day, 7, 50), ON_SITE)
                self.tenders.at(china_at(day, 8, 30))
                async with self.tenders.work("contractor1") as uow:
                    await progress.start_milestone(uow, first_milestone)
            if number == 1:
                # The supervisor checks in from its office: outside the fence, flagged.
                await self.check_in("supervisor", contract_id, china_at(day, 9, 5), OFFICE)
            # Each evening the contractor writes the day's log.
            self.tenders.at(china_at(day, 18))
            data = progress.LogData(weather=weather, work_done=work, crew_count=crew, machinery=machinery, materials=materials)
            async with self.tenders.work("contractor1") as uow:
                log_id = (await progress.create_daily_log(uow, contract_id, day, f"demo-log-{day:%Y%m%d}", data)).id
            if number == 0:
                first_log = log_id
                await self.photo(log_id, day, ON_SITE, china_at(day, 10, 15), "on-site", f"现场-{day:%m%d}")
            if number == 1:
                self.tenders.at(china_at(day, 18, 30))
                async with self.tenders.work("contractor1") as uow:
                    await progress.correct_daily_log(uow, first_log, CORRECTION)
            if number == len(days) - 1:
                # Paving stones photographed at the supplier's yard, outside the fence: flagged.
                await self.photo(log_id, day, YARD, china_at(day, 14, 40), "yard", f"材料-{day:%m%d}")
        # The supervisor inspects the first milestone's works on the last day: the base course
        # passes, the kerb line does not, which opens a rectification for the contractor.
        await self.inspect(contract_id, first_milestone, days[-1])

    async def inspect(self, contract_id: int, milestone_id: int, day: date) -> None:
        self.tenders.at(china_at(day, 15, 30))
        async with self.tenders.work("admin") as uow:
            template = await quality.create_template(uow, ROAD_CHECKLIST[0], ROAD_CHECKLIST[1], ROAD_CHECKLIST[2])
        self.tenders.at(china_at(day, 16))
        answers = [
            quality.Answer("base_compaction", True, "灌砂法检测压实度 96%，合格。"),
            quality.Answer("kerb_alignment", False, "K0+120～K0+160 段侧石线形不顺直，最大偏差 2.5 cm。"),
        ]
        async with self.tenders.work("supervisor") as uow:
            await quality.record_inspection(uow, contract_id, milestone_id, template.id, answers, "第一节点基层分项检查。")


async def load(demo: Demo) -> None:
    """A few days of progress on the road contract, through the real services."""
    try:
        await ProgressLoader(Loader(demo)).load()
    finally:
        demo.state.clock.offset = timedelta()
