"""Private signing keys are stored sealed with AES-GCM under a key derived from the server's
secret (HKDF), so a copy of the database alone cannot forge member passes."""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"zmos pass signing keys v1"
_NONCE = 12


def _aead(secret_key: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return AESGCM(key)


def seal(secret_key: str, plaintext: bytes, *, context: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    return nonce + _aead(secret_key).encrypt(nonce, plaintext, context)


def unseal(secret_key: str, sealed: bytes, *, context: bytes) -> bytes:
    return _aead(secret_key).decrypt(sealed[:_NONCE], sealed[_NONCE:], context)
