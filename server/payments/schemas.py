"""API schemas of PSP accounts, cards on file, webhooks and reconciliation."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.enums import PaymentProvider, PaymentStatus
from shared.inputs import InputModel


class PaymentAccountSet(InputModel):
    """A tenant's own keys at a PSP (sealed at rest; never shown again)."""

    model_config = ConfigDict(extra="forbid")
    secret_key: str = Field(
        pattern=r"^sk_(test|live)_[A-Za-z0-9_]{8,200}$",
        description="The PSP's secret API key (sk_test_... or sk_live_...)",
    )
    webhook_secret: str | None = Field(
        None,
        pattern=r"^whsec_[A-Za-z0-9_]{8,200}$",
        description="Stripe: the webhook endpoint's signing secret (whsec_...); "
        "Paystack signs its webhooks with the secret key",
    )


class PaymentAccountRead(BaseModel):
    provider: PaymentProvider
    key_hint: str = Field(description="The secret key's last four characters")
    has_webhook_secret: bool
    webhook_path: str = Field(description="Where the PSP sends this tenant's webhooks")
    updated_at: datetime


#: Stripe's card brands (the PaymentMethod's ``card.brand``).
CardBrand = Literal[
    "amex",
    "diners",
    "discover",
    "eftpos_au",
    "jcb",
    "link",
    "mastercard",
    "unionpay",
    "visa",
    "unknown",
]


class CardOnFileSet(InputModel):
    """A member's Stripe customer and default card (attached with Stripe's own setup flow)."""

    model_config = ConfigDict(extra="forbid")
    customer_id: str = Field(pattern=r"^cus_[A-Za-z0-9]{4,100}$")
    payment_method_id: str = Field(pattern=r"^pm_[A-Za-z0-9_]{4,100}$")
    brand: CardBrand | None = Field(
        None, description="Stripe's card.brand of the payment method, shown to staff"
    )
    last4: str | None = Field(None, pattern=r"^[0-9]{4}$", description="The card's last 4 digits")
    exp_month: int | None = Field(None, ge=1, le=12)
    exp_year: int | None = Field(None, ge=2000, le=2200)


class CardOnFileRead(BaseModel):
    member_id: uuid.UUID
    customer_id: str
    payment_method_id: str
    updated_at: datetime
    brand: CardBrand | None = None
    last4: str | None = None
    exp_month: int | None = None
    exp_year: int | None = None


class WebhookAck(BaseModel):
    event_id: str
    duplicate: bool = Field(description="Already processed: nothing changed this time")
    outcome: str


class SettlementRead(BaseModel):
    sale_id: uuid.UUID
    payment_status: PaymentStatus
    outcome: str


MismatchKind = Literal["missing_ours", "missing_theirs", "amount_mismatch", "status_mismatch"]


class ReconciliationItem(BaseModel):
    kind: MismatchKind
    reference: str | None
    sale_id: uuid.UUID | None
    ours: Decimal | None = Field(description="Our sale's amount (None: not in our ledger)")
    theirs: Decimal | None = Field(description="The PSP's amount (None: not in its records)")
    currency: str


class ReconciliationRead(BaseModel):
    provider: PaymentProvider
    start: date
    end: date = Field(description="The last day compared (inclusive)")
    matched: int
    mismatches: list[ReconciliationItem] = Field(max_length=100_000)
