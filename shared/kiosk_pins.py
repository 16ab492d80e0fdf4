"""Staff PINs a kiosk can check offline without its disk giving them away.

Threat model. A kiosk's SQLite store is a file anyone who takes the machine can copy. It
holds, per staff member, a *PIN verifier*: the argon2 parameters and salt of the PIN's hash
on the server, and HMAC-SHA256(device PIN key, raw argon2 output) in place of that output.
The device PIN key is derived from the device secret, which lives in the OS keyring and is
never written to the store.

- The store alone: every guess of a PIN needs the device key to be compared with the stored
  tag, and the key is 256 bits nobody can guess, so no PIN (not even a 4-digit one) can be
  recovered or checked offline.
- The store and the keyring (the whole unlocked machine): the same as an argon2 hash of the
  PIN, i.e. what kiosks held before; PINs of owners and managers are at least 6 digits, and
  owners' PINs reach kiosks only when the owner asks.
- The server holds the argon2 hash and each device's PIN key: a stolen server database was
  already enough to attack the hashes, so nothing is lost there.

A kiosk whose device secret is kept in a file (no OS keyring, announced by a warning) keeps
the key on the same disk: the protection above needs the keyring.

Finding whose PIN was typed. Each PIN hash has its own salt, so telling whose PIN it is
from the verifiers alone takes one argon2 computation per staff member. The server therefore
also keeps a *PIN index* per staff member (:func:`pin_index`): an argon2 hash of the PIN
with a salt shared by the whole tenant, and kiosks get it keyed the same way
(:func:`keyed_verifier`) as a *lookup*. A kiosk computes the PIN's argon2 hash once, keys
it, and compares the tag with every lookup (HMACs, not argon2). The threat model above is
unchanged for the store alone (every lookup is keyed); with the store and the keyring, one
argon2 computation per guess tests a guess against all staff at once, rather than one
staff member, which is why the lookups never leave the keyring's protection.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

#: The marker of a keyed verifier, in place of argon2's ``$argon2id$`` prefix.
VERIFIER_PREFIX = "zmos-pin1"
_KEY_LABEL = b"zmos kiosk staff PIN key v1"
_TYPES = ("argon2id", "argon2i", "argon2d")


def pin_key_from_secret(device_secret: str) -> bytes:
    """The device's PIN key: only the holder of the device secret can compute it."""
    return hmac.new(device_secret.encode(), _KEY_LABEL, hashlib.sha256).digest()


def _b64decode(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


@dataclass(frozen=True)
class _Parts:
    type: str
    version: int
    memory_cost: int
    time_cost: int
    parallelism: int
    salt: bytes
    digest: bytes

    def params(self) -> str:
        return f"m={self.memory_cost},t={self.time_cost},p={self.parallelism}"


def _parse(encoded: str, prefix: str | None) -> _Parts | None:
    """The parts of ``$[prefix$]type$v=N$m=..,t=..,p=..$salt$digest``, or None."""
    fields = encoded.split("$")
    if prefix is not None:
        if len(fields) != 7 or fields[0] or fields[1] != prefix:
            return None
        fields = fields[1:]
    elif len(fields) != 6 or fields[0]:
        return None
    _, kind, version, params, salt, digest = fields
    try:
        if kind not in _TYPES or not version.startswith("v="):
            return None
        costs = dict(item.split("=", 1) for item in params.split(","))
        parts = _Parts(
            type=kind,
            version=int(version[2:]),
            memory_cost=int(costs["m"]),
            time_cost=int(costs["t"]),
            parallelism=int(costs["p"]),
            salt=_b64decode(salt),
            digest=_b64decode(digest),
        )
    except (ValueError, KeyError):
        return None
    return parts if parts.salt and parts.digest else None


def keyed_verifier(pin_hash: str | None, key: bytes | None) -> str | None:
    """What one device may hold of a PIN's argon2 hash: None without a hash or a key."""
    if not pin_hash or not key:
        return None
    parts = _parse(pin_hash, None)
    if parts is None:
        return None
    tag = hmac.new(key, parts.digest, hashlib.sha256).digest()
    return (
        f"${VERIFIER_PREFIX}${parts.type}$v={parts.version}${parts.params()}"
        f"${_b64encode(parts.salt)}${_b64encode(tag)}${len(parts.digest)}"
    )


def _parse_verifier(verifier: str) -> tuple[_Parts, int] | None:
    head, sep, length = verifier.rpartition("$")
    if not sep or not length.isdigit() or not 4 <= int(length) <= 1024:
        return None
    parts = _parse(head, VERIFIER_PREFIX)
    return None if parts is None else (parts, int(length))


def verify_pin(verifier: str | None, key: bytes | None, pin: str) -> bool:
    """Whether ``pin`` is the PIN behind ``verifier``; always False without the key."""
    if not verifier or not key or not pin:
        return False
    parsed = _parse_verifier(verifier)
    if parsed is None:
        return False
    parts, length = parsed
    from argon2.low_level import Type, hash_secret_raw

    digest = hash_secret_raw(
        pin.encode(),
        parts.salt,
        time_cost=parts.time_cost,
        memory_cost=parts.memory_cost,
        parallelism=parts.parallelism,
        hash_len=length,
        type={"argon2id": Type.ID, "argon2i": Type.I, "argon2d": Type.D}[parts.type],
        version=parts.version,
    )
    tag = hmac.new(key, digest, hashlib.sha256).digest()
    return hmac.compare_digest(tag, parts.digest)


_INDEX_LABEL = b"zmos staff PIN index v1"


def tenant_pin_salt(tenant_id: uuid.UUID) -> bytes:
    """The salt of every PIN index of one tenant (it needs no secrecy, only to differ
    between tenants)."""
    return hashlib.sha256(_INDEX_LABEL + tenant_id.bytes).digest()[:16]


def _raw(pin: str, parts: _Parts, salt: bytes, length: int) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(
        pin.encode(),
        salt,
        time_cost=parts.time_cost,
        memory_cost=parts.memory_cost,
        parallelism=parts.parallelism,
        hash_len=length,
        type={"argon2id": Type.ID, "argon2i": Type.I, "argon2d": Type.D}[parts.type],
        version=parts.version,
    )


def pin_index(pin: str, tenant_id: uuid.UUID, like: str) -> str | None:
    """The tenant-wide index of ``pin``: an encoded argon2 hash with the costs of the PIN
    hash ``like`` and the tenant's salt (equal PINs of one tenant give equal indexes)."""
    parts = _parse(like, None)
    if parts is None:
        return None
    salt = tenant_pin_salt(tenant_id)
    digest = _raw(pin, parts, salt, len(parts.digest))
    return (
        f"${parts.type}$v={parts.version}${parts.params()}${_b64encode(salt)}${_b64encode(digest)}"
    )


def lookup_tags(pin: str, key: bytes | None, lookups: Iterable[str | None]) -> dict[str, bytes]:
    """For each distinct form of keyed lookup (costs and salt), the tag ``pin`` would have:
    one argon2 computation per form, normally one for a whole tenant."""
    tags: dict[str, bytes] = {}
    if not key or not pin:
        return tags
    for lookup in lookups:
        parsed = _parse_verifier(lookup) if lookup else None
        if parsed is None:
            continue
        parts, length = parsed
        form = _form(parts, length)
        if form not in tags:
            tags[form] = hmac.new(
                key, _raw(pin, parts, parts.salt, length), hashlib.sha256
            ).digest()
    return tags


def lookup_matches(lookup: str | None, tags: dict[str, bytes]) -> bool:
    """Whether the keyed lookup holds one of ``tags`` (from :func:`lookup_tags`)."""
    parsed = _parse_verifier(lookup) if lookup else None
    if parsed is None:
        return False
    parts, length = parsed
    tag = tags.get(_form(parts, length))
    return tag is not None and hmac.compare_digest(tag, parts.digest)


def _form(parts: _Parts, length: int) -> str:
    return f"{parts.type}${parts.version}${parts.params()}${_b64encode(parts.salt)}${length}"
