"""Accounts: organisations, users, roles, API clients, sign-in: GraphQL types."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import strawberry

from models import accounts as tables
from models.accounts import ORGANISATION_KINDS, ROLES
from models.accounts import ApiClient as ApiClientModel
from resolvers.accounts import service as svc
from schema.core.actions import viewer_actions
from schema.core.context import Info
from schema.core.fields import column, enum_of, label, labels_in_request, loaded
from schema.core.node import Node, register_node

if TYPE_CHECKING:  # what type checkers see of the enums below (see ``enum_of``)

    class OrganisationKind(enum.Enum): ...

    class Role(enum.Enum): ...

    class UserAction(enum.Enum): ...

    class OrganisationAction(enum.Enum): ...

    class ApiClientAction(enum.Enum): ...

else:
    OrganisationKind = enum_of("OrganisationKind", ORGANISATION_KINDS, "Kind of organisation. 单位类型。")

    Role = enum_of("Role", ROLES, "A role that operation permissions are granted to. 角色。")

    UserAction = enum_of(
        "UserAction",
        tuple(svc.USER_ACTIONS),
        "Something a viewer may do to a user: UPDATE (updateUser), SET_ROLES (setUserRoles), UNLOCK (unlockUser). 对用户可执行的操作。",
    )

    ApiClientAction = enum_of(
        "ApiClientAction", tuple(svc.API_CLIENT_ACTIONS), "Something a viewer may do to an API client: REVOKE. 对接入客户端可执行的操作。"
    )

    OrganisationAction = enum_of(
        "OrganisationAction", tuple(svc.ORGANISATION_ACTIONS), "Something a viewer may do to an organisation: UPDATE. 对单位可执行的操作。"
    )


@register_node("organisation")
@strawberry.type(description="An organisation: owner, contractor, supervisor, auditor, finance bureau or platform. 单位。")
class Organisation(Node):
    row: strawberry.Private[tables.Organisation]

    name: str = column("name", "Name. 单位名称。")

    kind: OrganisationKind = column("kind", "Kind. 单位类型。", OrganisationKind)

    kind_label: str = label("kind", "OrganisationKind", "Kind, in the request's language. 单位类型名称。")

    uscc: str = column("uscc", "Unified social credit code. 统一社会信用代码。")

    region_code: str = column("region_code", "6-digit administrative region code. 行政区划代码。")

    bank_name: str | None = column("bank_name", "Bank of the settlement account. 开户银行。")

    @strawberry.field(description="Settlement account number; masked unless you may see it in full. 银行账号（默认脱敏显示）。")
    async def bank_account_number(self, info: Info) -> str | None:
        ctx = info.context
        return svc.bank_account_as_seen_by(await ctx.actor(), ctx.policy, ctx.cipher, self.row)

    created_at: datetime = column("created_at", "When registered (UTC). 登记时间。")

    @strawberry.field(description="What the viewer may do to this organisation now. 当前用户可对本单位执行的操作。")
    async def available_actions(self, info: Info) -> list[OrganisationAction]:
        actions = await viewer_actions(info, lambda actor: list(svc.ORGANISATION_ACTIONS), svc.ORGANISATION_ACTIONS)
        return [OrganisationAction(name) for name in actions]

    @strawberry.field(description="The labels of `availableActions` in the request's language. 可执行的操作名称。")
    async def available_action_labels(self, info: Info) -> list[str]:
        actions = await viewer_actions(info, lambda actor: list(svc.ORGANISATION_ACTIONS), svc.ORGANISATION_ACTIONS)
        return labels_in_request(info, "OrganisationAction", actions)


@register_node("user")
@strawberry.type(description="A person who signs in. 用户。")
class User(Node):
    row: strawberry.Private[tables.User]

    username: str = column("username", "Sign-in name. 登录名。")

    display_name: str = column("display_name", "Display name. 姓名。")

    email: str | None = column("email", "E-mail address. 电子邮箱。")

    is_active: bool = column("is_active", "Whether the account may sign in. 是否启用。")

    @strawberry.field(description="Mobile phone; masked (138****5678) unless you may see it in full. 手机号（默认脱敏）。")
    async def phone(self, info: Info) -> str | None:
        ctx = info.context
        return svc.phone_as_seen_by(await ctx.actor(), ctx.policy, ctx.cipher, self.row)

    @strawberry.field(description="Organisation the person works for. 所属单位。")
    @loaded("organisation", "organisation_id", shows=Organisation)
    async def organisation(self, info: Info) -> Organisation | None:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(
        description="Until when sign-in is refused after failed attempts (from everywhere, or from some address; UTC); "
        "null when it is not, and for viewers who may not unlock the account. 登录锁定截止时间（仅对可解除锁定者显示）。"
    )
    async def sign_in_locked_until(self, info: Info) -> datetime | None:
        ctx = info.context
        if not svc.may_unlock(await ctx.actor(), ctx.policy):
            return None
        return await ctx.loaders.sign_in_locked_until.load(self.row.username)

    @strawberry.field(description="Roles held. 角色。")
    @loaded("roles_of_user", "id", pick=lambda roles: [Role(r) for r in roles])
    async def roles(self, info: Info) -> list[Role]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="The roles' labels in the request's language, in the order of `roles`. 角色名称。")
    async def role_labels(self, info: Info) -> list[str]:
        return labels_in_request(info, "Role", await info.context.loaders.roles_of_user.load(self.row.id))

    created_at: datetime = column("created_at", "When created (UTC). 创建时间。")

    @strawberry.field(description="What the viewer may do to this user now. 当前用户可对该用户执行的操作。")
    async def available_actions(self, info: Info) -> list[UserAction]:
        return [UserAction(name) for name in await viewer_actions(info, lambda actor: list(svc.USER_ACTIONS), svc.USER_ACTIONS)]

    @strawberry.field(description="The labels of `availableActions` in the request's language. 可执行的操作名称。")
    async def available_action_labels(self, info: Info) -> list[str]:
        actions = await viewer_actions(info, lambda actor: list(svc.USER_ACTIONS), svc.USER_ACTIONS)
        return labels_in_request(info, "UserAction", actions)


@register_node("api_client")
@strawberry.type(description="An integrator's read-only API client (client_credentials grant). 第三方接口凭证。")
class ApiClient(Node):
    row: strawberry.Private[ApiClientModel]

    client_id: str = column("client_id", "client_id for POST /auth/token. 客户端标识。")

    name: str = column("name", "Name. 名称。")

    @strawberry.field(description="Granted scopes. 授权范围。")
    def scopes(self) -> list[str]:
        return self.row.scopes.split()

    is_active: bool = column("is_active", "Whether it may still obtain tokens. 是否有效。")

    last_used_at: datetime | None = column("last_used_at", "Last token issued (UTC). 最近使用时间。")

    @strawberry.field(description="What the viewer may do to this client now. 当前用户可对该客户端执行的操作。")
    async def available_actions(self, info: Info) -> list[ApiClientAction]:
        actions = await viewer_actions(info, lambda actor: svc.api_client_actions(self.row), svc.API_CLIENT_ACTIONS)
        return [ApiClientAction(name) for name in actions]

    @strawberry.field(description="The labels of `availableActions` in the request's language. 可执行的操作名称。")
    async def available_action_labels(self, info: Info) -> list[str]:
        actions = await viewer_actions(info, lambda actor: svc.api_client_actions(self.row), svc.API_CLIENT_ACTIONS)
        return labels_in_request(info, "ApiClientAction", actions)

    @strawberry.field(description="Organisation it acts for. 所属单位。")
    @loaded("organisation", "organisation_id", shows=Organisation)
    async def organisation(self, info: Info) -> Organisation | None:
        raise NotImplementedError  # resolved from the @loaded declaration above


@strawberry.type(description="Who is signed in. 当前登录者。")
class Viewer:
    kind: str = strawberry.field(description="`user` or `client`. 登录者类型。")
    roles: list[Role] = strawberry.field(description="Roles in effect. 生效角色。")

    @strawberry.field(description="`kind` in the request's language. 登录者类型名称。")
    def kind_label(self, info: Info) -> str:
        return labels_in_request(info, "ActorType", [self.kind])[0]

    @strawberry.field(description="The roles' labels in the request's language, in the order of `roles`. 角色名称。")
    def role_labels(self, info: Info) -> list[str]:
        return labels_in_request(info, "Role", [role.value for role in self.roles])

    scopes: list[str] = strawberry.field(description="Token scopes. 令牌授权范围。")
    region_code: str = strawberry.field(description="Region the permissions apply in. 权限所在行政区划。")
    user: User | None = strawberry.field(description="The person, for user tokens. 用户。")
    organisation: Organisation | None = strawberry.field(description="Their organisation. 所属单位。")


# -- inputs and payloads -----------------------------------------------------------
