"""Sign-in and tokens, through HTTP as a client sees them: the OAuth2 token endpoint
(password, refresh_token and client_credentials grants), the GraphQL ``login``,
``refreshToken`` and ``logout`` mutations, access-token validation, refresh-token rotation
and reuse detection, throttling of failed sign-ins, password strength and API clients.

Every test that records failed sign-ins does so from its own client address, so the
per-address limit of the shared address 127.0.0.1 is never touched.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time

import jwt
import pytest
import pytest_asyncio
from conftest import Api, client_at, make_settings, make_uscc, unique
from sqlalchemy import select

from models.accounts import AuthSession, RefreshToken

VIEWER = "{ viewer { kind user { username } } }"

LOGIN = """
mutation($u: String!, $p: String!) {
  login(input: {username: $u, password: $p}) {
    accessToken refreshToken expiresIn tokenType
    user { username }
    errors { code field message }
  }
}
"""

REFRESH = """
mutation($r: String!) {
  refreshToken(input: {refreshToken: $r}) {
    accessToken refreshToken expiresIn tokenType
    user { username }
    errors { code field message }
  }
}
"""

LOGOUT = """
mutation($r: String) {
  logout(input: {refreshToken: $r}) { revoked errors { code } }
}
"""

CREATE_USER = """
mutation($input: CreateUserInput!) {
  createUser(input: $input) { user { id username } errors { code field message } }
}
"""

UPDATE_USER = """
mutation($input: UpdateUserInput!) {
  updateUser(input: $input) { user { id isActive } errors { code field } }
}
"""

CHANGE_PASSWORD = """
mutation($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) {
    user { username } errors { code field message }
  }
}
"""

CREATE_API_CLIENT = """
mutation($name: String!, $org: ID!) {
  createApiClient(input: {name: $name, organisationId: $org}) {
    apiClient { id clientId scopes isActive } clientSecret errors { code field }
  }
}
"""

REVOKE_API_CLIENT = """
mutation($id: ID!) {
  revokeApiClient(input: {id: $id}) { apiClient { id isActive } errors { code } }
}
"""


def strong_password() -> str:
    return f"Kq{secrets.token_hex(6)}-Wz"


def address() -> str:
    """A client address no other test uses (10.9.x.y, reached through the ASGI transport only)."""
    n = secrets.randbelow(254 * 254)
    return f"10.9.{n // 254 + 1}.{n % 254 + 1}"


def error_code(body: dict) -> str | None:
    errors = body.get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None


async def viewer_code(api: Api, token: str) -> str | None:
    """None when the token is accepted (and the viewer is returned), else the error code."""
    body = await api.gql(VIEWER, token=token)
    if body.get("errors"):
        return error_code(body)
    assert body["data"]["viewer"]["kind"] in ("user", "client")
    return None


async def token_request(client, data: dict | None = None, **kw):
    return await client.post("/auth/token", data=data, **kw)


@pytest_asyncio.fixture(scope="module")
async def organisation_id(api) -> str:
    """A contractor organisation of this module's own, for the users and clients it creates."""
    admin = await api.token("admin")
    data = await api.ok(
        """mutation($input: CreateOrganisationInput!) {
             createOrganisation(input: $input) { organisation { id } errors { code field } }
           }""",
        {"input": {"name": unique("认证测试单位"), "kind": "CONTRACTOR", "uscc": make_uscc(), "regionCode": "320583"}},
        token=admin,
    )
    assert data["createOrganisation"]["errors"] == []
    return data["createOrganisation"]["organisation"]["id"]


@pytest_asyncio.fixture
async def new_user(api, organisation_id):
    """Creates a contractor user of its own; returns (global id, username, password)."""

    async def create() -> tuple[str, str, str]:
        username, password = unique("auth"), strong_password()
        data = await api.ok(
            CREATE_USER,
            {
                "input": {
                    "username": username,
                    "displayName": "认证测试",
                    "organisationId": organisation_id,
                    "password": password,
                    "roles": ["CONTRACTOR"],
                }
            },
            token=await api.token("admin"),
        )
        assert data["createUser"]["errors"] == [], data
        return data["createUser"]["user"]["id"], username, password

    return create


# -- the token endpoint ---------------------------------------------------------------


async def test_password_grant_issues_bearer_and_refresh_tokens_not_to_be_cached(api, client):
    r = await token_request(client, {"grant_type": "password", "username": "owner", "password": "smallworks-demo"})
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["pragma"] == "no-cache"
    body = r.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["scope"] == "read write"
    assert body["refresh_token"] and body["refresh_token"] != body["access_token"]
    data = await api.ok(VIEWER, token=body["access_token"])
    assert data["viewer"] == {"kind": "user", "user": {"username": "owner"}}


async def test_access_token_is_an_hs256_jwt_valid_15_minutes_with_all_claims(api, state):
    body = await api.password_token("reviewer")
    token = body["access_token"]
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "HS256", "typ": "at+jwt"}
    s = state.settings
    claims = jwt.decode(token, s.jwt_secret, algorithms=["HS256"], audience=s.jwt_audience, issuer=s.jwt_issuer)
    assert claims["iss"] == "smallworks"
    assert claims["aud"] == "smallworks-api"
    assert claims["sub"].startswith("user:")
    assert claims["typ"] == "access"
    assert len(claims["jti"]) >= 16
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert abs(claims["iat"] - time.time()) < 60
    # Two sign-ins never share a token id.
    other = jwt.decode((await api.password_token("reviewer"))["access_token"], options={"verify_signature": False})
    assert other["jti"] != claims["jti"]


async def test_token_endpoint_refuses_a_body_that_is_not_form_encoded(client):
    r = await client.post("/auth/token", json={"grant_type": "password", "username": "owner", "password": "smallworks-demo"})
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request"
    assert r.headers["cache-control"] == "no-store"


async def test_token_endpoint_requires_grant_type(client):
    r = await token_request(client, {"username": "owner", "password": "smallworks-demo"})
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request"
    assert r.headers["cache-control"] == "no-store"


async def test_token_endpoint_refuses_an_unsupported_grant_type(client):
    r = await token_request(client, {"grant_type": "authorization_code", "code": "x"})
    assert r.status_code == 400
    assert r.json()["error"] == "unsupported_grant_type"
    assert r.headers["cache-control"] == "no-store"


async def test_password_grant_without_password_is_an_invalid_request(client):
    r = await token_request(client, {"grant_type": "password", "username": "owner"})
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request"


async def test_token_endpoint_refuses_a_repeated_parameter(client):
    """RFC 6749 §3.2: request parameters must not be included more than once."""
    r = await client.post(
        "/auth/token",
        content="grant_type=password&username=owner&username=admin&password=smallworks-demo",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request"


async def test_wrong_password_is_an_invalid_grant(app, new_user):
    _, username, _ = await new_user()
    async with client_at(app, address()) as c:
        r = await token_request(c, {"grant_type": "password", "username": username, "password": "not-the-password"})
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_grant"
    assert r.headers["cache-control"] == "no-store"


async def test_password_grant_may_narrow_the_scope_to_read(api, client):
    r = await token_request(client, {"grant_type": "password", "username": "owner", "password": "smallworks-demo", "scope": "read"})
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "read"
    body = await api.gql(LOGOUT, {"r": None}, token=r.json()["access_token"])
    assert body["data"]["logout"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_password_grant_refuses_an_unknown_scope_naming_it(client):
    r = await token_request(
        client,
        {"grant_type": "password", "username": "owner", "password": "smallworks-demo", "scope": "read admin"},
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_scope"
    assert "admin" in r.json()["error_description"]


async def test_refresh_grant_rotates_the_refresh_token(api, client):
    first = await api.password_token("owner")
    r = await token_request(client, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["expires_in"] == 900
    assert (await api.ok(VIEWER, token=second["access_token"]))["viewer"]["user"]["username"] == "owner"


async def test_refresh_grant_without_a_token_or_with_an_unknown_one_fails(client):
    r = await token_request(client, {"grant_type": "refresh_token"})
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")
    r = await token_request(client, {"grant_type": "refresh_token", "refresh_token": secrets.token_urlsafe(32)})
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")


async def test_refresh_grant_keeps_the_scope_first_granted(api, client):
    """RFC 6749 §6: a refresh never grants a scope the sign-in did not."""
    r = await token_request(client, {"grant_type": "password", "username": "owner", "password": "smallworks-demo", "scope": "read"})
    assert r.status_code == 200, r.text
    refreshed = await token_request(client, {"grant_type": "refresh_token", "refresh_token": r.json()["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["scope"] == "read"
    wider = await token_request(
        client, {"grant_type": "refresh_token", "refresh_token": refreshed.json()["refresh_token"], "scope": "read write"}
    )
    assert (wider.status_code, wider.json()["error"]) == (400, "invalid_scope")


async def test_an_expired_refresh_token_is_refused(api, database_url):
    """With a refresh-token lifetime of zero, a token has expired by the time it comes back."""
    from app.main import create_app
    from app.state import AppState

    state = AppState.create(make_settings(database_url, refresh_token_ttl_seconds=0))
    try:
        async with client_at(create_app(state=state), "127.0.0.1") as c:
            tokens = await Api(c).password_token("owner")
            r = await token_request(c, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    finally:
        await state.close()
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")
    refreshed = (await api.ok(REFRESH, {"r": tokens["refresh_token"]}))["refreshToken"]
    assert [e["code"] for e in refreshed["errors"]] == ["INVALID_REFRESH_TOKEN"]


# -- the GraphQL sign-in mutations ------------------------------------------------------


async def test_login_refresh_token_and_logout_mutations(api):
    login = (await api.ok(LOGIN, {"u": "supervisor", "p": "smallworks-demo"}))["login"]
    assert login["errors"] == []
    assert login["tokenType"] == "Bearer"
    assert login["expiresIn"] == 900
    assert login["user"] == {"username": "supervisor"}
    assert await viewer_code(api, login["accessToken"]) is None

    refreshed = (await api.ok(REFRESH, {"r": login["refreshToken"]}))["refreshToken"]
    assert refreshed["errors"] == []
    assert refreshed["user"] == {"username": "supervisor"}
    assert refreshed["refreshToken"] != login["refreshToken"]
    assert await viewer_code(api, refreshed["accessToken"]) is None

    out = (await api.ok(LOGOUT, {"r": None}, token=refreshed["accessToken"]))["logout"]
    assert out == {"revoked": True, "errors": []}
    assert await viewer_code(api, refreshed["accessToken"]) == "UNAUTHENTICATED"
    assert await viewer_code(api, login["accessToken"]) == "UNAUTHENTICATED"
    again = (await api.ok(REFRESH, {"r": refreshed["refreshToken"]}))["refreshToken"]
    assert again["accessToken"] is None
    assert [e["code"] for e in again["errors"]] == ["INVALID_REFRESH_TOKEN"]


async def test_login_and_refresh_mutation_responses_are_not_to_be_cached(api):
    r = await api.post(LOGIN, {"u": "supervisor", "p": "smallworks-demo"})
    assert r.status_code == 200
    assert r.json()["data"]["login"]["accessToken"]
    assert r.headers.get("cache-control") == "no-store"
    r = await api.post(REFRESH, {"r": r.json()["data"]["login"]["refreshToken"]})
    assert r.json()["data"]["refreshToken"]["accessToken"]
    assert r.headers.get("cache-control") == "no-store"


async def test_login_mutation_with_a_wrong_password_returns_a_user_error(app, new_user):
    _, username, _ = await new_user()
    async with client_at(app, address()) as c:
        body = await Api(c).ok(LOGIN, {"u": username, "p": "wrong-password!"})
    assert body["login"]["accessToken"] is None
    assert [(e["code"], e["field"]) for e in body["login"]["errors"]] == [("INVALID_CREDENTIALS", None)]


async def test_logout_with_a_refresh_token_also_ends_that_session(api):
    current = await api.password_token("finance")
    other = await api.password_token("finance")
    out = (await api.ok(LOGOUT, {"r": other["refresh_token"]}, token=current["access_token"]))["logout"]
    assert out == {"revoked": True, "errors": []}
    assert await viewer_code(api, current["access_token"]) == "UNAUTHENTICATED"
    assert await viewer_code(api, other["access_token"]) == "UNAUTHENTICATED"
    refreshed = (await api.ok(REFRESH, {"r": other["refresh_token"]}))["refreshToken"]
    assert [e["code"] for e in refreshed["errors"]] == ["INVALID_REFRESH_TOKEN"]


async def test_logout_cannot_end_another_users_session(api):
    victim = await api.password_token("contractor2")
    attacker = await api.password_token("contractor3")
    out = (await api.ok(LOGOUT, {"r": victim["refresh_token"]}, token=attacker["access_token"]))["logout"]
    assert out["revoked"] is True  # the attacker's own session only
    assert await viewer_code(api, victim["access_token"]) is None


async def test_logout_needs_a_signed_in_caller(api):
    body = await api.gql(LOGOUT, {"r": None})
    assert body["data"]["logout"] is None
    assert error_code(body) == "UNAUTHENTICATED"


# -- access token validation ------------------------------------------------------------


def _forge(state, claims: dict, *, key: str | None = None, algorithm: str = "HS256", headers: dict | None = None) -> str:
    return jwt.encode(
        claims, key or state.settings.jwt_secret, algorithm=algorithm, headers=headers if headers is not None else {"typ": "at+jwt"}
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unsigned(claims: dict) -> str:
    header = _b64(json.dumps({"alg": "none", "typ": "at+jwt"}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}."


def _tampered(token: str, **changes) -> str:
    """The token with its payload changed and its signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


def _without(claims: dict, name: str) -> dict:
    return {k: v for k, v in claims.items() if k != name}


FORGERIES = {
    "alg none": lambda state, c, t: _unsigned(c),
    "wrong audience": lambda state, c, t: _forge(state, {**c, "aud": "another-api"}),
    "wrong issuer": lambda state, c, t: _forge(state, {**c, "iss": "someone-else"}),
    "expired": lambda state, c, t: _forge(state, {**c, "iat": c["iat"] - 3600, "nbf": c["iat"] - 3600, "exp": c["iat"] - 2700}),
    "tampered subject": lambda state, c, t: _tampered(t, sub="user:1"),
    "tampered expiry": lambda state, c, t: _tampered(t, exp=c["exp"] + 86400),
    "tampered scope": lambda state, c, t: _tampered(t, scope="read"),
    "missing jti": lambda state, c, t: _forge(state, _without(c, "jti")),
    "missing typ": lambda state, c, t: _forge(state, _without(c, "typ")),
    "typ not access": lambda state, c, t: _forge(state, {**c, "typ": "refresh"}),
    "header typ not at+jwt": lambda state, c, t: _forge(state, c, headers={"typ": "JWT"}),
    "HS512 with the same secret": lambda state, c, t: _forge(state, c, algorithm="HS512"),
    "other key": lambda state, c, t: _forge(state, c, key=secrets.token_urlsafe(48)),
    "garbage": lambda state, c, t: "not-a-jwt",
}


async def test_a_token_built_with_the_right_claims_and_key_is_accepted(api, state):
    """The control for the refusals below: re-signing a genuine token's claims keeps it valid."""
    token = (await api.password_token("auditor"))["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert await viewer_code(api, _forge(state, claims)) is None


@pytest.mark.parametrize("forgery", list(FORGERIES))
async def test_forged_or_invalid_access_tokens_are_refused(api, state, forgery):
    token = (await api.password_token("auditor"))["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = FORGERIES[forgery](state, claims, token)
    assert forged != token
    assert await viewer_code(api, forged) == "UNAUTHENTICATED"


async def test_a_token_stops_working_when_the_account_is_disabled(api, new_user):
    user_id, username, password = await new_user()
    tokens = await api.password_token(username, password)
    assert await viewer_code(api, tokens["access_token"]) is None
    admin = await api.token("admin")
    data = await api.ok(UPDATE_USER, {"input": {"id": user_id, "isActive": False}}, token=admin)
    assert data["updateUser"] == {"user": {"id": user_id, "isActive": False}, "errors": []}

    assert await viewer_code(api, tokens["access_token"]) == "UNAUTHENTICATED"
    refreshed = (await api.ok(REFRESH, {"r": tokens["refresh_token"]}))["refreshToken"]
    assert [e["code"] for e in refreshed["errors"]] == ["INVALID_REFRESH_TOKEN"]
    login = (await api.ok(LOGIN, {"u": username, "p": password}))["login"]
    assert [e["code"] for e in login["errors"]] == ["ACCOUNT_DISABLED"]

    # Enabled again, the person signs in anew; the old token stays dead.
    await api.ok(UPDATE_USER, {"input": {"id": user_id, "isActive": True}}, token=admin)
    assert await viewer_code(api, (await api.password_token(username, password))["access_token"]) is None
    assert await viewer_code(api, tokens["access_token"]) == "UNAUTHENTICATED"


# -- refresh tokens ---------------------------------------------------------------------


async def test_refresh_tokens_are_stored_only_as_their_sha256(api, state):
    tokens = await api.password_token("contractor1")
    session_id = jwt.decode(tokens["access_token"], options={"verify_signature": False})["sid"]
    async with state.db.read() as session:
        stored = (await session.execute(select(RefreshToken.token_hash).where(RefreshToken.session_id == session_id))).scalars().all()
    assert stored == [hashlib.sha256(tokens["refresh_token"].encode()).hexdigest()]
    assert tokens["refresh_token"] not in stored


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(api, client, state):
    first = await api.password_token("contractor1")
    second = (await token_request(client, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})).json()
    third = (await token_request(client, {"grant_type": "refresh_token", "refresh_token": second["refresh_token"]})).json()
    assert await viewer_code(api, third["access_token"]) is None

    reuse = await token_request(
        client, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}, headers={"Accept-Language": "en"}
    )
    assert reuse.status_code == 400
    assert reuse.json()["error"] == "invalid_grant"
    assert "already used" in reuse.json()["error_description"]

    newest = await token_request(client, {"grant_type": "refresh_token", "refresh_token": third["refresh_token"]})
    assert (newest.status_code, newest.json()["error"]) == (400, "invalid_grant")
    for tokens in (first, second, third):
        assert await viewer_code(api, tokens["access_token"]) == "UNAUTHENTICATED"
    session_id = jwt.decode(first["access_token"], options={"verify_signature": False})["sid"]
    async with state.db.read() as session:
        reason = (await session.execute(select(AuthSession.revoked_reason).where(AuthSession.id == session_id))).scalar_one()
    assert reason == "refresh_token_reuse"


async def test_refresh_token_reuse_through_the_mutation_is_reported(api):
    login = (await api.ok(LOGIN, {"u": "contractor2", "p": "smallworks-demo"}))["login"]
    refreshed = (await api.ok(REFRESH, {"r": login["refreshToken"]}))["refreshToken"]
    assert refreshed["errors"] == []
    reuse = (await api.ok(REFRESH, {"r": login["refreshToken"]}))["refreshToken"]
    assert reuse["accessToken"] is None and reuse["refreshToken"] is None
    assert [e["code"] for e in reuse["errors"]] == ["REFRESH_TOKEN_REUSED"]
    assert await viewer_code(api, refreshed["accessToken"]) == "UNAUTHENTICATED"
    newest = (await api.ok(REFRESH, {"r": refreshed["refreshToken"]}))["refreshToken"]
    assert [e["code"] for e in newest["errors"]] == ["INVALID_REFRESH_TOKEN"]


async def test_reuse_leaves_other_sign_ins_of_the_same_person_alone(api, client):
    other = await api.password_token("contractor3")
    first = await api.password_token("contractor3")
    await token_request(client, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    await token_request(client, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert await viewer_code(api, first["access_token"]) == "UNAUTHENTICATED"
    assert await viewer_code(api, other["access_token"]) is None


# -- throttling of failed sign-ins ------------------------------------------------------


# The three limits, unlocking and concurrent failures: tests/accounts/test_throttle.py.


async def test_a_successful_sign_in_clears_the_accounts_failures(app, new_user):
    _, username, password = await new_user()
    async with client_at(app, address()) as c:
        for _ in range(4):
            r = await token_request(c, {"grant_type": "password", "username": username, "password": "wrong-password"})
            assert r.status_code == 400
        r = await token_request(c, {"grant_type": "password", "username": username, "password": password})
        assert r.status_code == 200, r.text
        for _ in range(4):
            r = await token_request(c, {"grant_type": "password", "username": username, "password": "wrong-password"})
            assert r.status_code == 400
        r = await token_request(c, {"grant_type": "password", "username": username, "password": password})
    assert r.status_code == 200, r.text


# -- passwords --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, code",
    [("password123", "PASSWORD_TOO_WEAK"), ("Ab3$x", "PASSWORD_TOO_SHORT"), ("qwertyuiop", "PASSWORD_TOO_WEAK")],
)
async def test_create_user_refuses_a_weak_password(api, app, organisation_id, password, code):
    username = unique("weak")
    data = await api.ok(
        CREATE_USER,
        {
            "input": {
                "username": username,
                "displayName": "弱密码",
                "organisationId": organisation_id,
                "password": password,
                "roles": ["CONTRACTOR"],
            }
        },
        token=await api.token("admin"),
    )
    assert data["createUser"]["user"] is None
    assert [(e["code"], e["field"]) for e in data["createUser"]["errors"]] == [(code, "password")]
    async with client_at(app, address()) as c:
        r = await token_request(c, {"grant_type": "password", "username": username, "password": password})
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")  # nothing was created


async def test_password_too_short_names_the_minimum_in_the_callers_language(api, organisation_id):
    variables = {
        "input": {
            "username": unique("weak"),
            "displayName": "弱密码",
            "organisationId": organisation_id,
            "password": "Ab3$x",
            "roles": ["CONTRACTOR"],
        }
    }
    admin = await api.token("admin")
    zh = (await api.ok(CREATE_USER, variables, token=admin))["createUser"]["errors"][0]["message"]
    en = (await api.ok(CREATE_USER, variables, token=admin, headers={"Accept-Language": "en-US,en;q=0.9"}))["createUser"]["errors"][0][
        "message"
    ]
    assert zh == "密码至少需要 10 个字符。"
    assert en == "The password must have at least 10 characters."


async def test_change_password_checks_the_current_password(api, new_user):
    _, username, password = await new_user()
    token = (await api.password_token(username, password))["access_token"]
    data = await api.ok(CHANGE_PASSWORD, {"current": "not-my-password", "new": strong_password()}, token=token)
    assert data["changePassword"]["user"] is None
    assert [(e["code"], e["field"]) for e in data["changePassword"]["errors"]] == [("PASSWORD_INCORRECT", "currentPassword")]
    # Nothing changed: the old password still signs in.
    assert (await api.password_token(username, password))["access_token"]


async def test_change_password_refuses_a_weak_new_password(api, new_user):
    _, username, password = await new_user()
    token = (await api.password_token(username, password))["access_token"]
    data = await api.ok(CHANGE_PASSWORD, {"current": password, "new": "password123"}, token=token)
    assert [(e["code"], e["field"]) for e in data["changePassword"]["errors"]] == [("PASSWORD_TOO_WEAK", "newPassword")]


async def test_change_password_ends_the_other_sessions_and_keeps_the_current_one(api, app, client, new_user):
    _, username, password = await new_user()
    current = await api.password_token(username, password)
    other = await api.password_token(username, password)
    new_password = strong_password()
    data = await api.ok(CHANGE_PASSWORD, {"current": password, "new": new_password}, token=current["access_token"])
    assert data["changePassword"] == {"user": {"username": username}, "errors": []}

    assert await viewer_code(api, current["access_token"]) is None
    assert await viewer_code(api, other["access_token"]) == "UNAUTHENTICATED"
    r = await token_request(client, {"grant_type": "refresh_token", "refresh_token": other["refresh_token"]})
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")
    r = await token_request(client, {"grant_type": "refresh_token", "refresh_token": current["refresh_token"]})
    assert r.status_code == 200, r.text
    assert (await api.password_token(username, new_password))["access_token"]
    async with client_at(app, address()) as c:
        old = (await Api(c).ok(LOGIN, {"u": username, "p": password}))["login"]
    assert [e["code"] for e in old["errors"]] == ["INVALID_CREDENTIALS"]


# -- API clients (client_credentials) ---------------------------------------------------


@pytest_asyncio.fixture
async def api_client(api, organisation_id):
    """A new API client: (global id, client_id, client_secret)."""
    data = await api.ok(CREATE_API_CLIENT, {"name": unique("接口"), "org": organisation_id}, token=await api.token("admin"))
    payload = data["createApiClient"]
    assert payload["errors"] == []
    assert payload["apiClient"]["scopes"] == ["read"]
    assert payload["apiClient"]["isActive"] is True
    assert payload["clientSecret"]
    return payload["apiClient"]["id"], payload["apiClient"]["clientId"], payload["clientSecret"]


def basic(client_id: str, secret: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


async def test_client_credentials_with_http_basic(api, client, api_client):
    _, client_id, secret = api_client
    r = await token_request(client, {"grant_type": "client_credentials"}, headers=basic(client_id, secret))
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "read"
    assert body["expires_in"] == 900
    assert "refresh_token" not in body
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == f"client:{client_id}"
    viewer = await api.ok("{ viewer { kind scopes roles } }", token=body["access_token"])
    assert viewer["viewer"] == {"kind": "client", "scopes": ["read"], "roles": ["INTEGRATOR"]}


async def test_client_credentials_with_form_fields_and_read_scope(client, api_client):
    _, client_id, secret = api_client
    r = await token_request(client, {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, "scope": "read"})
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "read"


async def test_client_credentials_cannot_ask_for_write(client, api_client):
    _, client_id, secret = api_client
    r = await token_request(client, {"grant_type": "client_credentials", "scope": "read write"}, headers=basic(client_id, secret))
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_scope"
    assert r.headers["cache-control"] == "no-store"


async def test_client_credentials_with_a_wrong_secret_is_an_invalid_client(app, api_client):
    _, client_id, _ = api_client
    async with client_at(app, address()) as c:
        r = await token_request(c, {"grant_type": "client_credentials"}, headers=basic(client_id, "wrong-secret"))
        assert r.status_code == 401
        assert r.json()["error"] == "invalid_client"
        assert r.headers["www-authenticate"].startswith("Basic")
        assert r.headers["cache-control"] == "no-store"
        r = await token_request(c, {"grant_type": "client_credentials", "client_id": client_id})
        assert (r.status_code, r.json()["error"]) == (401, "invalid_client")
        r = await token_request(c, {"grant_type": "client_credentials"}, headers={"Authorization": "Basic %%%"})
        assert (r.status_code, r.json()["error"]) == (401, "invalid_client")


async def test_client_token_reads_but_never_writes(api, client, api_client):
    _, client_id, secret = api_client
    token = (await token_request(client, {"grant_type": "client_credentials"}, headers=basic(client_id, secret))).json()["access_token"]
    data = await api.ok("{ organisations(first: 5) { totalCount nodes { id } } }", token=token)
    assert data["organisations"]["totalCount"] >= 1
    body = await api.gql(
        """mutation($input: CreateOrganisationInput!) { createOrganisation(input: $input) { organisation { id } } }""",
        {"input": {"name": unique("只读"), "kind": "CONTRACTOR", "uscc": make_uscc(), "regionCode": "320583"}},
        token=token,
    )
    assert body["data"]["createOrganisation"] is None
    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN", "reason": "READ_ONLY_CLIENT"}
    body = await api.gql(LOGOUT, {"r": None}, token=token)
    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN", "reason": "READ_ONLY_CLIENT"}


async def test_revoked_client_loses_its_token_and_gets_no_new_one(api, app, client, api_client):
    global_id, client_id, secret = api_client
    token = (await token_request(client, {"grant_type": "client_credentials"}, headers=basic(client_id, secret))).json()["access_token"]
    assert await viewer_code(api, token) is None
    data = await api.ok(REVOKE_API_CLIENT, {"id": global_id}, token=await api.token("admin"))
    assert data["revokeApiClient"] == {"apiClient": {"id": global_id, "isActive": False}, "errors": []}
    assert await viewer_code(api, token) == "UNAUTHENTICATED"
    async with client_at(app, address()) as c:
        r = await token_request(c, {"grant_type": "client_credentials"}, headers=basic(client_id, secret))
    assert (r.status_code, r.json()["error"]) == (401, "invalid_client")


# -- languages --------------------------------------------------------------------------


async def test_token_endpoint_messages_follow_accept_language(app, new_user):
    _, username, _ = await new_user()
    form = {"grant_type": "password", "username": username, "password": "wrong-password"}
    async with client_at(app, address()) as c:
        zh = (await token_request(c, form)).json()["error_description"]
        en = (await token_request(c, form, headers={"Accept-Language": "en"})).json()["error_description"]
        zh_explicit = (await token_request(c, form, headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})).json()["error_description"]
    assert zh == zh_explicit == "用户名或密码错误。"
    assert en == "Incorrect username or password."


async def test_graphql_errors_follow_accept_language(api):
    zh = await api.gql(VIEWER, token="not-a-jwt")
    en = await api.gql(VIEWER, token="not-a-jwt", headers={"Accept-Language": "en"})
    assert zh["errors"][0]["message"] == "需要登录，或登录凭证无效、已过期。"
    assert en["errors"][0]["message"] == "Sign-in required, or the credentials are invalid or expired."


async def test_login_user_errors_follow_accept_language(app, new_user):
    _, username, _ = await new_user()
    async with client_at(app, address()) as c:
        api = Api(c)
        zh = (await api.ok(LOGIN, {"u": username, "p": "wrong-password"}))["login"]["errors"][0]["message"]
        en = (await api.ok(LOGIN, {"u": username, "p": "wrong-password"}, headers={"Accept-Language": "en"}))["login"]["errors"][0][
            "message"
        ]
    assert zh == "用户名或密码错误。"
    assert en == "Incorrect username or password."


async def test_usernames_ignore_case_on_every_backend(api, client):
    """Usernames are stored in lower case; signing in as OWNER is signing in as owner."""
    r = await token_request(client, {"grant_type": "password", "username": "OWNER", "password": "smallworks-demo"})
    assert r.status_code == 200, r.text
    data = await api.ok("{ viewer { user { username } } }", token=r.json()["access_token"])
    assert data["viewer"]["user"]["username"] == "owner"
