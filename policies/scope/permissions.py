"""Who sees the policy's versions and the changes waiting for a second administrator."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from models.permissions import PendingPolicyChange, PolicyVersion
from policies.scope import REGION_WIDE_ROLES, in_region, scope_of
from policies.subject import Actor

# Roles that read the policy's history: it decides what everyone may do, everywhere.
POLICY_READERS = REGION_WIDE_ROLES | {"policy_admin"}


@scope_of(PolicyVersion)
def policy_versions(actor: Actor) -> ColumnElement[bool]:
    """Every version, for policy administrators, platform administrators and auditors (one
    policy covers every region); nobody else."""
    return true() if actor.roles & POLICY_READERS else false()


@scope_of(PendingPolicyChange)
def pending_policy_changes(actor: Actor) -> ColumnElement[bool]:
    """Changes proposed in the regions where the actor is a policy administrator."""
    return in_region(PendingPolicyChange.region_code, actor, ("policy_admin",)) if "policy_admin" in actor.roles else false()
