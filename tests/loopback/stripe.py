"""Stripe's API on loopback, as documented: form-encoded POSTs with a Bearer secret key,
``Idempotency-Key`` (a repeat returns the first answer, a 402 included), PaymentIntents
confirmed off-session, refunds, list pagination (``starting_after`` / ``has_more``), the
error shape ``{"error": {type, code, decline_code, message}}``, and signed webhooks."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import parse_qsl

from tests.loopback.psp_base import Answer, Call, LoopbackPsp

#: Stripe's test cards, by payment method: declined, and still processing.
DECLINED = "pm_card_chargeDeclined"
PROCESSING = "pm_card_processing"


def _error(status: int, type_: str, message: str, **extra: str) -> Answer:
    return Answer(status, {"error": {"type": type_, "message": message, **extra}})


def _metadata(form: dict[str, str]) -> dict[str, str]:
    return {k[len("metadata[") : -1]: v for k, v in form.items() if k.startswith("metadata[")}


class LoopbackStripe(LoopbackPsp):
    def __init__(self, secret_key: str) -> None:
        super().__init__()
        self.secret_key = secret_key
        self.intents: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.idempotent: dict[str, Answer] = {}
        #: What a new refund's status is: ``succeeded`` (cards, mostly) or ``pending``
        #: (settled later; its refund.updated / refund.failed event tells).
        self.refund_status = "succeeded"
        self._ids = itertools.count(1)

    def handle(self, call: Call) -> Answer:
        if call.headers.get("authorization") != f"Bearer {self.secret_key}":
            return _error(401, "invalid_request_error", "Invalid API Key provided")
        key = call.headers.get("idempotency-key")
        if call.method == "POST" and key in self.idempotent:
            return self.idempotent[key]
        answer = self._route(call)
        if call.method == "POST" and key:
            self.idempotent[key] = answer
        return answer

    def _route(self, call: Call) -> Answer:
        form = dict(parse_qsl(call.body.decode()))
        if call.method == "POST" and call.path == "/v1/payment_intents":
            return self._intent(form)
        if call.method == "POST" and call.path == "/v1/refunds":
            return self._refund(form)
        if call.method == "GET" and call.path == "/v1/payment_intents":
            return self._list(call.query)
        if call.method == "GET" and call.path.startswith("/v1/payment_intents/"):
            intent = self.intents.get(call.path.rsplit("/", 1)[1])
            if intent is None:
                return _error(404, "invalid_request_error", "No such payment_intent")
            return Answer(200, intent)
        return _error(404, "invalid_request_error", "Unrecognized request URL")

    def add_intent(
        self, amount: int, currency: str, metadata: dict[str, str], status: str = "succeeded"
    ) -> dict[str, Any]:
        intent_id = f"pi_{next(self._ids):08d}"
        intent: dict[str, Any] = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_received": amount if status == "succeeded" else 0,
            "currency": currency,
            "status": status,
            "metadata": metadata,
            "created": int(time.time()),
            "amount_refunded": 0,
        }
        self.intents[intent_id] = intent
        return intent

    def _intent(self, form: dict[str, str]) -> Answer:
        if (
            not form.get("amount", "").isdigit()
            or form.get("currency") != form.get("currency", "").lower()
        ):
            return _error(
                400, "invalid_request_error", "Invalid amount or currency", code="parameter_invalid"
            )
        if form.get("confirm") != "true" or not form.get("customer"):
            return _error(
                400, "invalid_request_error", "Missing customer", code="parameter_missing"
            )
        method = form.get("payment_method")
        if method == DECLINED:
            return _error(
                402,
                "card_error",
                "Your card was declined.",
                code="card_declined",
                decline_code="generic_decline",
            )
        status = "processing" if method == PROCESSING else "succeeded"
        intent = self.add_intent(int(form["amount"]), form["currency"], _metadata(form), status)
        intent.update(customer=form["customer"], payment_method=method)
        return Answer(200, intent)

    def _refund(self, form: dict[str, str]) -> Answer:
        intent = self.intents.get(form.get("payment_intent", ""))
        if intent is None:
            return _error(
                400, "invalid_request_error", "No such payment_intent", code="resource_missing"
            )
        amount = int(form.get("amount") or intent["amount"] - intent["amount_refunded"])
        if amount > intent["amount"] - intent["amount_refunded"]:
            return _error(
                400,
                "invalid_request_error",
                "Refund is greater than unrefunded amount",
                code="amount_too_large",
            )
        intent["amount_refunded"] += amount
        refund = {
            "id": f"re_{next(self._ids):08d}",
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "status": self.refund_status,
            "metadata": _metadata(form),
        }
        self.refunds[refund["id"]] = refund
        return Answer(200, refund)

    def _list(self, query: dict[str, str]) -> Answer:
        gte, lt = int(query.get("created[gte]", 0)), int(query.get("created[lt]", 2**40))
        limit = int(query.get("limit", 10))
        # Newest first, as Stripe lists them.
        found = sorted(
            (i for i in self.intents.values() if gte <= i["created"] < lt),
            key=lambda i: (i["created"], i["id"]),
            reverse=True,
        )
        after = query.get("starting_after")
        if after:
            ids = [i["id"] for i in found]
            found = found[ids.index(after) + 1 :] if after in ids else []
        page = found[:limit]
        return Answer(200, {"object": "list", "data": page, "has_more": len(found) > limit})


def sign(payload: bytes, secret: str, timestamp: int | None = None, extra: str = "") -> str:
    """A Stripe-Signature header for ``payload`` (``extra``: more ``v1=`` entries)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}" + extra


def event(event_id: str, type_: str, obj: dict[str, Any]) -> bytes:
    return json.dumps(
        {"id": event_id, "object": "event", "type": type_, "data": {"object": obj}}
    ).encode()
