"""Fresh secrets for ``smallworks gen-keys``."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def new_jwt_secret() -> str:
    """An HS256 key: 48 random bytes (384 bits, above the hash's 256), URL-safe text of 64
    characters, so it needs no quoting in an env file or a shell."""
    return secrets.token_urlsafe(48)


def new_data_key() -> bytes:
    """An AES-256-GCM key for field encryption."""
    return AESGCM.generate_key(bit_length=256)


def next_key_id(ring: dict[str, bytes]) -> str:
    """A key id that says when the key was made (``k20261126``), unique within ``ring``."""
    base = "k" + datetime.now(UTC).strftime("%Y%m%d")
    kid, n = base, 1
    while kid in ring:
        n += 1
        kid = f"{base}-{n}"
    return kid


def new_checkpoint_key(algorithm: str = "ed25519") -> str:
    """A private key that signs checkpoints of the audit chain: the raw key, base64 (no
    character of it needs quoting)."""
    from resolvers.security.signing import encode, generate_key

    return encode(generate_key(algorithm).private_key)
