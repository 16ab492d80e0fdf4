"""PaymentService: taking money.

Standalone: the desk (cash, card terminal) and PSPs; integrated: ZHEP payments.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class MobileMoneyPayer:
    """Who approves a mobile-money charge on their phone, and on which network (Paystack's
    ``provider`` codes: ``mtn``, ``vod``, ``atl``, ``tgo``, ``mpesa`` ...)."""

    phone: str
    provider: str


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
    #: Mobile money only: the phone that approves the charge.
    mobile_money: MobileMoneyPayer | None = None
    #: Where a PSP sends the payer's receipt (Paystack requires one).
    payer_email: str | None = None


@dataclass(frozen=True)
class PaymentResult:
    payment_id: uuid.UUID
    succeeded: bool
    reason: str | None = None
    #: Accepted but not settled yet (mobile money waits for the payer's approval): the
    #: provider's webhook or a verify settles it later. ``succeeded`` is False meanwhile.
    pending: bool = False
    #: Which PSP took it (``stripe``, ``paystack``; None at the desk) and its own id of
    #: the charge (a PaymentIntent's ``pi_...``, a Paystack reference).
    provider: str | None = None
    reference: str | None = None


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
    #: The PSP's id of the charge (``PaymentResult.reference``), for PSP refunds.
    reference: str | None = None
    #: This refund was asked for before and its answer is not known (it timed out): a PSP
    #: without idempotency keys looks it up before making it again.
    asked_before: bool = False


class PaymentService(Protocol):
    def charge(self, request: PaymentRequest) -> PaymentResult:
        """Take a payment; the same ``idempotency_key`` never charges twice."""
        ...

    def refund(self, request: RefundRequest) -> PaymentResult:
        """Give back part or all of a payment; the same ``idempotency_key`` never refunds
        twice. The caller makes sure no more than what is left of the payment goes back.
        A result with ``pending`` set means the outcome is not known (the provider could not
        be reached or timed out): the caller asks again later with the same key."""
        ...


@dataclass(frozen=True)
class ProviderKeys:
    """A tenant's own account at a PSP (opened from their sealed copies)."""

    secret_key: str
    #: Stripe's endpoint secret (``whsec_...``); Paystack signs with the secret key.
    webhook_secret: str | None = None


@dataclass(frozen=True)
class StoredCard:
    """A member's card on file at the PSP."""

    customer_id: str
    payment_method_id: str


class PaymentAccounts(Protocol):
    """The tenants' PSP accounts and members' cards on file, as the adapters read them."""

    def keys(self, tenant_id: uuid.UUID, provider: str) -> ProviderKeys | None: ...

    def card(self, tenant_id: uuid.UUID, member_id: uuid.UUID) -> StoredCard | None: ...


class ProviderUnavailable(Exception):
    """A PSP could not be asked (down, timing out, refusing our keys)."""


class WebhookRejected(Exception):
    """A webhook whose signature or timestamp does not hold: answered 400, nothing changes."""


@dataclass(frozen=True)
class PaymentEvent:
    """One PSP webhook, verified and read. ``kind``: ``succeeded``, ``failed``,
    ``refunded`` (``refunded_total`` is the charge's whole refunded amount so far),
    ``refund_succeeded`` / ``refund_failed`` (one refund made or failed: ``refund_id`` is
    ours when the PSP carries it back, ``amount`` the refund's, ``reference`` the charge's;
    ``refund_by_amount`` when the PSP's events cannot carry our id: the one refund of that
    amount on the charge is meant) or ``other`` (acknowledged, no effect)."""

    event_id: str
    kind: str
    payment_id: uuid.UUID | None = None
    reference: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    refunded_total: Decimal | None = None
    reason: str | None = None
    refund_id: uuid.UUID | None = None
    refund_by_amount: bool = False


@dataclass(frozen=True)
class ProviderRecord:
    """One charge as the PSP's records have it, for reconciliation."""

    reference: str
    payment_id: uuid.UUID | None
    amount: Decimal
    currency: str
    succeeded: bool
    refunded: Decimal


class PaymentGateway(Protocol):
    """What a PSP brings besides charging: its webhooks and its records."""

    provider: str

    def read_webhook(
        self, *, keys: ProviderKeys, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> PaymentEvent:
        """Verify and read one webhook; :class:`WebhookRejected` if it is not genuine."""
        ...

    def verify(
        self, *, tenant_id: uuid.UUID, payment_id: uuid.UUID, reference: str
    ) -> PaymentEvent:
        """Where one charge stands at the PSP now (an event of kind succeeded, failed or
        other while it is still pending)."""
        ...

    def records(
        self, *, tenant_id: uuid.UUID, start: datetime, end: datetime
    ) -> list[ProviderRecord]:
        """The tenant's charges created in ``[start, end)``, every page of them."""
        ...
