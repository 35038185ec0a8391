"""Contracts (合同管理): GraphQL types.

A contract shows its content as the rows hold it (the draft, or the version in force), each
version's signed content and hash, and every signature, standing or voided. Who sees a
contract is decided by its row scope (``policies.scope.contracts``); its parts follow it.
"""

from __future__ import annotations

import enum
import json
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import strawberry

from models import contracts as tables
from models.contracts import (
    CLAUSE_KINDS,
    CONTRACT_STATUSES,
    KEY_CUSTODIES,
    MILESTONE_STATUSES,
    PARTIES,
    SIGNING_ALGORITHMS,
    TERM_STATUSES,
    TRIGGERS,
    VERSION_KINDS,
    VERSION_STATUSES,
)
from resolvers.contracts import ocds as contract_ocds
from resolvers.contracts import service as svc
from resolvers.core.i18n import label as label_of
from resolvers.core.i18n import translate
from resolvers.tendering import ocds as tender_ocds
from schema.core.actions import viewer_actions
from schema.core.context import Info
from schema.core.downloads import download_link
from schema.core.fields import column, enum_of, from_row, functional_enum, label, labels_in_request, loaded
from schema.core.node import Node, register_node
from schema.projects.types import Project
from schema.tendering.types import Tender

if TYPE_CHECKING:

    class ContractStatus(enum.Enum): ...

    class ContractVersionKind(enum.Enum): ...

    class ContractVersionStatus(enum.Enum): ...

    class ContractParty(enum.Enum): ...

    class ClauseKind(enum.Enum): ...

    class PaymentTrigger(enum.Enum): ...

    class PaymentTermStatus(enum.Enum): ...

    class MilestoneStatus(enum.Enum): ...

    class SigningAlgorithm(enum.Enum): ...

    class KeyCustody(enum.Enum): ...

    class ContractAction(enum.Enum): ...

else:
    ContractStatus = enum_of("ContractStatus", CONTRACT_STATUSES, "Where a contract is in its lifecycle. 合同状态。")
    ContractVersionKind = enum_of("ContractVersionKind", VERSION_KINDS, "The original contract or an amendment. 版本类型。")
    ContractVersionStatus = enum_of("ContractVersionStatus", VERSION_STATUSES, "Where a version stands. 版本状态。")
    ContractParty = enum_of("ContractParty", PARTIES, "A party to a contract. 合同当事方。")
    ClauseKind = enum_of("ClauseKind", CLAUSE_KINDS, "Kind of clause. 条款类型。")
    PaymentTrigger = enum_of("PaymentTrigger", TRIGGERS, "What makes a payment term due. 付款触发条件。")
    PaymentTermStatus = enum_of("PaymentTermStatus", TERM_STATUSES, "Where a payment term stands. 付款状态。")
    MilestoneStatus = enum_of("MilestoneStatus", MILESTONE_STATUSES, "Where a milestone stands. 节点状态。")
    SigningAlgorithm = strawberry.enum(
        functional_enum("SigningAlgorithm", {value.upper().replace("-", "_"): value for value in SIGNING_ALGORITHMS}),
        description="Signature algorithm: Ed25519, or SM2 with SM3 (GB/T 32918). 签名算法。",
    )
    KeyCustody = enum_of("KeyCustody", KEY_CUSTODIES, "Who holds a signing key's private half. 密钥保管方式。")
    ContractAction = enum_of(
        "ContractAction",
        tuple(svc.CONTRACT_ACTIONS),
        "Something a viewer may do to a contract now, each performed by the mutation of the same name. 对合同可执行的操作。",
    )


def _algorithm(value: str) -> Any:
    return SigningAlgorithm(value)


# -- signing keys ------------------------------------------------------------------------------


@register_node("signing_key")
@strawberry.type(description="An organisation's signing key; only its public half is shown. 签章密钥（公钥）。")
class SigningKey(Node):
    row: strawberry.Private[tables.SigningKey]

    algorithm: SigningAlgorithm = column("algorithm", "Algorithm. 算法。", _algorithm)
    algorithm_label: str = label("algorithm", "SigningAlgorithm", "Algorithm, in the request's language. 算法名称。")
    custody: KeyCustody = column("custody", "Who holds the private key. 保管方式。", KeyCustody)
    custody_label: str = label("custody", "KeyCustody", "Custody, in the request's language. 保管方式名称。")
    key_id: str = column("key_id", "Fingerprint of the public key (32 hex digits). 密钥标识。")
    public_key: str = column("public_key", "Public key, base64 of its raw form. 公钥。")
    created_at: datetime = column("created_at", "When made or registered (UTC). 创建时间。")
    revoked_at: datetime | None = column("revoked_at", "When revoked or replaced (UTC). 停用时间。")

    @strawberry.field(description="Whether this is the organisation's key in use. 是否在用。")
    def is_active(self) -> bool:
        return self.row.active_for_organisation is not None

    @strawberry.field(description="The organisation. 单位名称。")
    async def organisation_name(self, info: Info) -> str | None:
        return await info.context.loaders.organisation_name.load(self.row.organisation_id)


# -- the parts of a contract -------------------------------------------------------------------


@strawberry.type(description="A clause with the structured fields of its kind. 合同条款。")
class ContractClause:
    row: strawberry.Private[tables.ContractClause]

    sequence: int = column("sequence", "Position, from 1. 序号。")
    kind: ClauseKind = column("kind", "Kind. 类型。", ClauseKind)
    kind_label: str = label("kind", "ClauseKind", "Kind, in the request's language. 类型名称。")
    title: str = column("title", "Title. 标题。")
    text: str = column("text", "Text. 正文。")

    def _field(self, name: str) -> Any:
        return json.loads(self.row.fields or "{}").get(name)

    @strawberry.field(description="Warranty: defect liability period in months. 缺陷责任期（月）。")
    def defect_liability_months(self) -> int | None:
        return self._field("defectLiabilityMonths")

    @strawberry.field(description="Penalty: percentage of the amount per day of delay. 逾期违约金日比例（%）。")
    def daily_rate_percent(self) -> Decimal | None:
        value = self._field("dailyRatePercent")
        return Decimal(value) if value is not None else None

    @strawberry.field(description="Penalty: cap as a percentage of the amount. 违约金上限（%）。")
    def cap_percent(self) -> Decimal | None:
        value = self._field("capPercent")
        return Decimal(value) if value is not None else None

    @strawberry.field(description="Acceptance: the standard applied. 验收标准。")
    def standard(self) -> str | None:
        return self._field("standard")

    @strawberry.field(description="Acceptance: days to inspect after a request. 验收期限（天）。")
    def inspection_days(self) -> int | None:
        return self._field("inspectionDays")


@register_node("contract_milestone")
@strawberry.type(description="A milestone of the works (节点): the schedule progress is tracked against. 工程节点。")
class ContractMilestone(Node):
    row: strawberry.Private[tables.ContractMilestone]

    sequence: int = column("sequence", "Position, from 1. 序号。")
    code: str = column("code", "Code, unique in its contract and kept through amendments. 节点代码。")
    name: str = column("name", "Name. 名称。")
    planned_date: date = column("planned_date", "Planned date (China). 计划日期。")
    share: Decimal = column("share", "Share of the works, percent. 工程量占比（%）。")
    status: MilestoneStatus = column("status", "Status. 状态。", MilestoneStatus)
    status_label: str = label("status", "MilestoneStatus", "Status, in the request's language. 状态名称。")
    accepted_at: datetime | None = column("accepted_at", "When accepted (UTC). 验收时间。")


@register_node("payment_term")
@strawberry.type(description="A term of the payment schedule. 付款条件。")
class PaymentTerm(Node):
    row: strawberry.Private[tables.PaymentTerm]

    sequence: int = column("sequence", "Position, from 1. 序号。")
    name: str = column("name", "Name. 名称。")
    percentage: Decimal = column("percentage", "Percentage of the contract amount. 比例（%）。")
    amount: Decimal = column("amount", "Amount in CNY, exact to the fen. 金额（元）。")
    trigger: PaymentTrigger = column("trigger_on", "What makes it due. 触发条件。", PaymentTrigger)
    trigger_label: str = label("trigger_on", "PaymentTrigger", "Trigger, in the request's language. 触发条件名称。")
    due_days: int | None = column("due_days", "Days after the trigger by which it is paid. 付款期限（天）。")
    status: PaymentTermStatus = column("status", "Status. 状态。", PaymentTermStatus)
    status_label: str = label("status", "PaymentTermStatus", "Status, in the request's language. 状态名称。")
    due_on: date | None = column("due_on", "Date by which it is to be paid (China). 应付日期。")
    paid_at: datetime | None = column("paid_at", "When paid (UTC). 支付时间。")

    @strawberry.field(description="The milestone it is paid on, for a milestone term. 对应节点。")
    async def milestone(self, info: Info) -> ContractMilestone | None:
        if self.row.milestone_id is None:
            return None
        row = await info.context.loaders.contract_milestone.load(self.row.milestone_id)
        return ContractMilestone.of(row) if row else None


@register_node("contract_document")
@strawberry.type(description="A document attached to a contract; its hash is signed with the content. 合同附件。")
class ContractDocument(Node):
    row: strawberry.Private[tables.ContractDocument]

    sequence: int = column("sequence", "Position, from 1. 序号。")
    name: str = column("name", "Name. 名称。")
    filename: str = column("filename", "File name. 文件名。")
    media_type: str = column("media_type", "Media type, sniffed from the content. 文件类型。")
    size: int = column("size", "Size in bytes. 大小（字节）。")
    sha256: str = column("sha256", "SHA-256 of the content. 内容哈希。")
    uploaded_at: datetime = column("uploaded_at", "When attached (UTC). 上传时间。")

    @strawberry.field(description="A link that downloads it, valid for 10 minutes, for you only. 下载链接。")
    async def download_url(self, info: Info) -> str | None:
        return await download_link(info, "contract-document", self.row.id)


@strawberry.type(description="A party's signature over one version's content hash (电子签章). 签章。")
class ContractSignature:
    row: strawberry.Private[tables.ContractSignature]

    party: ContractParty = column("party", "The party. 当事方。", ContractParty)
    party_label: str = label("party", "ContractParty", "Party, in the request's language. 当事方名称。")
    signer_name: str = column("signer_name", "Who signed. 签署人。")
    key_id: str = column("key_id", "The key's fingerprint. 密钥标识。")
    algorithm: SigningAlgorithm = column("algorithm", "Algorithm. 算法。", _algorithm)
    algorithm_label: str = label("algorithm", "SigningAlgorithm", "Algorithm, in the request's language. 算法名称。")
    public_key: str = column("public_key", "The public key it verifies with (base64). 公钥。")
    content_sha256: str = column("content_sha256", "The content hash signed. 所签内容哈希。")
    value: str = column("value", "The signature (base64; SM2: r‖s, 64 bytes). 签名值。")
    signed_at: datetime = column("signed_at", "When signed (UTC). 签署时间。")
    voided_at: datetime | None = column("voided_at", "When voided by a change (UTC). 作废时间。")

    @strawberry.field(description="Whether it still stands. 是否有效（未作废）。")
    def is_standing(self) -> bool:
        return self.row.voided_at is None

    @strawberry.field(description="Why it was voided, in the request's language. 作废原因。")
    def void_reason(self, info: Info) -> str | None:
        reason = self.row.void_reason
        return None if reason is None else label_of("SignatureVoidReason", reason, info.context.meta.locale)

    @strawberry.field(description="The signing organisation. 签署单位。")
    async def organisation_name(self, info: Info) -> str | None:
        return await info.context.loaders.organisation_name.load(self.row.organisation_id)


def _pick_version(rows: list[Any], version_id: int) -> list[Any]:
    return [r for r in rows if r.version_id == version_id]


@strawberry.type(description="The original contract or an amendment, with its content as signed. 合同版本。")
class ContractVersion:
    row: strawberry.Private[tables.ContractVersion]

    number: int = column("number", "Version number, from 1. 版本号。")
    kind: ContractVersionKind = column("kind", "Original or amendment. 类型。", ContractVersionKind)
    kind_label: str = label("kind", "ContractVersionKind", "Kind, in the request's language. 类型名称。")
    status: ContractVersionStatus = column("status", "Status. 状态。", ContractVersionStatus)
    status_label: str = label("status", "ContractVersionStatus", "Status, in the request's language. 状态名称。")
    content_sha256: str = column("content_sha256", "SHA-256 (hex) of the canonical content: what is signed. 内容哈希。")
    canonical_json: str = column("content", "The content as canonical JSON (sorted keys, no spaces, UTF-8): hash it to check. 规范化内容。")
    reason: str | None = column("reason", "Why amended. 变更原因。")
    created_at: datetime = column("created_at", "When made (UTC). 创建时间。")
    submitted_at: datetime | None = column("submitted_at", "When sent for signature (UTC). 提交签署时间。")
    activated_at: datetime | None = column("activated_at", "When it came into force (UTC). 生效时间。")
    closed_at: datetime | None = column("closed_at", "When superseded or withdrawn (UTC). 失效时间。")

    @strawberry.field(description="Its signatures, standing and voided. 签章记录。")
    async def signatures(self, info: Info) -> list[ContractSignature]:
        rows = await info.context.loaders.signatures_of_contract.load(self.row.contract_id)
        return [from_row(ContractSignature, r) for r in _pick_version(rows, self.row.id)]


@strawberry.type(description="A party and its organisation. 合同当事方。")
class ContractPartyEntry:
    party: ContractParty = strawberry.field(description="The party. 当事方。")
    party_label: str = strawberry.field(description="Party, in the request's language. 当事方名称。")
    organisation_id: strawberry.ID = strawberry.field(description="The organisation's global ID. 单位ID。")
    organisation_name: str | None = strawberry.field(description="The organisation. 单位名称。")
    has_signed: bool = strawberry.field(description="Whether it signed the version waiting for signatures. 是否已签署待签版本。")


# -- verification ------------------------------------------------------------------------------


@strawberry.type(description="One signature, checked. 签章核验结果。")
class SignatureVerification:
    party: ContractParty = strawberry.field(description="The party. 当事方。")
    party_label: str = strawberry.field(description="Party, in the request's language. 当事方名称。")
    signer_name: str = strawberry.field(description="Who signed. 签署人。")
    key_id: str = strawberry.field(description="The key's fingerprint. 密钥标识。")
    algorithm: SigningAlgorithm = strawberry.field(description="Algorithm. 算法。")
    algorithm_label: str = strawberry.field(description="Algorithm, in the request's language. 算法名称。")
    signed_at: datetime = strawberry.field(description="When signed (UTC). 签署时间。")
    hash_matches: bool = strawberry.field(description="It was made over the recomputed hash. 所签哈希与重算一致。")
    valid: bool = strawberry.field(description="The signature verifies with its public key. 签名有效。")


@strawberry.type(description="One version, checked. 版本核验结果。")
class VersionVerification:
    number: int = strawberry.field(description="Version number. 版本号。")
    status: ContractVersionStatus = strawberry.field(description="Status. 状态。")
    status_label: str = strawberry.field(description="Status, in the request's language. 状态名称。")
    stored_sha256: str = strawberry.field(description="The hash on record. 记录的哈希。")
    recomputed_sha256: str = strawberry.field(description="The hash recomputed from the stored content. 重算哈希。")
    stored_matches: bool = strawberry.field(description="They agree. 哈希一致。")
    rows_match: bool | None = strawberry.field(
        description="The contract's data still says what this version says (for the version in force or being signed). 合同数据与该版本一致。"
    )
    missing_signatures: list[ContractParty] = strawberry.field(
        description="Parties with no standing signature on a version that is or was in force. 缺少签章的当事方。"
    )
    missing_signature_labels: list[str] = strawberry.field(description="Those parties, in the request's language. 缺少签章的当事方名称。")
    signatures: list[SignatureVerification] = strawberry.field(description="Each standing signature. 各方签章。")
    valid: bool = strawberry.field(description="Everything above holds. 本版本核验通过。")


@strawberry.type(description="The result of verifying a contract. 合同核验结果。")
class ContractVerification:
    checked_at: datetime = strawberry.field(description="When checked (UTC). 核验时间。")
    valid: bool = strawberry.field(description="Every version and signature checks out. 核验通过。")
    versions: list[VersionVerification] = strawberry.field(description="Each version. 各版本。")


# -- OCDS ------------------------------------------------------------------------------------------


@strawberry.type(description="An amendment as OCDS `contracts[].amendments` describes it. 变更（OCDS）。")
class OcdsAmendment:
    id: str = strawberry.field(description="Identifier. 标识。")
    date: datetime | None = strawberry.field(description="When it came into force. 日期。")
    rationale: str | None = strawberry.field(description="Why. 原因。")


@strawberry.type(description="A milestone as OCDS `contracts[].implementation.milestones` describes it. 节点（OCDS）。")
class OcdsMilestone:
    id: str = strawberry.field(description="Identifier. 标识。")
    title: str = strawberry.field(description="Title. 名称。")
    type: str = strawberry.field(description="milestoneType codelist: delivery. 类型。")
    due_date: date = strawberry.field(description="dueDate. 计划日期。")
    status: str = strawberry.field(description="milestoneStatus codelist: scheduled, met, notMet. 状态。")
    date_met: datetime | None = strawberry.field(description="dateMet. 完成日期。")


@strawberry.type(description="The fields OCDS 1.1.5 `contracts` needs. OCDS 字段。")
class ContractOcds:
    id: str = strawberry.field(description="contracts[].id. 合同标识。")
    award_id: str = strawberry.field(description="contracts[].awardID: the award's tender code. 定标标识。")
    title: str = strawberry.field(description="Title. 名称。")
    status: str = strawberry.field(description="contractStatus codelist: pending, active, cancelled, terminated. 状态（OCDS）。")
    period_start: date = strawberry.field(description="period.startDate. 工期开始。")
    period_end: date = strawberry.field(description="period.endDate. 工期结束。")
    value_amount: Decimal = strawberry.field(description="value.amount. 合同金额。")
    currency: str = strawberry.field(description="ISO 4217. 币种。")
    date_signed: datetime | None = strawberry.field(description="dateSigned. 签订日期。")
    amendments: list[OcdsAmendment] = strawberry.field(description="amendments. 变更。")
    milestones: list[OcdsMilestone] = strawberry.field(description="implementation.milestones. 实施节点。")


# -- the contract ------------------------------------------------------------------------------------


async def _viewing(info: Info, row: Any) -> svc.Viewing:
    versions = await info.context.loaders.versions_of_contract.load(row.id)
    open_ = next((v for v in versions if v.open_for_contract is not None), None)
    signed: frozenset[str] = frozenset()
    if open_ is not None:
        signatures = await info.context.loaders.signatures_of_contract.load(row.id)
        signed = frozenset(s.party for s in signatures if s.version_id == open_.id and s.voided_at is None)
    return svc.Viewing(open_version=open_, signed_parties=signed)


async def _contract_actions(info: Info, row: Any) -> list[str]:
    actor = await info.context.actor()
    if actor is None:
        return []
    viewing = await _viewing(info, row)
    return await viewer_actions(info, lambda a: svc.contract_actions(a, row, viewing), svc.CONTRACT_ACTIONS)


@register_node("contract")
@strawberry.type(description="A works contract (合同) drafted from an awarded tender. 合同。")
class Contract(Node):
    row: strawberry.Private[tables.Contract]

    code: str = column("code", "Code, e.g. HT-2026-000001. 合同系统编号。")
    number: str = column("number", "The owner's contract number. 合同编号。")
    title: str = column("title", "Title. 名称。")
    status: ContractStatus = column("status", "Status. 合同状态。", ContractStatus)
    status_label: str = label("status", "ContractStatus", "Status, in the request's language. 状态名称。")
    amount: Decimal = column("amount", "Contract amount, CNY. 合同金额（元）。")
    award_value: Decimal = column("award_value", "The winning price, CNY. 中标金额（元）。")
    amount_reason: str | None = column("amount_reason", "Why the amount differs from the winning price. 金额差异原因。")
    works_start: date = column("works_start", "Works start (China). 开工日期。")
    works_end: date = column("works_end", "Works end (China). 竣工日期。")
    defect_liability_months: int = column("defect_liability_months", "Defect liability period, months. 缺陷责任期（月）。")
    awarded_at: datetime = column("awarded_at", "When the tender was awarded (UTC). 定标时间。")
    drafted_late_days: int | None = column(
        "drafted_late_days", "Days past the drafting deadline after the award, when drafted late (a warning). 起草逾期天数。"
    )
    effective_version: int | None = column("effective_version", "The version in force. 现行版本号。")
    latest_version: int = column("latest_version", "The latest version. 最新版本号。")
    signed_at: datetime | None = column("signed_at", "When every party had signed (UTC). 生效时间。")
    completed_at: datetime | None = column("completed_at", "When completed (UTC). 完成时间。")
    terminated_at: datetime | None = column("terminated_at", "When terminated (UTC). 终止时间。")
    termination_reason: str | None = column("termination_reason", "Why terminated. 终止原因。")
    region_code: str = column("region_code", "Region code. 行政区划代码。")
    version: int = column("version", "Row version; pass as expectedVersion. 版本号。")
    created_at: datetime = column("created_at", "When drafted (UTC). 起草时间。")

    @strawberry.field(description="The late-drafting warning, in the request's language. 起草逾期提示。")
    def warning(self, info: Info) -> str | None:
        days = self.row.drafted_late_days
        if not days:
            return None
        return translate("CONTRACT_DRAFTED_LATE", info.context.meta.locale, days=days, limit=info.context.settings.contract_draft_days)

    @strawberry.field(description="The parties. 当事方。")
    async def parties(self, info: Info) -> list[ContractPartyEntry]:
        from schema.core.node import to_global_id

        parties = svc.parties_of(self.row)
        # Every party's name in one load, asked for before anything is awaited: one batch for
        # the whole page, however many parties its rows name.
        names = info.context.loaders.organisation_name.load_many(list(parties.values()))
        viewing = await _viewing(info, self.row)
        locale = info.context.meta.locale
        return [
            ContractPartyEntry(
                party=ContractParty(party),
                party_label=label_of("ContractParty", party, locale),
                organisation_id=strawberry.ID(to_global_id("Organisation", organisation_id)),
                organisation_name=name,
                has_signed=party in viewing.signed_parties,
            )
            for (party, organisation_id), name in zip(parties.items(), await names, strict=True)
        ]

    @strawberry.field(description="Clauses. 合同条款。")
    @loaded("clauses_of_contract", "id", shows=ContractClause)
    async def clauses(self, info: Info) -> list[ContractClause]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="Milestones: the schedule of the works. 工程节点。")
    @loaded("milestones_of_contract", "id", shows=ContractMilestone)
    async def milestones(self, info: Info) -> list[ContractMilestone]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="The payment schedule. 付款条件。")
    @loaded("terms_of_contract", "id", shows=PaymentTerm)
    async def payment_terms(self, info: Info) -> list[PaymentTerm]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="Attached documents. 合同附件。")
    @loaded("documents_of_contract", "id", shows=ContractDocument)
    async def documents(self, info: Info) -> list[ContractDocument]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="Every version, the original first; each keeps its content as signed. 合同版本。")
    @loaded("versions_of_contract", "id", shows=ContractVersion)
    async def versions(self, info: Info) -> list[ContractVersion]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="The version being drafted or waiting for signatures, if any. 待签版本。")
    async def open_version(self, info: Info) -> ContractVersion | None:
        viewing = await _viewing(info, self.row)
        return from_row(ContractVersion, viewing.open_version) if viewing.open_version is not None else None

    @strawberry.field(description="The content hash to sign now (of the version waiting for signatures). 待签内容哈希。")
    async def content_sha256(self, info: Info) -> str | None:
        viewing = await _viewing(info, self.row)
        return viewing.open_version.content_sha256 if viewing.open_version is not None else None

    @strawberry.field(description="Every signature, standing and voided, oldest first. 签章记录。")
    @loaded("signatures_of_contract", "id", shows=ContractSignature)
    async def signatures(self, info: Info) -> list[ContractSignature]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="The project. 项目。")
    @loaded("project", "project_id", shows=Project)
    async def project(self, info: Info) -> Project | None:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="The tender it was awarded by. 招标。")
    @loaded("tender", "tender_id", shows=Tender)
    async def tender(self, info: Info) -> Tender | None:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="OCDS 1.1.5 fields. OCDS 字段。")
    async def ocds(self, info: Info) -> ContractOcds:
        row = self.row
        tender = await info.context.loaders.tender.load(row.tender_id)
        versions = await info.context.loaders.versions_of_contract.load(row.id)
        milestones = await info.context.loaders.milestones_of_contract.load(row.id)
        return ContractOcds(
            id=row.code,
            award_id=tender_ocds.award_id(tender.code) if tender is not None else "",
            title=row.title,
            status=contract_ocds.contract_status(row.status, row.signed_at),
            period_start=row.works_start,
            period_end=row.works_end,
            value_amount=row.amount,
            currency="CNY",
            date_signed=row.signed_at,
            amendments=[
                OcdsAmendment(id=contract_ocds.amendment_id(row.code, v.number), date=v.activated_at, rationale=v.reason)
                for v in versions
                if v.kind == "amendment" and v.activated_at is not None
            ],
            milestones=[
                OcdsMilestone(
                    id=contract_ocds.milestone_id(row.code, m.code),
                    title=m.name,
                    type="delivery",
                    due_date=m.planned_date,
                    status=contract_ocds.milestone_status(m.status),
                    date_met=m.accepted_at,
                )
                for m in milestones
            ],
        )

    @strawberry.field(
        description="What the viewer may do to this contract now, by the same rules the mutations apply. 当前用户现在可对本合同执行的操作。"
    )
    async def available_actions(self, info: Info) -> list[ContractAction]:
        return [ContractAction(a) for a in await _contract_actions(info, self.row)]

    @strawberry.field(description="The labels of `availableActions`, in order. 可执行操作名称。")
    async def available_action_labels(self, info: Info) -> list[str]:
        return labels_in_request(info, "ContractAction", await _contract_actions(info, self.row))
