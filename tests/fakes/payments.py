"""A PaymentService that records charges, honours idempotency keys and declines on demand."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field

from server.ports.payments import PaymentRequest, PaymentResult, RefundRequest


@dataclass
class FakePayments:
    charges: dict[uuid.UUID, PaymentRequest] = field(default_factory=dict)
    #: Every request, repeats included.
    asked: list[PaymentRequest] = field(default_factory=list)
    decline_reason: str | None = None
    #: Cards on file that are declined: renewals of these memberships fail.
    declined_memberships: set[uuid.UUID] = field(default_factory=set)
    #: How long the provider takes to answer, in seconds.
    latency: float = 0.0
    #: Answers given per key: a repeated key gets the first answer, as providers do.
    answers: dict[uuid.UUID, PaymentResult] = field(default_factory=dict)
    refunds: dict[uuid.UUID, RefundRequest] = field(default_factory=dict)
    #: Every refund request, repeats included.
    refunds_asked: list[RefundRequest] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def charge(self, request: PaymentRequest) -> PaymentResult:
        if self.latency:
            time.sleep(self.latency)
        with self._lock:
            self.asked.append(request)
            if self.decline_reason is not None:
                return PaymentResult(request.idempotency_key, False, self.decline_reason)
            earlier = self.answers.get(request.idempotency_key)
            if earlier is not None:
                return earlier
            if request.membership_id in self.declined_memberships:
                result = PaymentResult(request.idempotency_key, False, "card declined")
            else:
                self.charges.setdefault(request.idempotency_key, request)
                result = PaymentResult(payment_id=request.idempotency_key, succeeded=True)
            self.answers[request.idempotency_key] = result
            return result

    def charged_for(self, membership_id: uuid.UUID) -> list[PaymentRequest]:
        """The charges that took money for a membership, one per key."""
        return [c for c in self.charges.values() if c.membership_id == membership_id]

    def refund(self, request: RefundRequest) -> PaymentResult:
        with self._lock:
            self.refunds_asked.append(request)
            if self.decline_reason is not None:
                return PaymentResult(request.idempotency_key, False, self.decline_reason)
            self.refunds.setdefault(request.idempotency_key, request)
            return PaymentResult(payment_id=request.idempotency_key, succeeded=True)
