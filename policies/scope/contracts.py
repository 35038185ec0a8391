"""Who sees which contracts, their parts and the organisations' signing keys.

A contract is seen by its parties (the owner's staff, the contractor's and the supervisor's
people: each organisation only its own contracts), and by those who oversee the region:
administrators and auditors every contract, reviewers, finance and integrators those past
the draft. A draft is its owner's alone until it is sent for signature, and stays so when it
is abandoned (terminated) unsent. Every part of a contract (versions, clauses, terms,
milestones, signatures, documents, history) follows its contract.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select

from models.contracts import (
    Contract,
    ContractClause,
    ContractDocument,
    ContractMilestone,
    ContractSignature,
    ContractStatusChange,
    ContractVersion,
    PaymentTerm,
    SigningKey,
)
from models.projects import Project
from policies.scope import REGION_WIDE_ROLES, in_region, scope_of
from policies.scope.projects import PARTICIPATION, PROJECT_REVIEWING_ROLES
from policies.subject import Actor


def sent_for_signature() -> ColumnElement[bool]:
    """Contracts past the draft: sent for signature at some time. Only a terminated contract
    needs its versions asked (it may have been ended as a draft, never sent)."""
    sent = select(ContractVersion.contract_id).where(ContractVersion.submitted_at.is_not(None))
    return Contract.status.not_in(("draft", "terminated")) | ((Contract.status == "terminated") & Contract.id.in_(sent))


@scope_of(Contract)
def contracts(actor: Actor) -> ColumnElement[bool]:
    conditions = []
    if actor.roles & REGION_WIDE_ROLES:
        conditions.append(in_region(Contract.region_code, actor, REGION_WIDE_ROLES))
    if actor.roles & PROJECT_REVIEWING_ROLES:
        conditions.append(in_region(Contract.region_code, actor, PROJECT_REVIEWING_ROLES) & sent_for_signature())
    if "owner_staff" in actor.roles:
        conditions.append(Contract.owner_organisation_id == actor.organisation_id)
    if "contractor" in actor.roles:
        conditions.append((Contract.contractor_organisation_id == actor.organisation_id) & sent_for_signature())
    if "supervisor" in actor.roles:
        conditions.append((Contract.supervisor_organisation_id == actor.organisation_id) & sent_for_signature())
    return or_(*conditions) if conditions else false()


def _of_visible_contract(column, actor: Actor) -> ColumnElement[bool]:
    return column.in_(select(Contract.id).where(contracts(actor)))


def follows_contract(model) -> None:
    """Register the row scope of ``model`` (a table with ``contract_id``): the rows of the
    contracts the actor may see. Later domains use it for their rows of a contract."""

    def scope(actor: Actor) -> ColumnElement[bool]:
        return _of_visible_contract(model.contract_id, actor)

    scope.__qualname__ = f"{model.__name__} rows of a visible contract"
    scope_of(model)(scope)


for _model in (ContractVersion, ContractClause, ContractMilestone, PaymentTerm, ContractSignature, ContractDocument, ContractStatusChange):
    follows_contract(_model)


@scope_of(SigningKey)
def signing_keys(actor: Actor) -> ColumnElement[bool]:
    """An organisation's own keys; administrators and auditors those of their region's
    organisations (a public key is what a signature is checked with)."""
    from models.accounts import Organisation

    conditions = [SigningKey.organisation_id == actor.organisation_id]
    if actor.roles & REGION_WIDE_ROLES:
        conditions.append(
            SigningKey.organisation_id.in_(select(Organisation.id).where(in_region(Organisation.region_code, actor, REGION_WIDE_ROLES)))
        )
    return or_(*conditions)


def _projects_supervised(actor: Actor) -> ColumnElement[bool]:
    """A supervisor sees the projects of the contracts it supervises."""
    if "supervisor" not in actor.roles:
        return false()
    return Project.id.in_(
        select(Contract.project_id).where(Contract.supervisor_organisation_id == actor.organisation_id, sent_for_signature())
    )


PARTICIPATION.append(_projects_supervised)
