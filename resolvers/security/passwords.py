"""Password hashing (argon2id) and the minimum strength rule (length and zxcvbn score)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from resolvers.core.errors import Problem

_hasher = PasswordHasher()
# Verified against when the account does not exist, so timing does not reveal usernames.
_DUMMY_HASH = _hasher.hash("smallworks-no-such-account")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def strength_problems(password: str, min_length: int, min_score: int, user_inputs: list[str], field: str = "password") -> list[Problem]:
    if len(password) < min_length:
        return [Problem("PASSWORD_TOO_SHORT", field, {"min_length": min_length})]
    result = zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])
    if result["score"] < min_score:
        feedback = result["feedback"]
        hint = feedback.get("warning") or " ".join(feedback.get("suggestions") or []) or "easy to guess"
        return [Problem("PASSWORD_TOO_WEAK", field, {"hint": hint})]
    return []
