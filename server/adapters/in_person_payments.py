"""Standalone payments taken in person at the front desk (cash or the location's own card
terminal), and given back there.

Staff take the money themselves, so the charge always succeeds; the payment's id is its
idempotency key, so the same sale synced twice is one payment.
"""

from __future__ import annotations

from server.ports.payments import PaymentRequest, PaymentResult, RefundRequest

IN_PERSON_METHODS = frozenset({"cash", "card_terminal"})


class InPersonPayments:
    def charge(self, request: PaymentRequest) -> PaymentResult:
        if request.method not in IN_PERSON_METHODS:
            return PaymentResult(
                payment_id=request.idempotency_key,
                succeeded=False,
                reason=f"payment method {request.method!r} is not taken at the desk",
            )
        if request.amount < 0:
            return PaymentResult(request.idempotency_key, False, "amount cannot be negative")
        return PaymentResult(payment_id=request.idempotency_key, succeeded=True)

    def refund(self, request: RefundRequest) -> PaymentResult:
        """Staff hand the money back (cash, or a refund on the terminal): it always succeeds
        for a positive amount taken in person."""
        if request.method not in IN_PERSON_METHODS:
            return PaymentResult(
                request.idempotency_key,
                False,
                f"payment method {request.method!r} is not refunded at the desk",
            )
        if request.amount <= 0:
            return PaymentResult(request.idempotency_key, False, "a refund must be positive")
        return PaymentResult(payment_id=request.idempotency_key, succeeded=True)
