"""Access tokens: JWTs signed with HS256 only, valid ``access_token_ttl_seconds``.

Header ``typ`` is ``at+jwt`` (RFC 9068) and the payload carries ``typ: access``, so a
token minted for another purpose cannot stand in for an access token.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import jwt

if TYPE_CHECKING:  # settings are handed in; the service layer does not import the app
    from app.settings import Settings

ALGORITHM = "HS256"
HEADER_TYP = "at+jwt"
REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat", "jti", "typ"]


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class AccessClaims:
    subject_kind: str  # user | client
    subject_id: str
    session_id: str | None
    scopes: frozenset[str]
    jti: str
    expires_at: int


def _secret(settings: Settings) -> str:
    """The signing key, which Settings validation sets in every mode (generated in
    development, required in production)."""
    assert settings.jwt_secret is not None
    return settings.jwt_secret


def issue_access_token(settings: Settings, now: datetime, subject: str, scopes: frozenset[str], session_id: str | None = None) -> str:
    payload = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": subject,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=settings.access_token_ttl_seconds)).timestamp()),
        "jti": uuid.uuid4().hex,
        "typ": "access",
        "scope": " ".join(sorted(scopes)),
    }
    if session_id:
        payload["sid"] = session_id
    return jwt.encode(payload, _secret(settings), algorithm=ALGORITHM, headers={"typ": HEADER_TYP})


def decode_access_token(settings: Settings, token: str) -> AccessClaims:
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM or header.get("typ") != HEADER_TYP:
            raise InvalidToken("unexpected token header")
        claims = jwt.decode(
            token,
            _secret(settings),
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": REQUIRED_CLAIMS},
            leeway=5,
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    if claims.get("typ") != "access":
        raise InvalidToken("not an access token")
    kind, _, ident = str(claims["sub"]).partition(":")
    if kind not in ("user", "client") or not ident:
        raise InvalidToken("unexpected subject")
    return AccessClaims(
        subject_kind=kind,
        subject_id=ident,
        session_id=claims.get("sid"),
        scopes=frozenset(str(claims.get("scope", "")).split()),
        jti=claims["jti"],
        expires_at=claims["exp"],
    )


def new_refresh_token() -> tuple[str, str]:
    """An opaque refresh token and the SHA-256 under which it is stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
