"""Refund webhooks as Stripe and Paystack send them, built from the loopback PSPs' own
refunds and signed as each documents.

Stripe (API version 2024-10-28.acacia and later): ``refund.created``, ``refund.updated`` and
``refund.failed`` for every refund, ``data.object`` the refund (``id``, ``amount``,
``currency``, ``payment_intent``, ``status`` succeeded / pending / requires_action /
failed / canceled, ``failure_reason``, ``metadata``). Paystack: ``refund.pending``,
``refund.processing``, ``refund.processed`` and ``refund.failed``, ``data`` with ``status``,
``transaction_reference``, ``refund_reference``, ``amount`` (minor units), ``currency``,
``processor``, ``customer``, ``integration``, ``domain`` (no refund id; a
``merchant_note`` only when ``with_note``)."""

from __future__ import annotations

import itertools
import json
from typing import Any

from tests.loopback import paystack as paystack_api
from tests.loopback import stripe as stripe_api
from tests.loopback.paystack import LoopbackPaystack
from tests.loopback.stripe import LoopbackStripe

_EVENTS = itertools.count(1)
_PAYSTACK_STATUS = {
    "refund.pending": "pending",
    "refund.processing": "processing",
    "refund.processed": "processed",
    "refund.failed": "failed",
}


def stripe_refund(
    psp: LoopbackStripe,
    refund_id: str,
    type_: str,
    secret: str,
    *,
    status: str | None = None,
    event_id: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """A signed event about the loopback Stripe's refund ``refund_id`` (its status moved to
    ``status`` first, as Stripe's would be when the event is sent)."""
    refund = psp.refunds[refund_id]
    if status is not None:
        failing = status in {"failed", "canceled"}
        if failing and refund["status"] not in {"failed", "canceled"}:
            # A failed refund's amount is refundable again at Stripe.
            intent = psp.intents.get(str(refund["payment_intent"]))
            if intent is not None:
                intent["amount_refunded"] -= refund["amount"]
            refund["failure_reason"] = "expired_or_canceled_card"
        refund["status"] = status
    body = stripe_api.event(event_id or f"evt_re{next(_EVENTS):06d}", type_, dict(refund))
    return body, {"Stripe-Signature": stripe_api.sign(body, secret)}


def paystack_refund(
    psp: LoopbackPaystack,
    refund: dict[str, Any],
    name: str,
    *,
    with_note: bool = False,
    amount_as_text: bool = False,
) -> tuple[bytes, dict[str, str]]:
    """A signed ``name`` event about one of the loopback Paystack's refunds (its status
    moved as the event says)."""
    refund["status"] = _PAYSTACK_STATUS[name]
    data: dict[str, Any] = {
        "status": refund["status"],
        "transaction_reference": refund["transaction_reference"],
        "refund_reference": f"RF{refund['id']}" if name == "refund.processed" else None,
        "amount": str(refund["amount"]) if amount_as_text else refund["amount"],
        "currency": refund["currency"],
        "processor": "mobile_money",
        "customer": {"first_name": None, "last_name": None, "email": "member@example.com"},
        "integration": 100032,
        "domain": "test",
    }
    if with_note:
        data["merchant_note"] = refund["merchant_note"]
    return paystack_api.signed({"event": name, "data": data}, psp.secret_key)


def forged(body: bytes, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """The same event with its amount changed after signing: the signature no longer holds."""
    event = json.loads(body)
    data = event.get("data", {})
    target = data.get("object", data)
    target["amount"] = 1
    return json.dumps(event).encode(), headers
