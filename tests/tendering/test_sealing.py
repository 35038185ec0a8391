"""Sealed bids: what seals opens only with its tender's key and context, and the receipt hash
is one a bidder can recompute by hand."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import serialization

from resolvers.core.audit import canonical_json
from resolvers.security.crypto import FieldCipher
from resolvers.tendering.sealing import (
    SealError,
    TenderKeys,
    content_hash,
    new_tender_keys,
    open_file,
    seal,
    seal_file,
    unseal,
    unwrap_private_key,
)

pytestmark = pytest.mark.once

CONTEXT = "bids.sealed_content:7"
PLAINTEXT = "报价 380000.00 元；工期 45 天".encode()


@pytest.fixture(scope="module")
def cipher() -> FieldCipher:
    return FieldCipher({"k1": os.urandom(32)}, "k1")


@pytest.fixture(scope="module")
def keys(cipher) -> TenderKeys:
    return new_tender_keys(cipher, 1)


def flip(text: str, index: int) -> str:
    """``text`` (base64) with one bit of its decoded byte at ``index`` flipped."""
    raw = bytearray(base64.b64decode(text))
    raw[index] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def test_a_sealed_bid_opens_with_the_tenders_key_and_context(cipher, keys):
    assert len(base64.b64decode(keys.public_key)) == 32
    sealed = seal(keys.public_key, PLAINTEXT, CONTEXT)
    prefix, ephemeral, payload = sealed.split(":")
    assert prefix == "x25519v1"
    assert len(base64.b64decode(ephemeral)) == 32
    assert len(base64.b64decode(payload)) == 12 + len(PLAINTEXT) + 16
    assert unseal(unwrap_private_key(cipher, keys.wrapped_private_key, 1), sealed, CONTEXT) == PLAINTEXT


def test_sealing_twice_gives_different_texts(keys):
    assert seal(keys.public_key, PLAINTEXT, CONTEXT) != seal(keys.public_key, PLAINTEXT, CONTEXT)


def test_the_sealed_text_does_not_contain_the_plaintext(keys):
    plaintext = b"unit price 1234.56 for asphalt" * 4
    sealed = seal(keys.public_key, plaintext, CONTEXT)
    assert b"asphalt" not in sealed.encode()
    assert b"asphalt" not in base64.b64decode(sealed.split(":")[2])
    assert base64.b64encode(plaintext)[:16] not in sealed.encode()


def test_another_context_does_not_open(cipher, keys):
    sealed = seal(keys.public_key, PLAINTEXT, CONTEXT)
    with pytest.raises(SealError):
        unseal(unwrap_private_key(cipher, keys.wrapped_private_key, 1), sealed, "bids.sealed_content:8")


@pytest.mark.parametrize(
    "part, index", [(1, 0), (1, 31), (2, 0), (2, 12), (2, -1)], ids=["ephemeral-first", "ephemeral-last", "nonce", "ciphertext", "tag"]
)
def test_a_flipped_byte_does_not_open(cipher, keys, part, index):
    pieces = seal(keys.public_key, PLAINTEXT, CONTEXT).split(":")
    pieces[part] = flip(pieces[part], index)
    with pytest.raises(SealError):
        unseal(unwrap_private_key(cipher, keys.wrapped_private_key, 1), ":".join(pieces), CONTEXT)


@pytest.mark.parametrize(
    "sealed",
    ["", "x25519v1", "x25519v2:AAAA:AAAA", "x25519v1:not base64!:AAAA", "x25519v1:" + "A" * 44 + ":AAAA", "x25519v1:a:b:c"],
    ids=["empty", "prefix-only", "other-version", "bad-base64", "truncated", "extra-part"],
)
def test_a_malformed_sealed_value_is_a_seal_error(cipher, keys, sealed):
    with pytest.raises(SealError):
        unseal(unwrap_private_key(cipher, keys.wrapped_private_key, 1), sealed, CONTEXT)


def test_another_tenders_private_key_does_not_open(cipher, keys):
    other = new_tender_keys(cipher, 2)
    sealed = seal(keys.public_key, PLAINTEXT, CONTEXT)
    with pytest.raises(SealError):
        unseal(unwrap_private_key(cipher, other.wrapped_private_key, 2), sealed, CONTEXT)


def test_a_wrapped_key_does_not_unwrap_for_another_tender(cipher, keys):
    with pytest.raises(SealError):
        unwrap_private_key(cipher, keys.wrapped_private_key, 2)


def test_the_private_key_is_stored_only_wrapped(cipher, keys):
    private = unwrap_private_key(cipher, keys.wrapped_private_key, 1)
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    assert base64.b64encode(raw).decode() not in keys.wrapped_private_key
    assert keys.wrapped_private_key.startswith("v1:k1:")


def test_a_file_opens_with_its_own_key_only():
    data = os.urandom(4096)
    key, blob = seal_file(data)
    assert len(key) == 32
    assert data not in blob
    assert open_file(key, blob) == data

    other_key, _ = seal_file(data)
    with pytest.raises(SealError):
        open_file(other_key, blob)
    tampered = bytearray(blob)
    tampered[20] ^= 0x01
    with pytest.raises(SealError):
        open_file(key, bytes(tampered))
    with pytest.raises(SealError):
        open_file(key[:16], blob)
    with pytest.raises(SealError):
        open_file(key, blob[:20])


def test_the_file_key_travels_inside_the_sealed_content(cipher, keys):
    key, blob = seal_file(b"%PDF-1.7 drawings")
    sealed = seal(keys.public_key, canonical_json({"files": [{"key": base64.b64encode(key).decode()}]}).encode(), CONTEXT)
    opened = unseal(unwrap_private_key(cipher, keys.wrapped_private_key, 1), sealed, CONTEXT)
    file_key = base64.b64decode(json.loads(opened)["files"][0]["key"])
    assert open_file(file_key, blob) == b"%PDF-1.7 drawings"


def test_the_receipt_hash_is_the_sha256_of_the_canonical_json():
    content = {"price": Decimal("380000.00"), "days": 45, "bidder": "昆山路桥", "items": [{"unit": "m²", "qty": Decimal("1.500")}]}
    expected_json = '{"bidder":"昆山路桥","days":45,"items":[{"qty":"1.500","unit":"m²"}],"price":"380000.00"}'
    assert canonical_json(content) == expected_json
    assert content_hash(content) == hashlib.sha256(expected_json.encode("utf-8")).hexdigest()
    reordered = {"items": [{"qty": Decimal("1.500"), "unit": "m²"}], "bidder": "昆山路桥", "price": Decimal("380000.00"), "days": 45}
    assert content_hash(reordered) == content_hash(content)
    assert content_hash(content) == content_hash(content).lower()
    assert len(content_hash(content)) == 64


def test_the_receipt_hash_changes_with_the_content():
    assert content_hash({"price": Decimal("380000.00")}) != content_hash({"price": Decimal("380000.01")})
    # Decimals are hashed as written: the places a bidder gave are part of what it signed.
    assert content_hash({"price": Decimal("380000.00")}) != content_hash({"price": Decimal("380000.0")})
