"""Mobile money through Paystack's documented HTTP API: ``POST /charge`` with
``mobile_money: {phone, provider}`` (pending until the payer approves on their phone),
``GET /transaction/verify/{reference}``, ``POST /refund``, webhooks signed with
``x-paystack-signature`` (hex HMAC-SHA512 of the body under the secret key) and
``GET /transaction`` for reconciliation. The reference is our idempotency key."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from datetime import datetime
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

PROVIDER = "paystack"
_PENDING = {"pending", "ongoing", "pay_offline", "send_otp", "processing"}
_FAILED = {"failed", "abandoned", "reversed"}
_EVENT_KINDS = {"charge.success": "succeeded", "charge.failed": "failed"}
#: A refund's events (``refund.pending`` and ``refund.processing`` are no answer yet).
_REFUND_KINDS = {
    "refund.processed": "refund_succeeded",
    "refund.failed": "refund_failed",
    "refund.pending": "other",
    "refund.processing": "other",
}
_NOTE = "zmos refund "


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _kind(status: str) -> str:
    if status == "success":
        return "succeeded"
    return "failed" if status in _FAILED else "other"


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        found = response.json()
    except ValueError:
        return {"status": False, "message": f"Paystack answered {response.status_code}"}
    return found if isinstance(found, dict) else {"status": False, "message": "unreadable"}


def _refund_event(name: str, data: dict[str, Any]) -> PaymentEvent:
    """A refund's event: ``transaction_reference`` is the charge's (our sale id), the
    amount the refund's in minor units (a string at times); our refund id comes back in
    ``merchant_note`` when the event carries it, else the refund is known by its amount."""
    reference = data.get("transaction_reference")
    if not reference:
        raise KeyError("transaction_reference")
    currency = str(data.get("currency") or "")
    amount = int(str(data.get("amount") or 0))
    identity = data.get("id") or data.get("refund_reference") or f"{reference}:{amount}"
    note = str(data.get("merchant_note") or "")
    refund_id = _uuid(note[len(_NOTE) :]) if note.startswith(_NOTE) else None
    return PaymentEvent(
        event_id=f"{name}:{identity}"[:100],
        kind=_REFUND_KINDS[name],
        payment_id=_uuid(reference),
        reference=str(reference),
        amount=major_units(amount, currency),
        currency=currency.upper()[:3],
        reason="Paystack could not make the refund",
        refund_id=refund_id,
        refund_by_amount=refund_id is None,
    )


def _event(event: dict[str, Any]) -> PaymentEvent:
    name, data = str(event["event"]), event["data"]
    if name in _REFUND_KINDS:
        return _refund_event(name, data)
    identity = data.get("id") or data.get("reference") or data.get("refund_reference")
    if identity is None:
        raise KeyError("id")
    currency = str(data.get("currency") or "")
    reference = data.get("reference") or data.get("transaction_reference")
    return PaymentEvent(
        event_id=f"{name}:{identity}"[:100],
        kind=_EVENT_KINDS.get(name, "other"),
        payment_id=_uuid(reference),
        reference=str(reference) if reference else None,
        amount=major_units(int(data.get("amount") or 0), currency),
        currency=currency.upper()[:3],
        reason=data.get("gateway_response"),
    )


def _note(key: uuid.UUID) -> str:
    return f"{_NOTE}{key}"


def _refund_result(key: uuid.UUID, data: dict[str, Any]) -> PaymentResult:
    if str(data.get("status")) == "failed":
        return PaymentResult(key, False, "Paystack could not make the refund")
    return PaymentResult(key, True, provider=PROVIDER, reference=str(data.get("id", "")))


class PaystackPayments:
    provider = PROVIDER

    def __init__(
        self,
        *,
        http: httpx.Client,
        accounts: PaymentAccounts,
        base_url: str = "https://api.paystack.co",
        retries: int = 2,
        backoff: float = 0.25,
    ) -> None:
        self._http = http
        self._accounts = accounts
        self._base = base_url.rstrip("/")
        self._retries = retries
        self._backoff = backoff

    def _call(
        self, keys: ProviderKeys, method: str, path: str, retry_timeouts: bool = True, **body: Any
    ) -> dict[str, Any]:
        response = send(
            self._http,
            method,
            self._base + path,
            headers={"Authorization": f"Bearer {keys.secret_key}"},
            retries=self._retries,
            backoff=self._backoff,
            retry_timeouts=retry_timeouts,
            **body,
        )
        return _body(response)

    def _keys(self, tenant_id: uuid.UUID) -> ProviderKeys:
        keys = self._accounts.keys(tenant_id, PROVIDER)
        if keys is None:
            raise PspUnavailable("mobile money is not set up (no Paystack account)")
        return keys

    def _result(self, key: uuid.UUID, data: dict[str, Any]) -> PaymentResult:
        status = str(data.get("status"))
        reference = str(data.get("reference") or key)
        if status == "success":
            return PaymentResult(key, True, provider=PROVIDER, reference=reference)
        if status in _PENDING:
            return PaymentResult(
                key,
                False,
                "waiting for the payer to approve on their phone",
                pending=True,
                provider=PROVIDER,
                reference=reference,
            )
        reason = data.get("gateway_response") or data.get("message") or status
        return PaymentResult(key, False, f"mobile money declined: {reason}")

    def charge(self, request: PaymentRequest) -> PaymentResult:
        key = request.idempotency_key
        if request.mobile_money is None:
            return PaymentResult(key, False, "mobile money needs the payer's phone and network")
        body = {
            "email": request.payer_email or f"member-{request.member_id or key}@example.com",
            "amount": minor_units(request.amount, request.currency),
            "currency": request.currency.upper(),
            "reference": str(key),
            "mobile_money": {
                "phone": request.mobile_money.phone,
                "provider": request.mobile_money.provider,
            },
            "metadata": {"zmos_payment_id": str(key), "zmos_tenant_id": str(request.tenant_id)},
        }
        try:
            keys = self._keys(request.tenant_id)
            answer = self._call(keys, "POST", "/charge", json=body)
            if not answer.get("status") and "duplicate" in str(answer.get("message", "")).lower():
                # The reference was charged before (a retried sale): its first outcome.
                answer = self._call(keys, "GET", f"/transaction/verify/{key}")
        except PspUnavailable as down:
            return PaymentResult(key, False, str(down))
        if not answer.get("status"):
            return PaymentResult(key, False, f"Paystack refused: {answer.get('message')}")
        return self._result(key, answer.get("data") or {})

    def refund(self, request: RefundRequest) -> PaymentResult:
        key = request.idempotency_key
        if request.reference is None:
            return PaymentResult(key, False, "this payment cannot be refunded through Paystack")
        minor = minor_units(request.amount, request.currency)
        body = {"transaction": request.reference, "amount": minor, "merchant_note": _note(key)}
        try:
            keys = self._keys(request.tenant_id)
        except PspUnavailable as down:
            return PaymentResult(key, False, str(down))
        try:
            if request.asked_before:
                # No idempotency key on Paystack's refunds: one asked for before whose
                # answer was lost may exist already; it is looked up, never made twice.
                found = self._made_before(keys, request.reference, minor, key)
                if found is not None:
                    return _refund_result(key, found)
            answer = self._call(keys, "POST", "/refund", retry_timeouts=False, json=body)
        except PspUnavailable as down:
            return PaymentResult(key, False, str(down), pending=True)
        if not answer.get("status"):
            return PaymentResult(
                key, False, f"Paystack refused the refund: {answer.get('message')}"
            )
        return _refund_result(key, answer.get("data") or {})

    def _made_before(
        self, keys: ProviderKeys, transaction: str, minor: int, key: uuid.UUID
    ) -> dict[str, Any] | None:
        """The refund of ``transaction`` this key made, if Paystack has it (``GET /refund``
        lists a transaction's refunds; ours carries the key in its ``merchant_note``)."""
        answer = self._call(keys, "GET", "/refund", params={"transaction": transaction})
        if not answer.get("status"):
            raise PspUnavailable(f"Paystack: {answer.get('message')}")
        for item in answer.get("data") or []:
            if (
                isinstance(item, dict)
                and int(item.get("amount") or 0) == minor
                and str(item.get("merchant_note") or "") == _note(key)
            ):
                return item
        return None

    def read_webhook(
        self, *, keys: ProviderKeys, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> PaymentEvent:
        del now  # Paystack's signature carries no timestamp
        given = headers.get("x-paystack-signature", "")
        expected = hmac.new(keys.secret_key.encode(), body, hashlib.sha512).hexdigest()
        if not given or not hmac.compare_digest(expected, given.strip().lower()):
            raise WebhookRejected("x-paystack-signature does not match")
        try:
            return _event(json.loads(body))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise WebhookRejected("the webhook is not a Paystack event") from None

    def verify(
        self, *, tenant_id: uuid.UUID, payment_id: uuid.UUID, reference: str
    ) -> PaymentEvent:
        answer = self._call(self._keys(tenant_id), "GET", f"/transaction/verify/{reference}")
        if not answer.get("status"):
            raise PspUnavailable(f"Paystack: {answer.get('message')}")
        status = str((answer.get("data") or {}).get("status"))
        return PaymentEvent(
            event_id=f"verify:{reference}:{status}",
            kind=_kind(status),
            payment_id=payment_id,
            reference=reference,
        )

    def records(
        self, *, tenant_id: uuid.UUID, start: datetime, end: datetime
    ) -> list[ProviderRecord]:
        keys = self._keys(tenant_id)
        found: list[ProviderRecord] = []
        page = 1
        while True:
            params = {
                "from": start.isoformat(),
                "to": end.isoformat(),
                "perPage": 100,
                "page": page,
            }
            answer = self._call(keys, "GET", "/transaction", params=params)
            if not answer.get("status"):
                raise PspUnavailable(f"Paystack: {answer.get('message')}")
            for item in answer.get("data") or []:
                currency = str(item.get("currency", ""))
                found.append(
                    ProviderRecord(
                        reference=str(item.get("reference")),
                        payment_id=_uuid(item.get("reference")),
                        amount=major_units(int(item.get("amount", 0)), currency),
                        currency=currency.upper(),
                        succeeded=item.get("status") == "success",
                        refunded=major_units(0, currency),
                    )
                )
            meta = answer.get("meta") or {}
            if page >= int(meta.get("pageCount") or 1):
                return found
            page += 1
