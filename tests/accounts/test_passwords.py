"""Pure rules of sign-in: password strength, password hashing, refresh-token hashing and
access-token decoding, without HTTP or a database."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from resolvers.security.passwords import hash_password, strength_problems, verify_password
from resolvers.security.tokens import InvalidToken, decode_access_token, hash_refresh_token, issue_access_token, new_refresh_token


def codes(problems) -> list[tuple[str, str | None]]:
    return [(p.code, p.field) for p in problems]


def test_a_password_shorter_than_the_minimum_is_too_short():
    problems = strength_problems("Zx9!qT4w", 10, 3, [])
    assert codes(problems) == [("PASSWORD_TOO_SHORT", "password")]
    assert problems[0].params == {"min_length": 10}


@pytest.mark.parametrize("password", ["password123", "qwertyuiop", "1234567890", "aaaaaaaaaaaa", "iloveyou2024"])
def test_common_or_patterned_passwords_are_too_weak(password):
    problems = strength_problems(password, 10, 3, [])
    assert codes(problems) == [("PASSWORD_TOO_WEAK", "password")]
    assert problems[0].params["hint"]


def test_a_long_random_password_passes():
    assert strength_problems("Kq7f3b9e2a41-Wz", 10, 3, []) == []


def test_the_username_counts_against_a_password_built_from_it():
    password = "zhoushi.wangfang"
    assert strength_problems(password, 10, 3, []) == []
    assert codes(strength_problems(password, 10, 3, ["zhoushi.wangfang"])) == [("PASSWORD_TOO_WEAK", "password")]


def test_the_field_name_is_reported_as_given():
    assert codes(strength_problems("short", 10, 3, [], field="newPassword")) == [("PASSWORD_TOO_SHORT", "newPassword")]


def test_password_hashes_are_argon2id_salted_and_verify_only_the_right_password():
    first, second = hash_password("Kq7f3b9e2a41-Wz"), hash_password("Kq7f3b9e2a41-Wz")
    assert first.startswith("$argon2id$")
    assert first != second
    assert verify_password(first, "Kq7f3b9e2a41-Wz")
    assert not verify_password(first, "Kq7f3b9e2a41-Wy")


def test_no_account_or_a_broken_hash_never_verifies():
    assert not verify_password(None, "smallworks-no-such-account")
    assert not verify_password("not-a-hash", "anything")


def test_refresh_tokens_are_random_and_hashed_with_sha256():
    token, digest = new_refresh_token()
    other, _ = new_refresh_token()
    assert token != other
    assert len(token) >= 43
    assert digest == hash_refresh_token(token) == hashlib.sha256(token.encode()).hexdigest()


def test_an_issued_access_token_decodes_to_its_claims(settings):
    now = datetime.now(UTC)
    token = issue_access_token(settings, now, "user:42", frozenset({"read"}), "s" * 32)
    claims = decode_access_token(settings, token)
    assert (claims.subject_kind, claims.subject_id, claims.session_id) == ("user", "42", "s" * 32)
    assert claims.scopes == frozenset({"read"})
    assert claims.expires_at == int(now.timestamp()) + 900


def test_an_access_token_past_its_15_minutes_is_refused(settings):
    token = issue_access_token(settings, datetime.now(UTC) - timedelta(minutes=16), "user:42", frozenset({"read"}), "s" * 32)
    with pytest.raises(InvalidToken):
        decode_access_token(settings, token)


@pytest.mark.parametrize("subject", ["42", "robot:42", "user:"])
def test_an_access_token_with_an_unknown_kind_of_subject_is_refused(settings, subject):
    now = datetime.now(UTC)
    claims = jwt.decode(issue_access_token(settings, now, "user:42", frozenset()), options={"verify_signature": False})
    token = jwt.encode({**claims, "sub": subject}, settings.jwt_secret, algorithm="HS256", headers={"typ": "at+jwt"})
    with pytest.raises(InvalidToken):
        decode_access_token(settings, token)


def test_every_sentence_zxcvbn_may_say_has_a_label_in_both_languages():
    """zxcvbn's advice is a fixed set of English sentences; an upgrade that adds one fails
    here until it has its zh-CN text."""
    import ast

    import zxcvbn.feedback

    from resolvers import load_domains
    from resolvers.core.i18n import labels_in

    load_domains()  # the labels are registered with the accounts domain's messages
    tree = ast.parse(open(zxcvbn.feedback.__file__, encoding="utf-8").read())
    said = {n.args[0].value for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "_"}
    assert len(said) > 20
    zh, en = labels_in("PasswordHint", "zh-CN"), labels_in("PasswordHint", "en")
    assert said <= set(zh) and said <= set(en)
    assert all(any("\u4e00" <= c <= "\u9fff" for c in zh[s]) for s in said)


@pytest.mark.parametrize("password", ["password123", "qwertyuiop", "aaaaaaaaaaaa"])
def test_the_hint_of_a_weak_password_is_in_the_requests_language(password):
    from resolvers import load_domains
    from resolvers.core.i18n import translate

    load_domains()  # every domain's messages
    [problem] = strength_problems(password, 10, 3, [])
    zh = translate(problem.code, "zh-CN", **problem.params)
    en = translate(problem.code, "en", **problem.params)
    hint = zh.removeprefix("密码强度不足：")
    assert hint != zh and any("\u4e00" <= c <= "\u9fff" for c in hint), zh  # a Chinese sentence, not zxcvbn's English
    assert en.startswith("The password is too weak: ") and len(en) > len("The password is too weak: ")
