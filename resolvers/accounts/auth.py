"""Sign-in: the password, refresh_token and client_credentials grants, logout, throttling,
and turning a verified access token into an ``Actor``.

Failures that must leave a trace (a failed attempt, a revoked family after refresh-token
reuse) are *returned* as ``AuthFailure`` rather than raised, so the unit of work commits
that trace; the caller then reports the failure.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from models.accounts import ApiClient, AuthSession, LoginFailure, Organisation, RefreshToken, User, UserRole
from resolvers.accounts.signed_in import MISSING, SignedInCache
from resolvers.core.context import Actor, UnitOfWork
from resolvers.core.transaction import rowcount
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


async def _throttle(uow: UnitOfWork, username: str) -> AuthFailure | None:
    s = uow.settings
    since = uow.now - timedelta(seconds=s.login_failure_window_seconds)
    checks = [(LoginFailure.username == username, s.login_max_failures_per_account)]
    if uow.meta.client_address:
        checks.append((LoginFailure.client_address == uow.meta.client_address, s.login_max_failures_per_address))
    for condition, limit in checks:
        count, oldest = (
            await uow.session.execute(
                select(func.count(), func.min(LoginFailure.occurred_at)).where(condition, LoginFailure.occurred_at > since)
            )
        ).one()
        if count >= limit:
            retry = int((oldest + timedelta(seconds=s.login_failure_window_seconds) - uow.now).total_seconds()) + 1
            return AuthFailure("TOO_MANY_ATTEMPTS", "invalid_grant", retry_after=max(retry, 1))
    return None


def _record_failure(uow: UnitOfWork, username: str) -> None:
    uow.session.add(LoginFailure(username=username[:64], client_address=uow.meta.client_address or "", occurred_at=uow.now))


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
    scopes = _scopes(scope, USER_SCOPES)
    if scopes is None:
        return _invalid_scope(scope, USER_SCOPES)
    throttled = await _throttle(uow, username)
    if throttled:
        return throttled
    user = (await uow.session.execute(select(User).where(User.username == username))).scalar_one_or_none()
    if not verify_password(user.password_hash if user else None, password or "") or user is None:
        _record_failure(uow, username)
        return AuthFailure("INVALID_CREDENTIALS", "invalid_grant")
    if not user.is_active:
        return AuthFailure("ACCOUNT_DISABLED", "invalid_grant")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    await uow.session.execute(delete(LoginFailure).where(LoginFailure.username == username))
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
    client_id = (client_id or "").strip()
    throttled = await _throttle(uow, client_id)
    if throttled:
        return throttled
    client = (await uow.session.execute(select(ApiClient).where(ApiClient.client_id == client_id))).scalar_one_or_none()
    if not verify_password(client.secret_hash if client else None, client_secret or "") or client is None or not client.is_active:
        _record_failure(uow, client_id)
        return AuthFailure("INVALID_CREDENTIALS", "invalid_client")
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
