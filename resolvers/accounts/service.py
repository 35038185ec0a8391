"""Organisations, users, roles and API clients."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select, update

from models.accounts import ORGANISATION_KINDS, ROLES, ApiClient, AuthSession, LoginFailure, Organisation, User, UserRole
from policies.gate import guarded, may_run, sees_in_full
from resolvers.accounts.auth import locked_until
from resolvers.core.audit import changes_of, snapshot
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import NotFound, Problem, UserErrors
from resolvers.core.i18n import Label
from resolvers.core.scoped import get_in_scope
from resolvers.core.transaction import rowcount
from resolvers.core.validation import (
    BANK_ACCOUNT_RE,
    EMAIL_RE,
    PHONE_RE,
    REGION_RE,
    USERNAME_RE,
    Checks,
)
from resolvers.security.crypto import mask_account, mask_phone
from resolvers.security.keys import encrypted_column
from resolvers.security.passwords import hash_password, strength_problems, verify_password

# Which roles a person may hold, by the kind of organisation they work for.
ROLE_ORGANISATION_KINDS: dict[str, frozenset[str]] = {
    "platform_admin": frozenset({"platform"}),
    "policy_admin": frozenset({"platform"}),
    "owner_staff": frozenset({"owner"}),
    "reviewer": frozenset({"owner", "platform", "finance"}),
    "finance_officer": frozenset({"finance", "owner"}),
    "evaluator": frozenset({"platform", "owner", "supervisor"}),
    "contractor": frozenset({"contractor"}),
    "supervisor": frozenset({"supervisor"}),
    "auditor": frozenset({"auditor"}),
}
USER_ROLES = tuple(r for r in ROLES if r in ROLE_ORGANISATION_KINDS)  # integrator is for API clients

# Encrypted columns. The associated data of each value is the column and the row's id, so a
# ciphertext copied into another column or another row does not decrypt.
PHONE_CONTEXT = "users.phone"
BANK_ACCOUNT_CONTEXT = "organisations.bank_account_number"


def phone_context(user_id: int) -> str:
    """Associated data of one user's encrypted phone: ``users.phone:<id>``."""
    return f"{PHONE_CONTEXT}:{user_id}"


def bank_account_context(organisation_id: int) -> str:
    """Associated data of one organisation's encrypted bank account number."""
    return f"{BANK_ACCOUNT_CONTEXT}:{organisation_id}"


encrypted_column(User, "phone", PHONE_CONTEXT, lambda row: phone_context(row.id))
encrypted_column(Organisation, "bank_account_number", BANK_ACCOUNT_CONTEXT, lambda row: bank_account_context(row.id))


def _within(uow: UnitOfWork, region_code: str) -> bool:
    return region_code.startswith(uow.require_actor().region_prefix)


# -- organisations -----------------------------------------------------------------


@dataclass
class OrganisationData:
    name: str | None = None
    kind: str | None = None
    uscc: str | None = None
    region_code: str | None = None
    bank_name: str | None = None
    bank_account_number: str | None = None


def _check_organisation(uow: UnitOfWork, data: OrganisationData, creating: bool) -> Checks:
    checks = Checks()
    if creating or data.name is not None:
        data.name = checks.text("name", data.name, 200)
    if creating:
        if data.kind not in ORGANISATION_KINDS:
            checks.add("REQUIRED", "kind")
        data.uscc = checks.uscc("uscc", data.uscc)
        data.region_code = checks.pattern("regionCode", data.region_code or "", REGION_RE, "INVALID_REGION_CODE")
        if data.region_code and REGION_RE.match(data.region_code) and not _within(uow, data.region_code):
            checks.add("REGION_OUT_OF_SCOPE", "regionCode")
    if data.bank_name is not None:
        data.bank_name = checks.text("bankName", data.bank_name, 200, required=False)
    if data.bank_account_number:
        data.bank_account_number = checks.pattern("bankAccountNumber", data.bank_account_number, BANK_ACCOUNT_RE, "INVALID_BANK_ACCOUNT")
    return checks


async def create_organisation(uow: UnitOfWork, data: OrganisationData) -> Organisation:
    checks = _check_organisation(uow, data, creating=True)
    uscc_valid = data.uscc is not None and not any(p.field == "uscc" for p in checks.problems)
    if uscc_valid:
        # Checked even when other fields are wrong, so every problem is reported at once.
        if (await uow.session.execute(select(Organisation.id).where(Organisation.uscc == data.uscc))).first():
            checks.add("DUPLICATE_USCC", "uscc")
    checks.raise_if_any()
    org = Organisation(
        name=data.name,
        kind=data.kind,
        uscc=data.uscc,
        region_code=data.region_code,
        bank_name=data.bank_name,
        created_at=uow.now,
        updated_at=uow.now,
    )
    uow.session.add(org)
    await uow.session.flush()
    # Encrypted once the row has its id, which is bound into the ciphertext.
    org.bank_account_number = uow.cipher.encrypt(data.bank_account_number or None, bank_account_context(org.id))
    uow.audit("Organisation", org.id, changes_of(org, None), region_code=org.region_code)
    return org


async def update_organisation(uow: UnitOfWork, organisation_id: int, data: OrganisationData) -> Organisation:
    org = await get_in_scope(uow, Organisation, organisation_id)
    _check_organisation(uow, data, creating=False).raise_if_any()
    before = snapshot(org)
    rewritten: tuple[str, ...] = ()
    if data.name is not None:
        org.name = data.name
    if data.bank_name is not None:
        org.bank_name = data.bank_name or None
    if data.bank_account_number is not None:
        org.bank_account_number = uow.cipher.encrypt(data.bank_account_number or None, bank_account_context(org.id))
        rewritten = ("bank_account_number",)
    org.updated_at = uow.now
    await uow.session.flush()
    uow.audit("Organisation", org.id, changes_of(org, before, rewritten), region_code=org.region_code)
    return org


# -- users -------------------------------------------------------------------------


@dataclass
class UserData:
    username: str | None = None
    display_name: str | None = None
    organisation_id: int | None = None
    password: str | None = None
    phone: str | None = None
    email: str | None = None
    roles: list[str] | None = None
    is_active: bool | None = None


def _check_roles(checks: Checks, roles: list[str], organisation: Organisation | None) -> list[str]:
    clean = sorted(set(roles))
    for role in clean:
        if role not in USER_ROLES:
            checks.add("UNKNOWN_ROLE", "roles", role=role)
        elif organisation is not None and organisation.kind not in ROLE_ORGANISATION_KINDS[role]:
            checks.add(
                "ROLE_NOT_ALLOWED_FOR_ORGANISATION", "roles", role=Label("Role", role), kind=Label("OrganisationKind", organisation.kind)
            )
    return clean


async def create_user(uow: UnitOfWork, data: UserData) -> User:
    checks = Checks()
    username = checks.pattern("username", data.username or "", USERNAME_RE, "INVALID_USERNAME").lower()
    display_name = checks.text("displayName", data.display_name, 100)
    phone = checks.pattern("phone", data.phone, PHONE_RE, "INVALID_PHONE") if data.phone else None
    email = checks.pattern("email", data.email, EMAIL_RE, "INVALID_EMAIL") if data.email else None
    org = None
    if data.organisation_id is None:
        checks.add("REQUIRED", "organisationId")
    else:
        org = await get_in_scope(uow, Organisation, data.organisation_id)
    roles = _check_roles(checks, data.roles or [], org)
    s = uow.settings
    password = data.password or ""
    checks.problems += strength_problems(password, s.password_min_length, s.password_min_score, [username or "", display_name or ""])
    if USERNAME_RE.fullmatch(username) and (await uow.session.execute(select(User.id).where(User.username == username))).first():
        checks.add("DUPLICATE_USERNAME", "username")
    checks.raise_if_any()
    assert org is not None  # a missing organisationId was reported above
    user = User(
        username=username,
        display_name=display_name,
        organisation_id=org.id,
        password_hash=hash_password(password),
        email=email,
        is_active=True,
        password_changed_at=uow.now,
        created_at=uow.now,
        updated_at=uow.now,
    )
    uow.session.add(user)
    await uow.session.flush()
    # Encrypted once the row has its id, which is bound into the ciphertext.
    user.phone = uow.cipher.encrypt(phone, phone_context(user.id))
    uow.session.add_all([UserRole(user_id=user.id, role=r) for r in roles])
    changes = changes_of(user, None)
    changes["roles"] = {"before": None, "after": roles}
    uow.audit("User", user.id, changes, region_code=org.region_code)
    return user


async def update_user(uow: UnitOfWork, user_id: int, data: UserData) -> User:
    user = await get_in_scope(uow, User, user_id)
    checks = Checks()
    display_name = checks.text("displayName", data.display_name, 100) if data.display_name is not None else None
    phone = checks.pattern("phone", data.phone, PHONE_RE, "INVALID_PHONE") if data.phone else data.phone
    email = checks.pattern("email", data.email, EMAIL_RE, "INVALID_EMAIL") if data.email else data.email
    checks.raise_if_any()
    before = snapshot(user)
    rewritten: tuple[str, ...] = ()
    if display_name is not None:
        user.display_name = display_name
    if phone is not None:
        user.phone = uow.cipher.encrypt(phone or None, phone_context(user.id))
        rewritten = ("phone",)
    if email is not None:
        user.email = email or None
    if data.is_active is not None:
        user.is_active = data.is_active
        if not data.is_active:
            await _revoke_all_sessions(uow, user.id, "account_disabled")
    user.updated_at = uow.now
    await uow.session.flush()
    org = await uow.session.get_one(Organisation, user.organisation_id)
    uow.audit("User", user.id, changes_of(user, before, rewritten), region_code=org.region_code)
    return user


async def set_user_roles(uow: UnitOfWork, user_id: int, roles: list[str]) -> User:
    user = await get_in_scope(uow, User, user_id)
    org = await uow.session.get_one(Organisation, user.organisation_id)
    checks = Checks()
    clean = _check_roles(checks, roles, org)
    checks.raise_if_any()
    current = sorted((await uow.session.execute(select(UserRole.role).where(UserRole.user_id == user.id))).scalars())
    if current != clean:
        await uow.session.execute(delete(UserRole).where(UserRole.user_id == user.id))
        uow.session.add_all([UserRole(user_id=user.id, role=r) for r in clean])
        await uow.session.flush()
    uow.audit("User", user.id, {"roles": {"before": current, "after": clean}}, region_code=org.region_code)
    return user


async def unlock_user(uow: UnitOfWork, user_id: int) -> User:
    """Forget every failed sign-in of the account, from every address: its delay and its
    locks end at once. Audited with what it ended."""
    user = await get_in_scope(uow, User, user_id)
    org = await uow.session.get_one(Organisation, user.organisation_id)
    until = (await locked_until(uow.session, uow.settings, uow.now, [user.username])).get(user.username)
    removed = rowcount(await uow.session.execute(delete(LoginFailure).where(LoginFailure.username == user.username)))
    uow.audit(
        "User",
        user.id,
        {"sign_in_locked_until": {"before": until, "after": None}, "failed_sign_ins": {"before": removed, "after": 0}},
        region_code=org.region_code,
    )
    return user


# What an administrator may do to a user or an organisation they see, and the mutation that
# does each. The row rule of those mutations is the row scope (``get_in_scope``), which a
# viewer of the row has passed; the gate decides the rest (``schema.core.actions``).
USER_ACTIONS = {"update": "updateUser", "set_roles": "setUserRoles", "unlock": "unlockUser"}
ORGANISATION_ACTIONS = {"update": "updateOrganisation"}
API_CLIENT_ACTIONS = {"revoke": "revokeApiClient"}


def api_client_actions(client: ApiClient) -> list[str]:
    """A client is revoked once (``revoke_api_client`` refuses it again)."""
    return ["revoke"] if client.is_active else []


def may_unlock(viewer, policy) -> bool:
    """Whether ``viewer`` may unlock accounts (``Mutation.unlockUser``): then they see,
    on the users they see, until when sign-in to them is locked."""
    return may_run(policy, viewer, "Mutation", "unlockUser")


async def _revoke_all_sessions(uow: UnitOfWork, user_id: int, reason: str, keep: str | None = None) -> None:
    stmt = update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    if keep:
        stmt = stmt.where(AuthSession.id != keep)
    await uow.session.execute(stmt.values(revoked_at=uow.now, revoked_reason=reason))


async def change_password(uow: UnitOfWork, current_password: str, new_password: str) -> User:
    actor = uow.require_actor()
    user = await uow.session.get(User, actor.id)
    if user is None or actor.kind != "user":
        raise NotFound()
    problems: list[Problem] = []
    if not verify_password(user.password_hash, current_password or ""):
        problems.append(Problem("PASSWORD_INCORRECT", "currentPassword"))
    s = uow.settings
    problems += strength_problems(
        new_password or "", s.password_min_length, s.password_min_score, [user.username, user.display_name], "newPassword"
    )
    if problems:
        raise UserErrors(problems)
    before = snapshot(user)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = uow.now
    # Every other sign-in of this account ends; the one that changed the password stays.
    await _revoke_all_sessions(uow, user.id, "password_changed", keep=actor.session_id)
    await uow.session.flush()
    uow.audit("User", user.id, changes_of(user, before, ("password_hash",)))
    return user


# -- API clients -------------------------------------------------------------------


@dataclass(frozen=True)
class NewApiClient:
    client: ApiClient
    client_secret: str


async def create_api_client(uow: UnitOfWork, name: str | None, organisation_id: int | None) -> NewApiClient:
    checks = Checks()
    name = checks.text("name", name, 200)
    if organisation_id is None:
        checks.add("REQUIRED", "organisationId")
    checks.raise_if_any()
    org = await get_in_scope(uow, Organisation, organisation_id)
    secret = secrets.token_urlsafe(32)
    client = ApiClient(
        client_id="swc_" + secrets.token_hex(12),
        name=name,
        secret_hash=hash_password(secret),
        organisation_id=org.id,
        scopes="read",
        is_active=True,
        created_at=uow.now,
    )
    uow.session.add(client)
    await uow.session.flush()
    uow.audit("ApiClient", client.id, changes_of(client, None), region_code=org.region_code)
    return NewApiClient(client, secret)


async def revoke_api_client(uow: UnitOfWork, api_client_id: int) -> ApiClient:
    client = await get_in_scope(uow, ApiClient, api_client_id)
    if not client.is_active:
        # Said, not silently repeated: the audit trail records one revocation.
        raise UserErrors(Problem("API_CLIENT_ALREADY_REVOKED", "id"))
    org = await get_in_scope(uow, Organisation, client.organisation_id)
    before = snapshot(client)
    client.is_active = False
    await uow.session.flush()
    uow.audit("ApiClient", client.id, changes_of(client, before), region_code=org.region_code)
    return client


# -- reading sensitive fields ----------------------------------------------------------

PHONE = guarded("User.phone")
BANK_ACCOUNT = guarded("Organisation.bankAccountNumber")


def phone_as_seen_by(viewer, policy, cipher, user: User) -> str | None:
    """In full for the person themself and for roles with ``User.phone read_full``;
    masked (138****5678) for everyone else (``policies.gate.sees_in_full``)."""
    phone = cipher.decrypt(user.phone, phone_context(user.id))
    own = viewer is not None and viewer.kind == "user" and viewer.id == user.id
    return phone if sees_in_full(policy, viewer, PHONE, own=own) else mask_phone(phone)


def bank_account_as_seen_by(viewer, policy, cipher, organisation: Organisation) -> str | None:
    """In full for the organisation's own staff and for roles with
    ``Organisation.bankAccountNumber read_full``; otherwise only the last four digits."""
    number = cipher.decrypt(organisation.bank_account_number, bank_account_context(organisation.id))
    own = viewer is not None and viewer.kind == "user" and viewer.organisation_id == organisation.id
    return number if sees_in_full(policy, viewer, BANK_ACCOUNT, own=own) else mask_account(number)
