"""Contracts (合同管理): root query fields."""

from __future__ import annotations

import json

import strawberry

from resolvers.contracts import queries
from resolvers.contracts import signatures as sig
from resolvers.core.i18n import label as label_of
from resolvers.core.money import amount_argument
from resolvers.core.validation import printable
from schema.contracts.inputs import ContractFilter, ContractOrder
from schema.contracts.types import (
    Contract,
    ContractParty,
    ContractVerification,
    ContractVersionStatus,
    SignatureVerification,
    SigningAlgorithm,
    SigningKey,
    VersionVerification,
)
from schema.core.connection import Connection, list_page
from schema.core.context import Info, signed_in_actor
from schema.core.node import decode_id


def _filter(filter: ContractFilter | None) -> queries.ContractFilter | None:
    if filter is None:
        return None
    return queries.ContractFilter(
        status=[s.value for s in filter.status] if filter.status is not None else None,
        contractor_id=decode_id(filter.contractor_id, "Organisation") if filter.contractor_id else None,
        project_id=decode_id(filter.project_id, "Project") if filter.project_id else None,
        region_prefix=printable(filter.region_prefix),
        amount_min=amount_argument("amountMin", filter.amount_min),
        amount_max=amount_argument("amountMax", filter.amount_max),
        signed_from=filter.signed_from,
        signed_to=filter.signed_to,
        search=printable(filter.search),
    )


def _verification(info: Info, result: sig.Verification) -> ContractVerification:
    locale = info.context.meta.locale
    return ContractVerification(
        checked_at=result.checked_at,
        valid=result.valid,
        versions=[
            VersionVerification(
                number=v.version.number,
                status=ContractVersionStatus(v.version.status),
                status_label=label_of("ContractVersionStatus", v.version.status, locale),
                stored_sha256=v.version.content_sha256,
                recomputed_sha256=v.recomputed_sha256,
                stored_matches=v.stored_matches,
                rows_match=v.rows_match,
                missing_signatures=[ContractParty(p) for p in v.missing_parties],
                missing_signature_labels=[label_of("ContractParty", p, locale) for p in v.missing_parties],
                signatures=[
                    SignatureVerification(
                        party=ContractParty(s.signature.party),
                        party_label=label_of("ContractParty", s.signature.party, locale),
                        signer_name=s.signature.signer_name,
                        key_id=s.signature.key_id,
                        algorithm=SigningAlgorithm(s.signature.algorithm),
                        algorithm_label=label_of("SigningAlgorithm", s.signature.algorithm, locale),
                        signed_at=s.signature.signed_at,
                        hash_matches=s.hash_matches,
                        valid=s.valid,
                    )
                    for s in v.signatures
                ],
                valid=v.valid,
            )
            for v in result.versions
        ],
    )


@strawberry.type
class ContractsQuery:
    @strawberry.field(description="Contracts you can see. 合同列表。")
    async def contracts(
        self,
        info: Info,
        filter: ContractFilter | None = None,
        order_by: ContractOrder | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Contract] | None:
        actor = await signed_in_actor(info.context)
        order = queries.ContractOrder(field=order_by.field.value, direction=order_by.direction.value) if order_by else None
        return await list_page(info, queries.contracts(actor, _filter(filter), order), Contract, first, after, last, before)

    @strawberry.field(description="One contract by global ID, if you can see it. 合同详情。")
    async def contract(self, info: Info, id: strawberry.ID) -> Contract | None:
        row = await info.context.loaders.contract.load(decode_id(id, "Contract"))
        return Contract.of(row) if row else None

    @strawberry.field(
        description="Recompute every version's hash, compare the version in force with the contract's data, and verify every "
        "signature. 核验合同：重算哈希并验证各方签章。"
    )
    async def verify_contract(self, info: Info, id: strawberry.ID) -> ContractVerification | None:
        # A unit of work of its own (it changes nothing): give back the request's read
        # connection first, so a request never holds two connections of the pool.
        await info.context.reads.close()
        async with info.context.unit_of_work("Query.verifyContract") as uow:
            result = await sig.verify_contract(uow, decode_id(id, "Contract"))
        return _verification(info, result)

    @strawberry.field(
        description="A version (the one in force unless `version` is given) with its signatures and public keys as one JSON "
        "document, for `smallworks verify-contract FILE` to check offline. 合同签章包（可离线核验）。"
    )
    async def contract_bundle(self, info: Info, id: strawberry.ID, version: int | None = None) -> str | None:
        await info.context.reads.close()
        async with info.context.unit_of_work("Query.contractBundle") as uow:
            bundle = await sig.bundle_of(uow, decode_id(id, "Contract"), version)
        return json.dumps(bundle, ensure_ascii=False, indent=2)

    @strawberry.field(description="Signing keys you can see: your organisation's, or those of your region. 签章密钥。")
    async def signing_keys(
        self,
        info: Info,
        organisation_id: strawberry.ID | None = None,
        include_revoked: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[SigningKey] | None:
        actor = await signed_in_actor(info.context)
        organisation = decode_id(organisation_id, "Organisation") if organisation_id else None
        return await list_page(info, queries.signing_keys(actor, organisation, include_revoked), SigningKey, first, after, last, before)
