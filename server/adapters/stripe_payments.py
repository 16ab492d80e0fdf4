"""Card payments through Stripe's documented HTTP API (no SDK): PaymentIntents charged
off-session to a member's card on file, refunds, signed webhooks and the records that
reconciliation reads. Every tenant has its own Stripe account (keys sealed at rest)."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx

from server.adapters.psp_http import PspUnavailable, major_units, minor_units, send
from server.ports.payments import (
    PaymentAccounts,
    PaymentEvent,
    PaymentRequest,
    PaymentResult,
    ProviderKeys,
    ProviderRecord,
    RefundRequest,
    WebhookRejected,
)

PROVIDER = "stripe"
TOLERANCE_SECONDS = 300
_EVENT_KINDS = {
    "payment_intent.succeeded": "succeeded",
    "payment_intent.payment_failed": "failed",
    "charge.refunded": "refunded",
}
_PI_KINDS = {"succeeded": "succeeded", "canceled": "failed", "requires_payment_method": "failed"}
#: A refund's own events (all refunds since API version 2024-10-28.acacia; the
#: ``charge.refund.updated`` of older versions carries the same refund object). Its
#: ``status`` says where it stands: pending and requires_action are no answer yet.
_REFUND_EVENTS = {"refund.created", "refund.updated", "refund.failed", "charge.refund.updated"}
_REFUND_KINDS = {
    "succeeded": "refund_succeeded",
    "failed": "refund_failed",
    "canceled": "refund_failed",
}


def _payment_id(metadata: Any, key: str = "zmos_payment_id") -> uuid.UUID | None:
    try:
        return uuid.UUID(str((metadata or {}).get(key)))
    except ValueError:
        return None


def _refund_event(event_id: str, type_: str, refund: dict[str, Any]) -> PaymentEvent:
    """One refund's event: ours carry our refund id in ``metadata[zmos_refund_id]``."""
    status = "failed" if type_ == "refund.failed" else str(refund.get("status"))
    currency = str(refund.get("currency") or "")
    intent = refund.get("payment_intent")
    return PaymentEvent(
        event_id=event_id,
        kind=_REFUND_KINDS.get(status, "other"),
        reference=str(intent) if intent else None,
        amount=major_units(int(refund.get("amount") or 0), currency),
        currency=currency.upper()[:3],
        reason=f"Stripe could not make the refund ({refund.get('failure_reason') or status})",
        refund_id=_payment_id(refund.get("metadata"), "zmos_refund_id"),
    )


def _error(response: httpx.Response) -> str:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        return f"Stripe answered {response.status_code}"
    code = error.get("decline_code") or error.get("code")
    message = error.get("message") or "the card was declined"
    return f"{message} ({code})" if code else str(message)


def signature_problem(header: str, body: bytes, secret: str, now: datetime) -> str | None:
    """Stripe-Signature: ``t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">`` (several v1 may
    be given while a secret rolls over); the timestamp within five minutes."""
    parts = [item.split("=", 1) for item in header.split(",") if "=" in item]
    stamps = [value for key, value in parts if key.strip() == "t"]
    signatures = [value.strip() for key, value in parts if key.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit() or not signatures:
        return "Stripe-Signature header is missing or malformed"
    if abs(now.timestamp() - int(stamps[0])) > TOLERANCE_SECONDS:
        return "the webhook's timestamp is outside the tolerance"
    signed = stamps[0].strip().encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, given) for given in signatures):
        return "no signature matches the endpoint's secret"
    return None


def _event(event: dict[str, Any]) -> PaymentEvent:
    obj = event["data"]["object"]
    if str(event.get("type")) in _REFUND_EVENTS:
        return _refund_event(str(event["id"])[:100], str(event["type"]), obj)
    kind = _EVENT_KINDS.get(str(event.get("type")), "other")
    currency = str(obj.get("currency") or "")
    reference = obj.get("payment_intent") if kind == "refunded" else obj.get("id")
    refunded = obj.get("amount_refunded")
    return PaymentEvent(
        event_id=str(event["id"])[:100],
        kind=kind,
        payment_id=_payment_id(obj.get("metadata")),
        reference=str(reference) if reference else None,
        amount=major_units(int(obj.get("amount") or 0), currency),
        currency=currency.upper()[:3],
        refunded_total=major_units(int(refunded), currency) if refunded is not None else None,
        reason=(obj.get("last_payment_error") or {}).get("message"),
    )


class StripePayments:
    provider = PROVIDER

    def __init__(
        self,
        *,
        http: httpx.Client,
        accounts: PaymentAccounts,
        base_url: str = "https://api.stripe.com",
        retries: int = 2,
        backoff: float = 0.25,
    ) -> None:
        self._http = http
        self._accounts = accounts
        self._base = base_url.rstrip("/")
        self._retries = retries
        self._backoff = backoff

    def _keys(self, tenant_id: uuid.UUID) -> ProviderKeys | None:
        return self._accounts.keys(tenant_id, PROVIDER)

    def _call(
        self, keys: ProviderKeys, method: str, path: str, key: str | None = None, **body: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {keys.secret_key}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return send(
            self._http,
            method,
            self._base + path,
            headers=headers,
            retries=self._retries,
            backoff=self._backoff,
            **body,
        )

    def charge(self, request: PaymentRequest) -> PaymentResult:
        key = request.idempotency_key
        keys = self._keys(request.tenant_id)
        if keys is None:
            return PaymentResult(key, False, "card payments are not set up (no Stripe account)")
        card = (
            self._accounts.card(request.tenant_id, request.member_id) if request.member_id else None
        )
        if card is None:
            return PaymentResult(key, False, "the member has no card on file")
        form = {
            "amount": str(minor_units(request.amount, request.currency)),
            "currency": request.currency.lower(),
            "customer": card.customer_id,
            "payment_method": card.payment_method_id,
            "confirm": "true",
            "off_session": "true",
            "description": request.description[:350],
            "metadata[zmos_payment_id]": str(key),
            "metadata[zmos_tenant_id]": str(request.tenant_id),
        }
        if request.membership_id is not None:
            form["metadata[zmos_membership_id]"] = str(request.membership_id)
        try:
            response = self._call(keys, "POST", "/v1/payment_intents", str(key), data=form)
        except PspUnavailable as down:
            return PaymentResult(key, False, f"Stripe is unavailable: {down}")
        if response.status_code != 200:
            return PaymentResult(key, False, _error(response))
        intent = response.json()
        status = intent.get("status")
        result = {"provider": PROVIDER, "reference": intent.get("id")}
        if status == "succeeded":
            return PaymentResult(key, True, **result)
        if status == "processing":
            return PaymentResult(
                key, False, "the card payment is processing", pending=True, **result
            )
        return PaymentResult(key, False, f"the card needs the member's action ({status})", **result)

    def refund(self, request: RefundRequest) -> PaymentResult:
        key = request.idempotency_key
        keys = self._keys(request.tenant_id)
        if keys is None or request.reference is None:
            return PaymentResult(key, False, "this payment cannot be refunded through Stripe")
        form = {
            "payment_intent": request.reference,
            "amount": str(minor_units(request.amount, request.currency)),
            "metadata[zmos_refund_id]": str(key),
        }
        try:
            response = self._call(keys, "POST", "/v1/refunds", str(key), data=form)
        except PspUnavailable as down:
            # Sent with its idempotency key: asked again later, it is never made twice.
            return PaymentResult(key, False, f"Stripe is unavailable: {down}", pending=True)
        if response.status_code != 200:
            return PaymentResult(key, False, _error(response))
        refund = response.json()
        if refund.get("status") in {"failed", "canceled"}:
            return PaymentResult(key, False, f"Stripe refused the refund ({refund.get('status')})")
        return PaymentResult(key, True, provider=PROVIDER, reference=refund.get("id"))

    def read_webhook(
        self, *, keys: ProviderKeys, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> PaymentEvent:
        if not keys.webhook_secret:
            raise WebhookRejected("no webhook secret is set for Stripe")
        problem = signature_problem(
            headers.get("stripe-signature", ""), body, keys.webhook_secret, now
        )
        if problem:
            raise WebhookRejected(problem)
        try:
            return _event(json.loads(body))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise WebhookRejected("the webhook is not a Stripe event") from None

    def verify(
        self, *, tenant_id: uuid.UUID, payment_id: uuid.UUID, reference: str
    ) -> PaymentEvent:
        keys = self._keys(tenant_id)
        if keys is None:
            raise PspUnavailable("no Stripe account is set up")
        response = self._call(keys, "GET", f"/v1/payment_intents/{reference}")
        if response.status_code != 200:
            raise PspUnavailable(_error(response))
        intent = response.json()
        status = str(intent.get("status"))
        return PaymentEvent(
            event_id=f"verify:{reference}:{status}",
            kind=_PI_KINDS.get(status, "other"),
            payment_id=payment_id,
            reference=reference,
        )

    def records(
        self, *, tenant_id: uuid.UUID, start: datetime, end: datetime
    ) -> list[ProviderRecord]:
        keys = self._keys(tenant_id)
        if keys is None:
            raise PspUnavailable("no Stripe account is set up")
        found: list[ProviderRecord] = []
        params: dict[str, str] = {
            "created[gte]": str(int(start.timestamp())),
            "created[lt]": str(int(end.timestamp())),
            "limit": "100",
        }
        while True:
            response = self._call(keys, "GET", "/v1/payment_intents", params=params)
            if response.status_code != 200:
                raise PspUnavailable(_error(response))
            page = response.json()
            for intent in page.get("data", []):
                currency = str(intent.get("currency", ""))
                found.append(
                    ProviderRecord(
                        reference=str(intent["id"]),
                        payment_id=_payment_id(intent.get("metadata")),
                        amount=major_units(int(intent.get("amount", 0)), currency),
                        currency=currency.upper(),
                        succeeded=intent.get("status") == "succeeded",
                        refunded=Decimal("0.00"),
                    )
                )
            if not page.get("has_more") or not page.get("data"):
                return found
            params["starting_after"] = str(page["data"][-1]["id"])
