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
from resolvers.core.i18n import Label, register_labels
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
        # request's language (``PASSWORD_HINTS``), one sentence, the most specific first.
        hint = next((s for s in said if s), "easy to guess")
        return [Problem("PASSWORD_TOO_WEAK", field, {"hint": Label("PasswordHint", hint)})]
    return []


# zxcvbn's feedback sentences, in zh-CN and en (zxcvbn 4.x has no other language).
PASSWORD_HINTS = {
    "easy to guess": ("容易被猜到。", "It is easy to guess."),
    "Add another word or two. Uncommon words are better.": (
        "再加一两个词，不常见的词更好。",
        "Add another word or two. Uncommon words are better.",
    ),
    "Capitalization doesn't help very much.": ("大小写变化帮助不大。", "Capitalization doesn't help very much."),
    "Reversed words aren't much harder to guess.": ("倒写的单词并不更难猜。", "Reversed words aren't much harder to guess."),
    "Predictable substitutions like '@' instead of 'a' don't help very much.": (
        "用“@”代替“a”这类可预料的替换帮助不大。",
        "Predictable substitutions like '@' instead of 'a' don't help very much.",
    ),
    "Use a few words, avoid common phrases.": ("用几个词组合，避免常见短语。", "Use a few words, avoid common phrases."),
    "No need for symbols, digits, or uppercase letters.": (
        "不必非用符号、数字或大写字母。",
        "No need for symbols, digits, or uppercase letters.",
    ),
    "Straight rows of keys are easy to guess.": ("键盘上连成一排的按键容易被猜到。", "Straight rows of keys are easy to guess."),
    "Short keyboard patterns are easy to guess.": ("简短的键盘图形容易被猜到。", "Short keyboard patterns are easy to guess."),
    "This is a top-10 common password.": ("这是最常用的 10 个密码之一。", "This is a top-10 common password."),
    "This is a top-100 common password.": ("这是最常用的 100 个密码之一。", "This is a top-100 common password."),
    "This is a very common password.": ("这是非常常用的密码。", "This is a very common password."),
    "This is similar to a commonly used password.": ("与常用密码相似。", "This is similar to a commonly used password."),
    "A word by itself is easy to guess.": ("单个单词容易被猜到。", "A word by itself is easy to guess."),
    "All-uppercase is almost as easy to guess as all-lowercase.": (
        "全大写和全小写一样容易被猜到。",
        "All-uppercase is almost as easy to guess as all-lowercase.",
    ),
    "Use a longer keyboard pattern with more turns.": ("使用更长、转折更多的键盘图形。", "Use a longer keyboard pattern with more turns."),
    'Repeats like "aaa" are easy to guess.': ("“aaa”这样的重复容易被猜到。", 'Repeats like "aaa" are easy to guess.'),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': (
        "“abcabcabc”这样的重复只比“abc”难猜一点。",
        'Repeats like "abcabcabc" are only slightly harder to guess than "abc".',
    ),
    "Names and surnames by themselves are easy to guess.": (
        "单独的名字或姓氏容易被猜到。",
        "Names and surnames by themselves are easy to guess.",
    ),
    "Common names and surnames are easy to guess.": ("常见的名字和姓氏容易被猜到。", "Common names and surnames are easy to guess."),
    "Avoid repeated words and characters.": ("避免重复的词和字符。", "Avoid repeated words and characters."),
    'Sequences like "abc" or "6543" are easy to guess.': (
        "“abc”“6543”这样的序列容易被猜到。",
        'Sequences like "abc" or "6543" are easy to guess.',
    ),
    "Avoid sequences.": ("避免使用序列。", "Avoid sequences."),
    "Recent years are easy to guess.": ("近年的年份容易被猜到。", "Recent years are easy to guess."),
    "Dates are often easy to guess.": ("日期往往容易被猜到。", "Dates are often easy to guess."),
    "Avoid recent years.": ("避免使用近年的年份。", "Avoid recent years."),
    "Avoid years that are associated with you.": ("避免使用与你有关的年份。", "Avoid years that are associated with you."),
    "Avoid dates and years that are associated with you.": (
        "避免使用与你有关的日期和年份。",
        "Avoid dates and years that are associated with you.",
    ),
}
register_labels("PasswordHint", PASSWORD_HINTS)
