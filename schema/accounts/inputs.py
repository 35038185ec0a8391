"""Accounts: organisations, users, roles, API clients, sign-in: inputs, filters and payloads."""

from __future__ import annotations

import strawberry

from schema.accounts.types import ApiClient, Organisation, OrganisationKind, Role, User
from schema.core.payload import UserError


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
    retry_after: int | None = strawberry.field(
        default=None,
        description="With TOO_MANY_ATTEMPTS: seconds to wait before trying again (also the `Retry-After` header). 需等待的秒数。",
    )
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
    is_active: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Enable or disable; disabling ends all sessions. 启用或停用。"
    )


@strawberry.input(description="Replace a user's roles. 设置用户角色。")
class SetUserRolesInput:
    id: strawberry.ID = strawberry.field(description="User. 用户。")
    roles: list[Role] = strawberry.field(description="The complete new set. 新的角色集合。")


@strawberry.input(description="Unlock an account locked after failed sign-ins. 解除登录锁定。")
class UnlockUserInput:
    id: strawberry.ID = strawberry.field(description="User. 用户。")


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
