"""Sign-in: the password, refresh_token and client_credentials grants, logout, throttling,
and turning a verified access token into an ``Actor``.

Failures that must leave a trace (a failed attempt, a revoked family after refresh-token
reuse) are *returned* as ``AuthFailure`` rather than raised, so the unit of work commits
that trace; the caller then reports the failure.
"""

from __future__ import annotations

import ipaddress
import math
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, false, func, or_, select, update

from models.accounts import ApiClient, AuthSession, LoginFailure, Organisation, RefreshToken, User, UserRole
from resolvers.accounts.signed_in import MISSING, SignedInCache
from resolvers.core.context import Actor, UnitOfWork
from resolvers.core.transaction import rowcount
from resolvers.core.validation import UNPRINTABLE_RE
from resolvers.security.passwords import hash_password, needs_rehash, verify_password
from resolvers.security.tokens import (
    AccessClaims,
    hash_refresh_token,
    issue_access_token,
    new_refresh_token,
)

USER_SCOPES = frozenset({"read", "write"})
CLIENT_SCOPES = frozenset({"read"})


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    expires_in: int
    scopes: frozenset[str]
    refresh_token: str | None = None
    user_id: int | None = None


@dataclass(frozen=True)
class AuthFailure:
    """``code`` is a message code; ``oauth_error`` the RFC 6749 error it maps to; ``params``
    fill in the message."""

    code: str
    oauth_error: str
    retry_after: int | None = None
    params: dict[str, Any] = field(default_factory=dict)


def _scopes(requested: str | None, allowed: frozenset[str]) -> frozenset[str] | None:
    if not requested:
        return allowed
    wanted = frozenset(requested.split())
    return wanted if wanted <= allowed else None


def _invalid_scope(requested: str | None, allowed: frozenset[str]) -> AuthFailure:
    unknown = sorted(frozenset((requested or "").split()) - allowed)
    return AuthFailure("INVALID_SCOPE", "invalid_scope", params={"scope": " ".join(unknown)})


# -- throttling of failed sign-ins ---------------------------------------------------
#
# Three limits, counted from the rows of ``login_failures``:
#   1. one account, from anywhere: after ``login_max_failures_per_account`` failures in a
#      row, each further attempt waits a delay that doubles with each failure (from
#      ``login_delay_base_seconds`` up to ``login_delay_max_seconds``) after the last one;
#   2. one account from one address: locked once ``login_max_failures_per_account_address``
#      failures lie within ``login_failure_window_seconds`` (guessing from one place);
#   3. one address, all accounts: ``login_max_failures_per_address`` in the window, a high
#      ceiling against password spraying that an office behind one NAT address never meets.
# A successful sign-in ends the account's run (1) and forgets its failures from that
# address (2); an administrator's unlock forgets all of the account's failures.
#
# The account's row is locked (SELECT … FOR UPDATE) before its failures are counted, so
# attempts on one account take turns and each sees the failures committed before it: a
# burst of concurrent guesses is counted one by one and stops at the limit. Every failure
# is counted for the address too, but attempts on different accounts do not wait for each
# other, so a burst spread over many accounts may pass the address ceiling by as many as
# arrive at the same moment (no address row is held while a password is hashed, which
# would make a whole office's sign-ins take turns).


@dataclass(frozen=True)
class FailureCounts:
    """The failures on record that bear on one attempt."""

    account: int = 0  # the account's run of failures (limit 1)
    account_last: datetime | None = None
    pair: int = 0  # the account's from this address within the window (limit 2)
    pair_oldest: datetime | None = None
    address: int = 0  # everyone's from this address within the window (limit 3)
    address_oldest: datetime | None = None


def throttled_address(client_address: str | None) -> str:
    """The address failures are counted by: an IPv6 client by its /64 network (a host is
    usually given a whole one), '' when unknown (then only the account limit applies)."""
    if not client_address:
        return ""
    try:
        address = ipaddress.ip_address(client_address)
    except ValueError:
        return client_address[:64]
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def account_delay(settings, failures: int) -> float:
    """Seconds that must pass after an account's last failure when it has ``failures`` in a
    row: none below the threshold, then the base, doubling with each further failure, capped."""
    over = failures - settings.login_max_failures_per_account
    if over < 0:
        return 0.0
    return min(settings.login_delay_base_seconds * 2 ** min(over, 62), settings.login_delay_max_seconds)


def refused_until(settings, counts: FailureCounts) -> datetime | None:
    """Until when an attempt with these failures on record is refused, or None."""
    window = timedelta(seconds=settings.login_failure_window_seconds)
    until: list[datetime] = []
    if counts.account_last is not None and counts.account >= settings.login_max_failures_per_account:
        until.append(counts.account_last + timedelta(seconds=account_delay(settings, counts.account)))
    if counts.pair_oldest is not None and counts.pair >= settings.login_max_failures_per_account_address:
        until.append(counts.pair_oldest + window)
    if counts.address_oldest is not None and counts.address >= settings.login_max_failures_per_address:
        until.append(counts.address_oldest + window)
    return max(until, default=None)


async def _count_failures(uow: UnitOfWork, username: str, address: str) -> FailureCounts:
    """One statement: the three counts of ``FailureCounts`` for ``username`` from ``address``."""
    s = uow.settings
    since = uow.now - timedelta(seconds=s.login_failure_window_seconds)
    remembered = uow.now - timedelta(seconds=s.login_failure_memory_seconds)
    f = LoginFailure
    of_account = and_(f.username == username, f.account_cleared.is_(False), f.occurred_at > remembered)
    from_address = and_(f.client_address == address, f.occurred_at > since) if address else false()
    of_pair = and_(f.username == username, from_address)

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = (
        await uow.session.execute(
            select(
                count(of_account),
                func.max(case((of_account, f.occurred_at))),
                count(of_pair),
                func.min(case((of_pair, f.occurred_at))),
                count(from_address),
                func.min(case((from_address, f.occurred_at))),
            ).where(or_(and_(f.username == username, f.occurred_at > min(since, remembered)), from_address))
        )
    ).one()
    return FailureCounts(int(row[0]), row[1], int(row[2]), row[3], int(row[4]), row[5])


async def _throttle(uow: UnitOfWork, username: str, address: str) -> tuple[FailureCounts, AuthFailure | None]:
    counts = await _count_failures(uow, username, address)
    until = refused_until(uow.settings, counts)
    if until is None or until <= uow.now:
        return counts, None
    retry_after = max(math.ceil((until - uow.now).total_seconds()), 1)
    return counts, AuthFailure("TOO_MANY_ATTEMPTS", "invalid_grant", retry_after=retry_after)


def _record_failure(uow: UnitOfWork, username: str, address: str) -> None:
    uow.session.add(LoginFailure(username=username, client_address=address, occurred_at=uow.now, account_cleared=False))


async def _clear_failures(uow: UnitOfWork, username: str, address: str, counts: FailureCounts) -> None:
    """A successful sign-in: the account's failures from this address are forgotten, and
    those from elsewhere no longer delay the account (they still count for their address).
    No statement when there were none."""
    if counts.account or counts.pair:
        await uow.session.execute(delete(LoginFailure).where(LoginFailure.username == username, LoginFailure.client_address == address))
    if counts.account:
        await uow.session.execute(
            update(LoginFailure)
            .where(LoginFailure.username == username, LoginFailure.account_cleared.is_(False))
            .values(account_cleared=True)
        )


async def locked_until(session, settings, now: datetime, usernames: Collection[str]) -> dict[str, datetime]:
    """Until when sign-in to each of ``usernames`` is refused after failed attempts: from
    everywhere (its delay) or from some address (locked there); accounts that are not
    locked are left out. Two statements, whatever the number of accounts."""
    if not usernames:
        return {}
    f = LoginFailure
    since = now - timedelta(seconds=settings.login_failure_window_seconds)
    remembered = now - timedelta(seconds=settings.login_failure_memory_seconds)
    names = list(usernames)
    runs = await session.execute(
        select(f.username, func.count(), func.max(f.occurred_at))
        .where(f.username.in_(names), f.account_cleared.is_(False), f.occurred_at > remembered)
        .group_by(f.username)
    )
    places = await session.execute(
        select(f.username, func.count(), func.min(f.occurred_at))
        .where(f.username.in_(names), f.client_address != "", f.occurred_at > since)
        .group_by(f.username, f.client_address)
        .having(func.count() >= settings.login_max_failures_per_account_address)
    )
    found: dict[str, datetime] = {}
    counts = [(name, FailureCounts(account=n, account_last=last)) for name, n, last in runs]
    counts += [(name, FailureCounts(pair=n, pair_oldest=oldest)) for name, n, oldest in places]
    for name, of_name in counts:
        until = refused_until(settings, of_name)
        if until is not None and until > now and (name not in found or until > found[name]):
            found[name] = until
    return found


async def _issue_refresh(uow: UnitOfWork, session_id: str) -> str:
    token, token_hash = new_refresh_token()
    uow.session.add(
        RefreshToken(
            session_id=session_id,
            token_hash=token_hash,
            issued_at=uow.now,
            expires_at=uow.now + timedelta(seconds=uow.settings.refresh_token_ttl_seconds),
        )
    )
    return token


# ``session`` in these loaders is anything with ``execute``: a session, or a request's reads.


async def load_user_actor(session, user_id: int, session_id: str | None) -> Actor | None:
    """The active user with their organisation's kind and region and their roles, and, when
    ``session_id`` is given, only while that sign-in session stands: one statement (a row
    per role), as every request with a token runs it."""
    stmt = (
        select(User.id, User.username, User.display_name, User.organisation_id, Organisation.kind, Organisation.region_code, UserRole.role)
        .join(Organisation, Organisation.id == User.organisation_id)
        .outerjoin(UserRole, UserRole.user_id == User.id)
        .where(User.id == user_id, User.is_active.is_(True))
    )
    if session_id is not None:
        stmt = stmt.join(AuthSession, AuthSession.user_id == User.id).where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
    rows = (await session.execute(stmt)).all()
    if not rows:
        return None
    first = rows[0]
    return Actor(
        kind="user",
        id=first.id,
        name=first.username,
        display_name=first.display_name or "",
        organisation_id=first.organisation_id,
        organisation_kind=first.kind,
        region_code=first.region_code,
        roles=frozenset(row.role for row in rows if row.role is not None),
        session_id=session_id,
        scopes=USER_SCOPES,
    )


async def load_client_actor(session, condition) -> Actor | None:
    row = (
        await session.execute(
            select(
                ApiClient.id,
                ApiClient.client_id,
                ApiClient.name,
                ApiClient.organisation_id,
                ApiClient.scopes,
                Organisation.kind,
                Organisation.region_code,
            )
            .join(Organisation, Organisation.id == ApiClient.organisation_id)
            .where(condition, ApiClient.is_active.is_(True))
        )
    ).first()
    if row is None:
        return None
    return Actor(
        kind="client",
        id=row.id,
        name=f"client:{row.client_id}",
        display_name=row.name or "",
        organisation_id=row.organisation_id,
        organisation_kind=row.kind,
        region_code=row.region_code,
        roles=frozenset({"integrator"}),
        scopes=frozenset(row.scopes.split()),
    )


async def load_actor(session, claims: AccessClaims, cache: SignedInCache | None = None) -> Actor | None:
    """The actor a verified access token speaks for, or None if it no longer may
    (account disabled, session revoked by logout or refresh-token reuse, client revoked);
    from ``cache`` when it holds the answer."""
    key = (claims.subject_kind, claims.subject_id, claims.session_id)
    actor = cache.get(key) if cache is not None else MISSING
    if actor is MISSING:
        generation = cache.generation if cache is not None else 0
        if claims.subject_kind == "user":
            if not claims.subject_id.isdigit() or claims.session_id is None:
                return None
            actor = await load_user_actor(session, int(claims.subject_id), claims.session_id)
        else:
            actor = await load_client_actor(session, ApiClient.client_id == claims.subject_id)
        if cache is not None:
            cache.put(key, actor, generation)
    if actor is None:
        return None
    # A token never grants more than it was issued with.
    return replace(actor, scopes=actor.scopes & claims.scopes)


async def load_actor_by_id(session, kind: str, actor_id: int, session_id: str | None = None) -> Actor | None:
    """The active user or API client behind a signed link; a link issued within a sign-in
    session works only while that session does."""
    if kind == "user":
        return await load_user_actor(session, actor_id, session_id)
    if kind == "client":
        return await load_client_actor(session, ApiClient.id == actor_id)
    return None


async def password_grant(uow: UnitOfWork, username: str, password: str, scope: str | None = None) -> TokenSet | AuthFailure:
    # Usernames are stored in lower case, so sign-in ignores case on every backend alike.
    username = (username or "").strip().lower()
    if UNPRINTABLE_RE.search(username):
        return AuthFailure("INVALID_CREDENTIALS", "invalid_grant")  # no account has such a name
    scopes = _scopes(scope, USER_SCOPES)
    if scopes is None:
        return _invalid_scope(scope, USER_SCOPES)
    username, address = username[:64], throttled_address(uow.meta.client_address)
    # Locked first: attempts on one account take turns (see the throttling notes above).
    user = (await uow.session.execute(select(User).where(User.username == username).with_for_update())).scalar_one_or_none()
    counts, throttled = await _throttle(uow, username, address)
    if throttled:
        return throttled
    if not verify_password(user.password_hash if user else None, password or "") or user is None:
        _record_failure(uow, username, address)
        return AuthFailure("INVALID_CREDENTIALS", "invalid_grant")
    if not user.is_active:
        return AuthFailure("ACCOUNT_DISABLED", "invalid_grant")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    await _clear_failures(uow, username, address, counts)
    session_id = uuid.uuid4().hex
    uow.session.add(
        AuthSession(
            id=session_id,
            user_id=user.id,
            scope=" ".join(sorted(scopes)),
            created_at=uow.now,
            client_address=uow.meta.client_address,
            user_agent=(uow.meta.user_agent or "")[:255] or None,
        )
    )
    await uow.session.flush()
    uow.actor = await load_user_actor(uow.session, user.id, None)
    refresh = await _issue_refresh(uow, session_id)
    uow.audit("AuthSession", session_id, {"grant": "password", "scope": sorted(scopes)})
    return TokenSet(
        access_token=issue_access_token(uow.settings, uow.now, f"user:{user.id}", scopes, session_id),
        expires_in=uow.settings.access_token_ttl_seconds,
        scopes=scopes,
        refresh_token=refresh,
        user_id=user.id,
    )


async def revoke_session(uow: UnitOfWork, session_id: str, reason: str) -> bool:
    result = await uow.session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=uow.now, revoked_reason=reason)
    )
    return rowcount(result) > 0


async def refresh_grant(uow: UnitOfWork, refresh_token: str, scope: str | None = None) -> TokenSet | AuthFailure:
    row = (
        await uow.session.execute(
            select(RefreshToken, AuthSession)
            .join(AuthSession, AuthSession.id == RefreshToken.session_id)
            .where(RefreshToken.token_hash == hash_refresh_token(refresh_token or ""))
        )
    ).first()
    if row is None:
        return AuthFailure("INVALID_REFRESH_TOKEN", "invalid_grant")
    token, auth_session = row
    uow.actor = await load_user_actor(uow.session, auth_session.user_id, None)
    if token.rotated_at is not None:
        return await _reused(uow, auth_session)
    if auth_session.revoked_at is not None or token.expires_at <= uow.now or uow.actor is None:
        return AuthFailure("INVALID_REFRESH_TOKEN", "invalid_grant")
    granted = frozenset(auth_session.scope.split())
    scopes = _scopes(scope, granted)
    if scopes is None:
        return _invalid_scope(scope, granted)
    # Compare-and-set: of two requests racing with the same token, only one rotates it.
    rotated = await uow.session.execute(
        update(RefreshToken).where(RefreshToken.id == token.id, RefreshToken.rotated_at.is_(None)).values(rotated_at=uow.now)
    )
    if rowcount(rotated) != 1:
        return await _reused(uow, auth_session)
    new_token = await _issue_refresh(uow, auth_session.id)
    uow.audit("AuthSession", auth_session.id, {"grant": "refresh_token"})
    return TokenSet(
        access_token=issue_access_token(uow.settings, uow.now, f"user:{auth_session.user_id}", scopes, auth_session.id),
        expires_in=uow.settings.access_token_ttl_seconds,
        scopes=scopes,
        refresh_token=new_token,
        user_id=auth_session.user_id,
    )


async def _reused(uow: UnitOfWork, auth_session: AuthSession) -> AuthFailure:
    """A rotated refresh token came back: someone holds a copy. Revoke the whole family."""
    if await revoke_session(uow, auth_session.id, "refresh_token_reuse"):
        uow.audit("AuthSession", auth_session.id, {"revoked": {"before": None, "after": "refresh_token_reuse"}})
    return AuthFailure("REFRESH_TOKEN_REUSED", "invalid_grant")


async def client_credentials_grant(uow: UnitOfWork, client_id: str, client_secret: str, scope: str | None = None) -> TokenSet | AuthFailure:
    client_id, address = (client_id or "").strip()[:64], throttled_address(uow.meta.client_address)
    # Locked first, as in ``password_grant``: attempts on one client take turns.
    client = (await uow.session.execute(select(ApiClient).where(ApiClient.client_id == client_id).with_for_update())).scalar_one_or_none()
    counts, throttled = await _throttle(uow, client_id, address)
    if throttled:
        return throttled
    if not verify_password(client.secret_hash if client else None, client_secret or "") or client is None or not client.is_active:
        _record_failure(uow, client_id, address)
        return AuthFailure("INVALID_CREDENTIALS", "invalid_client")
    await _clear_failures(uow, client_id, address, counts)
    allowed = frozenset(client.scopes.split()) & CLIENT_SCOPES
    scopes = _scopes(scope, allowed)
    if scopes is None:
        return _invalid_scope(scope, allowed)
    client.last_used_at = uow.now
    return TokenSet(
        access_token=issue_access_token(uow.settings, uow.now, f"client:{client.client_id}", scopes),
        expires_in=uow.settings.access_token_ttl_seconds,
        scopes=scopes,
    )


async def logout(uow: UnitOfWork, refresh_token: str | None = None) -> bool:
    """Revoke the caller's sign-in session (and the family of a refresh token they hold)."""
    actor = uow.require_actor()
    revoked = []
    if actor.session_id and await revoke_session(uow, actor.session_id, "logout"):
        revoked.append(actor.session_id)
    if refresh_token:
        session_id = (
            await uow.session.execute(
                select(RefreshToken.session_id)
                .join(AuthSession, AuthSession.id == RefreshToken.session_id)
                .where(RefreshToken.token_hash == hash_refresh_token(refresh_token), AuthSession.user_id == actor.id)
            )
        ).scalar_one_or_none()
        if session_id and await revoke_session(uow, session_id, "logout"):
            revoked.append(session_id)
    for session_id in revoked:
        uow.audit("AuthSession", session_id, {"revoked": {"before": None, "after": "logout"}})
    return bool(revoked)
