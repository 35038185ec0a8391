"""Seeding one province for ``bench/province.py``: organisations, projects along their whole
lifecycle, tenders and bids, contracts and milestones, payment terms and requests, daily
logs, inspections, rectifications, warnings, budget allocations and reservations.

Each row is planned in Python from one seeded ``random.Random`` (the same scale gives the
same rows) and streamed into PostgreSQL with binary COPY, table by table in the order of
the foreign keys, which stay checked: the rows satisfy every constraint of the models.

How the lifecycle is laid out: every project is given its status first, in fixed quotas
(``PROJECT_QUOTAS``, × scale) that make the row counts of the issue exact: 100,000 projects,
80,000 contracts (one per project that signed), 400,000 milestones (five a contract),
200,000 payment requests and 1,000,000 daily logs, and about 300,000 bids (made exact by
adjusting the bids of successful tenders). Then the durations of every stage are drawn
(application → approval, whose median falls from about 15 days in the first year to about 4
in the last, as the system took hold; approval → tender, the bidding period, evaluation,
publicity, signing, works, acceptance, final payment, the defect liability year, retention),
and the application date is drawn inside the window in which the project, so timed, stands
in its status today. Every event therefore lies in the past and in the right order, and the
status-change history of each project, tender and contract follows its events.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

# bench/province.py puts the project root on sys.path before importing this module.
from models.projects import KEY_DATES

DAY = 86400.0
CHINA = 8 * 3600.0  # Asia/Shanghai is UTC+8 all year

PROVINCE = ("330000", "浙江省")
CITIES = [
    ("330100", "杭州市"),
    ("330200", "宁波市"),
    ("330300", "温州市"),
    ("330400", "嘉兴市"),
    ("330500", "湖州市"),
    ("330600", "绍兴市"),
    ("330700", "金华市"),
    ("330800", "衢州市"),
    ("330900", "舟山市"),
    ("331000", "台州市"),
    ("331100", "丽水市"),
    ("331200", "东阳市"),
    ("331300", "海宁市"),
]
COUNTIES_PER_CITY = 8
DISTRICTS = ["东城区", "西湖区", "南湖区", "北山区", "新港区", "青山县", "临江县", "白云县"]
TOWNS = ["城关镇", "新桥镇", "青石镇", "梅溪镇", "临湖镇", "东岭镇", "双河镇", "石门镇"]
FIRMS = [
    "通达", "鸿业", "恒信", "正和", "永安", "嘉禾", "宏远", "天成", "瑞丰", "华建", "金鼎", "安泰",
    "广源", "兴华", "盛世", "长河", "新宇", "汇通", "联创", "百川", "万泰", "德润", "锦程", "明泰",
]  # fmt: skip
TRADES = ["市政工程", "园林景观", "建筑修缮", "水利建设", "机电设备", "交通设施"]
CONTRACTORS_PER_CITY = 24
SUPERVISORS_PER_CITY = 3

CATEGORIES = [("road", 30), ("greening", 15), ("building_repair", 20), ("water", 15), ("equipment", 10), ("other", 10)]
CATEGORY_TITLES = {
    "road": "道路修复工程",
    "greening": "绿化补植工程",
    "building_repair": "房屋修缮工程",
    "water": "灌溉渠清淤加固",
    "equipment": "设备采购",
    "other": "便民设施改造",
}
QUALIFICATION_OF = {
    "road": "municipal_works",
    "greening": "landscaping",
    "building_repair": "building_works",
    "water": "water_conservancy",
    "equipment": "electrical",
    "other": "decoration",
}

# Project statuses at scale 1 (they sum to 100,000; the contract statuses to 80,000). The
# tendering statuses name the tender's status; in_progress is split at the third milestone
# (the one the progress payment waits for).
PROJECT_QUOTAS = {
    "draft": 800,
    "submitted": 1_000,
    "rejected": 9_000,
    "cancelled": 6_000,
    "approved": 600,
    "tendering:published": 1_100,
    "tendering:opened": 250,
    "tendering:evaluated": 100,
    "tendering:publicity": 350,
    "tendering:awarded": 800,
    "contracted": 1_200,
    "in_progress:a": 5_400,
    "in_progress:b": 3_000,
    "completed": 29_400,
    "closed": 41_000,
}
CONTRACT_STATUSES = ("contracted", "in_progress:a", "in_progress:b", "completed", "closed")
TARGET = {
    "projects": 100_000,
    "contracts": 80_000,
    "bids": 300_000,
    "milestones": 400_000,
    "payment_requests": 200_000,
    "daily_logs": 1_000_000,
}
MILESTONES = [
    ("M1", "施工准备及基层处理"),
    ("M2", "主体工程施工"),
    ("M3", "主体工程完成"),
    ("M4", "附属工程及清理"),
    ("M5", "竣工验收"),
]
PAYMENT_MILESTONE = 3  # the progress payment waits for M3
RETENTION_SHARE_CLOSED = 0.6  # closed contracts that held retention (the rest had none)
RETENTION_SHARE_OPEN = 0.95  # completed (and earlier) contracts that hold retention
WEATHER = ["晴", "多云", "阴", "小雨", "晴转多云", "阵雨"]
WORK = ["基层开挖及清运", "铺设碎石垫层", "浇筑混凝土", "安装路缘石", "种植乔木", "清理场地", "砌筑挡墙", "管道铺设", "设备安装调试"]
APPROVAL_CHAIN = "owner_staff,finance_officer"
REQUIRED_DOCUMENTS = json.dumps([{"key": "licence", "name": "营业执照"}, {"key": "quote", "name": "报价单"}], ensure_ascii=False)
CRITERIA = {
    "rfq": json.dumps([{"key": "price", "name": "价格", "kind": "price", "weight": 100}], ensure_ascii=False),
    "competitive_negotiation": json.dumps([{"key": "price", "name": "价格", "kind": "price", "weight": 100}], ensure_ascii=False),
    "simple_tender": json.dumps(
        [
            {"key": "price", "name": "价格", "kind": "price", "weight": 60},
            {"key": "plan", "name": "施工方案", "kind": "quality", "weight": 40},
        ],
        ensure_ascii=False,
    ),
}


# -- time -----------------------------------------------------------------------------------


def at(t: float) -> datetime:
    """A plan time (seconds since the epoch) as an aware UTC datetime, to the second."""
    return datetime.fromtimestamp(int(t), UTC)


def china_day(t: float) -> date:
    """The date in China of a plan time."""
    return datetime.fromtimestamp(int(t + CHINA), UTC).date()


def day_start(d: date) -> float:
    """00:00 China time of ``d`` as a plan time."""
    return datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp() - CHINA


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    days = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return date(year, month, min(d.day, days[month - 1]))


def spread(total: int, weights: list[float], caps: list[int] | None = None) -> list[int]:
    """``total`` split over ``weights`` in whole numbers that add up exactly (largest
    remainders), none above its cap."""
    if not weights:
        return []
    s = sum(weights) or 1.0
    raw = [total * w / s for w in weights]
    counts = [int(r) for r in raw]
    if caps:
        counts = [min(c, cap) for c, cap in zip(counts, caps, strict=True)]
    order = sorted(range(len(weights)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    left = total - sum(counts)
    while left > 0:
        moved = False
        for i in order:
            if left == 0:
                break
            if caps is None or counts[i] < caps[i]:
                counts[i] += 1
                left -= 1
                moved = True
        if not moved:
            break
    return counts


def evenly(count: int, total: int) -> list[bool]:
    """``count`` of ``total`` positions marked, spread evenly."""
    return [(i + 1) * count // total > i * count // total for i in range(total)] if total else []


# -- the plan -------------------------------------------------------------------------------


@dataclass(slots=True)
class Org:
    id: int
    name: str
    kind: str
    region: str
    user_id: int | None = None
    user_name: str = ""


@dataclass(slots=True)
class TenderPlan:
    id: int
    code: str
    round: int
    method: str
    status: str
    ceiling: int
    created: float
    published: float
    deadline: float
    opening: float
    opened: float | None = None
    evaluated: float | None = None
    publicity: float | None = None
    awarded: float | None = None
    failed: float | None = None
    bids: int = 0
    prices: list[int] = field(default_factory=list)
    bidders: list[int] = field(default_factory=list)
    disqualified: set[int] = field(default_factory=set)
    winner: int | None = None  # position in prices
    submitted: list[float] = field(default_factory=list)  # when each bid came in
    bid_ids: list[int] = field(default_factory=list)


@dataclass(slots=True)
class ContractPlan:
    id: int
    code: str
    contractor: Org
    supervisor: Org
    amount: int
    amount_reason: str | None
    created: float
    submitted: float
    signed: float
    works_start: date
    works_end: date
    started: float | None  # the first milestone started
    submitted_ms: list[float]  # when each milestone was submitted for acceptance
    accepted: list[float]  # when each milestone was accepted (plan; only those <= now happened)
    planned: list[date]
    status: str
    completed: float | None
    has_advance: bool
    has_retention: bool
    final_paid: float | None
    retention_paid: float | None
    terms: list[tuple] = field(default_factory=list)


@dataclass(slots=True)
class ProjectPlan:
    id: int
    code: str
    status: str  # the project's status column
    group: str  # the quota it was drawn for
    region: str
    owner: Org
    category: str
    budget: int
    created: float
    history: list[tuple[str | None, str, str, float]] = field(default_factory=list)
    submissions: int = 0
    approved: float | None = None
    planned_start: date | None = None
    planned_end: date | None = None
    tenders: list[TenderPlan] = field(default_factory=list)
    contract: ContractPlan | None = None
    cancelled_from: str | None = None


@dataclass
class Seeded:
    counts: dict[str, int]
    seconds: dict[str, float]
    province: str
    city: str
    county: str
    users: dict[str, str]  # level -> username
    now: datetime

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


class Planner:
    def __init__(self, scale: float, now: datetime, ids: dict[str, int]):
        self.scale = scale
        self.rng = random.Random(20261127)
        self.now = now.timestamp()
        self.now_dt = now
        china_now = china_day(self.now)
        self.t0 = day_start(date(china_now.year - 2, 1, 1))  # three calendar years, the first from 1 January
        self.ids = ids
        self.counters: dict[str, int] = {}
        self.milestone_ids: dict[int, int] = {}  # contract id -> its first milestone's id

    def next_id(self, table: str) -> int:
        n = self.ids[table]
        self.ids[table] = n + 1
        return n

    def count(self, what: str) -> int:
        n = self.counters.get(what, 0) + 1
        self.counters[what] = n
        return n

    # -- organisations ------------------------------------------------------------------

    def organisations(self) -> None:
        rng = self.rng
        self.cities = CITIES
        self.counties: list[tuple[str, str, str]] = []  # (code, name, city code)
        for city, city_name in CITIES:
            for k in range(COUNTIES_PER_CITY):
                self.counties.append((f"{city[:4]}{k + 1:02d}", f"{city_name}{DISTRICTS[k]}", city))
        self.orgs: list[Org] = []
        self.users: list[tuple[int, str, str, int, str]] = []  # id, username, display, org, role
        self.owners: dict[str, list[Org]] = {}
        self.contractors: dict[str, list[Org]] = {}
        self.supervisors: dict[str, list[Org]] = {}
        self.bench_users: dict[str, str] = {}

        def org(name: str, kind: str, region: str) -> Org:
            o = Org(self.next_id("organisations"), name, kind, region)
            self.orgs.append(o)
            return o

        def user(o: Org, username: str, display: str, role: str) -> None:
            uid = self.next_id("users")
            o.user_id, o.user_name = uid, display
            self.users.append((uid, username, display, o.id, role))

        auditor = org(f"{PROVINCE[1]}审计厅", "auditor", PROVINCE[0])
        user(auditor, "bench_auditor_province", "省审计厅 审计员", "auditor")
        self.bench_users["province"] = "bench_auditor_province"
        for ci, (city, city_name) in enumerate(CITIES):
            a = org(f"{city_name}审计局", "auditor", city)
            if ci == 0:
                user(a, "bench_auditor_city", f"{city_name}审计局 审计员", "auditor")
                self.bench_users["city"] = "bench_auditor_city"
            self.contractors[city] = []
            for j in range(CONTRACTORS_PER_CITY):
                trade = TRADES[(j + ci) % len(TRADES)]
                o = org(
                    f"{city_name[:2]}{FIRMS[j]}{trade}有限公司",
                    "contractor",
                    self.counties[ci * COUNTIES_PER_CITY + j % COUNTIES_PER_CITY][0],
                )
                user(o, f"bench_contractor_{o.id}", f"{FIRMS[j]}{trade} 项目经理", "contractor")
                self.contractors[city].append(o)
            self.supervisors[city] = []
            for j in range(SUPERVISORS_PER_CITY):
                o = org(f"{city_name[:2]}{FIRMS[-1 - j]}工程监理有限公司", "supervisor", city)
                user(o, f"bench_supervisor_{o.id}", f"{FIRMS[-1 - j]}监理 总监", "supervisor")
                self.supervisors[city].append(o)
        for n, (county, name, _city) in enumerate(self.counties):
            a = org(f"{name}审计局", "auditor", county)
            if n == 0:
                user(a, "bench_auditor_county", f"{name}审计局 审计员", "auditor")
                self.bench_users["county"] = "bench_auditor_county"
            town = org(f"{name}{TOWNS[n % len(TOWNS)]}人民政府", "owner", county)
            user(town, f"bench_owner_{town.id}", f"{TOWNS[n % len(TOWNS)]}经办人", "owner_staff")
            bureau = org(f"{name}住房和城乡建设局", "owner", county)
            user(bureau, f"bench_owner_{bureau.id}", "住建局经办人", "owner_staff")
            self.owners[county] = [town, bureau]
        # Bigger and smaller counties: weights for where projects are.
        self.county_weights = [0.4 + 1.2 * rng.random() for _ in self.counties]
        self.county_slowness = [rng.uniform(-2.5, 3.5) for _ in self.counties]  # days added to approval

    def uscc(self, o: Org) -> str:
        prefix = "11" if o.kind in ("owner", "auditor") else "91"
        return f"{prefix}{o.region}MA{o.id:08d}"[:18]

    # -- projects -----------------------------------------------------------------------

    def quotas(self) -> dict[str, int]:
        s = self.scale
        contract_total = round(TARGET["contracts"] * s)
        other_total = round(TARGET["projects"] * s) - contract_total
        groups_c = [g for g in PROJECT_QUOTAS if g in CONTRACT_STATUSES]
        groups_o = [g for g in PROJECT_QUOTAS if g not in CONTRACT_STATUSES]
        counts = dict(zip(groups_c, spread(contract_total, [PROJECT_QUOTAS[g] for g in groups_c]), strict=True))
        counts.update(zip(groups_o, spread(other_total, [PROJECT_QUOTAS[g] for g in groups_o]), strict=True))
        return counts

    def approval_days(self, t: float, county_index: int, noise: float) -> float:
        """Application → approval: about 15 days in the first year, about 4 in the last."""
        progress = min(1.0, max(0.0, (t - self.t0) / (self.now - self.t0)))
        trend = 15.0 - 11.0 * progress + self.county_slowness[county_index] * (1.0 - 0.6 * progress)
        return max(0.3, trend * noise)

    def projects(self) -> None:
        rng = self.rng
        quotas = self.quotas()
        groups: list[str] = []
        for g, n in quotas.items():
            groups.extend([g] * n)
        rng.shuffle(groups)
        cat_names = [c for c, _ in CATEGORIES]
        cat_weights = [w for _, w in CATEGORIES]
        self.plans: list[ProjectPlan] = []
        for group in groups:
            ci = rng.choices(range(len(self.counties)), weights=self.county_weights)[0]
            county, county_name, city = self.counties[ci]
            owner = self.owners[county][0 if rng.random() < 0.7 else 1]
            category = rng.choices(cat_names, weights=cat_weights)[0]
            budget_yuan = min(495_000.0, max(20_000.0, rng.lognormvariate(math.log(150_000), 0.55)))
            budget = int(round(budget_yuan / 10.0)) * 1000  # whole tens of yuan, in fen
            pid = self.next_id("projects")
            p = ProjectPlan(pid, "", "", group, county, owner, category, budget, 0.0)
            self.lay_out(p, ci)
            year = china_day(p.created).year
            p.code = f"XM-{year}-P{self.count('project-' + str(year)):06d}"
            self.plans.append(p)
        self.plans.sort(key=lambda p: p.created)  # ids in order of application, as a live system would give them
        for new_id, p in zip(sorted(p.id for p in self.plans), self.plans, strict=True):
            p.id = new_id

    def lay_out(self, p: ProjectPlan, ci: int) -> None:
        """Draw the durations of the stages and the application time that puts ``p`` in its
        status today; fill in its events."""
        rng = self.rng
        group = p.group
        for _attempt in range(50):
            d = self.durations(group, p.budget)
            noise = rng.lognormvariate(0.0, 0.35)
            # First pass: the trend at a guess of the time, then at the time drawn.
            guess = self.now - 0.5 * (self.now - self.t0) if group in ("rejected", "cancelled", "closed") else self.now - 60 * DAY
            u = rng.random()
            created = None
            for _ in range(2):
                offsets = self.offsets(d, self.approval_days(guess, ci, noise), group)
                window = self.window(group, offsets)
                if window is None:
                    break
                lo, hi = window
                created = lo + u * (hi - lo)
                guess = created + offsets["submit"] * DAY
            if created is None:
                continue
            offsets = self.offsets(d, self.approval_days(created + d["draft"] * DAY, ci, noise), group)
            window = self.window(group, offsets)
            if window is None or not (window[0] <= created <= window[1]):
                continue
            self.events(p, created, offsets, d)
            return
        raise RuntimeError(f"could not lay out a project in {group}")

    def durations(self, group: str, budget: int) -> dict[str, Any]:
        rng = self.rng
        method = rng.choices(["rfq", "competitive_negotiation", "simple_tender"], weights=[50, 20, 30])[0]
        d: dict[str, Any] = {
            "draft": rng.uniform(1, 40) if group == "draft" else rng.expovariate(1 / 2.0) + 0.05,
            "reworked": rng.random() < 0.08,  # returned once for corrections, then approved
            "fix": rng.uniform(2, 10),
            "first_review": rng.uniform(2, 8),
            "to_tender": rng.uniform(2, 12),
            "failed_round": rng.random() < 0.06,
            "retender": rng.uniform(3, 10),
            "method": method,
            "bid_period": (rng.uniform(3, 7) if method == "rfq" else rng.uniform(7, 20)) if rng.random() > 0.02 else rng.uniform(1, 2),
            "evaluation": rng.uniform(1, 3),
            "to_publicity": rng.uniform(0.1, 1),
            "publicity": 3.0 + rng.uniform(0, 0.5),
            "drafting": rng.uniform(1, 5),
            "signing": rng.uniform(1, 15) if rng.random() > 0.03 else rng.uniform(30, 45),
            "to_start": rng.uniform(3, 20),
            "planned_start": rng.uniform(0, 3),
            "works": rng.uniform(30, 150) * (0.7 + budget / 500_000_00 * 0.6),
            "pace": rng.uniform(0.8, 1.15),
            "final_payment": rng.uniform(10, 45),
            "retention_payment": rng.uniform(3, 40),
            "cancel_after": rng.uniform(1, 30),
            "cancel_from": rng.choices(["draft", "submitted", "approved", "rejected"], weights=[30, 10, 40, 20])[0],
        }
        return d

    def offsets(self, d: dict[str, Any], approval: float, group: str) -> dict[str, float]:
        """Days from the application's creation to each event."""
        o: dict[str, float] = {"submit": d["draft"]}
        reworked = d["reworked"] and group not in ("rejected", "submitted")
        if group == "rejected" or reworked:
            o["reject"] = o["submit"] + d["first_review"]
        if reworked:
            o["resubmit"] = o["reject"] + d["fix"]
            o["approve"] = o["resubmit"] + max(0.3, approval - d["first_review"] * 0.5)
        else:
            o["approve"] = o["submit"] + approval
        o["decision"] = o.get("reject", o["approve"]) if group in ("rejected", "submitted") else o["approve"]
        t = o["approve"] + d["to_tender"]
        if d["failed_round"]:
            o["publish1"] = t
            o["fail1"] = t + d["bid_period"] + 0.05
            t = o["fail1"] + d["retender"]
        o["publish"] = t
        o["deadline"] = t + d["bid_period"]
        o["open"] = o["deadline"] + 0.02
        o["evaluate"] = o["open"] + d["evaluation"]
        o["publicity"] = o["evaluate"] + d["to_publicity"]
        o["award"] = o["publicity"] + d["publicity"]
        o["draft_contract"] = o["award"] + d["drafting"]
        o["submit_contract"] = o["draft_contract"] + 0.3 * d["signing"]
        o["sign"] = o["award"] + d["drafting"] + d["signing"]
        o["start"] = o["sign"] + d["to_start"]
        works = d["works"] * d["pace"]
        for i in range(1, 6):
            o[f"accept{i}"] = o["start"] + works * i / 5
        o["complete"] = o["accept5"]
        o["final_paid"] = o["complete"] + d["final_payment"]
        o["retention_paid"] = o["complete"] + 365 + d["retention_payment"]
        if d["cancel_from"] == "draft":
            o["cancel"] = min(o["submit"] * 0.9, d["cancel_after"]) if o["submit"] > 0.1 else o["submit"] * 0.5
        elif d["cancel_from"] == "submitted":
            o["cancel"] = o["submit"] + min(approval * 0.8, d["cancel_after"])
        elif d["cancel_from"] == "approved":
            o["cancel"] = o["approve"] + min(d["to_tender"] * 0.9, d["cancel_after"])
        else:
            o["cancel"] = o.get("reject", o["submit"] + d["first_review"]) + d["cancel_after"]
        return o

    def window(self, group: str, o: dict[str, float]) -> tuple[float, float] | None:
        """The creation times that leave a project so timed in ``group`` now."""
        spans = {
            "draft": (0.0, o["submit"]),
            "submitted": (o["submit"], o["decision"]),
            "rejected": (o.get("reject", 0.0), None),
            "cancelled": (o["cancel"], None),
            "approved": (o["approve"], o.get("publish1", o["publish"])),
            "tendering:published": (o["publish"], o["open"]),
            "tendering:opened": (o["open"], o["evaluate"]),
            "tendering:evaluated": (o["evaluate"], o["publicity"]),
            "tendering:publicity": (o["publicity"], o["award"]),
            "tendering:awarded": (o["award"], o["draft_contract"]),
            "contracted": (o["sign"], o["start"]),
            "in_progress:a": (o["start"], o[f"accept{PAYMENT_MILESTONE}"]),
            "in_progress:b": (o[f"accept{PAYMENT_MILESTONE}"], o["complete"]),
            "completed": (o["complete"], o["retention_paid"]),
            "closed": (o["retention_paid"], None),
        }
        entered, left = spans[group]
        hi = self.now - entered * DAY - 600  # entered at least ten minutes ago
        lo = self.t0 if left is None else max(self.t0, self.now - left * DAY + 600)
        return (lo, hi) if lo < hi else None

    def events(self, p: ProjectPlan, created: float, o: dict[str, float], d: dict[str, Any]) -> None:
        rng = self.rng
        group = p.group
        t = lambda key: created + o[key] * DAY  # noqa: E731
        p.created = created
        h = p.history
        h.append((None, "draft", "create", created))
        status = "draft"

        def move(to: str, action: str, when: float) -> None:
            nonlocal status
            h.append((status, to, action, when))
            status = to

        if group == "cancelled" and d["cancel_from"] == "draft":
            move("cancelled", "cancel", t("cancel"))
            p.status = status
            return
        if group == "draft":
            p.status = status
            return
        move("submitted", "submit", t("submit"))
        p.submissions = 1
        if group == "submitted" or (group == "cancelled" and d["cancel_from"] == "submitted"):
            if group == "cancelled":
                move("cancelled", "cancel", t("cancel"))
            p.status = status
            return
        if "reject" in o:
            move("rejected", "reject", t("reject"))
            if group == "rejected" or (group == "cancelled" and d["cancel_from"] == "rejected"):
                if group == "cancelled":
                    move("cancelled", "cancel", t("cancel"))
                p.status = status
                return
            move("submitted", "submit", t("resubmit"))
            p.submissions = 2
        elif group == "cancelled" and d["cancel_from"] == "rejected":
            move("rejected", "reject", t("submit") + d["first_review"] * DAY)
            move("cancelled", "cancel", t("cancel"))
            p.status = status
            return
        move("approved", "approve", t("approve"))
        p.approved = t("approve")
        p.planned_start = china_day(t("approve") + rng.uniform(20, 60) * DAY)
        p.planned_end = p.planned_start + timedelta(days=int(d["works"]) + 10)
        if group in ("approved", "cancelled"):
            if group == "cancelled":
                move("cancelled", "cancel", t("cancel"))
            p.status = status
            return
        ceiling = max(100, int(p.budget * rng.uniform(0.92, 1.0)) // 100 * 100)
        if d["failed_round"]:
            move("tendering", "start_tendering", t("publish1"))
            tp = self.tender(p, 1, d["method"], "failed", ceiling, t("publish1"), t("publish1") + d["bid_period"] * DAY)
            tp.failed = t("fail1")
            move("approved", "end_tendering", t("fail1"))
            p.tenders.append(tp)
        move("tendering", "start_tendering", t("publish"))
        tender_status = group.split(":")[1] if group.startswith("tendering:") else "awarded"
        tp = self.tender(p, len(p.tenders) + 1, d["method"], tender_status, ceiling, t("publish"), t("deadline"))
        if tender_status != "published":
            tp.opened = t("open") + rng.uniform(60, 600)
        if tender_status in ("evaluated", "publicity", "awarded"):
            tp.evaluated = t("evaluate")
        if tender_status in ("publicity", "awarded"):
            tp.publicity = t("publicity")
        if tender_status == "awarded":
            tp.awarded = t("award")
        p.tenders.append(tp)
        if group.startswith("tendering:"):
            p.status = status
            return
        move("contracted", "sign_contract", t("sign"))
        # The planned works: from about when they started, with some slack; a slower pace
        # than planned makes milestones late (and warnings of it).
        works_start = china_day(t("start") - d["planned_start"] * DAY)
        works_days = max(30, int(d["works"] * 1.08) + 3)
        planned = [works_start + timedelta(days=round(works_days * i / 5)) for i in range(1, 6)]
        accepted = [t(f"accept{i}") for i in range(1, 6)]
        begun = [t("start"), *accepted[:4]]
        submitted_ms = [a - min(rng.uniform(0.5, 4) * DAY, 0.5 * (a - b)) for a, b in zip(accepted, begun, strict=True)]
        started = t("start") if group != "contracted" else None
        cstatus = "active"
        completed = None
        if group in ("in_progress:a", "in_progress:b", "completed", "closed"):
            move("in_progress", "start_works", t("start"))
        if group in ("completed", "closed"):
            move("completed", "complete_works", t("complete"))
            cstatus, completed = "completed", t("complete")
        p.contract = ContractPlan(
            id=0,
            code="",
            contractor=Org(0, "", "", ""),  # chosen with the bids
            supervisor=rng.choice(self.supervisors[self.city_of(p.region)]),
            amount=0,
            amount_reason=None,
            created=t("draft_contract"),
            submitted=t("submit_contract"),
            signed=t("sign"),
            works_start=works_start,
            works_end=works_start + timedelta(days=works_days),
            started=started,
            submitted_ms=submitted_ms,
            accepted=accepted,
            planned=planned,
            status=cstatus,
            completed=completed,
            has_advance=False,
            has_retention=False,
            final_paid=t("final_paid"),
            retention_paid=t("retention_paid"),
        )
        if group == "closed":
            # Settled when the last term is paid: the retention a year after acceptance, or the
            # final payment when the contract held none (decided later; the later time is kept
            # here and moved back for those without retention).
            move("closed", "settle", t("retention_paid"))
        p.status = status

    def city_of(self, county: str) -> str:
        return county[:4] + "00"

    def tender(self, p: ProjectPlan, round_: int, method: str, status: str, ceiling: int, published: float, deadline: float) -> TenderPlan:
        created = published - self.rng.uniform(0.5, 3) * DAY
        return TenderPlan(
            id=0,
            code="",
            round=round_,
            method=method,
            status=status,
            ceiling=ceiling,
            created=max(created, (p.approved or published) + 60),
            published=published,
            deadline=deadline,
            opening=deadline + 0.02 * DAY,
        )

    # -- bids ---------------------------------------------------------------------------

    def bids(self) -> None:
        """How many bids each tender got, adjusted so that the total is the target; their
        prices, who bid, who was disqualified and who won."""
        rng = self.rng
        target = round(TARGET["bids"] * self.scale)
        tenders = [tp for p in self.plans for tp in p.tenders]
        successful = []
        for tp in tenders:
            if tp.status == "failed":
                tp.bids = rng.choice([0, 1, 1, 2, 2]) if tp.method == "rfq" or rng.random() < 0.5 else rng.choice([0, 1])
            elif tp.status == "published":
                tp.bids = rng.choice([0, 1, 1, 2, 3])
            else:
                tp.bids = rng.choices([1, 2, 3, 4, 5, 6, 7], weights=[5, 8, 35, 25, 15, 8, 4])[0]
                successful.append(tp)
        total = sum(tp.bids for tp in tenders)
        order = list(range(len(successful)))
        rng.shuffle(order)
        for _ in range(20):
            if total == target:
                break
            for i in order:
                tp = successful[i]
                if total > target and tp.bids > 3:
                    tp.bids -= 1
                    total -= 1
                elif total < target and 3 <= tp.bids < 9:
                    tp.bids += 1
                    total += 1
                if total == target:
                    break
        for p in self.plans:
            city = self.city_of(p.region)
            pool = self.contractors[city]
            for tp in p.tenders:
                if tp.status not in ("failed", "published") and tp.bids < 3 and tp.method != "simple_tender":
                    tp.method = "simple_tender"  # fewer than three valid answers end an rfq or a negotiation
                n = tp.bids
                if n == 0:
                    continue
                # A few suppliers win much more often than others: the start of the run is skewed.
                start = int(len(pool) * rng.random() ** 2.2)
                step = 1 if rng.random() < 0.7 else 5
                tp.bidders = [pool[(start + j * step) % len(pool)].id for j in range(n)]
                if len({*tp.bidders}) < n:
                    tp.bidders = [pool[(start + j) % len(pool)].id for j in range(n)]
                factors = sorted(rng.uniform(0.80, 0.985) for _ in range(n))
                if n >= 2 and rng.random() < 0.01:
                    factors[0] = rng.uniform(0.45, 0.6)  # a heavily discounted bid
                tp.prices = [max(100, int(tp.ceiling * f) // 100 * 100) for f in factors]
                if n >= 2 and rng.random() < 0.004:
                    tp.prices[1] = tp.prices[0]  # identical prices
                if tp.status in ("evaluated", "publicity", "awarded"):
                    tp.disqualified = {j for j in range(1, n) if rng.random() < 0.08}
                    if n >= 3 and rng.random() < 0.01:
                        tp.disqualified.add(0)  # the lowest disqualified
                    qualified = [j for j in range(n) if j not in tp.disqualified]
                    tp.winner = qualified[0] if qualified else None
                    if tp.winner is None:
                        tp.disqualified.discard(0)
                        tp.winner = 0
                tp.submitted = [tp.published + (tp.deadline - tp.published) * (0.3 + 0.69 * rng.random()) for _ in range(n)]

    def renumber(self) -> None:
        """Ids and codes in the order a live system gives them: tenders and contracts as they
        were made, bids as they came in. The tables' rows are written in id order, so their
        physical order is that of time too, as in a database that grew day by day (an index
        on a parent's id finds its rows scattered, not side by side)."""
        tenders = sorted((tp for p in self.plans for tp in p.tenders), key=lambda tp: tp.created)
        for n, tp in enumerate(tenders):
            tp.id = self.ids["tenders"] + n
            year = china_day(tp.created).year
            tp.code = f"ZB-{year}-P{self.count('tender-' + str(year)):06d}"
        self.ids["tenders"] += len(tenders)
        bids = sorted((tp.submitted[j], tp.id, j) for tp in tenders for j in range(tp.bids))
        by_id = {tp.id: tp for tp in tenders}
        for tp in tenders:
            tp.bid_ids = [0] * tp.bids
        self.bid_order: list[tuple[TenderPlan, int]] = []
        for n, (_, tender_id, j) in enumerate(bids):
            tp = by_id[tender_id]
            tp.bid_ids[j] = self.ids["bids"] + n
            self.bid_order.append((tp, j))
        self.ids["bids"] += len(bids)
        contracts = sorted((p.contract for p in self.plans if p.contract is not None), key=lambda c: c.created)
        for n, c in enumerate(contracts):
            c.id = self.ids["contracts"] + n
            year = china_day(c.created).year
            c.code = f"HT-{year}-P{self.count('contract-' + str(year)):06d}"
        self.ids["contracts"] += len(contracts)
        self.by_contract = sorted((p for p in self.plans if p.contract is not None), key=lambda p: p.contract.id)  # type: ignore[union-attr]

    # -- contracts and payments ---------------------------------------------------------

    def contracts(self) -> None:
        rng = self.rng
        signed = [p for p in self.plans if p.contract is not None]
        closed = [p for p in signed if p.group == "closed"]
        others = [p for p in signed if p.group != "closed"]
        for p, keep in zip(closed, evenly(round(len(closed) * RETENTION_SHARE_CLOSED), len(closed)), strict=True):
            assert p.contract is not None
            p.contract.has_retention = keep
        for p, keep in zip(others, evenly(round(len(others) * RETENTION_SHARE_OPEN), len(others)), strict=True):
            assert p.contract is not None
            p.contract.has_retention = keep or p.group == "completed"
        # Requests other than advances: one for each term whose trigger has been met.
        without = 0
        for p in signed:
            c = p.contract
            assert c is not None
            triggers = ("milestone", "final_acceptance") + (("retention",) if c.has_retention else ())
            without += sum(1 for trigger in triggers if trigger_met(c, trigger, self.now) is not None)
        advances = max(0, min(len(signed), round(TARGET["payment_requests"] * self.scale) - without))
        by_creation = sorted(signed, key=lambda p: p.id)
        for p, adv in zip(by_creation, evenly(advances, len(by_creation)), strict=True):
            assert p.contract is not None
            p.contract.has_advance = adv
        for p in signed:
            c = p.contract
            assert c is not None
            tp = p.tenders[-1]
            assert tp.winner is not None
            c.contractor = next(o for o in self.contractors[self.city_of(p.region)] if o.id == tp.bidders[tp.winner])
            c.amount = tp.prices[tp.winner]
            if rng.random() < 0.03:
                c.amount = int(c.amount * rng.uniform(1.05, 1.25)) // 100 * 100
                c.amount_reason = "合同谈判中增加工程量，经主管部门同意"
            if p.group == "closed" and not c.has_retention:
                # No retention held: settled by the final payment.
                assert c.final_paid is not None
                c.retention_paid = None
                p.history[-1] = (p.history[-1][0], "closed", "settle", c.final_paid)
            shares = ([("预付款", 3000, "signing")] if c.has_advance else []) + [("进度款", 4000 if c.has_advance else 5000, "milestone")]
            rest = 10000 - sum(s for _, s, _ in shares) - (300 if c.has_retention else 0)
            shares.append(("竣工结算款", rest, "final_acceptance"))
            if c.has_retention:
                shares.append(("质量保证金", 300, "retention"))
            amounts = [c.amount * s // 10000 for _, s, _ in shares[:-1]]
            amounts.append(c.amount - sum(amounts))
            c.terms = [(name, share, trigger, amount) for (name, share, trigger), amount in zip(shares, amounts, strict=True)]


# -- writing --------------------------------------------------------------------------------


class Writer:
    """Streams each table's rows with COPY and notes how long it took."""

    def __init__(self, conn: Any, log: Callable[[str], None]):
        self.conn = conn
        self.log = log
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    async def copy(self, table: str, columns: list[str], rows: Iterable[tuple], note: str = "") -> None:
        started = time.perf_counter()
        counted = _Counted(rows)
        await self.conn.copy_records_to_table(table, records=counted, columns=columns)
        seconds = time.perf_counter() - started
        self.counts[table] = self.counts.get(table, 0) + counted.n
        self.seconds[table] = self.seconds.get(table, 0.0) + seconds
        self.log(f"  {table:<32} {counted.n:>10,} rows {seconds:7.1f} s{('  ' + note) if note else ''}")


class _Counted:
    def __init__(self, rows: Iterable[tuple]):
        self.rows = rows
        self.n = 0

    def __iter__(self) -> Iterator[tuple]:
        for row in self.rows:
            self.n += 1
            yield row


TABLES = [
    "organisations",
    "users",
    "user_roles",
    "projects",
    "project_status_changes",
    "budget_allocations",
    "budget_reservations",
    "tenders",
    "tender_status_changes",
    "bids",
    "contracts",
    "contract_status_changes",
    "contract_milestones",
    "payment_terms",
    "payment_requests",
    "daily_logs",
    "checklist_templates",
    "inspections",
    "inspection_items",
    "rectifications",
    "progress_warnings",
]


async def seed_province(conn: Any, scale: float, log: Callable[[str], None]) -> Seeded:
    """Plan and write the province into the database of ``conn`` (demo data loaded)."""
    now = datetime.now(UTC).replace(microsecond=0)
    ids = {t: int(await conn.fetchval(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {t}")) for t in TABLES}
    template = await conn.fetchrow("SELECT password_hash FROM users WHERE username = 'auditor'")
    if template is None:
        raise RuntimeError("demo user 'auditor' not found: load the demo data first")
    password_hash = template["password_hash"]

    started = time.perf_counter()
    planner = Planner(scale, now, ids)
    planner.organisations()
    planner.projects()
    planner.bids()
    planner.contracts()
    planner.renumber()
    plan_seconds = time.perf_counter() - started
    log(f"  planned {len(planner.plans):,} projects in {plan_seconds:.1f} s (Python, seeded: the same scale gives the same rows)")

    w = Writer(conn, log)
    w.seconds["(planning)"] = plan_seconds
    await write_accounts(w, planner, password_hash)
    await write_projects(w, planner)
    await write_tendering(w, planner)
    await write_contracts(w, planner)
    await write_payments(w, planner)
    await write_progress(w, planner)

    started = time.perf_counter()
    for table in TABLES:
        await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    w.seconds["(sequences)"] = time.perf_counter() - started
    county = planner.counties[0][0]
    return Seeded(
        counts=w.counts,
        seconds=w.seconds,
        province=PROVINCE[0],
        city=CITIES[0][0],
        county=county,
        users=planner.bench_users,
        now=now,
    )


async def write_accounts(w: Writer, pl: Planner, password_hash: str) -> None:
    created = at(pl.t0 - 30 * DAY)
    await w.copy(
        "organisations",
        ["id", "name", "kind", "uscc", "region_code", "bank_name", "bank_account_number", "created_at", "updated_at"],
        ((o.id, o.name, o.kind, pl.uscc(o), o.region, None, None, created, created) for o in pl.orgs),
    )
    await w.copy(
        "users",
        [
            "id",
            "username",
            "display_name",
            "organisation_id",
            "password_hash",
            "phone",
            "email",
            "is_active",
            "password_changed_at",
            "created_at",
            "updated_at",
        ],
        ((uid, name, display, org, password_hash, None, None, True, created, created, created) for uid, name, display, org, _ in pl.users),
    )
    first_role = pl.ids["user_roles"]
    await w.copy(
        "user_roles",
        ["id", "user_id", "role"],
        ((first_role + i, uid, role) for i, (uid, _, _, _, role) in enumerate(pl.users)),
    )
    pl.ids["user_roles"] += len(pl.users)


async def write_projects(w: Writer, pl: Planner) -> None:
    rng = random.Random(1)
    places = ["陆杨村", "市北村", "新镇社区", "青阳路", "东方村", "永平社区", "朝阳路", "后塘村", "南门街", "溪口村"]

    def projects() -> Iterator[tuple]:
        for p in pl.plans:
            last = p.history[-1][3]
            lat, lon = 28.0 + 2.5 * rng.random(), 118.5 + 3.5 * rng.random()
            yield (
                p.id,
                p.code,
                f"{places[p.id % len(places)]}{CATEGORY_TITLES[p.category]}",
                f"{p.owner.name}申报的小额工程（压测数据）。",
                p.owner.id,
                p.region,
                p.category,
                p.budget,
                "县级财政小额工程专项资金",
                lat,
                lon,
                300,
                p.planned_start,
                p.planned_end,
                p.status,
                p.submissions,
                p.owner.user_id,
                at(p.created),
                at(last),
                len(p.history),
                *key_dates(p),
                p.tenders[-1].method if p.tenders else None,
            )

    def key_dates(p: Any) -> list[Any]:
        """The project's key dates, as its history rows would set them (models.projects)."""
        first: dict[str, Any] = {}
        for _, _, action, when in p.history:
            name = KEY_DATES.get(action)
            if name is not None and (name not in first or when < first[name]):
                first[name] = when
        return [at(first[name]) if name in first else None for name in KEY_DATES.values()]

    await w.copy(
        "projects",
        [
            "id", "code", "title", "description", "owner_organisation_id", "region_code", "category", "budget_amount",
            "funding_source", "latitude", "longitude", "geofence_radius_m", "planned_start", "planned_end", "status",
            "submission_count", "created_by_id", "created_at", "updated_at", "version", *KEY_DATES.values(), "tender_method",
        ],
        projects(),
    )  # fmt: skip
    first = pl.ids["project_status_changes"]

    def changes() -> Iterator[tuple]:
        moves = sorted((when, i, k) for i, p in enumerate(pl.plans) for k, (_, _, _, when) in enumerate(p.history))
        for n, (when, i, k) in enumerate(moves, start=first):
            p = pl.plans[i]
            before, after, action, _ = p.history[k]
            yield (n, p.id, before, after, action, p.owner.user_id, p.owner.user_name, None, at(when))

    await w.copy(
        "project_status_changes",
        ["id", "project_id", "from_status", "to_status", "action", "actor_id", "actor_name", "comment", "occurred_at"],
        changes(),
        "(each project's whole history: create, submit, approve/reject, tendering, signing, works, acceptance, settlement)",
    )
    # Budget: each owner's allocation per fiscal year holds the reservations of its approved
    # projects (released when cancelled), with some headroom.
    reservations = []
    held: dict[tuple[int, int], int] = {}
    for p in pl.plans:
        if p.approved is None or p.planned_start is None:
            continue
        key = (p.owner.id, p.planned_start.year)
        released = p.history[-1][3] if p.status == "cancelled" else None
        reservations.append((p, key, released))
        if released is None:
            held[key] = held.get(key, 0) + p.budget
        else:
            held.setdefault(key, 0)
    allocation_ids: dict[tuple[int, int], int] = {}
    rows = []
    for key in sorted(held):
        aid = pl.next_id("budget_allocations")
        allocation_ids[key] = aid
        reserved = held[key]
        amount = int((reserved * rng.uniform(1.05, 1.4) + 500_000_00) / 1_000_000) * 1_000_000  # whole 10,000 yuan
        rows.append((aid, key[0], key[1], amount, reserved, at(pl.now - rng.uniform(1, 30) * DAY)))
    await w.copy("budget_allocations", ["id", "organisation_id", "fiscal_year", "amount", "reserved", "updated_at"], rows)

    def reservation_rows() -> Iterator[tuple]:
        for p, key, released in sorted(reservations, key=lambda r: r[0].approved or 0.0):
            assert p.approved is not None
            yield (
                pl.next_id("budget_reservations"),
                p.id,
                allocation_ids[key],
                p.budget,
                at(p.approved),
                at(released) if released else None,
            )

    await w.copy("budget_reservations", ["id", "project_id", "allocation_id", "amount", "reserved_at", "released_at"], reservation_rows())


def _bid_rows(pl: Planner) -> Iterator[tuple]:
    for tp, j in pl.bid_order:  # in the order they came in
        bid_id = tp.bid_ids[j]
        submitted = tp.submitted[j]
        opened_at = tp.opened if tp.opened is not None else (tp.failed - 60 if tp.status == "failed" and tp.failed else None)
        if tp.status == "published":
            status = "submitted"
        elif tp.status in ("opened", "failed"):
            status = "opened"
        elif j in tp.disqualified:
            status = "disqualified"
        elif tp.status == "awarded":
            status = "won" if j == tp.winner else "lost"
        else:
            status = "qualified"
        price = tp.prices[j] if opened_at is not None else None
        ranked = tp.status in ("evaluated", "publicity", "awarded") and j not in tp.disqualified
        rank = sorted(k for k in range(tp.bids) if k not in tp.disqualified).index(j) + 1 if ranked else None
        digest = hashlib.sha256(f"bid:{bid_id}".encode()).hexdigest()
        yield (
            bid_id,
            tp.id,
            tp.bidders[j],
            status,
            digest,
            1,
            at(submitted),
            at(opened_at) if price is not None and opened_at is not None else None,
            price,
            digest if price is not None else None,
            "不合格：资格证明文件不全" if status == "disqualified" else None,
            rank,
            at(submitted),
            at(opened_at) if opened_at is not None else at(submitted),
        )


async def write_tendering(w: Writer, pl: Planner) -> None:
    def tenders() -> Iterator[tuple]:
        for tp, p in sorted(((t, q) for q in pl.plans for t in q.tenders), key=lambda x: x[0].id):
            active = p.id if tp.status != "failed" else None
            winner_bid = tp.bid_ids[tp.winner] if tp.winner is not None else None
            award_value = tp.prices[tp.winner] if tp.status == "awarded" and tp.winner is not None else None
            opened = tp.opened or (tp.failed - 60 if tp.status == "failed" and tp.failed and tp.bids else None)
            last = max(x for x in (tp.published, tp.opened, tp.evaluated, tp.publicity, tp.awarded, tp.failed) if x is not None)
            yield (
                tp.id, tp.code, p.id, active, tp.round, p.owner.id, p.region,
                f"{p.code} {CATEGORY_TITLES[p.category]}采购", tp.method, tp.status, tp.ceiling,
                at(tp.deadline), at(tp.opening), at(tp.published + (tp.deadline - tp.published) / 2),
                QUALIFICATION_OF[p.category], "third", 3, 3, 3,
                REQUIRED_DOCUMENTS, "[]", CRITERIA[tp.method], f"{p.owner.name}现就{CATEGORY_TITLES[p.category]}进行采购，欢迎合格供应商参加。",
                0, 1 if tp.evaluated else 0,
                at(tp.published), at(opened) if opened else None, at(tp.evaluated) if tp.evaluated else None,
                at(tp.publicity) if tp.publicity else None,
                at(tp.publicity + 3 * DAY) if tp.publicity else None,
                at(tp.awarded) if tp.awarded else None,
                at(tp.failed) if tp.failed else None,
                "有效响应供应商不足三家" if tp.status == "failed" else None,
                tp.bids if opened else None,
                winner_bid if tp.evaluated else None,
                award_value,
                p.owner.user_id, at(tp.created), at(last), 1,
            )  # fmt: skip

    await w.copy(
        "tenders",
        [
            "id", "code", "project_id", "active_for_project", "round", "owner_organisation_id", "region_code",
            "title", "method", "status", "ceiling_price",
            "bid_deadline", "opening_time", "clarification_deadline",
            "required_qualification_kind", "required_qualification_grade", "minimum_suppliers", "committee_size", "publicity_days",
            "required_documents", "required_items", "criteria", "notice_text", "deadline_extensions", "evaluation_round",
            "published_at", "opened_at", "evaluated_at",
            "publicity_started_at", "publicity_ends_at", "awarded_at", "closed_at", "close_reason",
            "number_of_tenderers", "recommended_bid_id", "award_value",
            "created_by_id", "created_at", "updated_at", "version",
        ],
        tenders(),
    )  # fmt: skip
    first = pl.ids["tender_status_changes"]

    def changes() -> Iterator[tuple]:
        moves = []
        for p in pl.plans:
            for tp in p.tenders:
                steps: list[tuple[str | None, str, str, float]] = [
                    (None, "draft", "create", tp.created),
                    ("draft", "published", "publish", tp.published),
                ]
                if tp.status == "failed":
                    assert tp.failed is not None
                    if tp.bids:  # opened, too few valid answers
                        steps += [("published", "opened", "open", tp.failed - 60), ("opened", "failed", "fail", tp.failed)]
                    else:  # nobody answered by the deadline
                        steps.append(("published", "failed", "fail", tp.failed))
                if tp.opened is not None:
                    steps.append(("published", "opened", "open", tp.opened))
                if tp.evaluated is not None:
                    steps.append(("opened", "evaluated", "complete_evaluation", tp.evaluated))
                if tp.publicity is not None:
                    steps.append(("evaluated", "publicity", "start_publicity", tp.publicity))
                if tp.awarded is not None:
                    steps.append(("publicity", "awarded", "award", tp.awarded))
                moves += [(when, tp.id, before, after, action, p.owner.user_id, p.owner.user_name) for before, after, action, when in steps]
        moves.sort(key=lambda m: (m[0], m[1]))
        for n, (when, tender_id, before, after, action, user, name) in enumerate(moves, start=first):
            yield (n, tender_id, before, after, action, user, name, None, at(when))

    await w.copy(
        "tender_status_changes",
        ["id", "tender_id", "from_status", "to_status", "action", "actor_id", "actor_name", "comment", "occurred_at"],
        changes(),
    )
    await w.copy(
        "bids",
        [
            "id", "tender_id", "organisation_id", "status", "receipt_hash", "submissions", "submitted_at",
            "opened_at", "opened_price", "opened_hash", "disqualification_reason", "rank", "created_at", "updated_at",
        ],
        _bid_rows(pl),
        "(opened prices from the opening on; sealed content left out)",
    )  # fmt: skip


async def write_contracts(w: Writer, pl: Planner) -> None:
    signed = pl.by_contract  # in the order the contracts were made

    def contracts() -> Iterator[tuple]:
        for p in signed:
            c = p.contract
            assert c is not None
            tp = p.tenders[-1]
            assert tp.winner is not None and tp.awarded is not None
            last = c.completed or c.signed
            yield (
                c.id, c.code, c.code, f"{p.code} {CATEGORY_TITLES[p.category]}施工合同", p.id, tp.id, tp.id,
                tp.bid_ids[tp.winner], p.owner.id, c.contractor.id, c.supervisor.id, p.region, c.status,
                c.amount, tp.prices[tp.winner], c.amount_reason, c.works_start, c.works_end, 12, at(tp.awarded),
                None, 1, 1, at(c.signed), at(c.completed) if c.completed else None, None, None,
                p.owner.user_id, at(c.created), at(last), 1,
            )  # fmt: skip

    await w.copy(
        "contracts",
        [
            "id", "code", "number", "title", "project_id", "tender_id", "active_for_tender",
            "award_bid_id", "owner_organisation_id", "contractor_organisation_id", "supervisor_organisation_id", "region_code", "status",
            "amount", "award_value", "amount_reason", "works_start", "works_end", "defect_liability_months", "awarded_at",
            "drafted_late_days", "effective_version", "latest_version", "signed_at", "completed_at", "terminated_at", "termination_reason",
            "created_by_id", "created_at", "updated_at", "version",
        ],
        contracts(),
        "(contract versions, clauses, signatures and documents left out)",
    )  # fmt: skip
    first = pl.ids["contract_status_changes"]

    def changes() -> Iterator[tuple]:
        moves = []
        for p in signed:
            c = p.contract
            assert c is not None
            steps: list[tuple[str | None, str, str, float]] = [
                (None, "draft", "create", c.created),
                ("draft", "pending_signature", "submit", c.submitted),
                ("pending_signature", "active", "activate", c.signed),
            ]
            if c.completed is not None:
                steps.append(("active", "completed", "complete", c.completed))
            moves += [(when, c.id, before, after, action, p.owner.user_id, p.owner.user_name) for before, after, action, when in steps]
        moves.sort(key=lambda m: (m[0], m[1]))
        for n, (when, contract_id, before, after, action, user, name) in enumerate(moves, start=first):
            yield (n, contract_id, before, after, action, user, name, None, at(when))

    await w.copy(
        "contract_status_changes",
        ["id", "contract_id", "from_status", "to_status", "action", "actor_id", "actor_name", "comment", "occurred_at"],
        changes(),
    )
    now = pl.now

    def milestones() -> Iterator[tuple]:
        for p in signed:
            c = p.contract
            assert c is not None
            first_id = pl.ids["contract_milestones"]
            pl.ids["contract_milestones"] += 5
            pl.milestone_ids[c.id] = first_id
            for i, (code, name) in enumerate(MILESTONES):
                status, accepted = _milestone_state(c, i, now)
                yield (first_id + i, c.id, i + 1, code, name, c.planned[i], 2000, status, at(accepted) if accepted else None)

    await w.copy(
        "contract_milestones",
        ["id", "contract_id", "sequence", "code", "name", "planned_date", "share", "status", "accepted_at"],
        milestones(),
        "(five a contract; their status history left out)",
    )


def trigger_met(c: ContractPlan, trigger: str, now: float) -> float | None:
    """When a payment term's trigger was met (its request raised), or None if not yet."""
    if trigger == "signing":
        met: float | None = c.signed
    elif trigger == "milestone":
        met = c.accepted[PAYMENT_MILESTONE - 1] if c.started is not None else None
    elif trigger == "final_acceptance":
        met = c.completed
    else:  # retention: the scheduled rule raises it when the defect liability year is over
        met = day_start(add_months(china_day(c.completed), 12)) + 3600 if c.completed is not None else None
    return met if met is not None and met <= now else None


def _milestone_state(c: ContractPlan, i: int, now: float) -> tuple[str, float | None]:
    if c.started is None:
        return "planned", None
    if c.accepted[i] <= now:
        return "accepted", c.accepted[i]
    begun = c.started if i == 0 else c.accepted[i - 1]
    if begun > now:
        return "planned", None
    return ("submitted" if c.submitted_ms[i] <= now else "in_progress"), None


async def write_payments(w: Writer, pl: Planner) -> None:
    rng = random.Random(3)
    now = pl.now
    terms: list[tuple] = []
    requests: list[tuple] = []
    for p in pl.by_contract:
        c = p.contract
        assert c is not None
        mid = pl.milestone_ids[c.id]
        for seq, (name, share, trigger, amount) in enumerate(c.terms, start=1):
            term_id = pl.next_id("payment_terms")
            # When the trigger was met, and when it was (or will be) paid.
            met = trigger_met(c, trigger, now)
            if trigger == "signing":
                paid = c.signed + rng.uniform(5, 25) * DAY
            elif trigger == "milestone":
                paid = (met or 0) + rng.uniform(7, 30) * DAY
            elif trigger == "final_acceptance":
                paid = c.final_paid or 0
            else:
                paid = c.retention_paid or 0
            if p.group == "closed":
                paid = min(paid, now - 600)
            due_on = None
            if trigger == "retention" and c.completed is not None:
                due_on = add_months(china_day(c.completed), 12)
            elif met is not None:
                due_on = china_day(met) + timedelta(days=7 if trigger == "signing" else 30)
            request_status = None
            if met is not None:
                if p.group == "closed" or paid <= now - 3600 and trigger != "final_acceptance":
                    request_status = "paid"
                elif trigger == "final_acceptance" and paid <= now - 3600 and c.has_retention:
                    request_status = "paid"
                else:
                    request_status = rng.choices(["pending", "approved"], weights=[60, 40])[0]
                if request_status == "paid" and paid <= met:
                    paid = met + 3 * DAY
                    if paid > now:
                        request_status = "approved"
            term_status = "paid" if request_status == "paid" else ("due" if met is not None else "scheduled")
            terms.append(
                (
                    term_id, c.id, seq, name, share, amount, trigger,
                    mid + PAYMENT_MILESTONE - 1 if trigger == "milestone" else None,
                    7 if trigger == "signing" else None, term_status, due_on,
                    at(paid) if term_status == "paid" else None,
                )
            )  # fmt: skip
            if request_status is None or met is None:
                continue
            year = china_day(met).year
            requested = met + rng.uniform(60, 3600)
            approved = (
                requested + (paid - requested) * rng.uniform(0.3, 0.8) if request_status == "paid" else requested + rng.uniform(1, 5) * DAY
            )
            if approved > now:
                approved = (requested + now) / 2
            paid_amount = amount
            reason = None
            if request_status == "paid" and rng.random() < 0.02:
                paid_amount = int(amount * rng.uniform(1.01, 1.08))
                reason = "按审定结算价支付"
            step = {"pending": rng.choice([0, 1]), "approved": 2, "paid": 2}[request_status]
            requests.append(
                (
                    requested, year, c.id, term_id, p.id, p.region, p.owner.id,
                    c.contractor.id, term_id, "automatic", trigger, china_day(met),
                    add_months(china_day(c.completed), 12) if trigger == "retention" and c.completed else None,
                    amount, request_status, APPROVAL_CHAIN, step,
                    APPROVAL_CHAIN.split(",")[step] if request_status == "pending" else None,
                    paid_amount if request_status == "paid" else None,
                    china_day(paid) if request_status == "paid" else None,
                    "BANK" if request_status == "paid" else None,
                    reason, "财政局 出纳" if request_status == "paid" else None,
                    at(requested), at(approved) if request_status in ("approved", "paid") else None,
                    at(paid) if request_status == "paid" else None,
                    at(paid if request_status == "paid" else approved if request_status == "approved" else requested), 1,
                )
            )  # fmt: skip
    await w.copy(
        "payment_terms",
        [
            "id",
            "contract_id",
            "sequence",
            "name",
            "percentage",
            "amount",
            "trigger_on",
            "milestone_id",
            "due_days",
            "status",
            "due_on",
            "paid_at",
        ],
        terms,
    )
    # Ids and codes in the order the requests were raised.
    requests.sort(key=lambda r: (r[0], r[3]))
    rows = []
    for n, (_, year, *rest) in enumerate(requests, start=pl.ids["payment_requests"]):
        code = f"ZF-{year}-P{pl.count('request-' + str(year)):06d}"
        reference = rest[18]
        rest[18] = f"BANK{n:012d}" if reference else None
        rows.append((n, code, *rest))
    await w.copy(
        "payment_requests",
        [
            "id", "code", "contract_id", "term_id", "project_id", "region_code", "owner_organisation_id",
            "contractor_organisation_id", "live_for_term", "origin", "trigger_on", "triggered_on",
            "release_on", "amount", "status", "chain", "step",
            "waiting_role", "paid_amount", "paid_on", "bank_reference",
            "difference_reason", "paid_by_name",
            "requested_at", "approved_at", "paid_at", "updated_at", "version",
        ],
        rows,
        "(their approvals and status history left out)",
    )  # fmt: skip


async def write_progress(w: Writer, pl: Planner) -> None:
    rng = random.Random(4)
    now = pl.now
    today = china_day(now)
    started = [p for p in pl.by_contract if p.contract is not None and p.contract.started is not None]
    # Daily logs: spread over the works' days so far, as many as the target allows.
    days = []
    for p in started:
        c = p.contract
        assert c is not None and c.started is not None
        end = min(c.completed or now, now)
        days.append(max(1, (china_day(end) - china_day(c.started)).days + 1))
    counts = spread(round(TARGET["daily_logs"] * pl.scale), [float(d) for d in days], caps=days)

    def logs() -> Iterator[tuple]:
        # Day by day, as they were written: (date, contract, entry) packed into one sortable int.
        keys = []
        for k, (p, available, count) in enumerate(zip(started, days, counts, strict=True)):
            assert p.contract is not None and p.contract.started is not None
            first = china_day(p.contract.started).toordinal()
            keys += [((first + j * available // count) << 32) | (k << 10) | j for j in range(count)]
        keys.sort()
        for n, key in enumerate(keys, start=pl.ids["daily_logs"]):
            p = started[(key >> 10) & 0x3FFFFF]
            c = p.contract
            assert c is not None
            log_date = date.fromordinal(key >> 32)
            user = c.contractor.user_id
            written = day_start(log_date) + 17.5 * 3600 + rng.uniform(0, 3 * 3600)
            if written > now:
                written = now - 60
            yield (
                n, c.id, p.region, log_date, f"log-{c.id}-{log_date.isoformat()}", WEATHER[n % len(WEATHER)],
                f"{WORK[n % len(WORK)]}，完成计划工作量。", 5 + n % 20, "挖掘机 1 台", "商品混凝土 12 m³", "",
                user, at(written), at(written), 1,
            )  # fmt: skip

    await w.copy(
        "daily_logs",
        [
            "id", "contract_id", "region_code", "log_date", "idempotency_key", "weather", "work_done", "crew_count",
            "machinery", "materials", "issues", "created_by_id", "created_at", "updated_at", "version",
        ],
        logs(),
        "(the log entries: the progress domain's daily construction logs, 施工日志)",
    )  # fmt: skip
    # Quality: an inspection with one failed item, and its rectification, on about 30 % of the
    # contracts under way or done.
    templates = {}
    rows = []
    for category, _ in CATEGORIES:
        tid = pl.next_id("checklist_templates")
        templates[category] = tid
        items = json.dumps([{"key": "surface", "description": "表面平整、无明显裂缝", "photo_required": True}], ensure_ascii=False)
        rows.append((tid, tid, 1, True, category, f"{CATEGORY_TITLES[category]}质量检查表（压测）", items, at(pl.t0)))
    await w.copy("checklist_templates", ["id", "family_id", "version", "is_latest", "category", "name", "items", "created_at"], rows)
    inspections, items_, rectifications, warnings = [], [], [], []
    chosen: list[tuple[float, int, ProjectPlan, int]] = []

    def warning(
        c: ContractPlan,
        p: ProjectPlan,
        kind: str,
        occurrence: str,
        subject: tuple[str, int],
        raised: float,
        resolved: float | None,
        details: dict,
    ) -> None:
        if raised > now:
            return
        severity = {"milestone_overdue": "high", "no_daily_log": "medium", "rectification_overdue": "high", "works_ending": "medium"}[kind]
        if resolved is not None and resolved <= now:
            status, ack = "resolved", (raised + (resolved - raised) * 0.3 if rng.random() < 0.5 else None)
        else:
            resolved = None
            status, ack = ("acknowledged", raised + rng.uniform(0.1, 3) * DAY) if rng.random() < 0.4 else ("open", None)
            if ack is not None and ack > now:
                status, ack = "open", None
        warnings.append(
            (
                raised, c.id, p.region, kind, severity, occurrence, subject[0], subject[1],
                json.dumps(details, ensure_ascii=False), status, at(raised),
                at(ack) if ack else None, p.owner.user_name if ack else None,
                at(resolved) if resolved else None, "系统" if resolved else None,
                "已处理" if resolved else None, at(resolved or ack or raised),
            )
        )  # fmt: skip

    for p in started:
        c = p.contract
        assert c is not None and c.started is not None
        mid = pl.milestone_ids[c.id]
        # Milestones accepted after their planned date (or still open past it) were overdue.
        for i in range(5):
            planned_end = day_start(c.planned[i] + timedelta(days=1)) + 3600
            status, accepted = _milestone_state(c, i, now)
            if (accepted is not None and accepted > planned_end) or (accepted is None and planned_end < now and status != "planned"):
                warning(c, p, "milestone_overdue", f"{mid + i}:{c.planned[i]}", ("ContractMilestone", mid + i), planned_end, accepted,
                        {"milestone": MILESTONES[i][0], "planned": c.planned[i].isoformat()})  # fmt: skip
        if rng.random() < 0.1:
            since = china_day(c.started) + timedelta(days=rng.randint(3, 20))
            raised = day_start(since + timedelta(days=5)) + 3600
            warning(c, p, "no_daily_log", f"since:{since}", ("Contract", c.id), raised, raised + rng.uniform(0.5, 6) * DAY,
                    {"since": since.isoformat(), "working_days": 3})  # fmt: skip
        if c.works_end - timedelta(days=7) <= today and rng.random() < 0.5:
            raised = day_start(c.works_end - timedelta(days=7)) + 3600
            warning(c, p, "works_ending", f"end:{c.works_end}", ("Contract", c.id), raised, c.completed,
                    {"works_end": c.works_end.isoformat(), "outstanding": 1})  # fmt: skip
        if rng.random() >= 0.3:
            continue
        i = rng.randrange(5)
        if c.submitted_ms[i] > now:
            continue
        inspected = c.submitted_ms[i] + rng.uniform(0.1, 0.4) * (c.accepted[i] - c.submitted_ms[i])
        if inspected <= now:
            chosen.append((inspected, c.id, p, i))
    chosen.sort(key=lambda x: (x[0], x[1]))
    for inspected, _, p, i in chosen:
        c = p.contract
        assert c is not None
        mid = pl.milestone_ids[c.id]
        iid, item = pl.next_id("inspections"), pl.next_id("inspection_items")
        inspections.append((iid, c.id, mid + i, templates[p.category], p.region, c.supervisor.user_id, c.supervisor.user_name,
                            "发现一处需整改", 1, at(inspected)))  # fmt: skip
        items_.append((item, iid, c.id, 1, "surface", "表面平整、无明显裂缝", True, False, "局部有裂缝", "[]"))
        due = china_day(inspected) + timedelta(days=7)
        responded = inspected + rng.uniform(1, 12) * DAY
        closed = responded + rng.uniform(0.2, 3) * DAY
        if c.accepted[i] <= now:
            closed = min(closed, c.accepted[i] - 60)
            responded = min(responded, closed - 60)
        status = "closed" if closed <= now else ("responded" if responded <= now else "open")
        rid = pl.next_id("rectifications")
        rectifications.append(
            (
                rid, c.id, mid + i, item, p.region, status, "修补裂缝并复查", due,
                "已修补" if status != "open" else None, "[]",
                at(responded) if status != "open" else None, at(closed) if status == "closed" else None, 0,
                at(inspected), at(closed if status == "closed" else responded if status == "responded" else inspected),
            )
        )  # fmt: skip
        late_from = day_start(due + timedelta(days=1)) + 3600
        finished = closed if status == "closed" else None
        if (finished or now) > late_from:
            warning(c, p, "rectification_overdue", f"{rid}:{due}", ("Rectification", rid), late_from, finished,
                    {"item": "修补裂缝并复查", "due": due.isoformat()})  # fmt: skip
    await w.copy(
        "inspections",
        [
            "id",
            "contract_id",
            "milestone_id",
            "template_id",
            "region_code",
            "inspector_id",
            "inspector_name",
            "note",
            "failed_items",
            "inspected_at",
        ],
        inspections,
    )
    await w.copy(
        "inspection_items",
        ["id", "inspection_id", "contract_id", "sequence", "key", "description", "photo_required", "passed", "remarks", "photo_ids"],
        items_,
    )
    await w.copy(
        "rectifications",
        [
            "id", "contract_id", "milestone_id", "inspection_item_id", "region_code", "status", "description", "due_date",
            "response", "response_photo_ids", "responded_at", "closed_at", "reopened", "created_at", "updated_at",
        ],
        rectifications,
    )  # fmt: skip
    await w.copy(
        "progress_warnings",
        [
            "id", "contract_id", "region_code", "kind", "severity", "occurrence", "subject_type", "subject_id",
            "details", "status", "raised_at", "acknowledged_at", "acknowledged_by", "resolved_at", "resolved_by",
            "resolution", "updated_at",
        ],
        [(n, *rest) for n, (_, *rest) in enumerate(sorted(warnings, key=lambda x: (x[0], x[1])), start=pl.ids["progress_warnings"])],
        "(their status history left out)",
    )  # fmt: skip
