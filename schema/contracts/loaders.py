"""DataLoaders of the contracts domain."""

from __future__ import annotations

from models.contracts import (
    Contract,
    ContractClause,
    ContractDocument,
    ContractMilestone,
    ContractSignature,
    ContractVersion,
    PaymentTerm,
    SigningKey,
)
from schema.core import loaders

loaders.by_id("contract", Contract)
loaders.by_id("signing_key", SigningKey)
loaders.by_id("contract_milestone", ContractMilestone)
loaders.by_id("payment_term", PaymentTerm)
loaders.by_id("contract_document", ContractDocument)
loaders.children("clauses_of_contract", ContractClause, ContractClause.contract_id, ContractClause.sequence)
loaders.children("milestones_of_contract", ContractMilestone, ContractMilestone.contract_id, ContractMilestone.sequence)
loaders.children("terms_of_contract", PaymentTerm, PaymentTerm.contract_id, PaymentTerm.sequence)
loaders.children("documents_of_contract", ContractDocument, ContractDocument.contract_id, ContractDocument.sequence)
loaders.children("versions_of_contract", ContractVersion, ContractVersion.contract_id, ContractVersion.number)
loaders.children("signatures_of_contract", ContractSignature, ContractSignature.contract_id, ContractSignature.id)
