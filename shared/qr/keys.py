"""Ed25519 key helpers for QR passes: make keys, move public keys around, name them."""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PUBLIC_KEY_BYTES = 32
MAX_KEY_ID = 0xFFFF

PublicKeyLike = Ed25519PublicKey | bytes
"""What a keyring may hold: a loaded public key or its raw 32 bytes."""


def generate_key_pair() -> tuple[Ed25519PrivateKey, Ed25519PublicKey]:
    """A new Ed25519 signing key and its public key."""
    private_key = Ed25519PrivateKey.generate()
    return private_key, private_key.public_key()


def public_key_to_raw(public_key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_from_raw(raw: bytes) -> Ed25519PublicKey:
    """Load a public key from its 32 raw bytes; ``ValueError`` when they are not one."""
    if len(raw) != PUBLIC_KEY_BYTES:
        raise ValueError(f"an Ed25519 public key is {PUBLIC_KEY_BYTES} bytes, not {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def public_key_to_b64(public_key: Ed25519PublicKey) -> str:
    """The public key as standard base64 text, for JSON."""
    return base64.b64encode(public_key_to_raw(public_key)).decode("ascii")


def public_key_from_b64(text: str) -> Ed25519PublicKey:
    """Load a public key from :func:`public_key_to_b64` text; ``ValueError`` when it is not."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("not base64 text") from None
    return public_key_from_raw(raw)


def load_public_key(key: PublicKeyLike) -> Ed25519PublicKey:
    """Accept either form a keyring may hold."""
    if isinstance(key, Ed25519PublicKey):
        return key
    return public_key_from_raw(bytes(key))


def key_id_for(public_key: Ed25519PublicKey) -> int:
    """A default 16-bit key id derived from the public key (the server may number keys itself).

    Collisions are possible in principle (1 in 65,536 for two keys); a tenant has a handful of
    keys, and whoever assigns ids must check the tenant's existing ones.
    """
    digest = hashlib.sha256(public_key_to_raw(public_key)).digest()
    return int.from_bytes(digest[:2], "big")
