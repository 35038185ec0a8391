"""Who sees which organisations, users and API clients."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_

from models.accounts import ApiClient, Organisation, User
from policies.scope import belonging, in_region, scope_of
from policies.subject import Actor


@scope_of(Organisation)
def organisations(actor: Actor) -> ColumnElement[bool]:
    """The organisation directory of one's region, and one's own organisation."""
    return or_(in_region(Organisation.region_code, actor), Organisation.id == actor.organisation_id)


@scope_of(User)
def users(actor: Actor) -> ColumnElement[bool]:
    return belonging(User.organisation_id, actor)


@scope_of(ApiClient)
def api_clients(actor: Actor) -> ColumnElement[bool]:
    return belonging(ApiClient.organisation_id, actor)
