"""Password hashing (argon2id) and the minimum strength rule (length and zxcvbn score).

The argon2 cost comes from settings (``SMALLWORKS_PASSWORD_HASH_*``). This package does not
read settings itself: whoever builds a process's long-lived services calls
:func:`configure_hasher` once with them. Until then the production defaults below apply.
A stored hash made with other parameters verifies as before, and :func:`needs_rehash` reports
it so the caller can store a new hash at the next successful sign-in.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from resolvers.core.errors import Problem
from resolvers.core.i18n import Label
from resolvers.core.validation import UNPRINTABLE_RE

# argon2-cffi's own defaults (RFC 9106, low-memory profile): the production cost.
DEFAULT_TIME_COST = 3
DEFAULT_MEMORY_KIB = 64 * 1024
DEFAULT_PARALLELISM = 4

_hasher = PasswordHasher(time_cost=DEFAULT_TIME_COST, memory_cost=DEFAULT_MEMORY_KIB, parallelism=DEFAULT_PARALLELISM)
# Verified against when the account does not exist, so timing does not reveal usernames.
# Made with the configured hasher on first use, so it costs what a real verification costs.
_dummy_hash: str | None = None


def configure_hasher(time_cost: int, memory_kib: int, parallelism: int) -> None:
    """Hash new passwords with these argon2id parameters (memory in KiB)."""
    global _hasher, _dummy_hash
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
    if (hasher.time_cost, hasher.memory_cost, hasher.parallelism) != (_hasher.time_cost, _hasher.memory_cost, _hasher.parallelism):
        _hasher, _dummy_hash = hasher, None


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("smallworks-no-such-account")
    return _dummy_hash


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _dummy(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when ``stored_hash`` was made with parameters other than the configured ones."""
    return _hasher.check_needs_rehash(stored_hash)


def strength_problems(password: str, min_length: int, min_score: int, user_inputs: list[str], field: str = "password") -> list[Problem]:
    if UNPRINTABLE_RE.search(password):
        # Nobody can type it again on another device; refused as in every other text.
        return [Problem("INVALID_CHARACTERS", field)]
    if len(password) < min_length:
        return [Problem("PASSWORD_TOO_SHORT", field, {"min_length": min_length})]
    result = zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])
    if result["score"] < min_score:
        feedback = result["feedback"]
        said = [feedback.get("warning") or "", *(feedback.get("suggestions") or [])]
        # zxcvbn's advice is a fixed set of English sentences: each is shown in the
        # request's language (``PasswordHint`` labels, resolvers/accounts/messages.py), one
        # sentence, the most specific first.
        hint = next((s for s in said if s), "easy to guess")
        return [Problem("PASSWORD_TOO_WEAK", field, {"hint": Label("PasswordHint", hint)})]
    return []
