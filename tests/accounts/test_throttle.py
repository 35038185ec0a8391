"""Throttling of failed sign-ins, through HTTP as a client sees it: the account's growing
delay, the lock of one account at one address, the ceiling of one address; colleagues
behind one NAT address who still sign in while one of their accounts is attacked; which
client address counts (X-Forwarded-For only from trusted proxies); an administrator's
unlock; and failures that arrive all at once.

Each test runs a server of its own with small limits (``throttled``) and moves its clock
instead of waiting. Failed sign-ins come from addresses no other test uses.
"""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
from contextlib import asynccontextmanager

import pytest
from conftest import Api, client_at, count_statements, make_settings, unique
from factories import STRONG_PASSWORD, create_organisation, people_elsewhere
from pydantic import ValidationError
from starlette.datastructures import Headers

from app.context import client_address
from app.settings import Settings

# Small limits: the delay starts after 3 failures in a row at 10 s and doubles up to 40 s;
# one account is locked at one address after 6 failures, one address after 12.
SMALL = {
    "login_max_failures_per_account": 3,
    "login_delay_base_seconds": 10.0,
    "login_delay_max_seconds": 40.0,
    "login_max_failures_per_account_address": 6,
    "login_max_failures_per_address": 12,
    "login_failure_window_seconds": 900,
}

LOGIN = """
mutation($u: String!, $p: String!) {
  login(input: {username: $u, password: $p}) { accessToken retryAfter user { username } errors { code message } }
}
"""

UNLOCK = """
mutation($id: ID!) {
  unlockUser(input: {id: $id}) { user { id username signInLockedUntil } errors { code field } }
}
"""

LOCK_STATE = "query($id: ID!) { node(id: $id) { ... on User { username signInLockedUntil } } }"

AUDIT_OF = """query($target: ID) {
  auditEvents(first: 20, filter: {targetId: $target}) { nodes { operation actorName changes } }
}"""

CREATE_USER = """
mutation($input: CreateUserInput!) {
  createUser(input: $input) { user { id username } errors { code field } }
}
"""


def address() -> str:
    """A client address no other test uses (10.8.x.y)."""
    n = secrets.randbelow(254 * 254)
    return f"10.8.{n // 254 + 1}.{n % 254 + 1}"


@asynccontextmanager
async def throttled(database_url: str, **overrides):
    """A server of its own on the test database, with the small limits (and ``overrides``)."""
    from app.main import create_app
    from app.state import AppState

    state = AppState.create(make_settings(database_url, **{**SMALL, **overrides}))
    try:
        yield state, create_app(state=state)
    finally:
        await state.close()


async def new_user(api: Api, org_id: str) -> tuple[str, str]:
    """(global id, username) of a new contractor of ``org_id`` whose password is STRONG_PASSWORD."""
    username = unique("thr")
    data = await api.ok(
        CREATE_USER,
        {
            "input": {
                "username": username,
                "displayName": "限流测试",
                "organisationId": org_id,
                "password": STRONG_PASSWORD,
                "roles": ["CONTRACTOR"],
            }
        },
        token=await api.token("admin"),
    )
    assert data["createUser"]["errors"] == [], data
    return data["createUser"]["user"]["id"], username


async def sign_in(client, username: str, password: str = STRONG_PASSWORD, headers: dict | None = None):
    return await client.post("/auth/token", data={"grant_type": "password", "username": username, "password": password}, headers=headers)


async def fail(client, username: str, headers: dict | None = None) -> None:
    r = await sign_in(client, username, "wrong-password!", headers)
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant"), r.text


def refused(r, low: int, high: int) -> None:
    """``r`` is a 429 whose Retry-After lies in [low, high]."""
    assert r.status_code == 429, r.text
    assert r.json()["error"] == "invalid_grant"
    assert r.headers["cache-control"] == "no-store"
    assert low <= int(r.headers["retry-after"]) <= high, r.headers["retry-after"]


@pytest.fixture(scope="module")
async def org_id(api) -> str:
    return await create_organisation(api, "CONTRACTOR")


# -- one office, one NAT address --------------------------------------------------------


async def test_an_attacked_account_does_not_lock_out_colleagues_at_the_same_address(api, database_url, org_id):
    _, attacked = await new_user(api, org_id)
    colleagues = [(await new_user(api, org_id))[1] for _ in range(3)]
    office, elsewhere = address(), address()
    async with throttled(database_url) as (state, app), client_at(app, office) as c:
        for _ in range(3):
            await fail(c, attacked)
        # The attacked account waits its delay, the right password included …
        refused(await sign_in(c, attacked), 5, 10)
        # … while every colleague signs in from the same address, after typos too.
        for name in colleagues:
            await fail(c, name)
            await fail(c, name)
            assert (await sign_in(c, name)).status_code == 200
        login = (await Api(c).ok(LOGIN, {"u": colleagues[0], "p": STRONG_PASSWORD}))["login"]
        assert (login["errors"], login["user"]) == ([], {"username": colleagues[0]})

        # The guessing goes on as each delay runs out, until the sixth failure from this
        # address locks the account here for the window.
        for delay in (10, 20, 40):
            state.clock.advance(delay)
            await fail(c, attacked)
        state.clock.advance(40)
        refused(await sign_in(c, attacked), 900 - 110 - 20, 900 - 110 + 1)
        response = await Api(c).post(LOGIN, {"u": attacked, "p": STRONG_PASSWORD}, headers={"Accept-Language": "en"})
        login = response.json()["data"]["login"]
        assert login["accessToken"] is None
        assert [e["code"] for e in login["errors"]] == ["TOO_MANY_ATTEMPTS"]
        assert 770 <= login["retryAfter"] <= 791
        assert response.headers["retry-after"] == str(login["retryAfter"])
        assert f"{login['retryAfter']} seconds" in login["errors"][0]["message"]
        for name in colleagues:
            assert (await sign_in(c, name)).status_code == 200

        # The owner of the account signs in elsewhere; the lock at the guessing address stays.
        async with client_at(app, elsewhere) as other:
            assert (await sign_in(other, attacked)).status_code == 200
        refused(await sign_in(c, attacked), 760, 791)


async def test_the_delay_grows_with_each_failure_from_anywhere_and_ends_with_a_sign_in(api, database_url, org_id):
    _, username = await new_user(api, org_id)
    async with throttled(database_url) as (state, app):

        async def attempt(password: str):
            async with client_at(app, address()) as c:  # a new address each time
                return await sign_in(c, username, password)

        for _ in range(3):
            assert (await attempt("wrong-password!")).status_code == 400
        for delay in (10, 20, 40, 40):  # doubling, capped at 40
            refused(await attempt(STRONG_PASSWORD), delay - 4, delay)
            state.clock.advance(delay - 5)
            refused(await attempt("wrong-password!"), 1, 5)  # not counted: it was refused
            state.clock.advance(5)
            assert (await attempt("wrong-password!")).status_code == 400
        state.clock.advance(40)
        assert (await attempt(STRONG_PASSWORD)).status_code == 200
        # The sign-in ended the run: two more failures cost no delay.
        for _ in range(2):
            assert (await attempt("wrong-password!")).status_code == 400
        assert (await attempt(STRONG_PASSWORD)).status_code == 200


async def test_the_address_ceiling_stops_password_spraying_from_one_address(api, database_url, org_id):
    _, username = await new_user(api, org_id)
    sprayer = address()
    async with throttled(database_url) as (state, app):
        async with client_at(app, sprayer) as c:
            for _ in range(12):
                await fail(c, unique("nobody"))
            refused(await sign_in(c, username), 880, 900)
            login = (await Api(c).ok(LOGIN, {"u": username, "p": STRONG_PASSWORD}))["login"]
            assert [e["code"] for e in login["errors"]] == ["TOO_MANY_ATTEMPTS"]
        async with client_at(app, address()) as c:
            assert (await sign_in(c, username)).status_code == 200
        state.clock.advance(901)
        async with client_at(app, sprayer) as c:
            assert (await sign_in(c, username)).status_code == 200


async def test_api_client_secrets_are_throttled_like_passwords(api, database_url, org_id):
    created = (
        await api.ok(
            """mutation($name: String!, $org: ID!) {
                 createApiClient(input: {name: $name, organisationId: $org}) { apiClient { clientId } clientSecret errors { code } }
               }""",
            {"name": unique("接口"), "org": org_id},
            token=await api.token("admin"),
        )
    )["createApiClient"]
    client_id, secret = created["apiClient"]["clientId"], created["clientSecret"]
    form = {"grant_type": "client_credentials", "client_id": client_id}
    async with throttled(database_url) as (state, app), client_at(app, address()) as c:
        for _ in range(3):
            r = await c.post("/auth/token", data={**form, "client_secret": "wrong-secret"})
            assert (r.status_code, r.json()["error"]) == (401, "invalid_client")
        refused(await c.post("/auth/token", data={**form, "client_secret": secret}), 5, 10)
        state.clock.advance(10)
        assert (await c.post("/auth/token", data={**form, "client_secret": secret})).status_code == 200


async def test_a_sign_in_without_failures_on_record_costs_one_statement_for_throttling(api, app, state, org_id):
    """The three limits are read in one statement; clearing failures costs nothing when
    there are none, and two statements when there are."""
    _, username = await new_user(api, org_id)
    async with client_at(app, address()) as c:
        with count_statements(state) as clean:
            assert (await sign_in(c, username)).status_code == 200
        await fail(c, username)
        with count_statements(state) as after_failure:
            assert (await sign_in(c, username)).status_code == 200
    throttling = [s for s in clean if "login_failures" in s]
    assert len(throttling) == 1 and throttling[0].lstrip().upper().startswith("SELECT"), throttling
    assert len([s for s in after_failure if "login_failures" in s]) == 3
    assert len(after_failure) == len(clean) + 2


# -- which address counts ---------------------------------------------------------------


def test_client_address_rules():
    trusted = Settings(env="test", trusted_proxies="10.250.0.0/16, 192.0.2.1, 2001:db8::/32").trusted_proxy_networks

    def of(peer, forwarded=None):
        headers = Headers(raw=[(b"x-forwarded-for", value.encode()) for value in forwarded or []])
        return client_address(headers, peer, trusted)

    # From an untrusted peer X-Forwarded-For means nothing; loopback is not special.
    assert of("203.0.113.5", ["198.51.100.1"]) == "203.0.113.5"
    assert of("127.0.0.1", ["198.51.100.1"]) == "127.0.0.1"
    assert client_address(Headers(raw=[(b"x-forwarded-for", b"198.51.100.1")]), "127.0.0.1") == "127.0.0.1"
    # From a trusted proxy: the right-most address that is not a trusted proxy.
    assert of("10.250.3.4", ["198.51.100.1"]) == "198.51.100.1"
    assert of("10.250.3.4", ["6.6.6.6, 198.51.100.1, 192.0.2.1"]) == "198.51.100.1"
    assert of("10.250.3.4", ["6.6.6.6", "198.51.100.1:5123, 10.250.0.9"]) == "198.51.100.1"
    assert of("2001:db8::1", ["[2001:db9::7]:443"]) == "2001:db9::7"
    assert of("::ffff:10.250.0.1", ["::ffff:198.51.100.1"]) == "198.51.100.1"
    # Only proxies on the way, or something that is not an address: the nearest proxy.
    assert of("10.250.3.4", ["10.250.0.9"]) == "10.250.0.9"
    assert of("10.250.3.4", []) == "10.250.3.4"
    assert of("10.250.3.4", ["198.51.100.1, unknown, 10.250.0.9"]) == "10.250.0.9"
    assert of("testclient", ["198.51.100.1"]) == "testclient"


@pytest.mark.parametrize("value", ["10.0.0.0/33", "proxy.example.cn", "10.0.0.1, 300.1.1.1"])
def test_a_bad_trusted_proxies_setting_stops_start_up_with_a_clear_message(value):
    with pytest.raises(ValidationError) as exc:
        Settings(env="test", trusted_proxies=value)
    assert "SMALLWORKS_TRUSTED_PROXIES" in str(exc.value)


async def test_x_forwarded_for_from_an_untrusted_peer_changes_nothing(api, database_url, org_id):
    """Loopback is no proxy unless configured: a rotating X-Forwarded-For from 127.x does
    not escape the limits of the address the requests really come from."""
    _, username = await new_user(api, org_id)
    n = secrets.randbelow(250 * 250)
    peer = f"127.77.{n // 250 + 1}.{n % 250 + 1}"
    async with throttled(database_url) as (state, app), client_at(app, peer) as c:
        for _ in range(12):
            await fail(c, unique("nobody"), headers={"X-Forwarded-For": address()})
        refused(await sign_in(c, username, headers={"X-Forwarded-For": address()}), 880, 900)


async def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(api, database_url, org_id):
    _, username = await new_user(api, org_id)
    proxy, client, colleague = "10.250.0.7", str(ipaddress.ip_address("198.18.0.0") + secrets.randbelow(2**16)), address()
    async with throttled(database_url, trusted_proxies="10.250.0.0/16") as (state, app), client_at(app, proxy) as c:
        for _ in range(12):
            await fail(c, unique("nobody"), headers={"X-Forwarded-For": f"6.6.6.{secrets.randbelow(250)}, {client}"})
        refused(await sign_in(c, username, headers={"X-Forwarded-For": client}), 880, 900)
        # Another client behind the same proxy is not that client.
        assert (await sign_in(c, username, headers={"X-Forwarded-For": colleague})).status_code == 200


# -- unlocking --------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def beijing_user(state) -> str:
    """A person outside the demo administrator's county."""
    return (await people_elsewhere(state))["user"]


async def test_an_administrator_unlocks_an_account_and_it_is_audited(api, database_url, org_id):
    user_id, username = await new_user(api, org_id)
    guessing, other = address(), address()
    admin = await api.token("admin")
    own = (await api.password_token(username, STRONG_PASSWORD))["access_token"]
    async with throttled(database_url) as (state, app), client_at(app, guessing) as c:
        a = Api(c)
        for delay in (0, 10, 20, 40, 40, 40):
            state.clock.advance(delay)
            await fail(c, username)
        state.clock.advance(40)
        refused(await sign_in(c, username), 700, 900)
        # The administrator sees until when; the person themself does not.
        seen = (await a.ok(LOCK_STATE, {"id": user_id}, token=admin))["node"]
        assert seen["username"] == username and seen["signInLockedUntil"] is not None
        mine = (await a.ok(LOCK_STATE, {"id": user_id}, token=own))["node"]
        assert mine == {"username": username, "signInLockedUntil": None}

        # Not for anyone else to do: the gate refuses.
        body = await a.gql(UNLOCK, {"id": user_id}, token=await api.token("owner"))
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert body["data"]["unlockUser"] is None
        refused(await sign_in(c, username), 700, 900)

        unlocked = (await a.ok(UNLOCK, {"id": user_id}, token=admin))["unlockUser"]
        assert unlocked == {"user": {"id": user_id, "username": username, "signInLockedUntil": None}, "errors": []}
        assert (await sign_in(c, username)).status_code == 200
        async with client_at(app, other) as elsewhere:
            assert (await sign_in(elsewhere, username)).status_code == 200

    [event] = (await api.ok(AUDIT_OF, {"target": user_id}, token=await api.token("auditor")))["auditEvents"]["nodes"][:1]
    assert event["operation"] == "Mutation.unlockUser"
    assert event["actorName"] == "系统管理员"  # the display name of the demo admin
    assert event["changes"]["failed_sign_ins"] == {"before": 6, "after": 0}
    assert event["changes"]["sign_in_locked_until"]["before"] is not None
    assert event["changes"]["sign_in_locked_until"]["after"] is None


async def test_unlock_is_row_scoped_like_other_user_administration(api, state, beijing_user):
    head = await audit_head(state)
    body = await api.gql(UNLOCK, {"id": beijing_user}, token=await api.token("admin"))
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["data"]["unlockUser"] is None
    assert await audit_head(state) == head


async def audit_head(state) -> int:
    from sqlalchemy import select

    from models.audit import AuditHead

    async with state.db.read() as session:
        return (await session.execute(select(AuditHead.seq).where(AuditHead.id == 1))).scalar_one()


# -- failures that arrive at once -------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, counted",
    [
        ({"login_max_failures_per_account": 100}, 6),  # the lock of the account at this address
        ({"login_delay_base_seconds": 600.0, "login_delay_max_seconds": 600.0}, 3),  # the account's delay
    ],
)
async def test_failures_that_arrive_at_once_are_each_counted_and_the_limit_holds(api, database_url, org_id, overrides, counted):
    """Twenty wrong passwords at the same moment: exactly as many are checked as the limit
    allows, the rest are refused, and the right password is refused after them."""
    user_id, username = await new_user(api, org_id)
    async with throttled(database_url, **overrides) as (state, app), client_at(app, address()) as c:

        async def elsewhere() -> None:
            async with client_at(app, address()) as other:
                await fail(other, unique("nobody"))

        await asyncio.gather(*(elsewhere() for _ in range(20)))  # a connection ready for each request
        results = await asyncio.gather(*(sign_in(c, username, "wrong-password!") for _ in range(20)))
        assert sorted(r.status_code for r in results) == [400] * counted + [429] * (20 - counted)
        r = await sign_in(c, username)
        assert r.status_code == 429, r.text
        unlocked = (await Api(c).ok(UNLOCK, {"id": user_id}, token=await api.token("admin")))["unlockUser"]
        assert unlocked["errors"] == []
    [event] = (await api.ok(AUDIT_OF, {"target": user_id}, token=await api.token("auditor")))["auditEvents"]["nodes"][:1]
    assert event["changes"]["failed_sign_ins"] == {"before": counted, "after": 0}
