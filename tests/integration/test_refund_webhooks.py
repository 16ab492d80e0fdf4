"""Refunds settled by the PSP's own webhooks (loopback Stripe and Paystack, events signed
as each documents): a pending refund settles once, done or declined, with the effects the
``payments.settle_refunds`` job would have had; a repeated or late event changes nothing;
a failure after the refund was made reverses it; an unknown refund is acknowledged and
changes nothing; a bad signature is refused."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from server.bootstrap import Container
from server.config import Settings
from server.plans.models import RevenueDay
from server.sales import refunding
from server.sales.models import Refund
from shared.clock import utcnow
from tests.integration.helpers import Api
from tests.integration.plans_helpers import Desk
from tests.integration.psp_helpers import (
    PAYSTACK_KEY,
    STRIPE_WHSEC,
    Psps,
    ask_refund,
    card_sale,
    loopback_psps,
    momo_sale,
    psp_desk,
    psp_settings,
    refund_body,
)
from tests.loopback import paystack as paystack_api
from tests.loopback import psp_refund_events as hooks
from tests.loopback import stripe as stripe_api


@pytest.fixture
def psps() -> Iterator[Psps]:
    with loopback_psps() as both:
        for psp in (both.stripe, both.paystack):
            psp.slow_seconds, psp.hold_seconds = 1.0, 1.5
        yield both


@pytest.fixture
def settings(settings: Settings, psps: Psps) -> Settings:
    return psp_settings(settings, psps).model_copy(
        update={"psp_timeout_seconds": 1.0, "psp_retries": 1}
    )


def _sale(api: Api, desk: Desk, sale_id: str) -> tuple[str, str, str]:
    sale = api.client.get(f"/sales/{sale_id}", headers=desk.admin).json()
    return sale["refunded_amount"], sale["refund_pending_amount"], sale["net_amount"]


def _hook(api: Api, desk: Desk, provider: str, signed: tuple[bytes, dict[str, str]]) -> Any:
    body, headers = signed
    return api.client.post(
        f"/payments/webhooks/{provider}/{desk.tenant.slug}", content=body, headers=headers
    )


def _outcome(api: Api, desk: Desk, provider: str, signed: tuple[bytes, dict[str, str]]) -> str:
    told = _hook(api, desk, provider, signed)
    assert told.status_code == 200, told.text
    return str(told.json()["outcome"])


def _revenue_refunds(container: Container, desk: Desk) -> Decimal:
    with container.uow() as uow:
        total = uow.db.execute(
            select(func.coalesce(func.sum(RevenueDay.refunds), 0)).where(
                RevenueDay.tenant_id == uuid.UUID(desk.tenant.id)
            )
        ).scalar_one()
    return Decimal(total)


def _state(container: Container, desk: Desk, refund_id: str) -> tuple[str, Any]:
    with container.uow() as uow:
        row = uow.db.get(Refund, (uuid.UUID(desk.tenant.id), uuid.UUID(refund_id)))
        assert row is not None
        return row.state, row.refunded_on


def _sweep_later(container: Container, monkeypatch: pytest.MonkeyPatch) -> int:
    """The job's sweep, run a minute and more after the refunds were asked for."""
    moved = utcnow() + timedelta(seconds=61)
    monkeypatch.setattr(refunding, "utcnow", lambda: moved)
    return refunding.settle_refunds(make_uow=container.uow, payments=container.payments)


def _re_id(psps: Psps, refund_id: str) -> str:
    [found] = [
        r["id"]
        for r in psps.stripe.refunds.values()
        if r["metadata"]["zmos_refund_id"] == refund_id
    ]
    return str(found)


def test_stripe_refund_made_while_its_answer_was_lost_settles_done_on_its_webhook_once(
    api: Api, container: Container, psps: Psps, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, plan = psp_desk(api, container, "rhook-stripe-done")
    sale_id = card_sale(api, desk, plan)
    body = refund_body("10.00")
    psps.stripe.faults = ["timeout", "timeout"]  # made at Stripe, both answers lost
    assert ask_refund(api, desk, sale_id, body).status_code == 202
    assert _sale(api, desk, sale_id) == ("0.00", "10.00", "25.00")
    re_id = _re_id(psps, body["refund_id"])
    # Stripe's events for it: created (still pending there), then updated (succeeded).
    created = hooks.stripe_refund(
        psps.stripe, re_id, "refund.created", STRIPE_WHSEC, status="pending"
    )
    assert _outcome(api, desk, "stripe", created) == "no_change"
    assert _state(container, desk, body["refund_id"])[0] == "pending"
    updated = hooks.stripe_refund(
        psps.stripe, re_id, "refund.updated", STRIPE_WHSEC, status="succeeded"
    )
    assert _outcome(api, desk, "stripe", updated) == "refund_done"
    state, day = _state(container, desk, body["refund_id"])
    assert state == "done" and day is not None
    assert _sale(api, desk, sale_id) == ("10.00", "0.00", "15.00")
    assert _revenue_refunds(container, desk) == Decimal("10.00")
    # The same delivery again, and a late event of the same refund: nothing more.
    again = _hook(api, desk, "stripe", updated)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    late = hooks.stripe_refund(psps.stripe, re_id, "charge.refund.updated", STRIPE_WHSEC)
    assert _outcome(api, desk, "stripe", late) == "no_change"
    # The job has nothing left to ask: Stripe is not asked again.
    posts = len(psps.stripe.posts("/v1/refunds"))
    assert _sweep_later(container, monkeypatch) == 0
    assert len(psps.stripe.posts("/v1/refunds")) == posts
    assert _revenue_refunds(container, desk) == Decimal("10.00")
    replay = ask_refund(api, desk, sale_id, body)
    assert replay.status_code == 201 and replay.json()["state"] == "done"


def test_stripe_refund_failed_declines_a_pending_refund_and_a_late_pending_event_is_ignored(
    api: Api, container: Container, psps: Psps, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, plan = psp_desk(api, container, "rhook-stripe-fail")
    sale_id = card_sale(api, desk, plan)
    body = refund_body()
    psps.stripe.refund_status = "pending"
    psps.stripe.faults = ["timeout", "timeout"]
    assert ask_refund(api, desk, sale_id, body).status_code == 202
    re_id = _re_id(psps, body["refund_id"])
    created = hooks.stripe_refund(psps.stripe, re_id, "refund.created", STRIPE_WHSEC)
    failed = hooks.stripe_refund(psps.stripe, re_id, "refund.failed", STRIPE_WHSEC, status="failed")
    # Delivered out of order: the failure first, then the older "created (pending)".
    assert _outcome(api, desk, "stripe", failed) == "refund_declined"
    assert _outcome(api, desk, "stripe", created) == "no_change"
    assert _state(container, desk, body["refund_id"]) == ("declined", None)
    assert _sale(api, desk, sale_id) == ("0.00", "0.00", "25.00")
    assert _revenue_refunds(container, desk) == 0
    declined = ask_refund(api, desk, sale_id, body)
    assert declined.status_code == 402 and "expired_or_canceled_card" in declined.json()["detail"]
    assert _sweep_later(container, monkeypatch) == 0
    # The amount given back is refundable again.
    psps.stripe.refund_status = "succeeded"
    assert ask_refund(api, desk, sale_id, refund_body()).status_code == 201
    assert _revenue_refunds(container, desk) == Decimal("25.00")


def test_a_stripe_refund_failing_after_it_succeeded_is_reversed_once(
    api: Api, container: Container, psps: Psps
) -> None:
    desk, plan = psp_desk(api, container, "rhook-stripe-reverse")
    sale_id = card_sale(api, desk, plan)
    body = refund_body("20.00")
    made = ask_refund(api, desk, sale_id, body)
    assert made.status_code == 201 and made.json()["state"] == "done"
    assert _revenue_refunds(container, desk) == Decimal("20.00")
    re_id = _re_id(psps, body["refund_id"])
    succeeded = hooks.stripe_refund(psps.stripe, re_id, "refund.updated", STRIPE_WHSEC)
    assert _outcome(api, desk, "stripe", succeeded) == "no_change"
    # "A refund can fail after it succeeded": the money went back to the merchant.
    failed = hooks.stripe_refund(psps.stripe, re_id, "refund.failed", STRIPE_WHSEC, status="failed")
    assert _outcome(api, desk, "stripe", failed) == "refund_reversed"
    assert _state(container, desk, body["refund_id"]) == ("declined", None)
    assert _sale(api, desk, sale_id) == ("0.00", "0.00", "25.00")
    assert _revenue_refunds(container, desk) == 0
    # A later failure event of the same refund, or a stale success: nothing more.
    canceled = hooks.stripe_refund(
        psps.stripe, re_id, "refund.updated", STRIPE_WHSEC, status="canceled"
    )
    assert _outcome(api, desk, "stripe", canceled) == "no_change"
    stale = hooks.stripe_refund(
        psps.stripe, re_id, "refund.updated", STRIPE_WHSEC, status="succeeded"
    )
    assert _outcome(api, desk, "stripe", stale) == "no_change"
    assert _revenue_refunds(container, desk) == 0
    assert ask_refund(api, desk, sale_id, body).status_code == 402


def test_unknown_refunds_are_acknowledged_and_bad_signatures_refused(
    api: Api, container: Container, psps: Psps
) -> None:
    desk, plan = psp_desk(api, container, "rhook-unknown")
    other, other_plan = psp_desk(api, container, "rhook-unknown-other")
    sale_id, their_sale = card_sale(api, desk, plan), card_sale(api, other, other_plan)
    psps.stripe.faults = ["503", "503", "503", "503"]
    ours, theirs = refund_body(), refund_body()
    assert ask_refund(api, desk, sale_id, ours).status_code == 202
    assert ask_refund(api, other, their_sale, theirs).status_code == 202
    intent = next(
        i for i in psps.stripe.intents.values() if i["metadata"]["zmos_payment_id"] == sale_id
    )
    # A refund made in Stripe's dashboard (no id of ours), one with an id nobody made,
    # and the other tenant's refund id sent to this tenant's endpoint.
    for metadata in (
        {},
        {"zmos_refund_id": str(uuid.uuid4())},
        {"zmos_refund_id": theirs["refund_id"]},
    ):
        psps.stripe.refunds["re_x"] = {
            "id": "re_x",
            "object": "refund",
            "amount": 2500,
            "currency": "ghs",
            "payment_intent": intent["id"],
            "status": "succeeded",
            "metadata": metadata,
        }
        signed = hooks.stripe_refund(psps.stripe, "re_x", "refund.updated", STRIPE_WHSEC)
        assert _outcome(api, desk, "stripe", signed) == "unknown_refund"
    # A refund of a payment this tenant never took.
    psps.stripe.refunds["re_x"]["payment_intent"] = "pi_nobody"
    psps.stripe.refunds["re_x"]["metadata"] = {"zmos_refund_id": ours["refund_id"]}
    signed = hooks.stripe_refund(psps.stripe, "re_x", "refund.updated", STRIPE_WHSEC)
    assert _outcome(api, desk, "stripe", signed) == "unknown_refund"
    # Our own refund's event, forged (amount changed after signing) or signed with
    # another secret: refused, and it settles nothing.
    psps.stripe.refunds["re_x"]["payment_intent"] = intent["id"]
    body, headers = hooks.stripe_refund(psps.stripe, "re_x", "refund.updated", STRIPE_WHSEC)
    refused = _hook(api, desk, "stripe", hooks.forged(body, headers))
    assert refused.status_code == 400 and refused.json()["code"] == "bad_signature"
    wrong = hooks.stripe_refund(psps.stripe, "re_x", "refund.updated", "whsec_not_ours")
    assert _hook(api, desk, "stripe", wrong).status_code == 400
    for tenant, sale, refund in ((desk, sale_id, ours), (other, their_sale, theirs)):
        assert _state(container, tenant, refund["refund_id"])[0] == "pending"
        assert _sale(api, tenant, sale) == ("0.00", "25.00", "25.00")
    # Refused deliveries were not remembered: the genuine one settles it.
    assert _outcome(api, desk, "stripe", (body, headers)) == "refund_done"
    assert _sale(api, desk, sale_id) == ("25.00", "0.00", "0.00")


def test_paystack_refund_processed_settles_a_pending_refund_known_by_its_amount(
    api: Api, container: Container, psps: Psps, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, plan = psp_desk(api, container, "rhook-paystack")
    sale_id = momo_sale(api, desk, plan, psps)
    body = refund_body("10.00")
    psps.paystack.faults = ["timeout"]  # queued at Paystack, the answer lost
    assert ask_refund(api, desk, sale_id, body).status_code == 202
    [made] = psps.paystack.refunds
    pending = hooks.paystack_refund(psps.paystack, made, "refund.pending")
    assert _outcome(api, desk, "paystack", pending) == "no_change"
    # Paystack's event names the transaction and the amount (a string, at times).
    processed = hooks.paystack_refund(psps.paystack, made, "refund.processed", amount_as_text=True)
    assert _outcome(api, desk, "paystack", processed) == "refund_done"
    assert _sale(api, desk, sale_id) == ("10.00", "0.00", "15.00")
    assert _revenue_refunds(container, desk) == Decimal("10.00")
    assert _hook(api, desk, "paystack", processed).json()["duplicate"] is True
    # Out of order: a failure after it was processed reverses it once.
    failed = hooks.paystack_refund(psps.paystack, made, "refund.failed")
    assert _outcome(api, desk, "paystack", failed) == "refund_reversed"
    assert _sale(api, desk, sale_id) == ("0.00", "0.00", "25.00")
    assert _revenue_refunds(container, desk) == 0
    # The job asks Paystack about nothing: no refund of this sale is pending.
    calls = len(psps.paystack.calls)
    assert _sweep_later(container, monkeypatch) == 0
    assert len(psps.paystack.calls) == calls


def test_paystack_refund_failed_declines_the_refund_its_note_names_never_a_guess(
    api: Api, container: Container, psps: Psps
) -> None:
    desk, plan = psp_desk(api, container, "rhook-paystack-two")
    sale_id = momo_sale(api, desk, plan, psps)
    first, second = refund_body("10.00"), refund_body("10.00")
    psps.paystack.faults = ["timeout"]
    assert ask_refund(api, desk, sale_id, first).status_code == 202
    psps.paystack.faults = ["timeout"]
    assert ask_refund(api, desk, sale_id, second).status_code == 202
    made_first, made_second = psps.paystack.refunds
    # Two refunds of the same amount: an event without our note names neither.
    unnamed = hooks.paystack_refund(psps.paystack, made_second, "refund.processed")
    assert _outcome(api, desk, "paystack", unnamed) == "unknown_refund"
    assert _sale(api, desk, sale_id) == ("0.00", "20.00", "25.00")
    # With its merchant note, each is known.
    failed = hooks.paystack_refund(psps.paystack, made_second, "refund.failed", with_note=True)
    assert _outcome(api, desk, "paystack", failed) == "refund_declined"
    assert _state(container, desk, second["refund_id"]) == ("declined", None)
    assert _state(container, desk, first["refund_id"])[0] == "pending"
    assert _sale(api, desk, sale_id) == ("0.00", "10.00", "25.00")
    done = hooks.paystack_refund(psps.paystack, made_first, "refund.processed", with_note=True)
    assert _outcome(api, desk, "paystack", done) == "refund_done"
    assert _sale(api, desk, sale_id) == ("10.00", "0.00", "15.00")
    # Changed after it was signed: refused, nothing changes.
    body, headers = hooks.paystack_refund(psps.paystack, made_first, "refund.failed")
    forged = _hook(api, desk, "paystack", hooks.forged(body, headers))
    assert forged.status_code == 400 and forged.json()["code"] == "bad_signature"
    assert _state(container, desk, first["refund_id"])[0] == "done"
    assert _revenue_refunds(container, desk) == Decimal("10.00")


def test_a_webhook_and_the_job_settling_the_same_refunds_at_once_settle_each_once(
    api: Api, container: Container, psps: Psps, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, plan = psp_desk(api, container, "rhook-race")
    sales = [card_sale(api, desk, plan) for _ in range(3)]
    bodies = [refund_body("10.00") for _ in sales]
    for sale_id, body in zip(sales, bodies, strict=True):
        psps.stripe.faults = ["timeout", "timeout"]
        assert ask_refund(api, desk, sale_id, body).status_code == 202
    events = [
        hooks.stripe_refund(
            psps.stripe, _re_id(psps, b["refund_id"]), "refund.updated", STRIPE_WHSEC
        )
        for b in bodies
    ]
    with ThreadPoolExecutor(4) as pool:
        swept = pool.submit(_sweep_later, container, monkeypatch)
        told = list(pool.map(lambda e: _hook(api, desk, "stripe", e), events))
        settled_by_job = swept.result()
    assert all(t.status_code == 200 for t in told), [t.text for t in told]
    settled_by_hooks = sum(t.json()["outcome"] == "refund_done" for t in told)
    assert settled_by_job + settled_by_hooks == 3
    for sale_id, body in zip(sales, bodies, strict=True):
        assert _state(container, desk, body["refund_id"])[0] == "done"
        assert _sale(api, desk, sale_id) == ("10.00", "0.00", "15.00")
    assert _revenue_refunds(container, desk) == Decimal("30.00")
    assert len(psps.stripe.refunds) == 3


def test_signed_refund_events_that_do_not_read_are_refused_and_change_nothing(
    api: Api, container: Container, psps: Psps
) -> None:
    desk, plan = psp_desk(api, container, "rhook-malformed")
    sale_id = momo_sale(api, desk, plan, psps)
    body = refund_body("10.00")
    psps.paystack.faults = ["timeout"]
    assert ask_refund(api, desk, sale_id, body).status_code == 202
    good = {"status": "processed", "transaction_reference": sale_id, "currency": "GHS"}
    data: Any
    for data in (
        {**good, "amount": "ten"},
        {"status": "processed", "amount": 1000, "currency": "GHS"},
        "processed",
    ):
        signed = paystack_api.signed({"event": "refund.processed", "data": data}, PAYSTACK_KEY)
        refused = _hook(api, desk, "paystack", signed)
        assert refused.status_code == 400, refused.text
        assert refused.json()["code"] == "bad_signature"
    for refund in (
        {"id": "re_bad", "amount": "ten", "currency": "ghs", "status": "succeeded"},
        {"id": "re_bad", "amount": 1000, "currency": "ghs", "metadata": ["x"]},
    ):
        event = stripe_api.event("evt_bad", "refund.updated", {**refund, "payment_intent": "pi"})
        signed = (event, {"Stripe-Signature": stripe_api.sign(event, STRIPE_WHSEC)})
        assert _hook(api, desk, "stripe", signed).status_code == 400
    assert _state(container, desk, body["refund_id"])[0] == "pending"
    assert _sale(api, desk, sale_id) == ("0.00", "10.00", "25.00")
