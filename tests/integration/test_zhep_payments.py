"""ZhepPayments against ZHEP's payments service on loopback (``docs/zhep/payments.openapi.yaml``),
with faults: timeouts, 5xx, slow answers, refusals, a bad token."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.adapters.in_person_payments import InPersonPayments
from server.adapters.zhep_http import ZhepEndpoint, ZhepUnavailable
from server.adapters.zhep_payments import PaymentPending, ZhepPayments, to_minor_units
from server.ports.payments import PaymentRequest, RefundRequest
from tests.loopback.zhep_services import TOKEN, RunningZhep, zhep_service

TENANT = uuid.uuid4()


@pytest.fixture
def zhep() -> Iterator[RunningZhep]:
    with zhep_service("payments") as running:
        yield running
        assert running.state.violations == []


def _payments(zhep: RunningZhep, *, token: str = TOKEN, timeout: float = 2.0) -> ZhepPayments:
    endpoint = ZhepEndpoint(
        "payments", zhep.url, token, httpx.Client(), timeout=timeout, retries=2, backoff=0.01
    )
    return ZhepPayments(
        endpoint,
        desk=InPersonPayments(),
        party_of=lambda tenant, member: None,
        pending_wait=2.0,
        poll_interval=0.01,
    )


def _charge(
    amount: str = "25.50", method: str = "card_on_file", key: uuid.UUID | None = None
) -> PaymentRequest:
    return PaymentRequest(
        tenant_id=TENANT,
        idempotency_key=key or uuid.uuid4(),
        amount=Decimal(amount),
        currency="GHS",
        method=method,
        description="Monthly plan: renewal",
        member_id=uuid.uuid4(),
        membership_id=uuid.uuid4(),
    )


def test_a_charge_is_made_once_in_minor_units_with_the_key_and_the_member(
    zhep: RunningZhep,
) -> None:
    request = _charge()
    result = _payments(zhep).charge(request)
    assert result.succeeded
    [payment] = zhep.state.made_payments()
    assert result.payment_id == uuid.UUID(payment["id"])
    assert payment["amount_minor"] == 2550 and payment["method"] == "card"
    [sent] = zhep.state.seen("POST", "/v1/payments")
    assert sent["headers"]["Idempotency-Key"] == str(request.idempotency_key)
    assert sent["body"]["member_ref"] == str(request.member_id)
    assert sent["body"]["party_id"] is None


def test_5xx_then_success_sends_the_same_key_again_and_one_payment_is_made(
    zhep: RunningZhep,
) -> None:
    zhep.state.fail(503)
    zhep.state.fail(502)
    request = _charge()
    assert _payments(zhep).charge(request).succeeded
    keys = [r["headers"]["Idempotency-Key"] for r in zhep.state.seen("POST", "/v1/payments")]
    assert keys == [str(request.idempotency_key)] * 3
    assert len(zhep.state.made_payments()) == 1


def test_a_lost_answer_after_a_timeout_is_answered_again_without_a_second_payment(
    zhep: RunningZhep,
) -> None:
    zhep.state.slow(1.5)  # the payment is made, the answer comes after the client gave up
    request = _charge()
    result = _payments(zhep, timeout=0.5).charge(request)
    assert result.succeeded
    assert len(zhep.state.seen("POST", "/v1/payments")) == 2
    [payment] = zhep.state.made_payments()
    assert result.payment_id == uuid.UUID(payment["id"])


def test_a_slow_answer_within_the_timeout_is_waited_for(zhep: RunningZhep) -> None:
    zhep.state.slow(0.3)
    assert _payments(zhep, timeout=2.0).charge(_charge()).succeeded
    assert len(zhep.state.seen("POST", "/v1/payments")) == 1


def test_no_answer_at_all_raises_unavailable_not_a_failed_payment(zhep: RunningZhep) -> None:
    zhep.state.fail(503, times=3)
    with pytest.raises(ZhepUnavailable, match="3 tries"):
        _payments(zhep).charge(_charge())
    assert zhep.state.made_payments() == []


def test_a_refusal_is_not_retried_and_says_why(zhep: RunningZhep) -> None:
    zhep.state.fail(422)
    result = _payments(zhep).charge(_charge())
    assert not result.succeeded and result.reason == "fault 422"
    assert len(zhep.state.seen("POST", "/v1/payments")) == 1


def test_a_declined_card_is_a_failed_payment_with_zhep_s_reason(zhep: RunningZhep) -> None:
    zhep.state.decline_reason = "insufficient funds"
    result = _payments(zhep).charge(_charge())
    assert not result.succeeded and result.reason == "insufficient funds"


def test_a_bad_token_is_refused_once_and_named(zhep: RunningZhep) -> None:
    result = _payments(zhep, token="wrong").charge(_charge())
    assert not result.succeeded
    assert result.reason is not None and "service token was refused" in result.reason
    assert len(zhep.state.requests) == 1 and zhep.state.made_payments() == []


def test_the_same_key_for_another_amount_is_refused_by_zhep(zhep: RunningZhep) -> None:
    key = uuid.uuid4()
    payments = _payments(zhep)
    assert payments.charge(_charge("10.00", key=key)).succeeded
    again = payments.charge(_charge("11.00", key=key))
    assert not again.succeeded and again.reason == "this key was used with another request"
    assert len(zhep.state.made_payments()) == 1


def test_a_pending_mobile_money_payment_is_followed_until_it_succeeds(zhep: RunningZhep) -> None:
    zhep.state.pending_reads = 3
    assert _payments(zhep).charge(_charge(method="mobile_money")).succeeded
    assert len([r for r in zhep.state.requests if r["method"] == "GET"]) == 3


def test_a_payment_still_pending_raises_and_the_same_sale_later_learns_the_outcome(
    zhep: RunningZhep,
) -> None:
    zhep.state.pending_reads = 10_000
    payments = _payments(zhep)
    payments._pending_wait = 0.05
    request = _charge(method="mobile_money")
    with pytest.raises(PaymentPending, match="awaits the payer's approval"):
        payments.charge(request)
    zhep.state.pending_reads = 1
    assert payments.charge(request).succeeded
    assert len(zhep.state.made_payments()) == 1


def test_desk_payments_never_reach_zhep(zhep: RunningZhep) -> None:
    payments = _payments(zhep)
    request = _charge(method="cash")
    assert payments.charge(request).succeeded
    refund = RefundRequest(
        TENANT, uuid.uuid4(), request.idempotency_key, Decimal(1), "GHS", "cash", "x"
    )
    assert payments.refund(refund).succeeded
    assert zhep.state.requests == []


def test_what_zhep_cannot_take_fails_without_a_request(zhep: RunningZhep) -> None:
    payments = _payments(zhep)
    assert (
        payments.charge(_charge(method="cheque")).reason == "payment method 'cheque' is not taken"
    )
    assert not payments.charge(_charge(amount="1.005")).succeeded  # beyond the pesewa
    assert not payments.charge(_charge(amount="0")).succeeded
    nobody = replace(_charge(), member_id=None)
    assert payments.charge(nobody).reason == "ZHEP charges a member: the charge names none"
    assert zhep.state.requests == []


def test_a_refund_goes_back_once_against_the_charge_s_key(zhep: RunningZhep) -> None:
    payments = _payments(zhep)
    charge = _charge("20.00")
    assert payments.charge(charge).succeeded
    refund = RefundRequest(
        TENANT, uuid.uuid4(), charge.idempotency_key, Decimal("5.00"), "GHS", "card_on_file", "late"
    )
    zhep.state.fail(500)
    assert payments.refund(refund).succeeded
    assert payments.refund(refund).succeeded  # the same refund again: no second refund
    [payment] = zhep.state.made_payments()
    assert payment["refunded_minor"] == 500
    too_much = RefundRequest(
        TENANT, uuid.uuid4(), charge.idempotency_key, Decimal("16.00"), "GHS", "card_on_file", "x"
    )
    result = payments.refund(too_much)
    assert not result.succeeded and result.reason == "more than what is left of the payment"
    unknown = RefundRequest(TENANT, uuid.uuid4(), uuid.uuid4(), Decimal(1), "GHS", "card", "x")
    assert payments.refund(unknown).reason == "no payment was made with that key"


def test_minor_units_follow_the_currency() -> None:
    assert to_minor_units(Decimal("10.50"), "GBP") == 1050
    assert to_minor_units(Decimal("1000"), "JPY") == 1000
    assert to_minor_units(Decimal("1.5"), "JPY") is None
    assert to_minor_units(Decimal("1.234"), "KWD") == 1234


def test_a_service_that_is_not_there_at_all_raises_unavailable() -> None:
    with zhep_service("payments") as gone:
        pass  # stopped: nothing listens on its port any more
    with pytest.raises(ZhepUnavailable, match="ConnectError"):
        _payments(gone).charge(_charge())


FAULTS = st.lists(st.sampled_from(["500", "502", "503", "504", "429", "lost"]), max_size=5)


@settings(max_examples=12)
@given(faults=FAULTS)
def test_whatever_faults_come_first_one_key_makes_one_payment(faults: list[str]) -> None:
    """Faults before ZHEP answers: within the retries the charge succeeds; beyond them it
    raises, and the same charge sent again later succeeds. Either way one payment."""
    with zhep_service("payments") as zhep:
        for fault in faults:
            if fault == "lost":
                zhep.state.slow(0.5)
            else:
                zhep.state.fail(int(fault))
        payments = _payments(zhep, timeout=0.25)
        request = _charge()
        try:
            result = payments.charge(request)
        except ZhepUnavailable:
            assert len(faults) > 2  # only when every try failed
            zhep.state.faults.clear()
            result = payments.charge(request)
        assert result.succeeded
        assert len(zhep.state.made_payments()) == 1
        keys = {r["headers"]["Idempotency-Key"] for r in zhep.state.requests}
        assert keys == {str(request.idempotency_key)}
        assert zhep.state.violations == []


def test_a_refund_zhep_cannot_answer_is_pending_and_asked_again_goes_back_once(
    zhep: RunningZhep,
) -> None:
    payments = _payments(zhep)
    charge = _charge("20.00")
    assert payments.charge(charge).succeeded
    refund = RefundRequest(
        TENANT, uuid.uuid4(), charge.idempotency_key, Decimal("5.00"), "GHS", "card_on_file", "x"
    )
    zhep.state.fail(503, times=3)
    unknown = payments.refund(refund)
    assert unknown.pending and not unknown.succeeded and "did not answer" in str(unknown.reason)
    [payment] = zhep.state.made_payments()
    assert payment["refunded_minor"] == 0
    again = payments.refund(replace(refund, asked_before=True))
    assert again.succeeded and not again.pending
    assert payments.refund(replace(refund, asked_before=True)).succeeded
    [payment] = zhep.state.made_payments()
    assert payment["refunded_minor"] == 500
