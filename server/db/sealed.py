"""Field-level encryption of health data at rest (screening answers, risk flags, coach
notes): AES-GCM under a key derived from the server's secret, bound to the row it belongs
to, so neither a copy of the database nor a row moved to another member reads in clear."""

from __future__ import annotations

import json
import os
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"zmos health data v1"
_NONCE = 12


class FieldSealer:
    """Seals and opens values; ``context`` names the row (table, tenant, id) it belongs to."""

    def __init__(self, secret_key: str) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
            secret_key.encode()
        )
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, *, context: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, plaintext, context.encode())

    def open(self, sealed: bytes, *, context: str) -> bytes:
        """cryptography.exceptions.InvalidTag if the value was changed or moved."""
        return self._aead.decrypt(sealed[:_NONCE], sealed[_NONCE:], context.encode())

    def seal_json(self, value: Any, *, context: str) -> bytes:
        return self.seal(json.dumps(value, separators=(",", ":")).encode(), context=context)

    def open_json(self, sealed: bytes, *, context: str) -> Any:
        return json.loads(self.open(sealed, context=context))
