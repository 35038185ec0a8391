"""Electronic signatures (电子签章) over a contract's content hash: Ed25519, or SM2 with SM3.

Each organisation picks one algorithm. Its key is either made here (the caller stores the
private key encrypted) or registered by the organisation, which then signs on its own device
and uploads the signature. What is signed is the 32-byte SHA-256 digest of the contract's
canonical content; the caller passes those bytes as ``message``.

Keys and signatures cross this module as raw bytes in one fixed form per algorithm, so a
stored value has one spelling and a key id is stable:

- ``ed25519``: 32-byte private key, 32-byte public key, 64-byte signature (RFC 8032).
- ``sm2-sm3``: 32-byte private scalar, 65-byte uncompressed point ``04‖x‖y``, 64-byte
  ``r‖s`` (each 32 bytes big-endian) on the recommended curve of GB/T 32918.5. The signer's
  distinguishing ID is the GM/T 0009 default ``1234567812345678``, and SM2 hashes
  ``Z‖M`` with SM3 itself, so a USB key or device signing with its defaults produces a
  signature that verifies here.

What people paste (base64 or hex; a compressed SM2 point; an Ed25519 PEM key; the DER
``SEQUENCE {r, s}`` most SM2 devices output) is turned into that form by ``parse_public_key``
and ``parse_signature``, which say what is wrong with a short reason code. ``verify`` answers
only True or False, whatever it is given.

Nothing here touches the database.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from gmalg import SM2
from gmalg.base import PC_MODE
from gmalg.errors import GMError
from gmalg.sm2 import bytes_to_point, point_to_bytes

ED25519 = "ed25519"
SM2_SM3 = "sm2-sm3"
ALGORITHMS: tuple[str, ...] = (ED25519, SM2_SM3)

SM2_DEFAULT_ID = b"1234567812345678"
# The recommended curve's field prime and group order (GB/T 32918.5); its cofactor is 1, so
# every point on the curve but infinity is a valid public key.
SM2_P = 0xFFFFFFFE_FFFFFFFF_FFFFFFFF_FFFFFFFF_FFFFFFFF_00000000_FFFFFFFF_FFFFFFFF
SM2_N = 0xFFFFFFFE_FFFFFFFF_FFFFFFFF_FFFFFFFF_7203DF6B_21C6052B_53BBF409_39D54123

SCALAR_BYTES = 32
SIGNATURE_BYTES = 64

# Reason codes of SignatureFormatError, with the text shown to a person.
REASONS = {
    "algorithm": f"is for an unknown algorithm (known: {', '.join(ALGORITHMS)})",
    "encoding": "is neither base64 nor hex of a key or signature in a known form",
    "length": "has the wrong length for this algorithm",
    "point_format": "is not an SM2 point (it must start with 04, or 02/03 when compressed)",
    "not_on_curve": "is not a point on the SM2 curve",
    "key_type": "is a key of another algorithm",
    "range": "is outside the range the algorithm allows",
}

_HEX = re.compile(r"[0-9a-fA-F]+")
_WHITESPACE = re.compile(r"\s+")


class SignatureFormatError(ValueError):
    """A key or signature that is not in a form this module reads. ``reason`` is one of
    ``REASONS``: a stable code for the caller to map to its own message."""

    def __init__(self, reason: str) -> None:
        super().__init__(REASONS.get(reason, reason))
        self.reason = reason


@dataclass(frozen=True)
class KeyPair:
    private_key: bytes
    public_key: bytes


def encode(b: bytes) -> str:
    """Base64 (standard alphabet, padded): how keys and signatures are stored and shown."""
    return base64.b64encode(b).decode("ascii")


def _check_algorithm(algorithm: str) -> None:
    if algorithm not in ALGORITHMS:
        raise SignatureFormatError("algorithm")


def generate_key(algorithm: str) -> KeyPair:
    """A fresh key pair for a key the server holds."""
    _check_algorithm(algorithm)
    if algorithm == ED25519:
        key = Ed25519PrivateKey.generate()
        return KeyPair(
            key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()),
            key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
        )
    # d in [1, n-2], as _check_private_key wants.
    private = (secrets.randbelow(SM2_N - 2) + 1).to_bytes(SCALAR_BYTES, "big")
    return KeyPair(private, derive_public_key(SM2_SM3, private))


def derive_public_key(algorithm: str, private_key: bytes) -> bytes:
    """The public key of a private key the server holds (raw form), e.g. to check a stored
    pair belongs together. A private key of the wrong length or out of range raises
    ``SignatureFormatError``."""
    _check_algorithm(algorithm)
    _check_private_key(algorithm, private_key)
    if algorithm == ED25519:
        public = Ed25519PrivateKey.from_private_bytes(private_key).public_key()
        return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return bytes(SM2().generate_pk(private_key))


def _check_private_key(algorithm: str, private_key: bytes) -> None:
    if len(private_key) != SCALAR_BYTES:
        raise SignatureFormatError("length")
    # d in [1, n-2]: SM2 signing divides by 1 + d, which n - 1 would make zero.
    if algorithm == SM2_SM3 and not 1 <= int.from_bytes(private_key, "big") <= SM2_N - 2:
        raise SignatureFormatError("range")


def sign(algorithm: str, private_key: bytes, message: bytes) -> bytes:
    """The signature of ``message`` (the 32-byte content digest) in the fixed raw form.
    A private key of the wrong length or out of range raises ``SignatureFormatError``."""
    _check_algorithm(algorithm)
    _check_private_key(algorithm, private_key)
    if algorithm == ED25519:
        return Ed25519PrivateKey.from_private_bytes(private_key).sign(message)
    r, s = SM2(sk=private_key, uid=SM2_DEFAULT_ID).sign(message)
    # gmalg gives r and s in as few bytes as they need; the stored form is 32 bytes each.
    return r.rjust(SCALAR_BYTES, b"\0") + s.rjust(SCALAR_BYTES, b"\0")


def verify(algorithm: str, public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is ``public_key``'s over ``message``. Never raises: an unknown
    algorithm, a key or signature of the wrong length, a point off the curve or any other
    garbage is simply not a valid signature."""
    if not all(isinstance(b, bytes) for b in (public_key, message, signature)) or len(signature) != SIGNATURE_BYTES:
        return False
    if algorithm == ED25519:
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
        except (ValueError, InvalidSignature):
            return False
        return True
    if algorithm == SM2_SM3:
        r = int.from_bytes(signature[:SCALAR_BYTES], "big")
        s = int.from_bytes(signature[SCALAR_BYTES:], "big")
        if not (1 <= r < SM2_N and 1 <= s < SM2_N):
            return False
        try:
            if _sm2_public_key(public_key) != public_key:  # only the uncompressed form is stored
                return False
            return bool(SM2(pk=public_key, uid=SM2_DEFAULT_ID).verify(message, signature[:SCALAR_BYTES], signature[SCALAR_BYTES:]))
        except (SignatureFormatError, GMError, ArithmeticError, ValueError):
            return False
    return False


def key_id(algorithm: str, public_key: bytes) -> str:
    """A stable fingerprint of a public key: the first 16 bytes of SHA-256 over
    ``algorithm‖0x00‖public key`` (raw form), in hex. The algorithm is part of it, so the
    same bytes under two algorithms are two keys."""
    _check_algorithm(algorithm)
    return hashlib.sha256(algorithm.encode("ascii") + b"\0" + public_key).digest()[:16].hex()


def _decode(text: str) -> list[bytes]:
    """The byte strings ``text`` can be read as: hex first (64 hex digits are also valid
    base64 of another length), then base64. Whitespace is ignored, so wrapped text pastes."""
    compact = _WHITESPACE.sub("", text)
    readings = []
    if _HEX.fullmatch(compact) and len(compact) % 2 == 0:
        readings.append(bytes.fromhex(compact))
    try:
        readings.append(base64.b64decode(compact, validate=True))
    except (binascii.Error, ValueError):
        pass
    if not compact or not readings:
        raise SignatureFormatError("encoding")
    return readings


def _pick(readings: list[bytes], *lengths: int) -> bytes:
    for raw in readings:
        if len(raw) in lengths:
            return raw
    raise SignatureFormatError("length")


def _sm2_public_key(raw: bytes) -> bytes:
    """The uncompressed form of an SM2 public key given uncompressed or compressed, checked
    to be a point of the curve."""
    if len(raw) == 65 and raw[0] == 0x04:
        x, y = int.from_bytes(raw[1:33], "big"), int.from_bytes(raw[33:], "big")
        if x >= SM2_P or y >= SM2_P or not SM2().verify_pk(raw):
            raise SignatureFormatError("not_on_curve")
        return raw
    if len(raw) == 33 and raw[0] in (0x02, 0x03):
        if int.from_bytes(raw[1:], "big") >= SM2_P:
            raise SignatureFormatError("not_on_curve")
        try:
            return _sm2_public_key(point_to_bytes(bytes_to_point(raw), PC_MODE.RAW))
        except GMError:  # x³ + ax + b has no square root: no point has this x
            raise SignatureFormatError("not_on_curve") from None
    if len(raw) in (33, 65):
        raise SignatureFormatError("point_format")
    raise SignatureFormatError("length")


def parse_public_key(algorithm: str, text: str) -> bytes:
    """The raw public key written in ``text``: base64 or hex of the raw form; for SM2 also a
    compressed point, for Ed25519 also a PEM SubjectPublicKeyInfo. Raises
    ``SignatureFormatError`` with the reason."""
    _check_algorithm(algorithm)
    if algorithm == ED25519:
        if text.lstrip().startswith("-----BEGIN"):
            try:
                key = serialization.load_pem_public_key(text.strip().encode("ascii"))
            except (ValueError, UnicodeEncodeError, UnsupportedAlgorithm):
                raise SignatureFormatError("encoding") from None
            if not isinstance(key, Ed25519PublicKey):
                raise SignatureFormatError("key_type")
            return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return _pick(_decode(text), 32)
    readings = _decode(text)
    return _sm2_public_key(_pick(readings, 65, 33))


def parse_signature(algorithm: str, text: str) -> bytes:
    """The raw signature written in ``text`` (base64 or hex); for SM2 also the DER
    ``SEQUENCE { INTEGER r, INTEGER s }`` of GM/T 0009, returned as 64-byte ``r‖s``. Raises
    ``SignatureFormatError`` with the reason."""
    _check_algorithm(algorithm)
    readings = _decode(text)
    if algorithm == SM2_SM3:
        for raw in readings:
            if raw[:1] == b"\x30":
                try:
                    r, s = decode_dss_signature(raw)
                except ValueError:
                    continue
                if max(r, s) >= 1 << (8 * SCALAR_BYTES):
                    raise SignatureFormatError("length")
                return r.to_bytes(SCALAR_BYTES, "big") + s.to_bytes(SCALAR_BYTES, "big")
    try:
        return _pick(readings, SIGNATURE_BYTES)
    except SignatureFormatError:
        if algorithm == SM2_SM3 and any(raw[:1] == b"\x30" for raw in readings):
            raise SignatureFormatError("encoding") from None  # a DER sequence that does not parse
        raise
