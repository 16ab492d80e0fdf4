"""A PaymentService that records charges, honours idempotency keys and declines on demand."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from server.ports.payments import PaymentRequest, PaymentResult, RefundRequest


@dataclass
class FakePayments:
    charges: dict[uuid.UUID, PaymentRequest] = field(default_factory=dict)
    #: Every request, repeats included.
    asked: list[PaymentRequest] = field(default_factory=list)
    decline_reason: str | None = None
    refunds: dict[uuid.UUID, RefundRequest] = field(default_factory=dict)
    #: Every refund request, repeats included.
    refunds_asked: list[RefundRequest] = field(default_factory=list)

    def charge(self, request: PaymentRequest) -> PaymentResult:
        self.asked.append(request)
        if self.decline_reason is not None:
            return PaymentResult(request.idempotency_key, False, self.decline_reason)
        self.charges.setdefault(request.idempotency_key, request)
        return PaymentResult(payment_id=request.idempotency_key, succeeded=True)

    def refund(self, request: RefundRequest) -> PaymentResult:
        self.refunds_asked.append(request)
        if self.decline_reason is not None:
            return PaymentResult(request.idempotency_key, False, self.decline_reason)
        self.refunds.setdefault(request.idempotency_key, request)
        return PaymentResult(payment_id=request.idempotency_key, succeeded=True)
