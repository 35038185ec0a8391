"""Contracts (合同管理): messages by code, and the labels of the domain's coded values, in
zh-CN and en."""

from __future__ import annotations

from resolvers.core.i18n import register, register_labels

register(
    "contracts",
    {
        # drafting and editing
        "NOT_CONTRACT_OWNER": (
            "只有建设单位经办人可以执行此操作：{operation}。",
            "Only the owner organisation's staff may do this: {operation}.",
        ),
        "TENDER_NOT_AWARDED": (
            "招标状态为“{status}”，只有已定标的招标可以起草合同。",
            "The tender is “{status}”; only an awarded tender gets a contract.",
        ),
        "CONTRACT_EXISTS": ("该招标已有合同 {code}。", "The tender already has a contract: {code}."),
        "CONTRACT_NUMBER_TAKEN": ("合同编号已被合同 {ref} 使用。", "The contract number is already used by {ref}."),
        "NOT_A_SUPERVISOR": ("监理单位须为监理类单位。", "The supervisor must be a supervising organisation."),
        "STALE_CONTRACT_VERSION": (
            "合同已被他人修改（当前版本 {current}，您的版本 {expected}），请刷新后重试。",
            "The contract was changed by someone else (now version {current}, yours {expected}); reload and try again.",
        ),
        "AMOUNT_NOT_POSITIVE": ("合同金额须大于0。", "The contract amount must be greater than 0."),
        "AMOUNT_REASON_REQUIRED": (
            "合同金额与中标金额 {award} 元不一致，须说明原因。",
            "The amount differs from the winning price of CNY {award}; give the reason.",
        ),
        "WORKS_END_BEFORE_START": ("工期结束日期不能早于开始日期。", "The works cannot end before they start."),
        "WARRANTY_PERIOD_MISMATCH": (
            "缺陷责任期与保修条款的 {months} 个月不一致。",
            "The defect liability period differs from the warranty clause's {months} months.",
        ),
        "NUMBER_OUT_OF_RANGE": ("数值超出允许范围。", "The number is out of range."),
        "PERCENT_OUT_OF_RANGE": ("百分比须大于0且不超过100。", "A percentage must be above 0 and at most 100."),
        "TOO_MANY_ENTRIES": ("至多 {max} 项。", "At most {max} entries."),
        "INVALID_CLAUSE_KIND": ("条款类型无效。", "Invalid kind of clause."),
        "FIELD_NOT_FOR_CLAUSE": ("此类条款没有该字段。", "This kind of clause has no such field."),
        "MILESTONES_REQUIRED": ("至少须有一个工程节点。", "At least one milestone is needed."),
        "INVALID_MILESTONE_CODE": (
            "节点代码为1至20个字母、数字、下划线或连字符，以字母或数字开头。",
            "A milestone code is 1 to 20 letters, digits, underscores or hyphens, starting with a letter or digit.",
        ),
        "DUPLICATE_MILESTONE": ("节点代码 {ref} 重复。", "The milestone code {ref} appears more than once."),
        "MILESTONE_OUTSIDE_PERIOD": (
            "节点计划日期须在工期 {start} 至 {end} 之内。",
            "A milestone's planned date must lie within the works period, {start} to {end}.",
        ),
        "SHARES_NOT_100": (
            "各节点工程量占比合计须为100%（现为 {total}%）。",
            "The milestones' shares must add up to 100 % (they add up to {total} %).",
        ),
        "TERMS_REQUIRED": ("至少须有一项付款条件。", "At least one payment term is needed."),
        "INVALID_TRIGGER": ("付款触发条件无效。", "Invalid payment trigger."),
        "MILESTONE_REQUIRED": ("按节点付款须指明节点。", "A term paid on a milestone must name the milestone."),
        "UNKNOWN_MILESTONE": ("合同中没有节点 {ref}。", "The contract has no milestone {ref}."),
        "MILESTONE_NOT_EXPECTED": ("只有按节点付款的条件才指明节点。", "Only a term paid on a milestone names one."),
        "DUE_DAYS_OUT_OF_RANGE": ("付款期限须在0至365天之间。", "Days to pay must be between 0 and 365."),
        "TERMS_NOT_100": (
            "各付款比例合计须为100%（现为 {total}%）。",
            "The payment terms must add up to 100 % (they add up to {total} %).",
        ),
        "ADVANCE_OVER_LIMIT": (
            "预付款合计 {total}% 超过合同金额的 {limit}%。",
            "The advance payment of {total} % exceeds {limit} % of the contract amount.",
        ),
        "ONE_RETENTION_TERM": ("质保金只能有一项。", "There can be only one retention term."),
        "RETENTION_OVER_LIMIT": (
            "质保金 {total}% 超过合同金额的 {limit}%。",
            "The retention of {total} % exceeds {limit} % of the contract amount.",
        ),
        "CONTRACT_LOCKED": ("合同状态为“{status}”，不能直接修改。", "The contract is “{status}” and cannot be edited."),
        "CONTRACT_NOT_DRAFT": (
            "合同状态为“{status}”，只有草稿可以提交签署。",
            "The contract is “{status}”; only a draft is sent for signature.",
        ),
        # amendments and termination
        "CONTRACT_NOT_ACTIVE": (
            "合同状态为“{status}”，只有生效的合同可以变更。",
            "The contract is “{status}”; only a contract in force is amended.",
        ),
        "PARTIES_FIXED": ("合同生效后当事方不能通过变更调整。", "The parties of a contract in force cannot be changed by an amendment."),
        "NOTHING_CHANGED": ("变更内容与现行合同相同。", "The amendment changes nothing."),
        "TERM_ALREADY_PAID": (
            "第 {sequence} 项付款条件“{name}”已支付，不能变更。",
            "Payment term {sequence} (“{name}”) is already paid and cannot change.",
        ),
        "MILESTONE_UNDER_WAY": ("节点 {ref} 已开始实施，不能删除。", "Milestone {ref} is under way and cannot be removed."),
        "NO_OPEN_AMENDMENT": ("没有待签署的变更。", "There is no amendment waiting for signatures."),
        "CONTRACT_CLOSED": ("合同状态为“{status}”，不能终止。", "The contract is “{status}” and cannot be terminated."),
        # keys and signatures
        "NOT_A_SIGNER": (
            "只有合同当事单位的经办人员可以执行此操作：{operation}。",
            "Only people who sign for a party may do this: {operation}.",
        ),
        "NOT_A_PARTY": ("贵单位不是该合同的当事方：{operation}。", "Your organisation is not a party to this contract: {operation}."),
        "INVALID_ALGORITHM": ("签名算法无效。", "Invalid signature algorithm."),
        "INVALID_PUBLIC_KEY": ("公钥{reason}。", "The public key {reason}."),
        "KEY_ALREADY_REGISTERED": ("该公钥已登记。", "This public key is already registered."),
        "KEY_REVOKED": ("该密钥已停用。", "The key is already revoked."),
        "NOTHING_TO_SIGN": ("合同当前没有待签署的版本。", "The contract has no version waiting for signatures."),
        "CONTENT_CHANGED": (
            "合同内容已变化，当前内容哈希为 {current}，请核对后再签。",
            "The contract changed; its content hash is now {current}. Check it, then sign.",
        ),
        "ALREADY_SIGNED": ("贵单位已签署此版本。", "Your organisation has already signed this version."),
        "NO_SIGNING_KEY": ("贵单位尚无签章密钥，请先生成或登记。", "Your organisation has no signing key; create or register one first."),
        "SIGNATURE_NOT_EXPECTED": (
            "贵单位的密钥由平台保管，由平台签章，无需上传签名。",
            "Your organisation's key is held by the service, which signs; upload no signature.",
        ),
        "SIGNATURE_REQUIRED": (
            "贵单位在自有设备上签章，请上传签名值。",
            "Your organisation signs on its own device; upload the signature.",
        ),
        "INVALID_SIGNATURE_FORMAT": ("签名值{reason}。", "The signature {reason}."),
        "SIGNATURE_INVALID": (
            "签名与贵单位登记的公钥和合同内容哈希不符。",
            "The signature does not verify against your registered public key and the content hash.",
        ),
    },
)

# What a contract's ``warning`` field says (not a refusal).
register(
    "contracts",
    {
        "CONTRACT_DRAFTED_LATE": (
            "定标后超过 {limit} 天期限 {days} 天才起草。",
            "Drafted {days} days past the {limit}-day limit after the award.",
        )
    },
    user_errors=False,
)

register_labels(
    "KeyFormatProblem",
    {
        "algorithm": ("属于未知算法", "is for an unknown algorithm"),
        "encoding": ("不是已知格式的 base64 或十六进制", "is neither base64 nor hex in a known form"),
        "length": ("长度不符合该算法", "has the wrong length for this algorithm"),
        "point_format": ("不是 SM2 曲线点格式", "is not an SM2 point"),
        "not_on_curve": ("不在 SM2 曲线上", "is not a point on the SM2 curve"),
        "key_type": ("属于其他算法", "is a key of another algorithm"),
        "range": ("超出算法允许的范围", "is outside the range the algorithm allows"),
    },
)
register_labels(
    "ContractStatus",
    {
        "draft": ("草稿", "Draft"),
        "pending_signature": ("待签署", "Awaiting signatures"),
        "active": ("已生效", "In force"),
        "completed": ("已完成", "Completed"),
        "terminated": ("已终止", "Terminated"),
    },
)
register_labels(
    "ContractVersionStatus",
    {
        "draft": ("草稿", "Draft"),
        "pending_signature": ("待签署", "Awaiting signatures"),
        "active": ("现行", "In force"),
        "superseded": ("已被变更取代", "Superseded"),
        "withdrawn": ("已撤回", "Withdrawn"),
    },
)
register_labels("ContractVersionKind", {"original": ("原合同", "Original"), "amendment": ("变更", "Amendment")})
register_labels(
    "ContractParty", {"owner": ("建设单位", "owner"), "contractor": ("施工单位", "contractor"), "supervisor": ("监理单位", "supervisor")}
)
register_labels(
    "ClauseKind",
    {
        "scope": ("工程范围", "Scope"),
        "payment_term": ("付款", "Payment"),
        "acceptance": ("验收", "Acceptance"),
        "warranty": ("保修", "Warranty"),
        "penalty": ("违约责任", "Penalty"),
        "other": ("其他", "Other"),
    },
)
register_labels(
    "PaymentTrigger",
    {
        "signing": ("合同签订（预付款）", "On signing (advance)"),
        "milestone": ("节点验收", "On acceptance of a milestone"),
        "final_acceptance": ("竣工验收", "On final acceptance"),
        "retention": ("缺陷责任期满（质保金）", "End of the defect liability period (retention)"),
    },
)
register_labels("PaymentTermStatus", {"scheduled": ("未到期", "Scheduled"), "due": ("应付", "Due"), "paid": ("已支付", "Paid")})
register_labels(
    "MilestoneStatus",
    {
        "planned": ("计划", "Planned"),
        "in_progress": ("实施中", "In progress"),
        "submitted": ("申请验收", "Submitted for acceptance"),
        "accepted": ("已验收", "Accepted"),
        "rejected": ("验收未通过", "Rejected"),
    },
)
register_labels(
    "SigningAlgorithm", {"ed25519": ("Ed25519（国际通用算法）", "Ed25519"), "sm2-sm3": ("SM2/SM3（国密）", "SM2 with SM3 (GB/T 32918)")}
)
register_labels("KeyCustody", {"server": ("平台托管", "Held by the service"), "device": ("自有设备", "On the organisation's device")})
register_labels(
    "ContractKeyDate",
    {
        "advance_payment": ("预付款支付期限", "the advance payment"),
        "milestone": ("节点计划日期", "a milestone's planned date"),
        "works_end": ("合同工期", "the end of the works period"),
        "defect_end": ("缺陷责任期", "the end of the defect liability period"),
    },
)
register_labels(
    "ContractAction",
    {
        "draft": ("起草", "Draft"),
        "update": ("修改", "Edit"),
        "submit": ("提交签署", "Send for signature"),
        "submit_for_signature": ("提交签署", "Send for signature"),
        "sign": ("签章", "Sign"),
        "activate": ("生效", "Come into force"),
        "complete": ("完成", "Complete"),
        "propose_amendment": ("提出变更", "Propose an amendment"),
        "withdraw_amendment": ("撤回变更", "Withdraw the amendment"),
        "terminate": ("终止", "Terminate"),
    },
)
register_labels("ProjectAction", {"sign_contract": ("签订合同", "Sign the contract")})
register_labels(
    "ObjectType",
    {"Contract": ("合同", "Contract"), "SigningKey": ("签章密钥", "Signing key")},
)
register_labels(
    "ContractOrderField",
    {
        "created_at": ("创建时间", "Created"),
        "signed_at": ("签订时间", "Signed"),
        "amount": ("合同金额", "Amount"),
        "code": ("合同编号", "Code"),
    },
)
register_labels(
    "SignatureVoidReason",
    {
        "content_changed": ("签署后合同内容被修改", "The content changed after signing"),
        "amendment_changed": ("签署后变更内容被修改", "The amendment changed after signing"),
        "amendment_withdrawn": ("变更已撤回", "The amendment was withdrawn"),
        "terminated": ("合同已终止", "The contract was terminated"),
    },
)
