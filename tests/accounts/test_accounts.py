"""Accounts: organisations and users, their validation, scope of administration, and the
protection of sensitive data (encryption at rest, masking in output, redaction in audit)."""

from __future__ import annotations

import json
import os

import pytest
import pytest_asyncio
from conftest import global_id, make_uscc, unique
from factories import people_elsewhere
from sqlalchemy import func, select, update
from stdnum.cn import uscc as uscc_rules

from models.accounts import Organisation, User, UserRole
from models.audit import AuditHead
from resolvers.accounts import service as accounts
from resolvers.security.crypto import DecryptionError, FieldCipher, mask_account, mask_phone
from resolvers.security.passwords import verify_password

STRONG_PASSWORD = "Orchid-harbour-1957"

CREATE_ORGANISATION = """
mutation($input: CreateOrganisationInput!) {
  createOrganisation(input: $input) {
    organisation { id name kind uscc regionCode bankName bankAccountNumber }
    errors { code field message }
  }
}"""
UPDATE_ORGANISATION = """
mutation($input: UpdateOrganisationInput!) {
  updateOrganisation(input: $input) { organisation { id name bankAccountNumber } errors { code field message } }
}"""
CREATE_USER = """
mutation($input: CreateUserInput!) {
  createUser(input: $input) {
    user { id username displayName phone email roles isActive organisation { id } }
    errors { code field message }
  }
}"""
UPDATE_USER = """
mutation($input: UpdateUserInput!) {
  updateUser(input: $input) { user { id displayName phone email isActive } errors { code field message } }
}"""
SET_ROLES = """
mutation($input: SetUserRolesInput!) {
  setUserRoles(input: $input) { user { id roles } errors { code field message } }
}"""
USER_PHONE = "query($id: ID!) { node(id: $id) { ... on User { username phone } } }"
ORG_ACCOUNT = "query($id: ID!) { node(id: $id) { ... on Organisation { name bankAccountNumber } } }"
AUDIT_OF = """query($target: ID!) {
  auditEvents(first: 20, filter: {targetId: $target}) { nodes { operation changes } }
}"""


def codes(errors: list[dict]) -> list[tuple[str, str | None]]:
    return sorted((e["code"], e["field"]) for e in errors)


async def audit_head(state) -> int:
    async with state.db.read() as session:
        return (await session.execute(select(AuditHead.seq).where(AuditHead.id == 1))).scalar_one()


async def raw(state, column, key_column, key):
    async with state.db.read() as session:
        return (await session.execute(select(column).where(key_column == key))).scalar_one_or_none()


async def org_of(state, username: str) -> int:
    return await raw(state, User.organisation_id, User.username, username)


async def user_pk(state, username: str) -> int:
    return await raw(state, User.id, User.username, username)


def organisation_input(**overrides) -> dict:
    values = dict(name=unique("测试单位"), kind="CONTRACTOR", uscc=make_uscc(), regionCode="320583")
    values.update(overrides)
    return {"input": values}


async def create_user_as_admin(api, state, org_key_user: str, roles: list[str], phone: str | None = "13912345678") -> dict:
    data = await api.ok(
        CREATE_USER,
        {
            "input": {
                "username": unique("u"),
                "displayName": "测试用户",
                "organisationId": global_id("Organisation", await org_of(state, org_key_user)),
                "password": STRONG_PASSWORD,
                "roles": roles,
                "phone": phone,
            }
        },
        token=await api.token("admin"),
    )
    assert data["createUser"]["errors"] == []
    return data["createUser"]["user"]


@pytest_asyncio.fixture(scope="module")
async def beijing(state):
    return await people_elsewhere(state)


# -- organisations -------------------------------------------------------------------------


async def test_create_organisation(api, state):
    variables = organisation_input(bankName="中国银行昆山支行", bankAccountNumber="6216601234567890123")
    data = await api.ok(CREATE_ORGANISATION, variables, token=await api.token("admin"))
    org = data["createOrganisation"]["organisation"]
    expected = variables["input"]
    assert data["createOrganisation"]["errors"] == []
    assert (org["name"], org["kind"], org["uscc"], org["regionCode"], org["bankName"]) == (
        expected["name"],
        "CONTRACTOR",
        expected["uscc"],
        "320583",
        "中国银行昆山支行",
    )
    events = (await api.ok(AUDIT_OF, {"target": org["id"]}, token=await api.token("auditor")))["auditEvents"]["nodes"]
    assert [e["operation"] for e in events] == ["Mutation.createOrganisation"]
    assert events[0]["changes"]["uscc"] == {"before": None, "after": expected["uscc"]}


async def test_wrong_uscc_check_character_is_refused_and_nothing_is_written(api, state):
    good = make_uscc()
    wrong = good[:-1] + next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != good[-1])
    head = await audit_head(state)
    data = await api.ok(CREATE_ORGANISATION, organisation_input(uscc=wrong), token=await api.token("admin"))
    assert data["createOrganisation"]["organisation"] is None
    assert codes(data["createOrganisation"]["errors"]) == [("INVALID_USCC", "uscc")]
    assert await raw(state, Organisation.id, Organisation.uscc, wrong) is None
    assert await audit_head(state) == head


async def test_duplicate_uscc_is_refused(api, state):
    token = await api.token("admin")
    first = organisation_input()
    assert (await api.ok(CREATE_ORGANISATION, first, token=token))["createOrganisation"]["errors"] == []
    data = await api.ok(CREATE_ORGANISATION, organisation_input(uscc=first["input"]["uscc"]), token=token)
    assert data["createOrganisation"]["organisation"] is None
    assert codes(data["createOrganisation"]["errors"]) == [("DUPLICATE_USCC", "uscc")]


async def test_every_organisation_problem_is_reported_together(api, state):
    """A duplicate credit code is reported alongside the other problems, and nothing is written."""
    registered = "11320583MB1B00002" + uscc_rules.calc_check_digit("11320583MB1B00002")  # the demo owner organisation
    head = await audit_head(state)
    async with state.db.read() as session:
        organisations = (await session.execute(select(func.count()).select_from(Organisation))).scalar_one()
    variables = organisation_input(name="   ", uscc=registered, regionCode="3205", bankAccountNumber="12ab")
    data = await api.ok(CREATE_ORGANISATION, variables, token=await api.token("admin"))
    assert data["createOrganisation"]["organisation"] is None
    assert codes(data["createOrganisation"]["errors"]) == [
        ("DUPLICATE_USCC", "uscc"),
        ("INVALID_BANK_ACCOUNT", "bankAccountNumber"),
        ("INVALID_REGION_CODE", "regionCode"),
        ("REQUIRED", "name"),
    ]
    async with state.db.read() as session:
        assert (await session.execute(select(func.count()).select_from(Organisation))).scalar_one() == organisations
    assert await audit_head(state) == head


async def test_organisation_outside_the_administrators_region_is_refused(api):
    data = await api.ok(CREATE_ORGANISATION, organisation_input(regionCode="110101"), token=await api.token("admin"))
    assert codes(data["createOrganisation"]["errors"]) == [("REGION_OUT_OF_SCOPE", "regionCode")]


async def test_user_errors_follow_accept_language(api):
    token = await api.token("admin")
    variables = organisation_input(regionCode="32058")
    zh = await api.ok(CREATE_ORGANISATION, variables, token=token)
    en = await api.ok(CREATE_ORGANISATION, variables, token=token, headers={"Accept-Language": "en"})
    assert zh["createOrganisation"]["errors"] == [
        {"code": "INVALID_REGION_CODE", "field": "regionCode", "message": "行政区划代码须为6位数字。"}
    ]
    assert en["createOrganisation"]["errors"] == [
        {"code": "INVALID_REGION_CODE", "field": "regionCode", "message": "The region code must be 6 digits."}
    ]


async def test_update_organisation(api, state):
    token = await api.token("admin")
    created = (await api.ok(CREATE_ORGANISATION, organisation_input(), token=token))["createOrganisation"]["organisation"]
    new_name = unique("改名单位")
    data = await api.ok(
        UPDATE_ORGANISATION, {"input": {"id": created["id"], "name": new_name, "bankAccountNumber": "6222000011112222"}}, token=token
    )
    assert data["updateOrganisation"]["errors"] == []
    assert data["updateOrganisation"]["organisation"]["name"] == new_name
    finance = await api.ok(ORG_ACCOUNT, {"id": created["id"]}, token=await api.token("finance"))
    assert finance["node"] == {"name": new_name, "bankAccountNumber": "6222000011112222"}
    events = (await api.ok(AUDIT_OF, {"target": created["id"]}, token=await api.token("auditor")))["auditEvents"]["nodes"]
    assert events[0]["operation"] == "Mutation.updateOrganisation"
    assert events[0]["changes"]["bank_account_number"] == {"before": None, "after": "[redacted]"}
    assert events[0]["changes"]["name"]["after"] == new_name


# -- users ---------------------------------------------------------------------------------


async def test_create_user(api, state):
    user = await create_user_as_admin(api, state, "contractor1", ["CONTRACTOR"])
    assert user["roles"] == ["CONTRACTOR"]
    assert user["phone"] == "13912345678"  # the administrator may read phones in full
    assert user["organisation"]["id"] == global_id("Organisation", await org_of(state, "contractor1"))
    stored = await raw(state, User.password_hash, User.username, user["username"])
    assert stored.startswith("$argon2id$") and verify_password(stored, STRONG_PASSWORD)
    signed_in = await api.password_token(user["username"], STRONG_PASSWORD)
    assert signed_in["access_token"]


async def test_every_user_problem_is_reported_together_and_nothing_is_written(api, state):
    username = "x!"
    head = await audit_head(state)
    data = await api.ok(
        CREATE_USER,
        {
            "input": {
                "username": username,
                "displayName": " ",
                "organisationId": global_id("Organisation", await org_of(state, "owner")),
                "password": "short",
                "roles": ["CONTRACTOR", "OWNER_STAFF"],
                "phone": "12345",
                "email": "not-an-address",
            }
        },
        token=await api.token("admin"),
    )
    assert data["createUser"]["user"] is None
    assert codes(data["createUser"]["errors"]) == [
        ("INVALID_EMAIL", "email"),
        ("INVALID_PHONE", "phone"),
        ("INVALID_USERNAME", "username"),
        ("PASSWORD_TOO_SHORT", "password"),
        ("REQUIRED", "displayName"),
        ("ROLE_NOT_ALLOWED_FOR_ORGANISATION", "roles"),
    ]
    assert await raw(state, User.id, User.username, username) is None
    assert await audit_head(state) == head


async def test_role_must_fit_the_organisation_kind(api, state):
    data = await api.ok(
        CREATE_USER,
        {
            "input": {
                "username": unique("u"),
                "displayName": "审计 测试",
                "organisationId": global_id("Organisation", await org_of(state, "contractor1")),
                "password": STRONG_PASSWORD,
                "roles": ["AUDITOR"],
            }
        },
        token=await api.token("admin"),
        headers={"Accept-Language": "en"},
    )
    assert data["createUser"]["errors"] == [
        {
            "code": "ROLE_NOT_ALLOWED_FOR_ORGANISATION",
            "field": "roles",
            "message": "The role “Auditor” does not fit an organisation of kind “Contractor”.",
        }
    ]


async def test_duplicate_username_is_refused(api, state):
    data = await api.ok(
        CREATE_USER,
        {
            "input": {
                "username": "contractor1",
                "displayName": "重名",
                "organisationId": global_id("Organisation", await org_of(state, "contractor1")),
                "password": STRONG_PASSWORD,
                "roles": ["CONTRACTOR"],
            }
        },
        token=await api.token("admin"),
    )
    assert codes(data["createUser"]["errors"]) == [("DUPLICATE_USERNAME", "username")]


async def test_set_user_roles(api, state):
    user = await create_user_as_admin(api, state, "owner", ["OWNER_STAFF"])
    token = await api.token("admin")
    refused = await api.ok(SET_ROLES, {"input": {"id": user["id"], "roles": ["OWNER_STAFF", "SUPERVISOR"]}}, token=token)
    assert codes(refused["setUserRoles"]["errors"]) == [("ROLE_NOT_ALLOWED_FOR_ORGANISATION", "roles")]

    data = await api.ok(SET_ROLES, {"input": {"id": user["id"], "roles": ["REVIEWER", "FINANCE_OFFICER"]}}, token=token)
    assert data["setUserRoles"] == {"user": {"id": user["id"], "roles": ["FINANCE_OFFICER", "REVIEWER"]}, "errors": []}
    async with state.db.read() as session:
        stored = sorted(
            (await session.execute(select(UserRole.role).where(UserRole.user_id == await user_pk(state, user["username"])))).scalars()
        )
    assert stored == ["finance_officer", "reviewer"]
    events = (await api.ok(AUDIT_OF, {"target": user["id"]}, token=await api.token("auditor")))["auditEvents"]["nodes"]
    assert events[0] == {
        "operation": "Mutation.setUserRoles",
        "changes": {"roles": {"before": ["owner_staff"], "after": ["finance_officer", "reviewer"]}},
    }


async def test_update_user(api, state):
    user = await create_user_as_admin(api, state, "contractor2", ["CONTRACTOR"])
    data = await api.ok(
        UPDATE_USER,
        {"input": {"id": user["id"], "displayName": "新名字", "phone": "13698765432", "email": "worker@example.cn"}},
        token=await api.token("admin"),
    )
    assert data["updateUser"] == {
        "user": {"id": user["id"], "displayName": "新名字", "phone": "13698765432", "email": "worker@example.cn", "isActive": True},
        "errors": [],
    }
    invalid = await api.ok(UPDATE_USER, {"input": {"id": user["id"], "phone": "999"}}, token=await api.token("admin"))
    assert codes(invalid["updateUser"]["errors"]) == [("INVALID_PHONE", "phone")]


async def test_administrator_cannot_touch_another_regions_accounts(api, state, beijing):
    token = await api.token("admin")
    attempts = [
        ("updateOrganisation", UPDATE_ORGANISATION, {"input": {"id": beijing["organisation"], "name": "越权"}}),
        ("updateUser", UPDATE_USER, {"input": {"id": beijing["user"], "displayName": "越权"}}),
        ("setUserRoles", SET_ROLES, {"input": {"id": beijing["user"], "roles": ["CONTRACTOR"]}}),
        (
            "createUser",
            CREATE_USER,
            {
                "input": {
                    "username": unique("u"),
                    "displayName": "越权",
                    "organisationId": beijing["organisation"],
                    "password": STRONG_PASSWORD,
                }
            },
        ),
    ]
    head = await audit_head(state)
    for field, mutation, variables in attempts:
        body = await api.gql(mutation, variables, token=token)
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND", field
        assert body["data"][field] is None
    assert await audit_head(state) == head


# -- sensitive data ------------------------------------------------------------------------


async def test_phone_and_bank_account_are_encrypted_at_rest(api, state):
    user = await create_user_as_admin(api, state, "contractor3", ["CONTRACTOR"], phone="13955556666")
    stored_phone = await raw(state, User.phone, User.username, user["username"])
    assert stored_phone.startswith(f"v1:{state.cipher.active_key_id}:")
    assert "13955556666" not in stored_phone and "55556666" not in stored_phone

    org = (await api.ok(CREATE_ORGANISATION, organisation_input(bankAccountNumber="6228480012345678901"), token=await api.token("admin")))[
        "createOrganisation"
    ]["organisation"]
    stored_account = await raw(state, Organisation.bank_account_number, Organisation.uscc, org["uscc"])
    assert stored_account.startswith(f"v1:{state.cipher.active_key_id}:")
    assert "6228480012345678901" not in stored_account and "12345678901" not in stored_account


async def test_ciphertext_does_not_decrypt_in_another_column_or_row(state):
    contractor1, contractor2 = await user_pk(state, "contractor1"), await user_pk(state, "contractor2")
    stored = await raw(state, User.phone, User.id, contractor1)
    assert state.cipher.decrypt(stored, accounts.phone_context(contractor1)) == "13800000006"
    with pytest.raises(DecryptionError):
        state.cipher.decrypt(stored, accounts.phone_context(contractor2))
    with pytest.raises(DecryptionError):
        state.cipher.decrypt(stored, accounts.bank_account_context(contractor1))
    tampered = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
    with pytest.raises(DecryptionError):
        state.cipher.decrypt(tampered, accounts.phone_context(contractor1))


async def test_phone_copied_to_another_persons_row_is_not_shown(api, state):
    """Someone with write access to the table cannot give one person another's phone."""
    victim = await create_user_as_admin(api, state, "contractor1", ["CONTRACTOR"], phone="13911112222")
    target = await create_user_as_admin(api, state, "contractor1", ["CONTRACTOR"], phone="13933334444")
    victim_pk, target_pk = await user_pk(state, victim["username"]), await user_pk(state, target["username"])
    copied, original = await raw(state, User.phone, User.id, victim_pk), await raw(state, User.phone, User.id, target_pk)
    async with state.db.write() as session:
        await session.execute(update(User).where(User.id == target_pk).values(phone=copied))
    try:
        body = await api.gql(USER_PHONE, {"id": target["id"]}, token=await api.token("admin"))
    finally:
        async with state.db.write() as session:
            await session.execute(update(User).where(User.id == target_pk).values(phone=original))
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL"
    assert body["errors"][0]["path"] == ["node", "phone"]
    assert "13911112222" not in json.dumps(body)
    restored = await api.ok(USER_PHONE, {"id": target["id"]}, token=await api.token("admin"))
    assert restored["node"]["phone"] == "13933334444"


def test_field_cipher_rotates_keys():
    old_key, new_key = os.urandom(32), os.urandom(32)
    before = FieldCipher({"k1": old_key}, "k1")
    sealed_old = before.encrypt("13800138000", "users.phone:7")
    assert sealed_old.startswith("v1:k1:")

    after = FieldCipher({"k1": old_key, "k2": new_key}, "k2")
    assert after.decrypt(sealed_old, "users.phone:7") == "13800138000"
    assert after.needs_rotation(sealed_old)
    sealed_new = after.encrypt("13800138000", "users.phone:7")
    assert sealed_new.startswith("v1:k2:") and not after.needs_rotation(sealed_new)
    with pytest.raises(DecryptionError):  # the old ring cannot read what the new key sealed
        before.decrypt(sealed_new, "users.phone:7")
    with pytest.raises(DecryptionError):  # a key id that is not in the ring
        FieldCipher({"k2": new_key}, "k2").decrypt(sealed_old, "users.phone:7")


def test_field_cipher_requires_its_active_key_in_the_ring():
    with pytest.raises(ValueError):
        FieldCipher({"k1": os.urandom(32)}, "k2")


@pytest.mark.parametrize(("phone", "masked"), [("13812345678", "138****5678"), (None, None), ("1234567", "123****"), ("12345", "***45")])
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(("number", "masked"), [("6222020100012345678", "***************5678"), ("1234", "1234"), (None, None)])
def test_mask_account(number, masked):
    assert mask_account(number) == masked


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [("admin", "13800000006"), ("auditor", "13800000006"), ("contractor1", "13800000006")],
)
async def test_phone_shown_in_full_to_those_allowed_and_to_oneself(api, state, viewer, expected):
    contractor1 = global_id("User", await user_pk(state, "contractor1"))
    data = await api.ok(USER_PHONE, {"id": contractor1}, token=await api.token(viewer))
    assert data["node"] == {"username": "contractor1", "phone": expected}


async def test_owner_sees_a_colleagues_phone_masked_and_their_own_in_full(api, state):
    colleague = await create_user_as_admin(api, state, "owner", ["OWNER_STAFF"], phone="13912345678")
    token = await api.token("owner")
    data = await api.ok("{ users(first: 100) { nodes { username phone } } }", token=token)
    phones = {n["username"]: n["phone"] for n in data["users"]["nodes"]}
    assert phones["owner"] == "13800000003"
    assert phones[colleague["username"]] == "139****5678"


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("finance", "6222020100012345678"),
        ("auditor", "6222020100012345678"),
        ("contractor1", "6222020100012345678"),  # the organisation's own staff
        ("contractor2", "***************5678"),
        ("admin", "***************5678"),
        ("owner", "***************5678"),
    ],
)
async def test_bank_account_shown_in_full_only_to_finance_auditors_and_own_staff(api, state, viewer, expected):
    org = global_id("Organisation", await org_of(state, "contractor1"))
    data = await api.ok(ORG_ACCOUNT, {"id": org}, token=await api.token(viewer))
    assert data["node"]["bankAccountNumber"] == expected


async def test_audit_events_never_contain_the_plain_phone(api, state):
    user = await create_user_as_admin(api, state, "supervisor", ["SUPERVISOR"], phone="13977778888")
    update_body = await api.ok(UPDATE_USER, {"input": {"id": user["id"], "phone": "13966660000"}}, token=await api.token("admin"))
    assert update_body["updateUser"]["errors"] == []
    events = (await api.ok(AUDIT_OF, {"target": user["id"]}, token=await api.token("auditor")))["auditEvents"]["nodes"]
    assert [e["operation"] for e in events] == ["Mutation.updateUser", "Mutation.createUser"]
    assert events[0]["changes"]["phone"] == {"before": "[redacted]", "after": "[redacted]"}
    assert events[1]["changes"]["phone"] == {"before": None, "after": "[redacted]"}
    text = json.dumps(events)
    for secret in ("13977778888", "13966660000", "77778888", "66660000"):
        assert secret not in text
