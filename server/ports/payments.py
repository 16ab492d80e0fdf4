"""PaymentService: taking money.

Standalone: the desk (cash, card terminal) and PSPs; integrated: ZHEP payments.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class PaymentRequest:
    tenant_id: uuid.UUID
    idempotency_key: uuid.UUID
    amount: Decimal
    currency: str
    method: str
    description: str
    #: Whose card on file a renewal charges, and for which membership (a desk payment
    #: needs neither).
    member_id: uuid.UUID | None = None
    membership_id: uuid.UUID | None = None


@dataclass(frozen=True)
class PaymentResult:
    payment_id: uuid.UUID
    succeeded: bool
    reason: str | None = None


@dataclass(frozen=True)
class RefundRequest:
    tenant_id: uuid.UUID
    #: Made by the client once per refund: the same key never refunds twice.
    idempotency_key: uuid.UUID
    #: The charge's own idempotency key (the sale's id).
    payment_id: uuid.UUID
    amount: Decimal
    currency: str
    #: How the money was taken: it goes back the same way.
    method: str
    reason: str


class PaymentService(Protocol):
    def charge(self, request: PaymentRequest) -> PaymentResult:
        """Take a payment; the same ``idempotency_key`` never charges twice."""
        ...

    def refund(self, request: RefundRequest) -> PaymentResult:
        """Give back part or all of a payment; the same ``idempotency_key`` never refunds
        twice. The caller makes sure no more than what is left of the payment goes back."""
        ...
