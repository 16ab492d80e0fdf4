"""Plain rules of the server: login throttling, roles, codes and secrets, tokens."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from server.adapters.in_person_payments import InPersonPayments
from server.adapters.local_identity import LocalIdentity
from server.devices import rules as device_rules
from server.ports.identity import AccessClaims, InvalidToken
from server.ports.payments import PaymentRequest
from server.signins import rules as signin_rules
from server.staff import rules
from server.tenants.rules import check_slug, check_timezone
from shared.enums import PrincipalKind, StaffRole

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_throttle_locks_after_the_limit_and_forgets_old_failures() -> None:
    state = None
    for _ in range(4):
        state = signin_rules.after_failure(state, NOW, max_failures=5, lockout_seconds=900)
        assert state.locked_until is None
    state = signin_rules.after_failure(state, NOW, max_failures=5, lockout_seconds=900)
    assert state.locked_until == NOW + timedelta(seconds=900)
    assert signin_rules.seconds_locked(state, NOW) == 900
    assert signin_rules.seconds_locked(state, NOW + timedelta(seconds=901)) == 0
    # Failures long ago start a new window.
    later = signin_rules.after_failure(
        state, NOW + timedelta(hours=1), max_failures=5, lockout_seconds=900
    )
    assert later.failures == 1 and later.locked_until is None


def test_who_may_manage_whom() -> None:
    assert rules.may_manage(StaffRole.OWNER, StaffRole.OWNER)
    assert rules.may_manage(StaffRole.MANAGER, StaffRole.FRONT_DESK)
    assert not rules.may_manage(StaffRole.MANAGER, StaffRole.OWNER)
    assert not rules.may_manage(StaffRole.FRONT_DESK, StaffRole.COACH)
    assert not rules.may_manage(StaffRole.COACH, StaffRole.COACH)


def test_enrolment_codes_round_trip_and_tolerate_sloppy_typing() -> None:
    code, code_hash = device_rules.new_enrolment_code("my-gym")
    slug, secret = device_rules.parse_enrolment_code(code) or ("", "")
    assert slug == "my-gym"
    assert device_rules.code_hash(secret) == code_hash
    sloppy = code.split(".")[1].lower().replace("-", " ").replace("1", "l").replace("0", "o")
    assert device_rules.parse_enrolment_code(f"  my-gym.{sloppy} ") == (slug, secret)
    for bad in ("", "my-gym", "my-gym.ABC", "my-gym.UUUU-UUUU-UUUU", ".AAAA-BBBB-CCCC"):
        assert device_rules.parse_enrolment_code(bad) is None


def test_device_secrets_name_their_tenant() -> None:
    tenant = uuid.uuid4()
    secret, secret_hash = device_rules.new_device_secret(tenant)
    assert device_rules.parse_device_secret(secret) == (tenant, secret_hash)
    for bad in ("zd.nothex.x", "xx.abc.def", "zd." + tenant.hex + ".", "garbage"):
        assert device_rules.parse_device_secret(bad) is None


def test_slugs_and_time_zones() -> None:
    assert check_slug("north-gym-2") == "north-gym-2"
    for bad in ("-gym", "gym-", "Gym", "g", "gym_1", "a" * 64):
        with pytest.raises(ValueError):
            check_slug(bad)
    # The member app's own pages: /app/pass must stay the pass, not a provider's page.
    for taken in ("pass", "timetable", "account"):
        with pytest.raises(ValueError, match="member app uses"):
            check_slug(taken)
    assert check_timezone("America/New_York") == "America/New_York"
    with pytest.raises(ValueError, match="IANA"):
        check_timezone("EST5EDT+nonsense")


def test_tokens_carry_claims_and_refuse_tampering() -> None:
    identity = LocalIdentity("a-secret-key-long-enough-for-hs256-0123456789")
    claims = AccessClaims(
        kind=PrincipalKind.DEVICE,
        subject_id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        location_id=uuid.uuid4(),
    )
    token, expires = identity.issue_access_token(claims, 60)
    read = identity.read_access_token(token)
    assert (read.kind, read.subject_id, read.tenant_id, read.location_id, read.role) == (
        claims.kind,
        claims.subject_id,
        claims.tenant_id,
        claims.location_id,
        None,
    )
    assert expires > datetime.now(UTC)
    header, payload, signature = token.split(".")
    with pytest.raises(InvalidToken):
        identity.read_access_token(f"{header}.{payload}.{signature[::-1]}")
    with pytest.raises(InvalidToken):
        identity.read_access_token("not.a.token")


def test_a_token_read_before_still_expires_on_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Checked tokens are remembered; their expiry is not."""
    identity = LocalIdentity("a-secret-key-long-enough-for-hs256-0123456789")
    claims = AccessClaims(kind=PrincipalKind.STAFF, subject_id=uuid.uuid4(), tenant_id=uuid.uuid4())
    token, expires = identity.issue_access_token(claims, 60)
    assert identity.read_access_token(token).subject_id == claims.subject_id
    assert identity.read_access_token(token).subject_id == claims.subject_id  # remembered
    monkeypatch.setattr("server.adapters.local_identity.time.time", lambda: expires.timestamp() + 1)
    with pytest.raises(InvalidToken, match="expired"):
        identity.read_access_token(token)
    # A token that fails its check is never remembered as good.
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for _ in range(2):
        with pytest.raises(InvalidToken, match="not valid"):
            identity.read_access_token(forged)


def test_password_hashing() -> None:
    identity = LocalIdentity("k" * 40)
    hashed = identity.hash_password("s3cret-passphrase")
    assert hashed.startswith("$argon2id$")
    assert identity.verify_password(hashed, "s3cret-passphrase")
    assert not identity.verify_password(hashed, "wrong")
    assert not identity.verify_password("not-a-hash", "wrong")


def test_desk_payments_are_idempotent_by_key() -> None:
    key = uuid.uuid4()
    payments = InPersonPayments()
    request = PaymentRequest(uuid.uuid4(), key, Decimal("10.00"), "GHS", "cash", "day pass")
    assert payments.charge(request).payment_id == key
    assert payments.charge(request).succeeded
    online = PaymentRequest(uuid.uuid4(), key, request.amount, "GHS", "paypal", "day pass")
    refused = payments.charge(online)
    assert not refused.succeeded and "not taken at the desk" in (refused.reason or "")


def test_location_scope_travels_in_the_token_and_decides_what_is_seen() -> None:
    identity = LocalIdentity("a-secret-key-long-enough-for-hs256-0123456789")
    london, accra = uuid.uuid4(), uuid.uuid4()
    limited = AccessClaims(
        kind=PrincipalKind.STAFF,
        subject_id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        role=StaffRole.MANAGER,
        location_ids=frozenset({london}),
    )
    read = identity.read_access_token(identity.issue_access_token(limited, 60)[0])
    assert read.location_ids == frozenset({london})
    assert read.sees_location(london) and not read.sees_location(accra)
    wide = AccessClaims(kind=PrincipalKind.STAFF, subject_id=uuid.uuid4(), tenant_id=uuid.uuid4())
    read = identity.read_access_token(identity.issue_access_token(wide, 60)[0])
    assert read.location_ids is None and read.sees_location(accra)


def test_a_pin_works_at_the_kiosks_of_the_role_s_locations() -> None:
    london, accra = uuid.uuid4(), uuid.uuid4()
    # Limited to Accra: Accra only, whatever the home location.
    assert rules.works_at(london, frozenset({accra}), accra)
    assert not rules.works_at(london, frozenset({accra}), london)
    # Tenant-wide: the home location, or everywhere without one.
    assert rules.works_at(london, None, london) and not rules.works_at(london, None, accra)
    assert rules.works_at(None, None, accra)
