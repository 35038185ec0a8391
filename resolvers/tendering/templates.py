"""The events of a procurement and the text of their notifications, in zh-CN and en."""

from __future__ import annotations

from resolvers.core.i18n import register_labels
from resolvers.core.outbox import declare_events

declare_events(
    "tendering",
    {
        "tender.published": (
            "招标公告：{code}",
            "Tender notice: {code}",
            "{title}（{method}，最高限价 {ceiling} 元）已发布，投标截止 {deadline}。",
            "{title} ({method}, ceiling CNY {ceiling}) is published; bids close {deadline}.",
        ),
        "tender.amended": (
            "招标文件变更：{code}",
            "Tender documents changed: {code}",
            "{title} 第{number}次变更：{summary}。投标截止 {deadline}。",
            "{title}, change {number}: {summary}. Bids close {deadline}.",
        ),
        "tender.cancelled": ("招标取消：{code}", "Tender cancelled: {code}", "{title} 已取消：{reason}", "{title} was cancelled: {reason}"),
        "tender.question": (
            "新的澄清问题：{code}",
            "New question: {code}",
            "{title} 收到一个澄清问题，请答复。",
            "{title} has a question waiting for your answer.",
        ),
        "tender.clarified": (
            "澄清答复：{code}",
            "Clarification: {code}",
            "{title}\n问：{question}\n答：{answer}",
            "{title}\nQ: {question}\nA: {answer}",
        ),
        "bid.received": (
            "投标回执：{code}",
            "Bid receipt: {code}",
            "贵单位对 {title} 的投标已于 {received_at} 收到，内容哈希 {receipt}。",
            "Your bid for {title} was received at {received_at}; content hash {receipt}.",
        ),
        "bid.withdrawn": (
            "投标已撤回：{code}",
            "Bid withdrawn: {code}",
            "贵单位对 {title} 的投标已于 {received_at} 撤回。",
            "Your bid for {title} was withdrawn at {received_at}.",
        ),
        "bid.final_quote_received": (
            "最后报价回执：{code}",
            "Final quote receipt: {code}",
            "贵单位对 {title} 的最后报价已于 {received_at} 收到，内容哈希 {receipt}。",
            "Your final quote for {title} was received at {received_at}; content hash {receipt}.",
        ),
        "tender.final_quotes": (
            "请提交最后报价：{code}",
            "Final quotes requested: {code}",
            "{title} 谈判结束，请于 {final_deadline} 前提交最后报价（不得高于首次报价）。{note}",
            "Negotiation on {title} is over; send your final quote (not above your first) by {final_deadline}. {note}",
        ),
        "tender.final_quotes_opened": (
            "最后报价已开启：{code}",
            "Final quotes opened: {code}",
            "{title} 的最后报价已开启，共收到 {received} 份。",
            "The final quotes for {title} were opened; {received} were received.",
        ),
        "tender.opened": (
            "已开标：{code}",
            "Bids opened: {code}",
            "{title} 已开标，有效投标 {valid} 份。",
            "{title} was opened with {valid} valid bids.",
        ),
        "tender.failed": (
            "流标：{code}",
            "Tender failed: {code}",
            "{title} 有效投标 {valid} 份，少于 {minimum} 份，本轮采购失败。",
            "{title} had {valid} valid bids, fewer than {minimum}; this round failed.",
        ),
        "tender.committee": (
            "评标邀请：{code}",
            "Evaluation: {code}",
            "您被抽取为 {title} 的评标专家，请按时评审或说明回避、谢绝。",
            "You were drawn to evaluate {title}; evaluate it, or declare a conflict or decline.",
        ),
        "tender.evaluated": (
            "评标完成：{code}",
            "Evaluation complete: {code}",
            "{title} 评标完成，请开始中标候选人公示。",
            "{title} is evaluated; start the award publicity.",
        ),
        "tender.publicity": (
            "中标候选人公示：{code}",
            "Award publicity: {code}",
            "{title} 中标候选人公示至 {ends}，期间可提出质疑。",
            "{title}: the recommended winner is public until {ends}; objections may be filed until then.",
        ),
        "tender.objection": (
            "收到质疑：{code}",
            "Objection filed: {code}",
            "{title} 收到质疑：{text}",
            "{title} received an objection: {text}",
        ),
        "tender.objection_answered": (
            "质疑答复：{code}",
            "Objection answered: {code}",
            "贵单位对 {title} 的质疑：{decision}。{answer}",
            "Your objection to {title}: {decision}. {answer}",
        ),
        "tender.awarded": (
            "定标结果：{code}",
            "Tender awarded: {code}",
            "{title} 已定标，中标人 {winner}，中标金额 {value} 元。",
            "{title} was awarded to {winner} for CNY {value}.",
        ),
    },
    labels={"method": "TenderMethod", "status": "TenderStatus", "decision": "ObjectionStatus"},
)

register_labels(
    "EventType",
    {
        "tender.published": ("招标公告", "Tender published"),
        "tender.amended": ("招标文件变更", "Tender documents changed"),
        "tender.cancelled": ("招标取消", "Tender cancelled"),
        "tender.question": ("澄清问题", "Question asked"),
        "tender.clarified": ("澄清答复", "Question answered"),
        "bid.received": ("投标回执", "Bid received"),
        "bid.withdrawn": ("投标撤回", "Bid withdrawn"),
        "bid.final_quote_received": ("最后报价回执", "Final quote received"),
        "tender.final_quotes": ("请提交最后报价", "Final quotes requested"),
        "tender.final_quotes_opened": ("最后报价开启", "Final quotes opened"),
        "tender.opened": ("开标", "Bids opened"),
        "tender.failed": ("流标", "Tender failed"),
        "tender.committee": ("评标邀请", "Drawn for evaluation"),
        "tender.evaluated": ("评标完成", "Evaluation complete"),
        "tender.publicity": ("中标候选人公示", "Award publicity"),
        "tender.objection": ("质疑", "Objection filed"),
        "tender.objection_answered": ("质疑答复", "Objection answered"),
        "tender.awarded": ("定标", "Tender awarded"),
    },
)
