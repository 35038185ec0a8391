"""Project application and approval (项目申报与立项): messages by code, and the labels of
the domain's coded values, in zh-CN and en."""

from __future__ import annotations

from resolvers.core.i18n import register, register_labels

register(
    "projects",
    {
        "INVALID_CATEGORY": ("项目类别无效。", "Invalid project category."),
        "INVALID_COORDINATES": ("经纬度超出有效范围。", "Latitude or longitude out of range."),
        "TOO_MANY_LINE_ITEMS": ("预算明细不能超过 {max} 行。", "At most {max} budget lines."),
        "QUANTITY_NOT_POSITIVE": ("数量必须大于0。", "The quantity must be greater than 0."),
        "NOT_PROJECT_OWNER": (
            "只有建设单位经办人可以执行此操作：{operation}。",
            "Only the owner organisation's staff may do this: {operation}.",
        ),
        "STALE_VERSION": (
            "项目已被他人修改（当前版本 {current}，您的版本 {expected}），请刷新后重试。",
            "The project was changed by someone else (now version {current}, yours {expected}); reload and try again.",
        ),
        "PROJECT_LOCKED": ("项目状态为“{status}”，不能修改。", "The project is in status “{status}” and can no longer be edited."),
        "INVALID_DOCUMENT_TYPE": ("文件类型无效。", "Invalid document type."),
        "INVALID_FILENAME": ("文件名无效。", "Invalid file name."),
        "INVALID_UPLOAD": (
            "请求中没有文件（请使用 GraphQL multipart 上传）。",
            "No file in the request (use a GraphQL multipart request).",
        ),
        "EMPTY_FILE": ("文件为空。", "The file is empty."),
        "FILE_TOO_LARGE": ("文件过大（上限 {limit_mb} MB）。", "The file is too large (limit {limit_mb} MB)."),
        "FILE_TYPE_NOT_ALLOWED": (
            "不允许的文件类型：{detected}。仅支持 PDF、OFD、图片、电子表格和 CAD 图纸。",
            "File type not allowed: {detected}. PDF, OFD, images, spreadsheets and CAD drawings are accepted.",
        ),
        "FILE_TYPE_MISMATCH": (
            "文件内容为 {detected}，与{claim}不符。",
            "The file's content is {detected}, which does not match {claim}.",
        ),
        "MISSING_DOCUMENT": ("缺少必需的文件：{document_type}。", "A required document is missing: {document_type}."),
        "BUDGET_NOT_POSITIVE": ("预算金额必须大于0。", "The budget must be greater than 0."),
        "BUDGET_OVER_CEILING": ("预算金额超过小额工程上限 {ceiling} 元。", "The budget exceeds the small-works ceiling of CNY {ceiling}."),
        "LINE_ITEMS_MISMATCH": (
            "预算明细合计 {total} 元与预算金额 {budget} 元不一致。",
            "The budget lines add up to CNY {total}, not the budget of CNY {budget}.",
        ),
        "START_IN_PAST": ("计划开工日期不能早于今天。", "The planned start must not be in the past."),
        "END_NOT_AFTER_START": ("计划完工日期须晚于开工日期。", "The planned end must be after the planned start."),
        "LOCATION_OUTSIDE_CHINA": ("项目地点不在中国境内。", "The site is outside China."),
        "RADIUS_OUT_OF_RANGE": ("电子围栏半径须在 {min} 至 {max} 米之间。", "The geofence radius must be between {min} and {max} metres."),
        "INSUFFICIENT_ALLOCATION": (
            "{year} 年度预算指标余额不足（可用 {remaining} 元）。",
            "Not enough of the {year} budget allocation remains (CNY {remaining} available).",
        ),
        "NOT_YOUR_REVIEW": ("该审核环节不由您负责。", "This review step is not yours to decide."),
        "OWN_PROJECT_REVIEW": ("不能审核本单位的项目。", "You cannot review your own organisation's project."),
        "SAME_REVIEWER": ("同一轮申报中您已审核过其他环节。", "You already decided another step of this submission."),
        "REVIEW_ALREADY_DECIDED": ("该审核环节已处理。", "This review step has already been decided."),
        "INVALID_FISCAL_YEAR": ("年度无效。", "Invalid fiscal year."),
        "NOT_AN_OWNER": ("只能为建设单位设置预算指标。", "Allocations are set for owner organisations only."),
        "ALLOCATION_BELOW_RESERVED": (
            "指标不能低于已占用的 {reserved} 元。",
            "The allocation cannot be less than the CNY {reserved} already reserved.",
        ),
    },
)

# Clauses of FILE_TYPE_MISMATCH and FILE_TYPE_NOT_ALLOWED (never codes of their own).
register(
    "projects",
    {
        "FILE_CONTENT": ("{name}（{media_type}）", "{name} ({media_type})"),
        "FILE_CONTENT_UNKNOWN": ("无法识别的文件格式", "unrecognised content"),
        "CLAIMED_MEDIA_TYPE": ("声明的文件类型（{claimed}）", "its declared type {claimed}"),
        "CLAIMED_EXTENSION": ("文件扩展名 .{extension}（应为 {expected}）", "its file extension .{extension} (expected {expected})"),
        "CLAIMED_NO_EXTENSION": (
            "没有扩展名的文件名 {filename}（应以 {expected} 结尾）",
            "its file name {filename}, which has no extension (expected {expected})",
        ),
    },
    user_errors=False,
)

register_labels(
    "ProjectCategory",
    {
        "road": ("道路", "Road"),
        "greening": ("绿化", "Greening"),
        "building_repair": ("房屋修缮", "Building repair"),
        "water": ("水利", "Water works"),
        "equipment": ("设备购置", "Equipment"),
        "other": ("其他", "Other"),
    },
)

register_labels(
    "ProjectStatus",
    {
        "draft": ("草稿", "Draft"),
        "submitted": ("审核中", "Under review"),
        "approved": ("已立项", "Approved"),
        "rejected": ("已退回", "Returned"),
        "cancelled": ("已撤销", "Cancelled"),
        "tendering": ("招标中", "Tendering"),
        "contracted": ("已签约", "Contracted"),
        "in_progress": ("施工中", "In progress"),
        "completed": ("已完工", "Completed"),
        "closed": ("已关闭", "Closed"),
    },
)

register_labels(
    "DocumentType",
    {
        "proposal": ("项目建议书", "Project proposal"),
        "budget_table": ("预算表", "Budget table"),
        "construction_drawing": ("施工图", "Construction drawings"),
        "other": ("其他文件", "Other document"),
    },
)

register_labels(
    "ReviewStatus",
    {
        "pending": ("待审核", "Pending"),
        "approved": ("已通过", "Approved"),
        "rejected": ("已退回", "Rejected"),
        "withdrawn": ("已撤回", "Withdrawn"),
    },
)

register_labels("ReviewDecision", {"approve": ("通过", "Approve"), "reject": ("退回", "Reject")})

# What may be done to a project (``PROJECT_ACTIONS``, the GraphQL enum ProjectAction), and the
# actions its status history records: the lifecycle's and its first record, ``create``.
register_labels(
    "ProjectAction",
    {
        "create": ("创建", "Create"),
        "update": ("修改", "Edit"),
        "upload_document": ("上传文件", "Upload a document"),
        "submit": ("提交申报", "Submit"),
        "approve": ("审核通过", "Approve"),
        "reject": ("退回", "Return"),
        "cancel": ("撤销", "Cancel"),
    },
)

register_labels(
    "ProjectOrderField",
    {
        "created_at": ("创建时间", "Created"),
        "updated_at": ("更新时间", "Last changed"),
        "code": ("项目编号", "Code"),
        "title": ("项目名称", "Title"),
        "budget_amount": ("预算金额", "Budget"),
    },
)

# What a message may call an object (the entity of a state machine).
register_labels("ObjectType", {"Project": ("项目", "Project")})
