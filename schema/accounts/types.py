"""Accounts: organisations, users, roles, API clients, sign-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from models import accounts as m
from models.accounts import ApiClient as ApiClientModel
from models.accounts import ORGANISATION_KINDS, ROLES
from policies.scope import legacy as scope
from resolvers.accounts import service as svc
from resolvers.accounts import auth as auth_svc
from resolvers.core.errors import Problem, UserErrors
from schema.core.base import (
    Connection,
    Node,
    UserError,
    column,
    decode_id,
    enum_of,
    in_input,
    list_page,
    register_node,
    run_mutation,
)


OrganisationKind = enum_of("OrganisationKind", ORGANISATION_KINDS, "Kind of organisation. 单位类型。")


Role = enum_of("Role", ROLES, "A role that operation permissions are granted to. 角色。")


@register_node("organisation")
@strawberry.type(description="An organisation: owner, contractor, supervisor, auditor, finance bureau or platform. 单位。")
class Organisation(Node):
    m: strawberry.Private[m.Organisation]

    @classmethod
    def of(cls, row: m.Organisation) -> "Organisation":
        return cls(pk=row.id, m=row)

    name: str = column("name", "Name. 单位名称。")

    kind: OrganisationKind = column("kind", "Kind. 单位类型。", OrganisationKind)

    uscc: str = column("uscc", "Unified social credit code. 统一社会信用代码。")

    region_code: str = column("region_code", "6-digit administrative region code. 行政区划代码。")

    bank_name: str | None = column("bank_name", "Bank of the settlement account. 开户银行。")

    @strawberry.field(
        description="Settlement account number; masked unless you may see it in full. 银行账号（默认脱敏显示）。"
    )
    async def bank_account_number(self, info: Info) -> str | None:
        ctx = info.context
        return svc.bank_account_as_seen_by(await ctx.actor(), ctx.policy, ctx.cipher, self.m)

    created_at: datetime = column("created_at", "When registered (UTC). 登记时间。")


@register_node("user")
@strawberry.type(description="A person who signs in. 用户。")
class User(Node):
    m: strawberry.Private[m.User]

    @classmethod
    def of(cls, row: m.User) -> "User":
        return cls(pk=row.id, m=row)

    username: str = column("username", "Sign-in name. 登录名。")

    display_name: str = column("display_name", "Display name. 姓名。")

    email: str | None = column("email", "E-mail address. 电子邮箱。")

    is_active: bool = column("is_active", "Whether the account may sign in. 是否启用。")

    @strawberry.field(description="Mobile phone; masked (138****5678) unless you may see it in full. 手机号（默认脱敏）。")
    async def phone(self, info: Info) -> str | None:
        ctx = info.context
        return svc.phone_as_seen_by(await ctx.actor(), ctx.policy, ctx.cipher, self.m)

    @strawberry.field(description="Organisation the person works for. 所属单位。")
    async def organisation(self, info: Info) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.m.organisation_id)
        return Organisation.of(row) if row else None

    @strawberry.field(description="Roles held. 角色。")
    async def roles(self, info: Info) -> list[Role]:
        return [Role(r) for r in await info.context.loaders.roles_of_user.load(self.m.id)]

    created_at: datetime = column("created_at", "When created (UTC). 创建时间。")


@register_node("api_client")
@strawberry.type(description="An integrator's read-only API client (client_credentials grant). 第三方接口凭证。")
class ApiClient(Node):
    m: strawberry.Private[ApiClientModel]

    @classmethod
    def of(cls, row: ApiClientModel) -> "ApiClient":
        return cls(pk=row.id, m=row)

    client_id: str = column("client_id", "client_id for POST /auth/token. 客户端标识。")

    name: str = column("name", "Name. 名称。")

    @strawberry.field(description="Granted scopes. 授权范围。")
    def scopes(self) -> list[str]:
        return self.m.scopes.split()

    is_active: bool = column("is_active", "Whether it may still obtain tokens. 是否有效。")

    last_used_at: datetime | None = column("last_used_at", "Last token issued (UTC). 最近使用时间。")

    @strawberry.field(description="Organisation it acts for. 所属单位。")
    async def organisation(self, info: Info) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.m.organisation_id)
        return Organisation.of(row) if row else None


@strawberry.type(description="Who is signed in. 当前登录者。")
class Viewer:
    kind: str = strawberry.field(description="`user` or `client`. 登录者类型。")
    roles: list[Role] = strawberry.field(description="Roles in effect. 生效角色。")
    scopes: list[str] = strawberry.field(description="Token scopes. 令牌授权范围。")
    region_code: str = strawberry.field(description="Region the permissions apply in. 权限所在行政区划。")
    user: User | None = strawberry.field(description="The person, for user tokens. 用户。")
    organisation: Organisation | None = strawberry.field(description="Their organisation. 所属单位。")


# -- inputs and payloads -----------------------------------------------------------


@strawberry.input(description="Filter for organisations. 单位筛选条件。")
class OrganisationFilter:
    kind: OrganisationKind | None = strawberry.field(default=None, description="Kind. 单位类型。")
    region_prefix: str | None = strawberry.field(default=None, description="Region code prefix, e.g. 3205. 行政区划前缀。")
    search: str | None = strawberry.field(default=None, description="Part of the name or credit code. 名称或信用代码关键字。")


@strawberry.input(description="Filter for users. 用户筛选条件。")
class UserFilter:
    organisation_id: strawberry.ID | None = strawberry.field(default=None, description="Organisation. 所属单位。")
    role: Role | None = strawberry.field(default=None, description="Holds this role. 角色。")
    is_active: bool | None = strawberry.field(default=None, description="Enabled or not. 是否启用。")
    search: str | None = strawberry.field(default=None, description="Part of username or name. 登录名或姓名关键字。")


@strawberry.input(description="Sign in with a password. 密码登录。")
class LoginInput:
    username: str = strawberry.field(description="Sign-in name. 登录名。")
    password: str = strawberry.field(description="Password. 密码。")


@strawberry.input(description="Exchange a refresh token for new tokens. 刷新令牌。")
class RefreshTokenInput:
    refresh_token: str = strawberry.field(description="The refresh token last issued. 刷新令牌。")


@strawberry.input(description="Sign out. 退出登录。")
class LogoutInput:
    refresh_token: str | None = strawberry.field(default=None, description="Also revoke this refresh token's session. 同时注销该刷新令牌。")


@strawberry.type(description="Tokens issued by a sign-in. 登录结果。")
class AuthPayload:
    access_token: str | None = strawberry.field(description="JWT for `Authorization: Bearer`, 15 minutes. 访问令牌。")
    refresh_token: str | None = strawberry.field(description="Opaque, single use. 刷新令牌（一次性）。")
    expires_in: int | None = strawberry.field(description="Access token lifetime in seconds. 有效期（秒）。")
    token_type: str | None = strawberry.field(description="Always `Bearer`. 令牌类型。")
    user: User | None = strawberry.field(description="The signed-in person. 登录用户。")
    errors: list[UserError] = strawberry.field(description="Why sign-in failed. 错误。")


@strawberry.type(description="Result of signing out. 退出结果。")
class LogoutPayload:
    revoked: bool = strawberry.field(description="A session was ended. 是否注销了会话。")
    errors: list[UserError] = strawberry.field(description="Errors. 错误。")


@strawberry.input(description="Register an organisation. 登记单位。")
class CreateOrganisationInput:
    name: str = strawberry.field(description="Name. 单位名称。")
    kind: OrganisationKind = strawberry.field(description="Kind. 单位类型。")
    uscc: str = strawberry.field(description="Unified social credit code. 统一社会信用代码。")
    region_code: str = strawberry.field(description="6-digit region code. 行政区划代码。")
    bank_name: str | None = strawberry.field(default=None, description="Bank. 开户银行。")
    bank_account_number: str | None = strawberry.field(default=None, description="Account number. 银行账号。")


@strawberry.input(description="Change an organisation; omitted fields stay. 修改单位信息。")
class UpdateOrganisationInput:
    id: strawberry.ID = strawberry.field(description="Organisation. 单位。")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Name. 单位名称。")
    bank_name: str | None = strawberry.field(default=strawberry.UNSET, description="Bank. 开户银行。")
    bank_account_number: str | None = strawberry.field(default=strawberry.UNSET, description="Account number. 银行账号。")


@strawberry.type(description="Result of an organisation mutation. 单位操作结果。")
class OrganisationPayload:
    organisation: Organisation | None = strawberry.field(description="The organisation. 单位。")
    errors: list[UserError] = strawberry.field(description="Validation failures. 校验错误。")


@strawberry.input(description="Create a user account. 创建用户。")
class CreateUserInput:
    username: str = strawberry.field(description="Sign-in name. 登录名。")
    display_name: str = strawberry.field(description="Display name. 姓名。")
    organisation_id: strawberry.ID = strawberry.field(description="Organisation. 所属单位。")
    password: str = strawberry.field(description="Initial password (minimum strength applies). 初始密码。")
    roles: list[Role] = strawberry.field(default_factory=list, description="Roles. 角色。")
    phone: str | None = strawberry.field(default=None, description="Mobile phone. 手机号。")
    email: str | None = strawberry.field(default=None, description="E-mail. 电子邮箱。")


@strawberry.input(description="Change a user; omitted fields stay. 修改用户。")
class UpdateUserInput:
    id: strawberry.ID = strawberry.field(description="User. 用户。")
    display_name: str | None = strawberry.field(default=strawberry.UNSET, description="Display name. 姓名。")
    phone: str | None = strawberry.field(default=strawberry.UNSET, description="Mobile phone; empty clears. 手机号。")
    email: str | None = strawberry.field(default=strawberry.UNSET, description="E-mail; empty clears. 电子邮箱。")
    is_active: bool | None = strawberry.field(default=strawberry.UNSET, description="Enable or disable; disabling ends all sessions. 启用或停用。")


@strawberry.input(description="Replace a user's roles. 设置用户角色。")
class SetUserRolesInput:
    id: strawberry.ID = strawberry.field(description="User. 用户。")
    roles: list[Role] = strawberry.field(description="The complete new set. 新的角色集合。")


@strawberry.input(description="Change your own password. 修改密码。")
class ChangePasswordInput:
    current_password: str = strawberry.field(description="Current password. 当前密码。")
    new_password: str = strawberry.field(description="New password. 新密码。")


@strawberry.type(description="Result of a user mutation. 用户操作结果。")
class UserPayload:
    user: User | None = strawberry.field(description="The user. 用户。")
    errors: list[UserError] = strawberry.field(description="Validation failures. 校验错误。")


@strawberry.input(description="Create an integrator's API client. 创建第三方接口凭证。")
class CreateApiClientInput:
    name: str = strawberry.field(description="Name. 名称。")
    organisation_id: strawberry.ID = strawberry.field(description="Organisation it acts for. 所属单位。")


@strawberry.input(description="Revoke an API client. 吊销接口凭证。")
class RevokeApiClientInput:
    id: strawberry.ID = strawberry.field(description="API client. 接口凭证。")


@strawberry.type(description="Result of an API client mutation. 接口凭证操作结果。")
class ApiClientPayload:
    api_client: ApiClient | None = strawberry.field(description="The client. 接口凭证。")
    client_secret: str | None = strawberry.field(
        default=None, description="Shown once, at creation; only its hash is kept. 客户端密钥（仅显示一次）。"
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Validation failures. 校验错误。")


def _unset_to_none(value):
    return None if value is strawberry.UNSET else value


def _auth_payload(info: Info, result, errors: list[UserError]) -> AuthPayload:
    if isinstance(result, auth_svc.AuthFailure):
        params = {"retry_after": result.retry_after} if result.retry_after else {}
        errors = [UserError.of(Problem(result.code, None, params), info.context.meta.locale)]
    if errors:
        return AuthPayload(access_token=None, refresh_token=None, expires_in=None, token_type=None, user=None, errors=errors)
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
    user: m.User


async def _with_user(uow, grant, *args):
    """Run a grant and fetch the signed-in user in the same transaction."""
    result = await grant(uow, *args)
    if isinstance(result, auth_svc.AuthFailure):
        return result
    return _SignedIn(result, await uow.session.get(m.User, result.user_id))


# -- root fields -------------------------------------------------------------------


@strawberry.type
class AccountsQuery:
    @strawberry.field(description="Who is signed in. 当前登录者。")
    async def viewer(self, info: Info) -> Viewer | None:
        ctx = info.context
        actor = await ctx.actor()
        org = await ctx.loaders.organisation.load(actor.organisation_id)
        user = await ctx.loaders.user.load(actor.id) if actor.kind == "user" else None
        return Viewer(
            kind=actor.kind,
            roles=[Role(r) for r in sorted(actor.roles)],
            scopes=sorted(actor.scopes),
            region_code=actor.region_code,
            user=User.of(user) if user else None,
            organisation=Organisation.of(org) if org else None,
        )

    @strawberry.field(description="Organisations you can see. 单位列表。")
    async def organisations(
        self,
        info: Info,
        filter: OrganisationFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Organisation] | None:
        ctx = info.context
        actor = await ctx.actor()
        stmt = select(m.Organisation).where(scope.organisations(actor))
        if filter:
            if filter.kind:
                stmt = stmt.where(m.Organisation.kind == filter.kind.value)
            if filter.region_prefix:
                stmt = stmt.where(m.Organisation.region_code.startswith(filter.region_prefix, autoescape=True))
            if filter.search:
                stmt = stmt.where(
                    m.Organisation.name.contains(filter.search, autoescape=True)
                    | m.Organisation.uscc.contains(filter.search.upper(), autoescape=True)
                )
        return await list_page(info, stmt, [(m.Organisation.id, False)], Organisation.of, first, after, last, before)

    @strawberry.field(description="Users you can see. 用户列表。")
    async def users(
        self,
        info: Info,
        filter: UserFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[User] | None:
        ctx = info.context
        actor = await ctx.actor()
        stmt = select(m.User).where(scope.users(actor))
        if filter:
            if filter.organisation_id:
                stmt = stmt.where(m.User.organisation_id == decode_id(filter.organisation_id, "Organisation"))
            if filter.role:
                stmt = stmt.where(m.User.id.in_(select(m.UserRole.user_id).where(m.UserRole.role == filter.role.value)))
            if filter.is_active is not None:
                stmt = stmt.where(m.User.is_active.is_(filter.is_active))
            if filter.search:
                stmt = stmt.where(
                    m.User.username.contains(filter.search, autoescape=True)
                    | m.User.display_name.contains(filter.search, autoescape=True)
                )
        return await list_page(info, stmt, [(m.User.id, False)], User.of, first, after, last, before)

    @strawberry.field(description="Integrators' API clients you can see. 第三方接口凭证列表。")
    async def api_clients(
        self, info: Info, first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None
    ) -> Connection[ApiClient] | None:
        ctx = info.context
        actor = await ctx.actor()
        stmt = select(ApiClientModel).where(scope.api_clients(actor))
        return await list_page(info, stmt, [(ApiClientModel.id, False)], ApiClient.of, first, after, last, before)


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
            name=input.name, kind=input.kind.value, uscc=input.uscc, region_code=input.region_code,
            bank_name=input.bank_name, bank_account_number=input.bank_account_number,
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
            if in_input(input.bank_account_number) else None,
        )
        org, errors = await run_mutation(info, svc.update_organisation, org_id, data)
        return OrganisationPayload(organisation=Organisation.of(org) if org else None, errors=errors)

    @strawberry.mutation(description="Create a user account. 创建用户。")
    async def create_user(self, info: Info, input: CreateUserInput) -> UserPayload | None:
        data = svc.UserData(
            username=input.username, display_name=input.display_name,
            organisation_id=decode_id(input.organisation_id, "Organisation"), password=input.password,
            phone=input.phone, email=input.email, roles=[r.value for r in input.roles],
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
