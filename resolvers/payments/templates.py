"""The events of payments and the text of their notifications, in zh-CN and en."""

from __future__ import annotations

from resolvers.core.i18n import register_labels
from resolvers.core.outbox import declare_events

declare_events(
    "payments",
    {
        "payment.requested": (
            "付款申请待审批：{request}",
            "Payment request to decide: {request}",
            "{title}：“{term}”申请付款 {amount} 元，等待“{role}”审批。",
            "{title}: “{term}”, {amount} CNY requested, waiting for a decision by “{role}”.",
        ),
        "payment.step_approved": (
            "付款申请待审批：{request}",
            "Payment request to decide: {request}",
            "{approver}已同意 {title} 的付款申请（{amount} 元），等待“{role}”审批。",
            "{approver} approved the payment request of {title} ({amount} CNY); it waits for “{role}”.",
        ),
        "payment.approved": (
            "付款申请已批准：{request}",
            "Payment request approved: {request}",
            "{title} 的付款申请“{term}”（{amount} 元）已批准，待支付。",
            "The payment request “{term}” of {title} ({amount} CNY) is approved and waits to be paid.",
        ),
        "payment.rejected": (
            "付款申请被驳回：{request}",
            "Payment request rejected: {request}",
            "{approver}驳回了 {title} 的付款申请“{term}”：{comment}",
            "{approver} rejected the payment request “{term}” of {title}: {comment}",
        ),
        "payment.cancelled": (
            "付款申请已撤销：{request}",
            "Payment request cancelled: {request}",
            "{title} 的付款申请“{term}”已撤销：{reason}",
            "The payment request “{term}” of {title} was cancelled: {reason}",
        ),
        "payment.paid": (
            "款项已支付：{request}",
            "Payment made: {request}",
            "{title}：“{term}”已于 {paid_on} 支付 {paid} 元。",
            "{title}: “{term}”, {paid} CNY paid on {paid_on}.",
        ),
        "invoice.uploaded": (
            "发票待核验：{request}",
            "Invoice to check: {request}",
            "{title} 的付款申请收到发票 {number}（{total} 元），请对照原件核验。",
            "Invoice {number} ({total} CNY) was added to a payment request of {title}; check it against the file.",
        ),
        "invoice.verified": (
            "发票已核验：{request}",
            "Invoice verified: {request}",
            "发票 {number}（{total} 元）已核验，将归档。",
            "Invoice {number} ({total} CNY) is verified and will be archived.",
        ),
        "invoice.rejected": (
            "发票被退回：{request}",
            "Invoice rejected: {request}",
            "发票 {number} 被退回：{reason}",
            "Invoice {number} was rejected: {reason}",
        ),
    },
    labels={"role": "Role"},
)

register_labels(
    "EventType",
    {
        "payment.requested": ("付款申请", "Payment requested"),
        "payment.step_approved": ("付款审批通过一步", "Payment step approved"),
        "payment.approved": ("付款申请已批准", "Payment approved"),
        "payment.rejected": ("付款申请被驳回", "Payment rejected"),
        "payment.cancelled": ("付款申请已撤销", "Payment cancelled"),
        "payment.paid": ("款项已支付", "Payment made"),
        "invoice.uploaded": ("发票待核验", "Invoice uploaded"),
        "invoice.verified": ("发票已核验", "Invoice verified"),
        "invoice.rejected": ("发票被退回", "Invoice rejected"),
    },
)
