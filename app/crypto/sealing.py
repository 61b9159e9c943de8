"""AES-256-GCM sealing of small JSON documents, with key rotation.

Each configured key is any string; its 256-bit AES key is derived with HKDF-SHA256. A sealed
blob is `version (1) | key id (8) | nonce (12) | ciphertext+tag`, where the key id is a digest of
the derived key so decryption picks the right key without trying them all. The first key seals;
every key opens. Callers bind each blob to its row with `context` (GCM associated data), so a
blob copied onto another row or workspace does not open.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = 1
_KEY_ID_LEN = 8
_NONCE_LEN = 12


class DecryptionFailed(Exception):
    """The blob was sealed with no configured key, for another row, or was tampered with."""


def _derive(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"netledger credentials v1")
    return hkdf.derive(secret.encode())


class SecretBox:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one secret key is required")
        self._keys: list[tuple[bytes, AESGCM]] = []
        for secret in keys:
            derived = _derive(secret)
            key_id = hashlib.sha256(derived).digest()[:_KEY_ID_LEN]
            self._keys.append((key_id, AESGCM(derived)))

    def seal(self, document: dict[str, Any], context: str) -> bytes:
        key_id, aead = self._keys[0]
        nonce = os.urandom(_NONCE_LEN)
        plaintext = json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
        return bytes([_VERSION]) + key_id + nonce + aead.encrypt(nonce, plaintext, context.encode())

    def open(self, blob: bytes, context: str) -> dict[str, Any]:
        if len(blob) < 1 + _KEY_ID_LEN + _NONCE_LEN or blob[0] != _VERSION:
            raise DecryptionFailed("unknown sealed-credentials format")
        key_id = blob[1 : 1 + _KEY_ID_LEN]
        nonce = blob[1 + _KEY_ID_LEN : 1 + _KEY_ID_LEN + _NONCE_LEN]
        ciphertext = blob[1 + _KEY_ID_LEN + _NONCE_LEN :]
        for candidate_id, aead in self._keys:
            if candidate_id != key_id:
                continue
            try:
                plaintext = aead.decrypt(nonce, ciphertext, context.encode())
            except InvalidTag as exc:
                raise DecryptionFailed("credentials do not open with their key") from exc
            document: dict[str, Any] = json.loads(plaintext)
            return document
        raise DecryptionFailed("credentials were sealed with a key that is not configured")

    def is_current(self, blob: bytes) -> bool:
        """Whether the blob is sealed with the first (current) key."""
        return blob[1 : 1 + _KEY_ID_LEN] == self._keys[0][0]
