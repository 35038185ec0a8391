"""Red flags: their messages and the labels of their coded values, in zh-CN and en.
``resolvers/supervision/messages.py`` imports this module."""

from __future__ import annotations

from resolvers.core.i18n import register, register_labels

register(
    "supervision",
    {
        "RED_FLAG_ALREADY_ACKNOWLEDGED": (
            "该风险预警已由 {by} 于 {at} 确认。",
            "This red flag was acknowledged by {by} at {at}.",
        ),
    },
)
register(
    "supervision",
    {"RED_FLAG_FILTER_INVALID": ("风险预警的筛选条件“{name}”无效。", "The red flag filter “{name}” is not valid.")},
    user_errors=False,
)

# The explanations of flags (never a payload's error): each names the numbers that raised it.
register(
    "supervision",
    {
        "RED_FLAG_R003": (
            "投标期 {days} 天，短于 {threshold} 天（{published} 发布，{deadline} 截止投标）。",
            "The submission period was {days} days, shorter than {threshold} days (published {published}, bids closed {deadline}).",
        ),
        "RED_FLAG_R018": ("仅收到 {bids} 份投标（{bidder}）。", "Only {bids} bid was received ({bidder})."),
        "RED_FLAG_R024": (
            "次低有效报价 {second_price} 元（{second}）仅比中标价 {winner_price} 元（{winner}）高 {gap}，{fence}。",
            "The second-lowest valid bid of CNY {second_price} ({second}) is only {gap} above the winning bid of CNY {winner_price} ({winner}), {fence}.",
        ),
        "RED_FLAG_R025": (
            "{supplier} 在本地区本年度有效投标 {valid} 次（不少于第 {percentile} 百分位数 {top} 次），仅中标 {wins} 次，中标率 {ratio}，{fence}。",
            "{supplier} made {valid} valid bids in the region and year (at least the {percentile}th percentile, {top}) and won {wins}: a win ratio of {ratio}, {fence}.",
        ),
        "RED_FLAG_R028": ("{count} 份投标报价相同：{groups}。", "{count} bids have identical prices: {groups}."),
        "RED_FLAG_R030": (
            "中标投标（{winner}）于 {submitted} 递交，晚于截止时间 {deadline}。",
            "The winning bid ({winner}) was received at {submitted}, after its deadline of {deadline}.",
        ),
        "RED_FLAG_R035": (
            "除中标人 {winner} 外，其余 {disqualified} 个投标人的投标均被判无效（共 {bids} 份投标）。",
            "Every bid but the winner's ({winner}) was disqualified: {disqualified} other tenderer(s), {bids} bids in all.",
        ),
        "RED_FLAG_R036": (
            "价格为唯一评审标准，最低报价 {lowest_price} 元（{lowest}）却被判无效；中标价 {winner_price} 元（{winner}）。",
            "Price was the only criterion, yet the lowest bid of CNY {lowest_price} ({lowest}) was disqualified; the winning bid is CNY {winner_price} ({winner}).",
        ),
        "RED_FLAG_R038_BUYER": (
            "{name} 在本地区本年度收到的 {submitted} 份投标中有 {disqualified} 份被判无效，占 {ratio}，{fence}。",
            "{disqualified} of the {submitted} bids {name} received in the region and year were disqualified ({ratio}), {fence}.",
        ),
        "RED_FLAG_R038_SUPPLIER": (
            "{name} 在本地区本年度递交的 {submitted} 份投标中有 {disqualified} 份被判无效，占 {ratio}，{fence}。",
            "{disqualified} of the {submitted} bids {name} submitted in the region and year were disqualified ({ratio}), {fence}.",
        ),
        "RED_FLAG_R058": (
            "次低有效报价 {second_price} 元比中标价 {winner_price} 元（{winner}）高出 {gap}，{fence}。",
            "The second-lowest valid bid of CNY {second_price} is {gap} above the winning bid of CNY {winner_price} ({winner}), {fence}.",
        ),
        "RED_FLAG_SW01": (
            "合同 {contract} 有 {count} 笔付款早于其所依据的验收：{payments}。",
            "Contract {contract} has {count} payment(s) made before the acceptance they depend on: {payments}.",
        ),
        "RED_FLAG_SW02": (
            "合同 {contract} 的施工日志记载有施工的 {days} 天里，承包人的定位打卡均距工地 {nearest_m} 米以上（阈值 {threshold_m} 米）：{dates}。",
            "On {days} day(s) when the daily logs of contract {contract} record work, every check-in of the contractor's people was at least {nearest_m} m from the site (threshold {threshold_m} m): {dates}.",
        ),
        # Clauses of the explanations above.
        "RED_FLAG_FENCE_LOW": (
            "不高于本地区本年度 {count} 个{what}的下限 {fence}（Q1 {q1}，Q3 {q3}，下限 = Q1 − {k}×IQR）",
            "at or below the lower fence of {fence} over {count} {what} of the region and year (Q1 {q1}, Q3 {q3}, fence = Q1 − {k}×IQR)",
        ),
        "RED_FLAG_FENCE_HIGH": (
            "不低于本地区本年度 {count} 个{what}的上限 {fence}（Q1 {q1}，Q3 {q3}，上限 = Q3 + {k}×IQR）",
            "at or above the upper fence of {fence} over {count} {what} of the region and year (Q1 {q1}, Q3 {q3}, fence = Q3 + {k}×IQR)",
        ),
        "RED_FLAG_THRESHOLD_LOW": ("不高于设定的阈值 {fence}", "at or below the set threshold of {fence}"),
        "RED_FLAG_THRESHOLD_HIGH": ("不低于设定的阈值 {fence}", "at or above the set threshold of {fence}"),
        "RED_FLAG_PRICE_GROUP": ("{price} 元（{bidders}）", "CNY {price} ({bidders})"),
        "RED_FLAG_EARLY_PAYMENT": (
            "{request}（{amount} 元）于 {paid_on} 支付，而{basis}{accepted}",
            "{request} (CNY {amount}) was paid on {paid_on}, while {basis} {accepted}",
        ),
        "RED_FLAG_BASIS_MILESTONE": ("节点“{name}”", "milestone “{name}”"),
        "RED_FLAG_BASIS_FINAL": ("工程竣工", "the works' final acceptance"),
        "RED_FLAG_ACCEPTED_ON": ("于 {day} 才通过验收", "was accepted only on {day}"),
        "RED_FLAG_NOT_ACCEPTED": ("尚未通过验收", "has not been accepted"),
    },
    user_errors=False,
)

register_labels(
    "RedFlagCode",
    {
        "R003": ("投标期过短", "Short submission period"),
        "R018": ("仅一家投标", "Single bid received"),
        "R024": ("次低价与中标价过于接近", "Price close to winning bid"),
        "R025": ("屡投不中", "Excessive unsuccessful bids"),
        "R028": ("投标报价相同", "Identical bid prices"),
        "R030": ("逾期投标中标", "Late bid won"),
        "R035": ("除中标人外均被判无效", "All except winning bid disqualified"),
        "R036": ("最低价被判无效", "Lowest bid disqualified"),
        "R038": ("无效投标比例过高", "Excessive disqualified bids"),
        "R058": ("中标价大幅低于次低价", "Heavily discounted bid"),
        "SW01": ("验收前付款", "Paid before acceptance"),
        "SW02": ("施工日打卡远离工地", "Check-ins far from the site on work days"),
    },
)
register_labels("RedFlagLevel", {"process": ("采购项目", "Process"), "buyer": ("采购人", "Buyer"), "supplier": ("供应商", "Supplier")})
register_labels(
    "RedFlagStatus", {"open": ("待核查", "Open"), "acknowledged": ("已确认知悉", "Acknowledged"), "cleared": ("已不成立", "Cleared")}
)
# The action an auditor takes, and the moves the computation makes (the flag's history).
register_labels(
    "RedFlagAction",
    {
        "acknowledge": ("确认知悉", "Acknowledge"),
        "raise": ("发现", "Raised"),
        "clear": ("不再成立", "No longer holds"),
        "reopen": ("再次成立", "Holds again"),
        "reinstate": ("再次成立（已确认）", "Holds again (acknowledged before)"),
    },
)
register_labels(
    "RedFlagGroupBy",
    {
        "code": ("按预警类型", "By flag"),
        "region": ("按地区", "By region"),
        "year": ("按年度", "By year"),
        "buyer": ("按采购人", "By buyer"),
        "supplier": ("按供应商", "By supplier"),
    },
)
# Who a fence is computed over (in the explanations).
register_labels(
    "RedFlagPopulation", {"processes": ("采购项目", "processes"), "buyers": ("采购人", "buyers"), "tenderers": ("投标人", "tenderers")}
)
register_labels("ObjectType", {"RedFlag": ("风险预警", "Red flag")})
