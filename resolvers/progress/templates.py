"""The events of the progress of works and the text of their notifications, in zh-CN and en."""

from __future__ import annotations

from resolvers.core.i18n import register_labels
from resolvers.core.outbox import declare_events

declare_events(
    "progress",
    {
        "progress.warning": (
            "施工预警：{code}",
            "Works warning: {code}",
            "{title}：{kind}（{severity}）。",
            "{title}: {kind} ({severity}).",
        ),
        "milestone.submitted": (
            "节点申请验收：{code}",
            "Milestone submitted: {code}",
            "{title} 的节点“{milestone_name}”已申请验收。",
            "Milestone “{milestone_name}” of {title} is submitted for acceptance.",
        ),
        "milestone.rejected": (
            "节点验收未通过：{code}",
            "Milestone rejected: {code}",
            "{title} 的节点“{milestone_name}”验收未通过：{reason}",
            "Milestone “{milestone_name}” of {title} was not accepted: {reason}",
        ),
        "milestone.accepted": (
            "节点已验收：{code}",
            "Milestone accepted: {code}",
            "{title} 的节点“{milestone_name}”已验收。",
            "Milestone “{milestone_name}” of {title} is accepted.",
        ),
        "inspection.failed": (
            "质量检查发现问题：{code}",
            "Inspection found faults: {code}",
            "{inspector} 检查 {title}，{failed} 项不合格，请于 {due} 前整改。",
            "{inspector} inspected {title}: {failed} item(s) failed; put them right by {due}.",
        ),
        "rectification.responded": (
            "整改已回复：{code}",
            "Rectification answered: {code}",
            "{title} 的整改事项已回复，请复查：{item}",
            "The contractor answered a rectification of {title}; check it: {item}",
        ),
        "rectification.decided": (
            "整改复查结果：{code}",
            "Rectification checked: {code}",
            "{title} 的整改事项复查为“{status}”：{item}。{comment}",
            "A rectification of {title} is now “{status}”: {item}. {comment}",
        ),
        "contract.completed": (
            "竣工验收完成：{code}",
            "Final acceptance: {code}",
            "{title} 全部节点已验收，合同履行完毕，进入缺陷责任期。",
            "Every milestone of {title} is accepted: the works are complete and the defect liability period begins.",
        ),
    },
    labels={"what": "ProgressRecord", "status": "RectificationStatus", "kind": "WarningKind", "severity": "WarningSeverity"},
)

register_labels(
    "EventType",
    {
        "progress.warning": ("施工预警", "Works warning"),
        "milestone.submitted": ("节点申请验收", "Milestone submitted"),
        "milestone.rejected": ("节点验收未通过", "Milestone rejected"),
        "milestone.accepted": ("节点已验收", "Milestone accepted"),
        "contract.completed": ("竣工验收完成", "Final acceptance"),
        "inspection.failed": ("质量检查不合格", "Inspection found faults"),
        "rectification.responded": ("整改已回复", "Rectification answered"),
        "rectification.decided": ("整改复查结果", "Rectification checked"),
    },
)
