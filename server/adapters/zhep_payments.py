"""Integrated payments: ZHEP's payments service (contract: ``docs/zhep/payments.openapi.yaml``).

Money taken at the front desk (cash, the location's own card terminal) stays at the desk:
those charges and refunds go to the ``desk`` adapter. The rest (card on file, wallet, mobile
money) go to ZHEP, with the request's idempotency key as the ``Idempotency-Key``: a charge
sent again after a timeout or a ``5xx`` is answered with the first payment, never a second.

A declined charge, or one ZHEP refuses (``4xx``), is a failed ``PaymentResult`` with ZHEP's
reason. When ZHEP cannot be reached, or a mobile-money payment still waits for the payer's
approval, ``ZhepUnavailable`` is raised instead: the outcome is not known, so the caller must
not record a failure (a renewal would then try a new key and could charge twice); it sends
the same request again later.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from babel.numbers import get_currency_precision

from server.adapters.zhep_http import ZhepEndpoint, ZhepRejected, ZhepUnavailable
from server.ports.payments import PaymentRequest, PaymentResult, PaymentService, RefundRequest

log = logging.getLogger("zmos.zhep")

#: How money is taken at the desk: never sent to ZHEP.
DESK_METHODS = frozenset({"cash", "card_terminal"})
#: ZMOS's payment methods as ZHEP names them.
ZHEP_METHODS = {
    "card_on_file": "card",
    "card": "card",
    "wallet": "wallet",
    "mobile_money": "mobile_money",
}

#: Finds a member's ZHEP party id (tenant, member); ``None`` when the member has none.
PartyOf = Callable[[uuid.UUID, uuid.UUID], str | None]


class PaymentPending(ZhepUnavailable):
    code = "payment_pending"
    title = "Payment awaiting approval"


def to_minor_units(amount: Decimal, currency: str) -> int | None:
    """``amount`` in the currency's smallest unit (ISO 4217 exponent), or ``None`` when it has
    more decimals than the currency allows."""
    scaled = amount.scaleb(get_currency_precision(currency))
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)


class ZhepPayments:
    def __init__(
        self,
        endpoint: ZhepEndpoint,
        *,
        desk: PaymentService | None = None,
        party_of: PartyOf | None = None,
        pending_wait: float = 20.0,
        poll_interval: float = 1.0,
    ) -> None:
        self._endpoint, self._desk, self._party_of = endpoint, desk, party_of
        self._pending_wait, self._poll_interval = pending_wait, poll_interval

    def charge(self, request: PaymentRequest) -> PaymentResult:
        if request.method in DESK_METHODS and self._desk is not None:
            return self._desk.charge(request)
        key = request.idempotency_key
        method = ZHEP_METHODS.get(request.method)
        if method is None:
            return PaymentResult(key, False, f"payment method {request.method!r} is not taken")
        if request.member_id is None:
            return PaymentResult(key, False, "ZHEP charges a member: the charge names none")
        minor = to_minor_units(request.amount, request.currency)
        if minor is None or minor <= 0:
            return PaymentResult(
                key, False, f"{request.amount} {request.currency} cannot be charged"
            )
        try:
            payment = self._endpoint.request(
                "POST",
                "/v1/payments",
                json=self._charge_body(request, method, minor),
                idempotency_key=str(key),
            )
            payment = self._settled(payment)
        except ZhepRejected as exc:
            return PaymentResult(key, False, exc.detail)
        return _result(payment, key)

    def refund(self, request: RefundRequest) -> PaymentResult:
        if request.method in DESK_METHODS and self._desk is not None:
            return self._desk.refund(request)
        key = request.idempotency_key
        if request.method not in ZHEP_METHODS:
            return PaymentResult(key, False, f"payment method {request.method!r} is not refunded")
        minor = to_minor_units(request.amount, request.currency)
        if minor is None or minor <= 0:
            return PaymentResult(key, False, "a refund must be a positive amount of the currency")
        body = {
            "tenant_id": str(request.tenant_id),
            "payment_idempotency_key": str(request.payment_id),
            "amount_minor": minor,
            "currency": request.currency,
            "reason": request.reason[:500],
        }
        try:
            refund = self._endpoint.request(
                "POST", "/v1/refunds", json=body, idempotency_key=str(key)
            )
            if isinstance(refund, dict) and refund.get("status") in {"pending", "processing"}:
                raise ZhepUnavailable(f"ZHEP has not finished refund {key} yet")
            return _result(refund, key)
        except ZhepRejected as exc:
            return PaymentResult(key, False, exc.detail)
        except ZhepUnavailable as down:
            # Sent with its Idempotency-Key: asked again later, it is never made twice.
            return PaymentResult(key, False, str(down), pending=True)

    def _charge_body(self, request: PaymentRequest, method: str, minor: int) -> dict[str, Any]:
        party = None
        if request.member_id is not None and self._party_of is not None:
            party = self._party_of(request.tenant_id, request.member_id)
        body: dict[str, Any] = {
            "tenant_id": str(request.tenant_id),
            "party_id": party,
            "member_ref": str(request.member_id) if party is None and request.member_id else None,
            "amount_minor": minor,
            "currency": request.currency,
            "method": method,
            "description": request.description[:500],
        }
        if request.membership_id is not None:
            body["metadata"] = {"membership_id": str(request.membership_id)}
        return body

    def _settled(self, payment: dict[str, Any]) -> dict[str, Any]:
        """Follow a pending payment until its status is final or the wait is over."""
        deadline = time.monotonic() + self._pending_wait
        while payment.get("status") == "pending":
            if time.monotonic() >= deadline:
                raise PaymentPending(
                    f"ZHEP payment {payment.get('id')} still awaits the payer's approval; "
                    "send the same sale again to learn how it ended"
                )
            time.sleep(self._poll_interval)
            payment = self._endpoint.request("GET", f"/v1/payments/{payment['id']}")
        return payment


def _result(answer: dict[str, Any], key: uuid.UUID) -> PaymentResult:
    try:
        zhep_id = uuid.UUID(str(answer["id"]))
        status = answer["status"]
    except (KeyError, ValueError, TypeError):
        raise ZhepUnavailable("ZHEP payments answered without a payment id or status") from None
    if status == "succeeded":
        return PaymentResult(payment_id=zhep_id, succeeded=True)
    reason = answer.get("failure_reason") or f"ZHEP answered {status}"
    log.info("ZHEP payment %s for key %s: %s", zhep_id, key, reason)
    return PaymentResult(payment_id=zhep_id, succeeded=False, reason=str(reason))
