"""Payments (财务支付): messages by code, and the labels of the domain's coded values, in
zh-CN and en."""

from __future__ import annotations

from resolvers.core.i18n import register, register_labels
from resolvers.payments.einvoice import MESSAGES as INVOICE_XML_MESSAGES

register(
    "payments",
    {
        "CONTRACT_NOT_PAYABLE": (
            "合同状态为“{status}”，只有生效或已竣工的合同可以付款。",
            "The contract is “{status}”; only a contract in force or completed is paid.",
        ),
        "TERM_NOT_DUE": (
            "付款条款“{term}”的付款条件（{trigger}）尚未达成，不能申请付款。",
            "The condition of payment term “{term}” ({trigger}) is not met yet; it cannot be requested.",
        ),
        "TERM_ALREADY_REQUESTED": (
            "付款条款“{term}”已有付款申请 {code}（{status}）。",
            "Payment term “{term}” has a request already: {code} ({status}).",
        ),
        "RETENTION_NOT_RELEASED": (
            "质保金须在缺陷责任期满（{release_on}）后才能申请和支付。",
            "Retention is requested and paid only after the defect liability period ends ({release_on}).",
        ),
        "INVOICES_NOT_VERIFIED": (
            "还有 {count} 张发票等待财务核验，核验后才能审批。",
            "{count} invoice(s) still wait to be checked by finance; check them before approving.",
        ),
        "INVOICES_DO_NOT_COVER": (
            "已核验发票价税合计 {invoiced} 元，与申请金额 {amount} 元不符，不能在财务步骤审批。",
            "Verified invoices total {invoiced} CNY, not the {amount} CNY requested; the finance step cannot approve it.",
        ),
        "OVER_CONTRACT_AMOUNT": (
            "此次{what}后，合同累计批准和支付金额为 {total} 元，超过合同金额 {contract} 元。",
            "After this {what}, the contract's approved and paid amounts would total {total} CNY, over its amount of {contract} CNY.",
        ),
        "PAYMENT_DIFFERENCE_REASON_REQUIRED": (
            "实付金额 {paid} 元与批准金额 {approved} 元不同，须填写差额原因。",
            "The amount paid, {paid} CNY, differs from the {approved} CNY approved; give the reason for the difference.",
        ),
        "PAID_ON_IN_FUTURE": ("付款日期不能晚于今天。", "The payment date cannot be after today."),
        "PAID_BEFORE_APPROVAL": (
            "付款日期不能早于申请批准日 {approved_on}。",
            "The payment date cannot be before the request was approved, {approved_on}.",
        ),
        "BANK_ACCOUNT_REQUIRED": (
            "“{organisation}”未登记结算账户，请填写该账号。",
            "“{organisation}” has no settlement account on record; enter the account number.",
        ),
        "INVALID_BANK_REFERENCE": (
            "银行交易流水号须为4至64个字母、数字或 - 字符。",
            "A bank transaction reference is 4 to 64 letters, digits or hyphens.",
        ),
        "PAYMENT_AMOUNT_INVALID": ("金额须大于零，且最多两位小数。", "An amount is more than zero, with at most two decimals."),
        "REQUEST_CLOSED_TO_INVOICES": (
            "付款申请状态为“{status}”，只有待审批的申请可以添加发票。",
            "The request is “{status}”; invoices are added to a pending request only.",
        ),
        "INVOICE_FILE_TYPE": (
            "发票文件须为 XML（数电票原件）、PDF 或 OFD 格式。",
            "An invoice file is XML (the digital invoice itself), PDF or OFD.",
        ),
        "INVOICE_NUMBER_USED": (
            "发票 {number} 已在系统中登记，同一张发票不能重复入账。",
            "Invoice {number} is on record already; the same invoice is never booked twice.",
        ),
        "INVOICE_NUMBER_INVALID": (
            "数电票号码为20位数字；其他电子发票须填写10位或12位发票代码和8位发票号码。",
            "A fully digital invoice has a 20-digit number; another e-invoice has a 10- or 12-digit code and an 8-digit number.",
        ),
        "INVOICE_SELLER_MISMATCH": (
            "发票销售方纳税人识别号 {found} 与施工单位的统一社会信用代码 {expected} 不符。",
            "The seller's tax id on the invoice, {found}, is not the contractor's credit code {expected}.",
        ),
        "INVOICE_BUYER_MISMATCH": (
            "发票购买方纳税人识别号 {found} 与建设单位的统一社会信用代码 {expected} 不符。",
            "The buyer's tax id on the invoice, {found}, is not the owner's credit code {expected}.",
        ),
        "INVOICE_TOTAL_EXCEEDS": (
            "发票价税合计 {total} 元，加上本申请已登记的发票 {invoiced} 元，超过申请金额 {amount} 元。",
            "The invoice's total of {total} CNY, with {invoiced} CNY already invoiced on this request, exceeds the {amount} CNY requested.",
        ),
        "INVOICE_TOTAL_MISMATCH": (
            "价税合计 {total} 元须等于金额 {amount} 元加税额 {tax} 元。",
            "The total of {total} CNY must equal the amount of {amount} CNY plus the tax of {tax} CNY.",
        ),
        "INVOICE_BEFORE_TRIGGER": (
            "开票日期 {issued} 早于付款条件达成之日 {triggered}。",
            "The invoice date {issued} is before the day the payment condition was met, {triggered}.",
        ),
        "INVOICE_DATE_IN_FUTURE": ("开票日期不能晚于今天。", "The invoice date cannot be after today."),
        "INVOICE_FIELD_DISAGREES": (
            "填写的内容与发票 XML 不一致：XML 中为 {found}。",
            "What was entered disagrees with the invoice XML, which says {found}.",
        ),
    },
)

register("payments", INVOICE_XML_MESSAGES)

# Refusals that are GraphQL errors (FORBIDDEN), not payload errors.
register(
    "payments",
    {
        "NOT_YOUR_STEP": (
            "该付款申请当前等待“{role}”审批，您不能审批此步骤。",
            "This request is waiting for a decision by “{role}”; this step is not yours to decide.",
        ),
        "SAME_APPROVER": (
            "您已审批过该申请的前一步骤，同一人不能审批两个步骤。",
            "You decided an earlier step of this request; one person cannot decide two steps.",
        ),
    },
    user_errors=False,
)

register_labels(
    "PaymentRequestStatus",
    {
        "pending": ("待审批", "Pending"),
        "approved": ("已批准", "Approved"),
        "paid": ("已支付", "Paid"),
        "rejected": ("已驳回", "Rejected"),
        "cancelled": ("已撤销", "Cancelled"),
    },
)
register_labels("PaymentRequestOrigin", {"automatic": ("自动生成", "Automatic"), "manual": ("手工申请", "Raised by hand")})
register_labels(
    "PaymentRequestAction",
    {
        "raise": ("提出申请", "Raise"),
        "approve": ("审批通过", "Approve"),
        "approve_step": ("审批通过（转下一步）", "Approve (to the next step)"),
        "reject": ("驳回", "Reject"),
        "cancel": ("撤销", "Cancel"),
        "pay": ("登记付款", "Record the payment"),
        "upload_invoice": ("上传发票", "Upload an invoice"),
    },
)
register_labels("ProjectAction", {"settle": ("结算完毕", "Settle")})
register_labels("ApprovalDecision", {"approved": ("同意", "Approved"), "rejected": ("驳回", "Rejected")})
register_labels(
    "InvoiceStatus",
    {
        "uploaded": ("待核验", "Uploaded"),
        "verified": ("已核验", "Verified"),
        "archived": ("已归档", "Archived"),
        "rejected": ("已退回", "Rejected"),
    },
)
register_labels(
    "InvoiceKind", {"digital": ("数电票", "Fully digital invoice"), "legacy": ("电子发票（代码+号码）", "E-invoice (code and number)")}
)
register_labels(
    "InvoiceFormat",
    {"xml": ("XML 文件（数电票原件）", "XML (the digital invoice itself)"), "pdf": ("PDF 版式文件", "PDF"), "ofd": ("OFD 版式文件", "OFD")},
)
register_labels("InvoiceAction", {"verify": ("核验通过", "Verify"), "reject": ("退回", "Reject"), "archive": ("归档", "Archive")})
register_labels("PaymentWhat", {"approval": ("批准", "approval"), "payment": ("支付", "payment")})
register_labels(
    "ObjectType",
    {"PaymentRequest": ("付款申请", "Payment request"), "Invoice": ("发票", "Invoice"), "InvoiceArchive": ("发票档案", "Invoice archive")},
)
register_labels(
    "ArchiveProblem",
    {"changed": ("文件已被改动", "The file changed"), "missing": ("文件缺失", "The file is missing")},
)
