"""The pass token: signed by the server, verified offline by kiosks, refused with a reason."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Container
from datetime import UTC, datetime, timedelta

import pytest
import qrcode
from hypothesis import given
from hypothesis import strategies as st

from shared.qr import (
    PREFIX,
    TOKEN_CHARS,
    PassFormatError,
    PassVerdict,
    VerdictCode,
    generate_key_pair,
    parse_pass,
    public_key_from_b64,
    public_key_to_b64,
    verify_pass,
)
from tests.frames import PassFactory

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _verify(
    factory: PassFactory,
    token: str,
    *,
    tenant_id: uuid.UUID | None = None,
    now: datetime = NOW,
    revoked_pass_ids: Container[uuid.UUID] = frozenset(),
) -> PassVerdict:
    """What a kiosk of ``factory``'s tenant (or of ``tenant_id``) decides at ``now``."""
    keys = factory.keyring().public_keys(factory.tenant_id)
    return verify_pass(
        token,
        keys,
        tenant_id=factory.tenant_id if tenant_id is None else tenant_id,
        now=now,
        revoked_pass_ids=revoked_pass_ids,
    )


def test_round_trip_and_a_compact_alphanumeric_qr() -> None:
    factory = PassFactory.create()
    claims = factory.claims(expires_at=NOW + timedelta(days=30))
    token = factory.token(claims)
    assert token.startswith(PREFIX) and len(token) == TOKEN_CHARS
    assert token == token.upper()  # QR alphanumeric mode: no lower case
    verdict = _verify(factory, token)
    assert verdict.ok and verdict.code is VerdictCode.OK
    assert verdict.claims == claims
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(token)
    code.make(fit=True)
    assert code.version <= 8  # 49×49 modules: readable off a phone by a cheap webcam


def test_a_changed_byte_anywhere_breaks_the_signature() -> None:
    factory = PassFactory.create()
    token = factory.token(factory.claims(expires_at=NOW + timedelta(days=3)))
    raw = bytearray(base64.b32decode(token[len(PREFIX) :] + "=" * (-len(token[len(PREFIX) :]) % 8)))
    for index in (len(raw) - 1, 60):  # in the signature, and in the payload's member id
        tampered = bytearray(raw)
        tampered[index] ^= 0x01
        text = PREFIX + base64.b32encode(bytes(tampered)).decode().rstrip("=")
        verdict = _verify(factory, text)
        assert not verdict.ok
        assert verdict.code in (VerdictCode.BAD_SIGNATURE, VerdictCode.OTHER_TENANT)


def test_another_key_with_the_same_key_id_is_a_forgery() -> None:
    factory = PassFactory.create()
    forger = PassFactory(factory.tenant_id, generate_key_pair()[0], factory.key_id)
    verdict = _verify(factory, forger.token(forger.claims(expires_at=NOW + timedelta(days=3))))
    assert (verdict.ok, verdict.code) == (False, VerdictCode.BAD_SIGNATURE)
    assert verdict.reason == "This pass's signature is not valid"


def test_unknown_key_other_tenant_revoked_and_expired() -> None:
    factory = PassFactory.create()
    soon = factory.claims(expires_at=NOW + timedelta(days=3))
    token = factory.token(soon)
    assert _verify(factory, token, tenant_id=uuid.uuid4()).code is VerdictCode.OTHER_TENANT
    unknown = verify_pass(token, {}, tenant_id=factory.tenant_id, now=NOW)
    assert unknown.code is VerdictCode.UNKNOWN_KEY
    revoked = _verify(factory, token, revoked_pass_ids={soon.pass_id})
    assert (revoked.code, revoked.reason) == (VerdictCode.REVOKED, "This pass has been revoked")
    expiry = NOW + timedelta(hours=1)
    expiring = factory.token(factory.claims(expires_at=expiry))
    assert _verify(factory, expiring, now=expiry - timedelta(seconds=1)).ok
    at_expiry = _verify(factory, expiring, now=expiry)
    assert at_expiry.code is VerdictCode.EXPIRED
    assert "expired on 1 March 2026" in at_expiry.reason


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "https://example.org/?pass=ZM1:AAAA",
        "zm1:" + "A" * (TOKEN_CHARS - 4),  # lower-case prefix
        PREFIX + "A" * 10,  # truncated
        PREFIX + "A" * (TOKEN_CHARS - len(PREFIX) + 8),  # too long
        PREFIX + "1" * (TOKEN_CHARS - len(PREFIX)),  # outside base32
        "ZM9:" + "A" * (TOKEN_CHARS - 4),  # a future format
    ],
)
def test_garbage_is_refused_with_a_reason_not_an_exception(text: str) -> None:
    factory = PassFactory.create()
    verdict = _verify(factory, text)
    assert not verdict.ok
    assert verdict.code in (VerdictCode.NOT_A_PASS, VerdictCode.UNSUPPORTED_VERSION)
    assert verdict.reason
    with pytest.raises(PassFormatError):
        parse_pass(text)


@given(
    st.one_of(
        st.text(max_size=200), st.binary(max_size=200).map(lambda b: PREFIX + b.hex().upper())
    )
)
def test_nothing_makes_verification_raise(text: str) -> None:
    factory = PassFactory.create()
    verdict = _verify(factory, text)
    assert not verdict.ok


def test_public_keys_travel_as_base64() -> None:
    _, public = generate_key_pair()
    assert public_key_from_b64(public_key_to_b64(public)) == public
    with pytest.raises(ValueError):
        public_key_from_b64("not base64!")
