"""A PaymentService that records charges, honours idempotency keys and declines on demand."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from server.ports.payments import PaymentRequest, PaymentResult


@dataclass
class FakePayments:
    charges: dict[uuid.UUID, PaymentRequest] = field(default_factory=dict)
    #: Every request, repeats included.
    asked: list[PaymentRequest] = field(default_factory=list)
    decline_reason: str | None = None

    def charge(self, request: PaymentRequest) -> PaymentResult:
        self.asked.append(request)
        if self.decline_reason is not None:
            return PaymentResult(request.idempotency_key, False, self.decline_reason)
        self.charges.setdefault(request.idempotency_key, request)
        return PaymentResult(payment_id=request.idempotency_key, succeeded=True)
