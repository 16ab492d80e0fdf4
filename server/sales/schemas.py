"""API schemas of the sales ledger, refunds, receipts and the revenue report."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from shared.enums import PaymentMethod, PaymentStatus, PlanKind, RefundState
from shared.inputs import InputModel

RefundAmount = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]
GroupBy = Literal["plan", "location"]
Period = Literal["day", "week", "month"]


class SaleRecord(BaseModel):
    """One sale of the ledger. ``amount`` is what was charged (``list_price`` less
    ``discount_amount``); ``net_amount`` is what is left after refunds, in ``currency``."""

    id: uuid.UUID
    receipt_number: int
    member_id: uuid.UUID
    member_name: str
    plan_id: uuid.UUID | None
    plan_name: str | None
    plan_kind: PlanKind | None
    membership_id: uuid.UUID | None
    location_id: uuid.UUID
    location_name: str | None
    currency: str
    list_price: Decimal | None
    discount_amount: Decimal
    discount_reason: str | None
    amount: Decimal
    refunded_amount: Decimal = Field(description="What refunds have given back (done ones)")
    refund_pending_amount: Decimal = Field(
        Decimal("0"),
        description="What pending refunds have asked for and the payment provider has not "
        "confirmed yet (not counted as given back until it does)",
    )
    net_amount: Decimal
    method: PaymentMethod
    payment_status: PaymentStatus = Field(
        PaymentStatus.PAID,
        description="pending: mobile money not confirmed by the PSP yet; failed: never paid",
    )
    taken_at: datetime
    taken_on: date = Field(description="The day of the sale at its location")
    taken_by: uuid.UUID | None = Field(description="The staff member who sold it, if any")
    device_id: uuid.UUID | None


class SalePage(BaseModel):
    items: list[SaleRecord]
    next_offset: int | None


class RefundCreate(InputModel):
    """Money given back on a sale, with the reason. ``refund_id`` is made by the client,
    once: sending the same refund again changes nothing."""

    model_config = ConfigDict(extra="forbid")
    refund_id: uuid.UUID = Field(description="Client-made id; replaying it changes nothing")
    amount: RefundAmount | None = Field(
        None, description="Default: everything not refunded yet (a full refund)"
    )
    reason: str = Field(min_length=1, max_length=300)


class RefundRead(BaseModel):
    """A refund and where it stands. ``state``: ``done``, the money went back
    (``refunded_at``); ``pending``, the payment provider has not answered yet (answered 202):
    the amount is held on the sale and the provider is asked again, with the same
    idempotency key, until the refund is done or declined; ``declined`` refunds are answered
    402 ``payment_declined`` with the provider's reason, and their amount may be refunded
    again."""

    id: uuid.UUID
    sale_id: uuid.UUID
    amount: Decimal
    currency: str
    reason: str
    state: RefundState = Field(description="done, pending (not confirmed yet) or declined")
    refunded_by: uuid.UUID
    requested_at: datetime | None = Field(description="When the refund was asked for")
    refunded_at: datetime | None = Field(description="When the money went back (done only)")
    message: str | None = Field(None, description="What a pending refund waits for")
    sale: SaleRecord


class RefundLine(BaseModel):
    """A refund as a sale's history lists it (without its sale)."""

    id: uuid.UUID
    sale_id: uuid.UUID
    amount: Decimal
    currency: str
    reason: str
    state: RefundState
    requested_at: datetime | None
    refunded_at: datetime | None
    declined_reason: str | None = Field(description="The PSP's reason (declined only)")


class ReceiptEmail(InputModel):
    model_config = ConfigDict(extra="forbid")
    to_email: EmailStr | None = Field(None, description="Default: the member's own address")


class ReceiptSent(BaseModel):
    receipt_number: int
    sent_to: str


class RevenueRow(BaseModel):
    """Money of one group in one period, in one currency: never a sum of two currencies."""

    group_id: uuid.UUID
    group_name: str
    period_start: date = Field(description="First local day of the period (weeks start Monday)")
    currency: str
    sales: int = Field(description="How many sales were made in the period")
    gross: Decimal = Field(description="What those sales charged")
    refunds: Decimal = Field(description="What was given back in the period")
    net: Decimal = Field(description="gross less refunds")


class RevenueReport(BaseModel):
    group_by: GroupBy
    period: Period
    from_: date = Field(alias="from", serialization_alias="from")
    to: date
    rows: list[RevenueRow]

    model_config = ConfigDict(populate_by_name=True)
