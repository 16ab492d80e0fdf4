"""The member QR pass: a compact server-signed token a kiosk can check offline.

Wire format (format version 1)::

    "ZM1:" + base32(payload + signature)          # RFC 4648 alphabet, no padding
    payload   = >B H 16s 16s 16s I                # 55 bytes
                version, key id, tenant id, member id, pass id, expiry (unix seconds, UTC)
    signature = Ed25519(private key, payload)     # 64 bytes

119 bytes become 191 base32 characters; with the prefix, 195 characters, all in the QR
alphanumeric set, which fit a version 8 (49×49 modules) code at error correction M.
A pass is valid up to, not including, its expiry second.
"""

from __future__ import annotations

import base64
import binascii
import enum
import logging
import re
import struct
import uuid
from collections.abc import Container, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.clock import ensure_utc

from .keys import MAX_KEY_ID, PublicKeyLike, load_public_key

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
PREFIX = f"ZM{FORMAT_VERSION}:"
_PAYLOAD = struct.Struct(">BH16s16s16sI")
SIGNATURE_BYTES = 64
TOKEN_BYTES = _PAYLOAD.size + SIGNATURE_BYTES
BODY_CHARS = -(-TOKEN_BYTES * 8 // 5)  # base32 characters without padding
TOKEN_CHARS = len(PREFIX) + BODY_CHARS
MAX_EXPIRY = 0xFFFF_FFFF

_FAMILY = re.compile(r"ZM(\d{1,3}):")
_BODY = re.compile(r"[A-Z2-7]+")


class PassFormatError(ValueError):
    """The text is not a well-formed ZMOS pass; ``str(error)`` says why."""


class UnsupportedPassVersion(PassFormatError):
    """A ZMOS pass in a format this code does not know (made by a newer ZMOS)."""


@dataclass(frozen=True)
class PassClaims:
    """What a pass says. ``expires_at`` is an aware UTC datetime in whole seconds."""

    tenant_id: uuid.UUID
    member_id: uuid.UUID
    pass_id: uuid.UUID
    expires_at: datetime
    key_id: int


class ParsedPass(NamedTuple):
    claims: PassClaims
    signature: bytes
    payload: bytes


class VerdictCode(enum.StrEnum):
    OK = "ok"
    NOT_A_PASS = "not_a_pass"
    UNSUPPORTED_VERSION = "unsupported_version"
    OTHER_TENANT = "other_tenant"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    REVOKED = "revoked"
    EXPIRED = "expired"


_REASONS = {
    VerdictCode.OK: "Valid pass",
    VerdictCode.NOT_A_PASS: "This code is not a ZMOS pass",
    VerdictCode.UNSUPPORTED_VERSION: "This pass needs a newer version of ZMOS on this kiosk",
    VerdictCode.OTHER_TENANT: "This pass belongs to another gym",
    VerdictCode.UNKNOWN_KEY: "Unknown signing key",
    VerdictCode.BAD_SIGNATURE: "This pass's signature is not valid",
    VerdictCode.REVOKED: "This pass has been revoked",
}


@dataclass(frozen=True)
class PassVerdict:
    """The kiosk's decision on a scanned pass. ``claims`` is set only when ``ok``."""

    ok: bool
    code: VerdictCode
    reason: str
    claims: PassClaims | None = None
    detail: str = ""
    """Technical detail for logs (e.g. why the format was refused); not for members."""


def _epoch_seconds(value: datetime) -> int:
    seconds = int(ensure_utc(value).timestamp())
    if not 0 <= seconds <= MAX_EXPIRY:
        raise ValueError(f"expiry {value.isoformat()} is outside 1970..2106")
    return seconds


def encode_payload(claims: PassClaims) -> bytes:
    """The signed bytes of a pass (``ValueError`` for claims that cannot be packed)."""
    if not 0 <= claims.key_id <= MAX_KEY_ID:
        raise ValueError(f"key id {claims.key_id} is outside 0..{MAX_KEY_ID}")
    return _PAYLOAD.pack(
        FORMAT_VERSION,
        claims.key_id,
        claims.tenant_id.bytes,
        claims.member_id.bytes,
        claims.pass_id.bytes,
        _epoch_seconds(claims.expires_at),
    )


def sign_pass(private_key: Ed25519PrivateKey, claims: PassClaims) -> str:
    """The QR text of a pass: prefix + base32(payload + Ed25519 signature)."""
    payload = encode_payload(claims)
    body = base64.b32encode(payload + private_key.sign(payload)).decode("ascii").rstrip("=")
    return PREFIX + body


def looks_like_pass(text: str) -> bool:
    """Whether ``text`` claims to be a ZMOS pass (any format version), however damaged."""
    return isinstance(text, str) and _FAMILY.match(text.strip()) is not None


def _decode_body(body: str) -> bytes:
    if len(body) != BODY_CHARS:
        size = "short" if len(body) < BODY_CHARS else "long"
        raise PassFormatError(
            f"too {size}: {len(body)} characters after the prefix, not {BODY_CHARS}"
        )
    if not _BODY.fullmatch(body):
        raise PassFormatError("characters outside the base32 alphabet (A-Z, 2-7)")
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except binascii.Error as exc:
        raise PassFormatError(f"not base32: {exc}") from None
    if base64.b32encode(raw).decode("ascii").rstrip("=") != body:
        raise PassFormatError("non-canonical base32 (stray trailing bits)")
    return raw


def parse_pass(text: str) -> ParsedPass:
    """Split a pass into claims, signature and signed payload, checking only its format.

    Raises :class:`PassFormatError` (or :class:`UnsupportedPassVersion`) for anything else.
    The signature is *not* checked: use :func:`verify_pass`.
    """
    if not isinstance(text, str):
        raise PassFormatError(f"expected text, got {type(text).__name__}")
    text = text.strip()
    family = _FAMILY.match(text)
    if family is None:
        raise PassFormatError(f"does not start with {PREFIX!r}")
    if family.group(0) != PREFIX:
        raise UnsupportedPassVersion(f"format version {family.group(1)} is not supported")
    raw = _decode_body(text[len(PREFIX) :])
    payload, signature = raw[: _PAYLOAD.size], raw[_PAYLOAD.size :]
    version, key_id, tenant, member, pass_id, expiry = _PAYLOAD.unpack(payload)
    if version != FORMAT_VERSION:
        raise PassFormatError(f"payload says format version {version}, prefix says {PREFIX!r}")
    claims = PassClaims(
        tenant_id=uuid.UUID(bytes=tenant),
        member_id=uuid.UUID(bytes=member),
        pass_id=uuid.UUID(bytes=pass_id),
        expires_at=datetime.fromtimestamp(expiry, UTC),
        key_id=key_id,
    )
    return ParsedPass(claims, signature, payload)


def _refuse(code: VerdictCode, detail: str = "", reason: str | None = None) -> PassVerdict:
    return PassVerdict(False, code, reason or _REASONS[code], None, detail)


def _expired_reason(expires_at: datetime, tz: tzinfo) -> str:
    local = expires_at.astimezone(tz)
    return f"This pass expired on {local.day} {local:%B %Y}"


def verify_pass(
    text: str,
    public_keys: Mapping[int, PublicKeyLike],
    *,
    tenant_id: uuid.UUID,
    now: datetime,
    revoked_pass_ids: Container[uuid.UUID] = frozenset(),
    tz: tzinfo = UTC,
) -> PassVerdict:
    """Decide offline whether ``text`` admits a member of ``tenant_id`` at ``now``. Never raises.

    Checks, in order: format, tenant, key id, signature, revocation, expiry. ``public_keys``
    are the tenant's keys by key id; ``tz`` is the zone the expiry date is shown in.
    """
    try:
        claims, signature, payload = parse_pass(text)
    except UnsupportedPassVersion as exc:
        return _refuse(VerdictCode.UNSUPPORTED_VERSION, str(exc))
    except PassFormatError as exc:
        return _refuse(VerdictCode.NOT_A_PASS, str(exc))
    if claims.tenant_id != tenant_id:
        return _refuse(VerdictCode.OTHER_TENANT, f"tenant {claims.tenant_id}")
    key = public_keys.get(claims.key_id)
    if key is None:
        return _refuse(VerdictCode.UNKNOWN_KEY, f"key id {claims.key_id}")
    try:
        load_public_key(key).verify(signature, payload)
    except InvalidSignature:
        return _refuse(VerdictCode.BAD_SIGNATURE, f"pass {claims.pass_id}")
    except (ValueError, TypeError) as exc:  # a damaged key in the keyring
        log.warning("Public key %s of tenant %s is unusable: %s", claims.key_id, tenant_id, exc)
        return _refuse(VerdictCode.UNKNOWN_KEY, f"key id {claims.key_id} is unusable: {exc}")
    if claims.pass_id in revoked_pass_ids:
        return _refuse(VerdictCode.REVOKED, f"pass {claims.pass_id}")
    if ensure_utc(now) >= claims.expires_at:
        reason = _expired_reason(claims.expires_at, tz)
        return _refuse(VerdictCode.EXPIRED, f"pass {claims.pass_id}", reason)
    return PassVerdict(True, VerdictCode.OK, _REASONS[VerdictCode.OK], claims)
