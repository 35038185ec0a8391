"""Sealed bids: envelope encryption to a per-tender key, so nobody reads a bid before opening.

Each tender has an X25519 key pair. Its public key is stored in clear, so the service can seal
a bid the moment it is submitted; its private key is stored only wrapped by the service's
``FieldCipher`` (bound to the tender's id) and is unwrapped at opening. A bid's content is sealed
ECIES-style: an ephemeral X25519 key agrees a secret with the tender's public key, HKDF-SHA256
turns it into an AES-256-GCM key, and the caller's ``context`` is bound as associated data so a
sealed value copied to another bid or tender does not open. Attached files are encrypted under
a fresh random key each; that key travels inside the sealed content, so it is sealed too.

Nothing here touches the database; the service stores the strings this module returns.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from resolvers.core.audit import canonical_json
from resolvers.security.crypto import DecryptionError, FieldCipher

SEALED_PREFIX = "x25519v1"
HKDF_INFO = b"smallworks bid v1"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16

_RAW = serialization.Encoding.Raw
_RAW_PUBLIC = serialization.PublicFormat.Raw
_RAW_PRIVATE = serialization.PrivateFormat.Raw


class SealError(Exception):
    """A sealed value or file that does not open: tampered, under another context, or for
    another key. Deliberately says no more, so it cannot serve as an oracle."""


@dataclass(frozen=True)
class TenderKeys:
    """What the service stores for a tender: the public key in clear (base64 of the raw 32
    bytes) and the private key wrapped by the field cipher."""

    public_key: str
    wrapped_private_key: str


def _key_context(tender_id: int) -> str:
    return f"tenders.sealing_key:{tender_id}"


def _b64decode(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def new_tender_keys(cipher: FieldCipher, tender_id: int) -> TenderKeys:
    """A fresh key pair for one tender. The private key leaves this function only wrapped,
    bound to ``tender_id``, so a wrapped key copied to another tender does not unwrap."""
    private_key = X25519PrivateKey.generate()
    public_raw = private_key.public_key().public_bytes(_RAW, _RAW_PUBLIC)
    private_raw = private_key.private_bytes(_RAW, _RAW_PRIVATE, serialization.NoEncryption())
    wrapped = cipher.encrypt(base64.b64encode(private_raw).decode("ascii"), _key_context(tender_id))
    return TenderKeys(public_key=base64.b64encode(public_raw).decode("ascii"), wrapped_private_key=wrapped)


def unwrap_private_key(cipher: FieldCipher, keys_wrapped: str, tender_id: int) -> X25519PrivateKey:
    """The tender's private key, for opening. Raises ``SealError`` if the wrapped key does not
    belong to ``tender_id`` or was altered."""
    try:
        raw = _b64decode(cipher.decrypt(keys_wrapped, _key_context(tender_id)))
        return X25519PrivateKey.from_private_bytes(raw)
    except (DecryptionError, ValueError) as exc:
        raise SealError(f"cannot unwrap the sealing key of tender {tender_id}") from exc


def _aead_key(shared_secret: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=HKDF_INFO).derive(shared_secret)


def seal(public_key: str, plaintext: bytes, context: str) -> str:
    """``plaintext`` encrypted to the tender's public key, as
    ``x25519v1:<base64 ephemeral public key>:<base64 nonce + ciphertext>``. Only the private
    key opens it, so the service can seal at submission without being able to read the bid.
    A malformed ``public_key`` is the caller's bug and raises ``ValueError``."""
    recipient = X25519PublicKey.from_public_bytes(_b64decode(public_key))
    ephemeral = X25519PrivateKey.generate()
    key = _aead_key(ephemeral.exchange(recipient))
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, context.encode("utf-8"))
    ephemeral_public = ephemeral.public_key().public_bytes(_RAW, _RAW_PUBLIC)
    return f"{SEALED_PREFIX}:{base64.b64encode(ephemeral_public).decode('ascii')}:{base64.b64encode(nonce + ciphertext).decode('ascii')}"


def unseal(private_key: X25519PrivateKey, sealed: str, context: str) -> bytes:
    """The plaintext of a value made by ``seal``. Any change to it, another ``context`` or
    another tender's key raises ``SealError``."""
    try:
        prefix, ephemeral_b64, payload_b64 = sealed.split(":")
        if prefix != SEALED_PREFIX:
            raise ValueError(prefix)
        ephemeral_raw = _b64decode(ephemeral_b64)
        payload = _b64decode(payload_b64)
        if len(ephemeral_raw) != KEY_BYTES or len(payload) < NONCE_BYTES + TAG_BYTES:
            raise ValueError("truncated")
        # exchange() refuses a low-order ephemeral key (an all-zero secret) with ValueError.
        key = _aead_key(private_key.exchange(X25519PublicKey.from_public_bytes(ephemeral_raw)))
        return AESGCM(key).decrypt(payload[:NONCE_BYTES], payload[NONCE_BYTES:], context.encode("utf-8"))
    except (ValueError, InvalidTag) as exc:  # binascii.Error and UnicodeError are ValueErrors
        raise SealError("the sealed value does not open") from exc


def seal_file(data: bytes) -> tuple[bytes, bytes]:
    """``(file key, nonce + ciphertext)`` under a fresh AES-256-GCM key. One key per file, so
    the key can travel inside the bid's sealed content and the large blob is stored once."""
    key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(NONCE_BYTES)
    return key, nonce + AESGCM(key).encrypt(nonce, data, None)


def open_file(file_key: bytes, blob: bytes) -> bytes:
    """The file sealed by ``seal_file``; ``SealError`` if the key or the blob is wrong."""
    if len(file_key) != KEY_BYTES or len(blob) < NONCE_BYTES + TAG_BYTES:
        raise SealError("the sealed file does not open")
    try:
        return AESGCM(file_key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], None)
    except InvalidTag as exc:
        raise SealError("the sealed file does not open") from exc


def content_hash(content: dict[str, Any]) -> str:
    """The receipt hash of a bid's content: SHA-256 (lower-case hex) of its canonical JSON
    (sorted keys, no spaces, UTF-8, Decimals as strings), which a bidder can recompute from
    what it submitted without trusting the service."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()
