"""Tendering and bidding (招标采购): messages by code, and the labels of the domain's coded
values, in zh-CN and en."""

from __future__ import annotations

from resolvers.core.i18n import register, register_labels

register(
    "tendering",
    {
        # templates and drafting
        "INVALID_METHOD": ("采购方式无效。", "Invalid procurement method."),
        "INVALID_KEY": (
            "代码须以小写字母开头，仅含小写字母、数字和下划线（至多40个字符）。",
            "A key starts with a lower-case letter and holds only lower-case letters, digits and underscores (at most 40).",
        ),
        "DUPLICATE_KEY": ("代码 {key} 重复。", "The key {key} appears more than once."),
        "TOO_MANY_REQUIREMENTS": ("至多 {max} 项。", "At most {max} entries."),
        "INVALID_CRITERION_KIND": ("评分因素类型无效。", "Invalid kind of criterion."),
        "WEIGHTS_NOT_100": (
            "评分因素权重合计须为100（现为 {total}）。",
            "The criteria's weights must add up to 100 (they add up to {total}).",
        ),
        "PRICE_CRITERION_REQUIRED": ("简易招标须有且仅有一项价格评分因素。", "A simple tender needs exactly one price criterion."),
        "DUPLICATE_CRITERION": ("评分因素 {key} 重复。", "The criterion {key} appears more than once."),
        "WEIGHT_OUT_OF_RANGE": (
            "评分因素 {key} 的权重须大于0且不超过100。",
            "The weight of criterion {key} must be above 0 and at most 100.",
        ),
        "TEMPLATE_NOT_LATEST": ("只能修改模板的最新版本。", "Only the latest version of a template can be edited."),
        "TEMPLATE_OF_ANOTHER_OWNER": ("只能使用本单位的招标模板。", "Use one of your own organisation's templates."),
        "NOT_TENDER_OWNER": (
            "只有建设单位经办人可以执行此操作：{operation}。",
            "Only the owner organisation's staff may do this: {operation}.",
        ),
        "NOT_A_SUPPLIER": ("只有施工单位可以执行此操作：{operation}。", "Only a contractor may do this: {operation}."),
        "STALE_TENDER_VERSION": (
            "招标已被他人修改（当前版本 {current}，您的版本 {expected}），请刷新后重试。",
            "The tender was changed by someone else (now version {current}, yours {expected}); reload and try again.",
        ),
        "PROJECT_NOT_APPROVED": (
            "项目状态为“{status}”，只有已立项的项目可以招标。",
            "The project is “{status}”; only an approved project can be tendered.",
        ),
        "TENDER_ALREADY_ACTIVE": ("该项目已有进行中的招标 {code}。", "The project already has a tender under way: {code}."),
        "CEILING_NOT_POSITIVE": ("最高限价须大于0。", "The ceiling price must be greater than 0."),
        "CEILING_OVER_BUDGET": (
            "最高限价不能超过项目预算 {budget} 元。",
            "The ceiling price cannot exceed the project budget of CNY {budget}.",
        ),
        "TOO_MANY_INVITED": ("至多邀请 {max} 家供应商。", "At most {max} suppliers can be invited."),
        "NOT_A_CONTRACTOR": ("被邀请的单位须为施工单位。", "An invited organisation must be a contractor."),
        "DEADLINE_IN_PAST": ("投标截止时间须晚于现在。", "The bid deadline must be in the future."),
        "OPENING_BEFORE_DEADLINE": ("开标时间不能早于投标截止时间。", "The opening cannot be before the bid deadline."),
        "CLARIFICATION_DEADLINE_IN_PAST": ("澄清截止时间须晚于现在。", "The clarification deadline must be in the future."),
        "CLARIFICATION_AFTER_DEADLINE": ("澄清截止时间须早于投标截止时间。", "The clarification deadline must be before the bid deadline."),
        "INVALID_QUALIFICATION_KIND": ("资质类别无效。", "Invalid qualification kind."),
        "INVALID_QUALIFICATION_GRADE": ("资质等级无效。", "Invalid qualification grade."),
        "COMMITTEE_TOO_SMALL": ("评标委员会至少 {minimum} 人。", "An evaluation committee has at least {minimum} members."),
        "COMMITTEE_NOT_ODD": ("评标委员会人数须为单数。", "An evaluation committee has an odd number of members."),
        "COMMITTEE_TOO_LARGE": ("评标委员会至多 {maximum} 人。", "An evaluation committee has at most {maximum} members."),
        "TENDER_LOCKED": ("招标状态为“{status}”，不能修改。", "The tender is “{status}” and can no longer be edited."),
        # publication and amendments
        "INVALID_DRAW_COMMITMENT": (
            "专家抽取承诺须为随机种子的 SHA-256 值（64位十六进制）。",
            "The draw commitment must be the SHA-256 of a secret seed (64 hexadecimal characters).",
        ),
        "RESPONSE_PERIOD_TOO_SHORT": (
            "投标截止前须至少留 {minimum} 个工作日（现为 {days} 个），最早可定于 {earliest}。",
            "At least {minimum} working days must remain before the deadline ({days} do); the earliest deadline is {earliest}.",
        ),
        "TOO_FEW_INVITED": (
            "{method}须至少邀请 {minimum} 家供应商（现为 {invited} 家）。",
            "{method} needs at least {minimum} invited suppliers ({invited} are).",
        ),
        "EXPERT_POOL_TOO_SMALL": (
            "“{category}”专业的评标专家只有 {available} 名，不足以组成 {size} 人的评标委员会。",
            "Only {available} experts in “{category}” are available, too few for a committee of {size}.",
        ),
        "DEADLINE_MOVED_EARLIER": ("投标截止时间不能提前。", "The bid deadline cannot be moved earlier."),
        "NOTHING_TO_AMEND": ("没有需要变更的内容。", "Nothing to change."),
        "BID_DEADLINE_PASSED": ("投标已于 {deadline} 截止。", "Bids closed at {deadline}."),
        "TENDER_NOT_OPEN_FOR_BIDS": (
            "招标状态为“{status}”，不接受投标或澄清。",
            "The tender is “{status}”; it takes no bids or questions.",
        ),
        "CLARIFICATION_CLOSED": ("澄清已于 {deadline} 截止。", "Questions closed at {deadline}."),
        "CLARIFICATION_ALREADY_ANSWERED": ("该问题已答复。", "This question has already been answered."),
        # bids
        "NOT_INVITED": ("贵单位未被邀请参加本次采购。", "Your organisation was not invited to this procurement."),
        "QUALIFICATION_REQUIRED": ("投标须具备{kind}{grade}及以上资质。", "Bidding requires a {kind} qualification of {grade} or higher."),
        "QUALIFICATION_EXPIRED": (
            "贵单位的{kind}资质已过期（须{grade}及以上的有效资质）。",
            "Your {kind} qualification has expired (a valid one of {grade} or higher is required).",
        ),
        "PRICE_NOT_POSITIVE": ("报价须大于0。", "The price must be greater than 0."),
        "PRICE_OVER_CEILING": ("报价超过最高限价 {ceiling} 元。", "The price exceeds the ceiling of CNY {ceiling}."),
        "UNKNOWN_ITEM": ("招标文件没有应答项 {key}。", "The tender has no item {key}."),
        "MISSING_ANSWER": ("未应答：{item}", "Not answered: {item}"),
        "TOO_MANY_FILES": ("至多 {max} 个文件。", "At most {max} files."),
        "UNKNOWN_DOCUMENT": ("招标文件没有要求文件 {key}。", "The tender asks for no document {key}."),
        "MISSING_BID_DOCUMENT": ("缺少投标文件：{document}。", "A bid document is missing: {document}."),
        "NOT_YOUR_BID": ("这不是贵单位的投标。", "This is not your organisation's bid."),
        "BID_NOT_SUBMITTED": ("该投标未处于已提交状态。", "This bid is not submitted."),
        # opening and evaluation
        "OPENING_TIME_NOT_REACHED": ("未到开标时间（{opening_time}）。", "The opening time ({opening_time}) has not come yet."),
        "DRAW_SEED_MISMATCH": ("随机种子与发布时的承诺不符。", "The seed does not match the commitment published with the tender."),
        "EXPERT_POOL_EXHAUSTED": (
            "可抽取的评标专家不足（需 {size} 名，余 {available} 名）。",
            "Too few experts remain to draw from ({size} needed, {available} left).",
        ),
        "NOT_ON_COMMITTEE": ("您不是本项目评标委员会成员。", "You are not on this tender's evaluation committee."),
        "RECUSED": (
            "您与投标人存在利害关系，须回避本次评标。",
            "You have a relationship with a bidder and must stand aside from this evaluation.",
        ),
        "EVALUATION_DECLINED": ("您已谢绝本次评标。", "You declined this evaluation."),
        "TENDER_NOT_IN_EVALUATION": ("招标状态为“{status}”，不在评标阶段。", "The tender is “{status}”, not under evaluation."),
        "EVALUATION_ALREADY_SUBMITTED": ("您已提交评审意见。", "You have already submitted your evaluation."),
        "INVALID_RELATIONSHIP": ("关系类型无效。", "Invalid kind of relationship."),
        "NOT_A_BIDDER": ("该单位不是本项目的投标人。", "That organisation did not bid for this tender."),
        "UNKNOWN_BID": ("没有这份有效投标。", "No such valid bid."),
        "DUPLICATE_SHEET": ("同一投标只能提交一份评审意见。", "One sheet per bid."),
        "DISQUALIFICATION_REASON_REQUIRED": ("判定投标无效须说明理由。", "A disqualification needs a reason."),
        "MISSING_SCORE": ("缺少评分：{criterion}。", "A score is missing: {criterion}."),
        "SCORE_OUT_OF_RANGE": ("评分须在0至 {max} 之间。", "A score lies between 0 and {max}."),
        "UNKNOWN_CRITERION": ("没有评分因素 {key}。", "There is no criterion {key}."),
        "MISSING_SHEET": ("尚未评审 {bidder} 的投标。", "The bid of {bidder} has not been evaluated."),
        # competitive negotiation
        "NOT_A_NEGOTIATION": ("{method}没有最后报价环节。", "A {method} has no final quotes."),
        "FINAL_QUOTES_ALREADY_REQUESTED": ("已要求最后报价（截止 {deadline}）。", "Final quotes were already requested (due {deadline})."),
        "FINAL_QUOTES_NOT_OPEN": ("当前不接受最后报价。", "Final quotes are not being taken now."),
        "FINAL_QUOTE_DEADLINE_PASSED": ("最后报价已于 {deadline} 截止。", "Final quotes closed at {deadline}."),
        "FINAL_QUOTE_ABOVE_FIRST": ("最后报价不得高于首次报价 {first} 元。", "A final quote cannot exceed the first quote of CNY {first}."),
        "FINAL_QUOTES_NOT_DUE": ("最后报价截止时间（{deadline}）未到。", "The final quotes are due at {deadline}, not yet."),
        "FINAL_QUOTES_REQUIRED": (
            "竞争性谈判须先开启最后报价，再评审。",
            "A competitive negotiation is evaluated on its final quotes: open them first.",
        ),
        # publicity and objections
        "NOT_IN_PUBLICITY": ("招标状态为“{status}”，不在公示期内。", "The tender is “{status}”, not in its publicity period."),
        "OBJECTION_ALREADY_ANSWERED": ("该质疑已答复。", "This objection has already been answered."),
        "UNKNOWN_ORGANISATION": ("没有该单位。", "No such organisation."),
        # qualifications
        "QUALIFICATION_NUMBER_TAKEN": ("该资质证书已登记。", "This certificate is already registered."),
        "INVALID_CERTIFICATE_NUMBER": ("证书编号无效。", "Invalid certificate number."),
        "EXPIRY_IN_PAST": ("有效期已过。", "The expiry date has passed."),
    },
)

# Why the service closed a tender or set a bid aside (stored as codes; people read these).
register(
    "tendering",
    {
        "TOO_FEW_BIDS": (
            "有效投标 {valid} 份，少于 {minimum} 份，流标。",
            "{valid} valid bids, fewer than the {minimum} required: the tender failed.",
        ),
        "STOOD_ASIDE": ("与投标人存在利害关系（{relationship}），回避。", "Stood aside: a relationship with a bidder ({relationship})."),
    },
    user_errors=False,
)
register_labels(
    "ClosingReason",
    {
        "ALL_DISQUALIFIED": ("全部投标经评审无效，流标。", "Every bid was found invalid: the tender failed."),
        "UNREADABLE": ("投标内容无法解密，投标无效。", "The bid's sealed content could not be opened: invalid."),
        "RECEIPT_MISMATCH": ("开标内容与投标回执不符，投标无效。", "The opened content does not match the bid's receipt: invalid."),
        "DOCUMENT_MISMATCH": (
            "投标文件与投标回执不符（存储后被改动），投标无效。",
            "A document no longer matches the bid's receipt (changed in storage): invalid.",
        ),
    },
)

register_labels(
    "TenderMethod",
    {
        "rfq": ("询价", "Request for quotation"),
        "competitive_negotiation": ("竞争性谈判", "Competitive negotiation"),
        "simple_tender": ("简易招标", "Simple tender"),
    },
)
register_labels(
    "TenderStatus",
    {
        "draft": ("草稿", "Draft"),
        "published": ("已发布", "Published"),
        "opened": ("已开标", "Opened"),
        "evaluated": ("已评标", "Evaluated"),
        "publicity": ("公示中", "In publicity"),
        "awarded": ("已定标", "Awarded"),
        "failed": ("流标", "Failed"),
        "cancelled": ("已取消", "Cancelled"),
    },
)
register_labels(
    "BidStatus",
    {
        "submitted": ("已提交", "Submitted"),
        "withdrawn": ("已撤回", "Withdrawn"),
        "opened": ("已开标", "Opened"),
        "qualified": ("有效", "Qualified"),
        "disqualified": ("无效", "Disqualified"),
        "won": ("中标", "Won"),
        "lost": ("未中标", "Lost"),
    },
)
register_labels(
    "ReceiptKind",
    {
        "submitted": ("提交", "Submitted"),
        "replaced": ("替换", "Replaced"),
        "withdrawn": ("撤回", "Withdrawn"),
        "final_quote": ("最后报价", "Final quote"),
    },
)
register_labels("ClarificationStatus", {"open": ("待答复", "Awaiting answer"), "answered": ("已答复", "Answered")})
register_labels(
    "CommitteeMemberStatus",
    {
        "drawn": ("已抽取", "Drawn"),
        "declined": ("已谢绝", "Declined"),
        "recused": ("已回避", "Stood aside"),
        "submitted": ("已提交评审", "Submitted"),
    },
)
register_labels("ObjectionStatus", {"open": ("待答复", "Open"), "upheld": ("质疑成立", "Upheld"), "dismissed": ("质疑不成立", "Dismissed")})
register_labels("ObjectionDecision", {"uphold": ("质疑成立", "Uphold"), "dismiss": ("质疑不成立", "Dismiss")})
register_labels("CriterionKind", {"price": ("价格", "Price"), "quality": ("技术/商务", "Quality")})
register_labels(
    "QualificationKind",
    {
        "municipal_works": ("市政公用工程施工总承包", "Municipal works general contracting"),
        "building_works": ("建筑工程施工总承包", "Building works general contracting"),
        "landscaping": ("园林绿化工程", "Landscaping works"),
        "decoration": ("建筑装修装饰工程专业承包", "Building decoration specialty contracting"),
        "water_conservancy": ("水利水电工程施工总承包", "Water conservancy works general contracting"),
        "electrical": ("电子与智能化工程专业承包", "Electronic and intelligent systems specialty contracting"),
    },
)
register_labels(
    "QualificationGrade",
    {"special": ("特级", "Special grade"), "first": ("一级", "Grade 1"), "second": ("二级", "Grade 2"), "third": ("三级", "Grade 3")},
)
register_labels(
    "Relationship",
    {
        "employee": ("任职（三年内）", "Employed (within 3 years)"),
        "director": ("董事、监事（三年内）", "Director or supervisor (within 3 years)"),
        "shareholder": ("股东（三年内）", "Shareholder (within 3 years)"),
        "relative": ("法定代表人近亲属", "Close relative of its legal representative"),
        "other": ("其他利害关系", "Other interest"),
    },
)
register_labels(
    "TenderAction",
    {
        "create": ("创建", "Create"),
        "update": ("修改", "Edit"),
        "publish": ("发布", "Publish"),
        "amend": ("变更招标文件", "Amend the documents"),
        "cancel": ("取消", "Cancel"),
        "answer_clarification": ("答复澄清", "Answer a question"),
        "open": ("开标", "Open the bids"),
        "fail": ("流标", "Fail"),
        "complete_evaluation": ("完成评标", "Complete the evaluation"),
        "start_publicity": ("开始公示", "Start the publicity"),
        "reevaluate": ("重新评标", "Evaluate again"),
        "award": ("定标", "Award"),
        "answer_objection": ("答复质疑", "Answer an objection"),
        "ask_clarification": ("提出澄清", "Ask a question"),
        "submit_bid": ("投标", "Submit a bid"),
        "file_objection": ("提出质疑", "File an objection"),
        "request_final_quotes": ("要求最后报价", "Request final quotes"),
        "open_final_quotes": ("开启最后报价", "Open the final quotes"),
        "submit_final_quote": ("提交最后报价", "Send a final quote"),
        "decline_evaluation": ("谢绝评标", "Decline the evaluation"),
        "declare_conflict": ("申请回避", "Declare a conflict of interest"),
        "submit_evaluation": ("提交评审", "Submit the evaluation"),
    },
)
register_labels(
    "BidAction",
    {"replace": ("替换投标", "Replace the bid"), "withdraw": ("撤回投标", "Withdraw the bid")},
)
register_labels("ProjectAction", {"start_tendering": ("开始招标", "Start tendering"), "end_tendering": ("招标终止", "End tendering")})
register_labels(
    "ObjectType",
    {"Tender": ("招标", "Tender"), "Bid": ("投标", "Bid"), "TenderTemplate": ("招标模板", "Tender template")},
)
register_labels(
    "TenderOrderField",
    {
        "created_at": ("创建时间", "Created"),
        "bid_deadline": ("投标截止时间", "Bid deadline"),
        "code": ("招标编号", "Code"),
        "ceiling_price": ("最高限价", "Ceiling price"),
    },
)
