"""Construction progress (进度): messages by code, and the labels of the domain's coded values,
in zh-CN and en."""

from __future__ import annotations

from resolvers.core.i18n import register, register_labels

register(
    "progress",
    {
        "CONTRACT_NOT_IN_FORCE": (
            "合同状态为“{status}”，只有生效的合同可以记录施工进度。",
            "The contract is “{status}”; progress is recorded for a contract in force only.",
        ),
        "NOT_FOR_YOUR_PARTY": (
            "贵单位在该合同中不承担此项工作：{operation}。",
            "Your organisation's part in this contract does not include this: {operation}.",
        ),
        "INVALID_IDEMPOTENCY_KEY": (
            "幂等键须为8至64个字母、数字或 _ . : - 字符（建议每条记录生成一个UUID）。",
            "An idempotency key is 8 to 64 letters, digits or _ . : - (a UUID per record is best).",
        ),
        "IDEMPOTENCY_KEY_REUSED": (
            "该幂等键已用于另一条内容不同的记录，请为新记录生成新的键。",
            "This idempotency key was used for a record with other content; make a new key for a new record.",
        ),
        "LOG_DATE_IN_FUTURE": ("施工日志日期不能晚于今天。", "A log cannot be for a day after today."),
        "LOG_BEFORE_WORKS": ("施工日志日期不能早于开工日期 {start}。", "A log cannot be for a day before the works start, {start}."),
        "LOG_EXISTS": ("{day} 的施工日志已存在，请修改或追加更正。", "The log of {day} exists already; edit it or add a correction."),
        "LOG_CLOSED": (
            "{day} 的施工日志只能在当天修改，之后请追加更正。",
            "The log of {day} was editable on its day only; add a correction instead.",
        ),
        "LOG_STILL_OPEN": ("当天的施工日志可直接修改，无需追加更正。", "Today's log can still be edited; no correction is needed."),
        "STALE_LOG_VERSION": (
            "施工日志已被他人修改（当前版本 {current}，您的版本 {expected}），请刷新后重试。",
            "The log was changed by someone else (now version {current}, yours {expected}); reload and try again.",
        ),
        "NOT_A_PHOTO": ("现场照片须为 JPEG、PNG 或 HEIC 图片。", "A site photo is a JPEG, PNG or HEIC image."),
        "PHOTO_UNREADABLE": ("照片{reason}。", "The photo {reason}."),
        "INVALID_POSITION": ("位置{reason}。", "The position {reason}."),
        "INVALID_DATUM": ("坐标系须为 WGS84 或 GCJ02。", "The datum is WGS84 or GCJ02."),
        # quality
        "NOT_A_CHECKLIST_KEEPER": (
            "只有监理单位或平台管理员可以维护检查表：{operation}。",
            "Only supervisors and administrators keep checklists: {operation}.",
        ),
        "ITEMS_REQUIRED": ("检查表至少须有一项。", "A checklist has at least one item."),
        "INVALID_ITEM_KEY": (
            "检查项代码须以小写字母开头，仅含小写字母、数字和下划线（至多40个字符）。",
            "An item key starts with a lower-case letter and holds only lower-case letters, digits and underscores (at most 40).",
        ),
        "DUPLICATE_ITEM_KEY": ("检查项 {ref} 重复。", "The item {ref} appears more than once."),
        "TEMPLATE_OF_ANOTHER_CATEGORY": ("该检查表适用于“{category}”类项目。", "This checklist is for “{category}” projects."),
        "MILESTONE_NOT_OF_CONTRACT": ("该节点不属于此合同。", "The milestone is not one of this contract's."),
        "UNKNOWN_CHECKLIST_ITEM": ("检查表中没有检查项 {ref}。", "The checklist has no item {ref}."),
        "ITEM_NOT_ANSWERED": ("检查项 {ref} 未填写结果。", "Item {ref} has no result."),
        "DUE_DATE_IN_PAST": ("整改期限不能早于今天。", "The rectification due date cannot be in the past."),
        "PHOTO_REQUIRED": ("检查项 {ref} 须附照片。", "Item {ref} needs a photo."),
        "PHOTO_NOT_OF_CONTRACT": ("照片须为本合同的现场照片。", "The photos must be site photos of this contract."),
        "UNRESOLVED_RECTIFICATIONS": (
            "该节点尚有 {count} 项整改未销项，不能验收。",
            "The milestone has {count} rectification(s) not yet closed; it cannot be accepted.",
        ),
    },
)
register_labels(
    "RectificationStatus",
    {"open": ("待整改", "Open"), "responded": ("待复查", "Awaiting check"), "closed": ("已销项", "Closed")},
)
register_labels(
    "RectificationAction",
    {"respond": ("回复整改", "Respond"), "close": ("销项", "Close"), "reopen": ("退回重改", "Reopen")},
)

register_labels(
    "PhotoProblem",
    {
        "unreadable": ("无法读取（文件不完整或已损坏）", "cannot be read (truncated or damaged)"),
        "unsupported": ("格式不受支持", "is in a format that is not supported"),
        "too_large": ("像素过多", "has too many pixels"),
    },
)
register_labels("ProgressRecord", {"photo": ("现场照片", "photo"), "check_in": ("定位打卡", "check-in")})
register_labels(
    "Datum", {"wgs84": ("WGS-84（GPS 卫星定位坐标）", "WGS-84 (GPS)"), "gcj02": ("GCJ-02（国测局坐标）", "GCJ-02 (Chinese map datum)")}
)
register_labels(
    "ProgressFlag",
    {
        "outside_geofence": ("位于电子围栏外", "Outside the site's fence"),
        "implausible_accuracy": ("定位精度不可信", "Implausible accuracy"),
        "device_time_off": ("设备时间与服务器相差过大", "Device clock far from the server's"),
        "capture_time_off": ("拍摄时间与日志日期相差过大", "Taken far from the log's day"),
        "no_position": ("无位置信息", "No position"),
    },
)
register_labels(
    "MilestoneAction",
    {
        "start": ("开始实施", "Start"),
        "submit": ("申请验收", "Submit for acceptance"),
        "accept": ("验收通过", "Accept"),
        "reject": ("验收不通过", "Reject"),
    },
)
register_labels("ProjectAction", {"start_works": ("开工", "Start the works"), "complete_works": ("竣工验收", "Final acceptance")})
register_labels(
    "ObjectType",
    {
        "ContractMilestone": ("工程节点", "Milestone"),
        "DailyLog": ("施工日志", "Daily log"),
        "SitePhoto": ("现场照片", "Site photo"),
        "CheckIn": ("定位打卡", "Check-in"),
        "ChecklistTemplate": ("质量检查表", "Checklist"),
        "Inspection": ("质量检查", "Inspection"),
        "Rectification": ("整改", "Rectification"),
    },
)

# What raised a warning, with its numbers (written into ``ProgressWarning.explanation``).
register(
    "progress",
    {
        "WARNING_MILESTONE_OVERDUE": (
            "节点 {milestone}“{name}”计划于 {planned} 完成，已逾期 {days} 天仍未验收。",
            "Milestone {milestone} (“{name}”) was planned for {planned} and is {days} days late without acceptance.",
        ),
        "WARNING_NO_DAILY_LOG": (
            "施工期间自 {since} 起已连续 {working_days} 个工作日无施工日志。",
            "No daily log for {working_days} working days since {since} while works are under way.",
        ),
        "WARNING_OUTSIDE_GEOFENCE": (
            "一条{what}位于工地 {distance_m} 米处，超出 {radius_m} 米电子围栏。",
            "A {what} lies {distance_m} m from the site, outside its {radius_m} m fence.",
        ),
        "WARNING_RECTIFICATION_OVERDUE": (
            "整改事项“{item}”应于 {due} 前完成，已逾期 {days} 天。",
            "The rectification “{item}” was due {due} and is {days} days late.",
        ),
        "WARNING_WORKS_ENDING": (
            "合同工期将于 {works_end} 结束（还有 {days} 天），尚有 {outstanding} 个节点未验收。",
            "The works period ends {works_end} ({days} days from now) with {outstanding} milestone(s) not accepted.",
        ),
    },
    user_errors=False,
)
register_labels(
    "WarningKind",
    {
        "milestone_overdue": ("节点逾期", "Milestone overdue"),
        "no_daily_log": ("施工日志缺失", "No daily log"),
        "outside_geofence": ("超出电子围栏", "Outside the site"),
        "rectification_overdue": ("整改逾期", "Rectification overdue"),
        "works_ending": ("工期将满", "Works period ending"),
    },
)
register_labels("WarningSeverity", {"low": ("低", "Low"), "medium": ("中", "Medium"), "high": ("高", "High")})
register_labels(
    "WarningStatus", {"open": ("待处理", "Open"), "acknowledged": ("已知悉", "Acknowledged"), "resolved": ("已处理", "Resolved")}
)
register_labels("WarningAction", {"acknowledge": ("确认知悉", "Acknowledge"), "resolve": ("处理完毕", "Resolve")})
register_labels("ObjectType", {"ProgressWarning": ("施工预警", "Warning")})
register_labels(
    "DailyLogAction",
    {"update": ("修改日志", "Edit the log"), "correct": ("追加更正", "Add a correction"), "upload_photo": ("上传照片", "Upload a photo")},
)
