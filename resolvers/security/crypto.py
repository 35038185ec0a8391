"""Field encryption (AES-256-GCM with key ids, so keys can rotate) and output masking."""

from __future__ import annotations

import base64
import os
from typing import overload

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "v1"


class DecryptionError(Exception):
    pass


class FieldCipher:
    """Encrypts one column value at a time. ``context`` (the column and the row's key, e.g.
    ``users.phone:42``) is bound as associated data, so a ciphertext copied into another
    column or another row does not decrypt. Each value names the key that sealed it
    (``v1:<key id>:<base64>``), so old values stay readable while new ones use the active key."""

    def __init__(self, keys: dict[str, bytes], active_key_id: str):
        if active_key_id not in keys:
            raise ValueError(f"active key {active_key_id!r} is not in the key ring")
        self._keys = {kid: AESGCM(key) for kid, key in keys.items()}
        self.active_key_id = active_key_id

    @overload
    def encrypt(self, plaintext: str, context: str) -> str: ...

    @overload
    def encrypt(self, plaintext: str | None, context: str) -> str | None: ...

    def encrypt(self, plaintext: str | None, context: str) -> str | None:
        if plaintext is None:
            return None
        nonce = os.urandom(12)
        sealed = self._keys[self.active_key_id].encrypt(nonce, plaintext.encode(), context.encode())
        return f"{PREFIX}:{self.active_key_id}:{base64.b64encode(nonce + sealed).decode()}"

    @overload
    def decrypt(self, stored: str, context: str) -> str: ...

    @overload
    def decrypt(self, stored: str | None, context: str) -> str | None: ...

    def decrypt(self, stored: str | None, context: str) -> str | None:
        if stored is None:
            return None
        try:
            version, kid, payload = stored.split(":", 2)
            if version != PREFIX:
                raise ValueError(version)
            raw = base64.b64decode(payload)
            return self._keys[kid].decrypt(raw[:12], raw[12:], context.encode()).decode()
        except (ValueError, KeyError, InvalidTag) as exc:
            raise DecryptionError(f"cannot decrypt {context}") from exc

    def key_id_of(self, stored: str | None) -> str | None:
        return stored.split(":", 2)[1] if stored else None

    def needs_rotation(self, stored: str | None) -> bool:
        return stored is not None and self.key_id_of(stored) != self.active_key_id


def mask_phone(phone: str | None) -> str | None:
    """13812345678 → 138****5678; short values keep only their last two characters."""
    if phone is None:
        return None
    if len(phone) >= 7:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:] if len(phone) > 7 else phone[:3] + "****"
    return "*" * max(len(phone) - 2, 0) + phone[-2:]


def mask_account(number: str | None) -> str | None:
    """6222021234567890123 → ****************0123 style: only the last four digits."""
    if number is None:
        return None
    return "*" * max(len(number) - 4, 0) + number[-4:]
