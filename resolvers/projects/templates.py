"""The events of the project lifecycle and the text of their notifications, in zh-CN and en:
(title, en title, body, en body), filled from the event payload; coded values in the
payload (a decision, a status, a role) are shown by their labels."""

from __future__ import annotations

from resolvers.core.i18n import register_labels
from resolvers.core.outbox import declare_events

declare_events(
    "projects",
    {
        "project.submitted": (
            "项目待审核：{code}",
            "Project awaiting review: {code}",
            "{title}（预算 {budget} 元）已提交，请审核。",
            "{title} (budget CNY {budget}) was submitted for your review.",
        ),
        "project.review_step": (
            "项目待审核：{code}",
            "Project awaiting review: {code}",
            "{title} 已通过上一环节审核，请您审核。",
            "{title} passed the previous review step and awaits yours.",
        ),
        "project.review_decided": (
            "审核意见：{code}",
            "Review decision: {code}",
            "{title} 第{step}环节审核结果：{decision}。{comment}",
            "{title}, review step {step}: {decision}. {comment}",
        ),
        "project.approved": (
            "项目已立项：{code}",
            "Project approved: {code}",
            "{title} 已通过全部审核，预算 {budget} 元已从年度指标中预留。",
            "{title} passed every review; CNY {budget} is reserved from the allocation.",
        ),
        "project.rejected": (
            "项目被退回：{code}",
            "Project returned: {code}",
            "{title} 被退回：{comment}",
            "{title} was returned: {comment}",
        ),
        "project.cancelled": (
            "项目已撤销：{code}",
            "Project cancelled: {code}",
            "{title} 已撤销：{comment}",
            "{title} was cancelled: {comment}",
        ),
        "review.overdue": (
            "审核超时提醒：{code}",
            "Review overdue: {code}",
            "{title} 已等待审核超过 {days} 个工作日（应于 {due} 前完成）。",
            "{title} has waited more than {days} working days for review (due {due}).",
        ),
    },
    labels={"decision": "ReviewStatus", "status": "ProjectStatus", "role": "Role"},
)

register_labels(
    "EventType",
    {
        "project.submitted": ("项目提交审核", "Project submitted for review"),
        "project.review_step": ("项目待下一环节审核", "Project awaiting the next review step"),
        "project.review_decided": ("审核环节已处理", "Review step decided"),
        "project.approved": ("项目立项", "Project approved"),
        "project.rejected": ("项目退回", "Project returned"),
        "project.cancelled": ("项目撤销", "Project cancelled"),
        "review.overdue": ("审核超时提醒", "Review overdue"),
    },
)
