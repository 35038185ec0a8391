"""Accounts: organisations, users, roles, API clients, sign-in: root mutation fields."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from models import accounts as tables
from resolvers.accounts import auth as auth_svc
from resolvers.accounts import service as svc
from resolvers.core.errors import Problem
from schema.accounts.inputs import (
    ApiClientPayload,
    AuthPayload,
    ChangePasswordInput,
    CreateApiClientInput,
    CreateOrganisationInput,
    CreateUserInput,
    LoginInput,
    LogoutInput,
    LogoutPayload,
    OrganisationPayload,
    RefreshTokenInput,
    RevokeApiClientInput,
    SetUserRolesInput,
    UnlockUserInput,
    UpdateOrganisationInput,
    UpdateUserInput,
    UserPayload,
)
from schema.accounts.types import ApiClient, Organisation, User
from schema.core.context import Info
from schema.core.node import decode_id
from schema.core.payload import UserError, in_input, run_mutation


def _unset_to_none(value):
    return None if value is strawberry.UNSET else value


def _auth_payload(info: Info, result, errors: list[UserError]) -> AuthPayload:
    retry_after = None
    if isinstance(result, auth_svc.AuthFailure):
        params = {"retry_after": result.retry_after} if result.retry_after else {}
        errors = [UserError.of(Problem(result.code, None, params), info.context.meta.locale)]
        retry_after = result.retry_after
        if retry_after is not None:
            info.context.response_headers["Retry-After"] = str(retry_after)
    if errors:
        return AuthPayload(
            access_token=None, refresh_token=None, expires_in=None, token_type=None, user=None, retry_after=retry_after, errors=errors
        )
    return AuthPayload(
        access_token=result.tokens.access_token,
        refresh_token=result.tokens.refresh_token,
        expires_in=result.tokens.expires_in,
        token_type="Bearer",
        user=User.of(result.user),
        errors=[],
    )


@dataclass
class _SignedIn:
    tokens: auth_svc.TokenSet
    user: tables.User


async def _with_user(uow, grant, *args):
    """Run a grant and fetch the signed-in user in the same transaction."""
    result = await grant(uow, *args)
    if isinstance(result, auth_svc.AuthFailure):
        return result
    return _SignedIn(result, await uow.session.get(tables.User, result.user_id))


# -- root fields -------------------------------------------------------------------


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(description="Sign in with username and password. 密码登录。")
    async def login(self, info: Info, input: LoginInput) -> AuthPayload | None:
        result, errors = await run_mutation(info, _with_user, auth_svc.password_grant, input.username, input.password)
        return _auth_payload(info, result, errors)

    @strawberry.mutation(description="Exchange a refresh token (single use) for new tokens. 刷新令牌。")
    async def refresh_token(self, info: Info, input: RefreshTokenInput) -> AuthPayload | None:
        result, errors = await run_mutation(info, _with_user, auth_svc.refresh_grant, input.refresh_token)
        return _auth_payload(info, result, errors)

    @strawberry.mutation(description="Sign out: end this session (its tokens stop working at once). 退出登录。")
    async def logout(self, info: Info, input: LogoutInput | None = None) -> LogoutPayload | None:
        revoked, errors = await run_mutation(info, auth_svc.logout, input.refresh_token if input else None)
        return LogoutPayload(revoked=bool(revoked), errors=errors)

    @strawberry.mutation(description="Change your own password; your other sessions end. 修改密码。")
    async def change_password(self, info: Info, input: ChangePasswordInput) -> UserPayload | None:
        user, errors = await run_mutation(info, svc.change_password, input.current_password, input.new_password)
        return UserPayload(user=User.of(user) if user else None, errors=errors)

    @strawberry.mutation(description="Register an organisation. 登记单位。")
    async def create_organisation(self, info: Info, input: CreateOrganisationInput) -> OrganisationPayload | None:
        data = svc.OrganisationData(
            name=input.name,
            kind=input.kind.value,
            uscc=input.uscc,
            region_code=input.region_code,
            bank_name=input.bank_name,
            bank_account_number=input.bank_account_number,
        )
        org, errors = await run_mutation(info, svc.create_organisation, data)
        return OrganisationPayload(organisation=Organisation.of(org) if org else None, errors=errors)

    @strawberry.mutation(description="Change an organisation. 修改单位信息。")
    async def update_organisation(self, info: Info, input: UpdateOrganisationInput) -> OrganisationPayload | None:
        org_id = decode_id(input.id, "Organisation")
        data = svc.OrganisationData(
            name=_unset_to_none(input.name),
            bank_name=("" if input.bank_name is None else input.bank_name) if in_input(input.bank_name) else None,
            bank_account_number=("" if input.bank_account_number is None else input.bank_account_number)
            if in_input(input.bank_account_number)
            else None,
        )
        org, errors = await run_mutation(info, svc.update_organisation, org_id, data)
        return OrganisationPayload(organisation=Organisation.of(org) if org else None, errors=errors)

    @strawberry.mutation(description="Create a user account. 创建用户。")
    async def create_user(self, info: Info, input: CreateUserInput) -> UserPayload | None:
        data = svc.UserData(
            username=input.username,
            display_name=input.display_name,
            organisation_id=decode_id(input.organisation_id, "Organisation"),
            password=input.password,
            phone=input.phone,
            email=input.email,
            roles=[r.value for r in input.roles],
        )
        user, errors = await run_mutation(info, svc.create_user, data)
        return UserPayload(user=User.of(user) if user else None, errors=errors)

    @strawberry.mutation(description="Change a user account. 修改用户。")
    async def update_user(self, info: Info, input: UpdateUserInput) -> UserPayload | None:
        data = svc.UserData(
            display_name=_unset_to_none(input.display_name),
            phone=("" if input.phone is None else input.phone) if in_input(input.phone) else None,
            email=("" if input.email is None else input.email) if in_input(input.email) else None,
            is_active=_unset_to_none(input.is_active),
        )
        user, errors = await run_mutation(info, svc.update_user, decode_id(input.id, "User"), data)
        return UserPayload(user=User.of(user) if user else None, errors=errors)

    @strawberry.mutation(description="Replace a user's roles. 设置用户角色。")
    async def set_user_roles(self, info: Info, input: SetUserRolesInput) -> UserPayload | None:
        user, errors = await run_mutation(info, svc.set_user_roles, decode_id(input.id, "User"), [r.value for r in input.roles])
        return UserPayload(user=User.of(user) if user else None, errors=errors)

    @strawberry.mutation(
        description="Unlock an account after failed sign-ins: its delay and its locks at every address end. 解除账户登录锁定。"
    )
    async def unlock_user(self, info: Info, input: UnlockUserInput) -> UserPayload | None:
        user, errors = await run_mutation(info, svc.unlock_user, decode_id(input.id, "User"))
        return UserPayload(user=User.of(user) if user else None, errors=errors)

    @strawberry.mutation(description="Create a read-only API client; the secret is shown once. 创建第三方接口凭证。")
    async def create_api_client(self, info: Info, input: CreateApiClientInput) -> ApiClientPayload | None:
        created, errors = await run_mutation(info, svc.create_api_client, input.name, decode_id(input.organisation_id, "Organisation"))
        if created is None:
            return ApiClientPayload(api_client=None, errors=errors)
        return ApiClientPayload(api_client=ApiClient.of(created.client), client_secret=created.client_secret)

    @strawberry.mutation(description="Revoke an API client; its tokens stop working at once. 吊销接口凭证。")
    async def revoke_api_client(self, info: Info, input: RevokeApiClientInput) -> ApiClientPayload | None:
        client, errors = await run_mutation(info, svc.revoke_api_client, decode_id(input.id, "ApiClient"))
        return ApiClientPayload(api_client=ApiClient.of(client) if client else None, errors=errors)
