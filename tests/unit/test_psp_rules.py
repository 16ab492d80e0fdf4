"""Pure rules of the PSP adapters: Stripe's signature header, minor units."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from decimal import Decimal

from server.adapters.psp_http import major_units, minor_units
from server.adapters.stripe_payments import signature_problem

SECRET = "whsec_unit0000000"
BODY = b'{"id": "evt_1"}'
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
T = int(NOW.timestamp())


def _v1(stamp: int, secret: str = SECRET, body: bytes = BODY) -> str:
    return hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()


def test_a_stripe_signature_holds_within_five_minutes_and_with_any_v1() -> None:
    assert signature_problem(f"t={T},v1={_v1(T)}", BODY, SECRET, NOW) is None
    assert signature_problem(f"t={T},v1={'0' * 64},v1={_v1(T)}", BODY, SECRET, NOW) is None
    assert signature_problem(f"t={T - 300},v1={_v1(T - 300)}", BODY, SECRET, NOW) is None


def test_a_stripe_signature_is_refused_when_anything_is_off() -> None:
    stale = signature_problem(f"t={T - 301},v1={_v1(T - 301)}", BODY, SECRET, NOW)
    assert stale is not None and "tolerance" in stale
    future = signature_problem(f"t={T + 301},v1={_v1(T + 301)}", BODY, SECRET, NOW)
    assert future is not None
    assert signature_problem(f"t={T},v1={_v1(T, 'whsec_other')}", BODY, SECRET, NOW)
    assert signature_problem(f"t={T},v1={_v1(T)}", BODY + b" ", SECRET, NOW)
    assert signature_problem(f"t={T},v0={_v1(T)}", BODY, SECRET, NOW)
    assert signature_problem("", BODY, SECRET, NOW)
    assert signature_problem(f"t=abc,v1={_v1(T)}", BODY, SECRET, NOW)


def test_amounts_go_to_minor_units_and_back() -> None:
    assert minor_units(Decimal("25.00"), "GHS") == 2500
    assert minor_units(Decimal("0.10"), "usd") == 10
    assert minor_units(Decimal("1500"), "UGX") == 1500
    assert major_units(2500, "ghs") == Decimal("25.00")
    assert major_units(1500, "ugx") == Decimal("1500.00")
