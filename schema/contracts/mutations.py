"""Contracts (合同管理): root mutation fields."""

from __future__ import annotations

from typing import Any

import strawberry

from resolvers.contracts import service as svc
from resolvers.contracts import signatures as sig
from schema.contracts.inputs import (
    AttachContractDocumentInput,
    ContractAmendmentPayload,
    ContractDocumentPayload,
    ContractPayload,
    CreateSigningKeyInput,
    DraftContractInput,
    ProposeContractAmendmentInput,
    RegisterSigningKeyInput,
    RemoveContractDocumentInput,
    RevokeSigningKeyInput,
    SignContractInput,
    SigningKeyPayload,
    SubmitContractForSignatureInput,
    TerminateContractInput,
    UpdateContractInput,
    WithdrawContractAmendmentInput,
)
from schema.contracts.types import Contract, ContractDocument, ContractVersion, SigningKey
from schema.core.context import Info
from schema.core.fields import from_row
from schema.core.node import decode_id
from schema.core.payload import in_input, run_mutation
from schema.projects.mutations import read_upload

CLAUSE_FIELDS = ("defect_liability_months", "daily_rate_percent", "cap_percent", "standard", "inspection_days")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _content(input: Any, data: svc.ContractData) -> svc.ContractData:
    data.number = input.number
    data.title = input.title
    data.amount = input.amount
    data.amount_reason = input.amount_reason
    data.works_start = input.works_start
    data.works_end = input.works_end
    data.defect_liability_months = input.defect_liability_months
    if input.clauses is not None:
        data.clauses = [
            svc.ClauseData(c.kind.value, c.title, c.text, {_camel(f): getattr(c, f) for f in CLAUSE_FIELDS if getattr(c, f) is not None})
            for c in input.clauses
        ]
    if input.milestones is not None:
        data.milestones = [svc.MilestoneData(m.code, m.name, m.planned_date, m.share) for m in input.milestones]
    if input.payment_terms is not None:
        data.payment_terms = [
            svc.TermData(t.name, t.percentage, t.trigger.value, t.milestone_code, t.due_days) for t in input.payment_terms
        ]
    return data


async def _contract_of(info: Info, contract_id: int) -> Contract | None:
    row = await info.context.loaders.contract.load(contract_id)
    return Contract.of(row) if row else None


def _payload(row: Any) -> ContractPayload:
    return ContractPayload(contract=Contract.of(row) if row else None, errors=[])


@strawberry.type
class ContractsMutation:
    @strawberry.mutation(description="Draft the contract of an awarded tender with its winner. 起草合同。")
    async def draft_contract(self, info: Info, input: DraftContractInput) -> ContractPayload | None:
        data = _content(input, svc.ContractData(tender_id=decode_id(input.tender_id, "Tender")))
        data.supervisor_id = decode_id(input.supervisor_id, "Organisation") if input.supervisor_id else None
        row, errors = await run_mutation(info, svc.draft_contract, data)
        return ContractPayload(contract=Contract.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Change a contract before it is in force; signatures already made are voided. 修改合同。")
    async def update_contract(self, info: Info, input: UpdateContractInput) -> ContractPayload | None:
        data = _content(input, svc.ContractData(expected_version=input.expected_version))
        if in_input(input.supervisor_id):
            if input.supervisor_id is None:
                data.clear_supervisor = True
            else:
                data.supervisor_id = decode_id(input.supervisor_id, "Organisation")
        row, errors = await run_mutation(info, svc.update_contract, decode_id(input.id, "Contract"), data)
        return ContractPayload(contract=Contract.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Send a draft to the parties for signature. 提交签署。")
    async def submit_contract_for_signature(self, info: Info, input: SubmitContractForSignatureInput) -> ContractPayload | None:
        row, errors = await run_mutation(info, svc.submit_for_signature, decode_id(input.id, "Contract"), input.expected_version)
        return ContractPayload(contract=Contract.of(row) if row else None, errors=errors)

    @strawberry.mutation(
        description="Sign the version waiting for signatures for your organisation's party; the last signature puts it in force. 签署合同。"
    )
    async def sign_contract(self, info: Info, input: SignContractInput) -> ContractPayload | None:
        row, errors = await run_mutation(info, sig.sign_contract, decode_id(input.id, "Contract"), input.content_sha256, input.signature)
        return ContractPayload(contract=Contract.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Propose an amendment of a contract in force, for every party to sign. 提出合同变更。")
    async def propose_contract_amendment(self, info: Info, input: ProposeContractAmendmentInput) -> ContractAmendmentPayload | None:
        data = _content(input, svc.ContractData(expected_version=input.expected_version))
        contract_id = decode_id(input.id, "Contract")
        version, errors = await run_mutation(info, svc.propose_amendment, contract_id, input.reason, data)
        if version is None:
            return ContractAmendmentPayload(contract=None, amendment=None, errors=errors)
        return ContractAmendmentPayload(
            contract=await _contract_of(info, contract_id), amendment=from_row(ContractVersion, version), errors=[]
        )

    @strawberry.mutation(description="Withdraw the amendment waiting for signatures. 撤回合同变更。")
    async def withdraw_contract_amendment(self, info: Info, input: WithdrawContractAmendmentInput) -> ContractPayload | None:
        row, errors = await run_mutation(info, svc.withdraw_amendment, decode_id(input.id, "Contract"), input.reason)
        return ContractPayload(contract=Contract.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Attach a document; its hash joins the signed content. 上传合同附件。")
    async def attach_contract_document(self, info: Info, input: AttachContractDocumentInput) -> ContractDocumentPayload | None:
        contract_id = decode_id(input.contract_id, "Contract")
        upload = await read_upload(info, input.file)
        row, errors = await run_mutation(info, svc.attach_document, info.context.state.storage, contract_id, input.name, upload)
        if row is None:
            return ContractDocumentPayload(contract=None, document=None, errors=errors)
        return ContractDocumentPayload(contract=await _contract_of(info, contract_id), document=ContractDocument.of(row), errors=[])

    @strawberry.mutation(description="Remove a document before the contract is in force. 删除合同附件。")
    async def remove_contract_document(self, info: Info, input: RemoveContractDocumentInput) -> ContractPayload | None:
        row, errors = await run_mutation(info, svc.remove_document, decode_id(input.id, "ContractDocument"))
        return ContractPayload(contract=Contract.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Terminate a contract. 终止合同。")
    async def terminate_contract(self, info: Info, input: TerminateContractInput) -> ContractPayload | None:
        row, errors = await run_mutation(info, svc.terminate_contract, decode_id(input.id, "Contract"), input.reason)
        return ContractPayload(contract=Contract.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Make a signing key held by the service; it replaces your organisation's key in use. 生成签章密钥。")
    async def create_signing_key(self, info: Info, input: CreateSigningKeyInput) -> SigningKeyPayload | None:
        row, errors = await run_mutation(info, sig.create_signing_key, input.algorithm.value)
        return SigningKeyPayload(signing_key=SigningKey.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Register the public key of a key on your own device; it replaces the key in use. 登记自有设备公钥。")
    async def register_signing_key(self, info: Info, input: RegisterSigningKeyInput) -> SigningKeyPayload | None:
        row, errors = await run_mutation(info, sig.register_signing_key, input.algorithm.value, input.public_key)
        return SigningKeyPayload(signing_key=SigningKey.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Stop using a signing key; signatures made with it stay valid. 停用签章密钥。")
    async def revoke_signing_key(self, info: Info, input: RevokeSigningKeyInput) -> SigningKeyPayload | None:
        row, errors = await run_mutation(info, sig.revoke_signing_key, decode_id(input.id, "SigningKey"))
        return SigningKeyPayload(signing_key=SigningKey.of(row) if row else None, errors=errors)
