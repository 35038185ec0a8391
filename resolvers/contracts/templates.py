"""The events of a contract and the text of their notifications, in zh-CN and en."""

from __future__ import annotations

from resolvers.core.i18n import register_labels
from resolvers.core.outbox import declare_events

declare_events(
    "contracts",
    {
        "contract.drafted_late": (
            "合同起草逾期：{code}",
            "Contract drafted late: {code}",
            "{title} 的合同在定标后 {days} 天才起草，超过 {limit} 天的期限。",
            "The contract for {title} was drafted {days} days after the award, past the limit of {limit} days.",
        ),
        "contract.not_drafted": (
            "合同未按期起草：{code}",
            "Contract not drafted: {code}",
            "{title} 定标已 {days} 天，超过 {limit} 天仍未起草合同。",
            "{title} was awarded {days} days ago and its contract is still not drafted (limit: {limit} days).",
        ),
        "contract.submitted": (
            "合同待签署：{code}",
            "Contract to sign: {code}",
            "{title}（合同编号 {number}，金额 {amount} 元）已提交签署，请核对内容哈希 {sha256} 后签章。",
            "{title} (contract {number}, CNY {amount}) is ready for signature; check its content hash {sha256}, then sign.",
        ),
        "contract.signed": (
            "合同已签章：{code}",
            "Contract signed: {code}",
            "{title} 第 {version} 版已由{party}签章，尚有 {waiting} 方待签。",
            "Version {version} of {title} was signed by the {party}; {waiting} more to sign.",
        ),
        "contract.signatures_voided": (
            "合同签章已作废：{code}",
            "Contract signatures voided: {code}",
            "{title} 第 {version} 版在签章后被修改，已有签章作废，请核对新内容后重新签章。",
            "Version {version} of {title} changed after it was signed; the signatures are void. Check the new content and sign again.",
        ),
        "contract.activated": (
            "合同已生效：{code}",
            "Contract in force: {code}",
            "{title}（金额 {amount} 元）各方已签章，于 {signed_at} 生效。",
            "Every party signed {title} (CNY {amount}); it is in force since {signed_at}.",
        ),
        "contract.amendment_proposed": (
            "合同变更待签署：{code}",
            "Contract amendment to sign: {code}",
            "{title} 提出第 {version} 版变更：{reason}。请核对后签章。",
            "Version {version} of {title} is proposed as an amendment: {reason}. Check it and sign.",
        ),
        "contract.amendment_withdrawn": (
            "合同变更已撤回：{code}",
            "Contract amendment withdrawn: {code}",
            "{title} 第 {version} 版变更已撤回：{reason}",
            "The amendment (version {version}) of {title} was withdrawn: {reason}",
        ),
        "contract.amended": (
            "合同变更已生效：{code}",
            "Contract amended: {code}",
            "{title} 第 {version} 版变更各方已签章并生效：{reason}",
            "Every party signed version {version} of {title}; the amendment is in force: {reason}",
        ),
        "contract.terminated": (
            "合同已终止：{code}",
            "Contract terminated: {code}",
            "{title} 已终止：{reason}",
            "{title} was terminated: {reason}",
        ),
        "contract.reminder": (
            "合同提醒：{code}",
            "Contract reminder: {code}",
            "{title}：{what}将于 {due} 到期（还有 {days} 天）。",
            "{title}: {what} falls due on {due} ({days} days from now).",
        ),
    },
    labels={"party": "ContractParty", "what": "ContractKeyDate"},
)

register_labels(
    "EventType",
    {
        "contract.drafted_late": ("合同起草逾期", "Contract drafted late"),
        "contract.not_drafted": ("合同未按期起草", "Contract not drafted"),
        "contract.submitted": ("合同待签署", "Contract to sign"),
        "contract.signed": ("合同签章", "Contract signed"),
        "contract.signatures_voided": ("合同签章作废", "Contract signatures voided"),
        "contract.activated": ("合同生效", "Contract in force"),
        "contract.amendment_proposed": ("合同变更待签署", "Contract amendment to sign"),
        "contract.amendment_withdrawn": ("合同变更撤回", "Contract amendment withdrawn"),
        "contract.amended": ("合同变更生效", "Contract amended"),
        "contract.terminated": ("合同终止", "Contract terminated"),
        "contract.reminder": ("合同提醒", "Contract reminder"),
    },
)
