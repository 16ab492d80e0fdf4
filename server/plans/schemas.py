"""API schemas of access plans, memberships and desk sales."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from server.plans.rules import PlanSpec, check_currency, plan_problems
from shared.enums import (
    LimitMode,
    LimitPeriod,
    LocationRule,
    MembershipStatus,
    MemberSource,
    PaymentMethod,
    PaymentStatus,
    PlanKind,
)
from shared.inputs import InputModel
from shared.payments import StaffPaymentMethod
from shared.time_windows import TimeWindow

Currency = Annotated[str, AfterValidator(check_currency)]
CENT = Decimal("0.01")
Price = Annotated[
    Decimal,
    Field(ge=0, max_digits=12, decimal_places=2),
    AfterValidator(lambda value: value.quantize(CENT)),
]
BillingPeriod = Literal["month", "year"]
Credits = Annotated[int, Field(ge=1, le=10_000)]
ValidityDays = Annotated[int, Field(ge=1, le=3660)]
VisitLimit = Annotated[int, Field(ge=1, le=1000)]
_WINDOWS_DOC = (
    "Off-peak plans: the weekly windows it admits in, in the location's local time "
    "(empty: any time); the door refuses outside them"
)


class PlanCreate(InputModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    kind: PlanKind
    price: Price
    currency: Currency
    billing_period: BillingPeriod | None = None
    credits: Credits | None = None
    validity_days: ValidityDays | None = None
    location_rule: LocationRule = LocationRule.ALL
    location_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    visit_limit: VisitLimit | None = None
    visit_limit_period: LimitPeriod | None = None
    visit_limit_mode: LimitMode | None = None
    time_windows: list[TimeWindow] = Field(
        default_factory=list, max_length=28, description=_WINDOWS_DOC
    )
    active: bool = True

    def spec(self) -> PlanSpec:
        return PlanSpec(
            kind=self.kind,
            price=self.price,
            billing_period=self.billing_period,
            credits=self.credits,
            validity_days=self.validity_days,
            location_rule=self.location_rule,
            location_ids=tuple(dict.fromkeys(self.location_ids)),
            visit_limit=self.visit_limit,
            visit_limit_period=self.visit_limit_period,
            visit_limit_mode=self.visit_limit_mode,
        )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = plan_problems(self.spec())
        if problems:
            raise ValueError("; ".join(problems))
        return self


class PlanUpdate(InputModel):
    """Only the fields given change; null clears an optional one. The kind never changes."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=200)
    price: Price | None = None
    currency: Currency | None = None
    billing_period: BillingPeriod | None = None
    credits: Credits | None = None
    validity_days: ValidityDays | None = None
    location_rule: LocationRule | None = None
    location_ids: list[uuid.UUID] | None = Field(None, max_length=500)
    visit_limit: VisitLimit | None = None
    visit_limit_period: LimitPeriod | None = None
    visit_limit_mode: LimitMode | None = None
    time_windows: list[TimeWindow] | None = Field(None, max_length=28, description=_WINDOWS_DOC)
    active: bool | None = None


class PlanRead(BaseModel):
    id: uuid.UUID
    name: str
    kind: PlanKind
    price: Decimal
    currency: str
    billing_period: BillingPeriod | None
    credits: int | None
    validity_days: int | None
    location_rule: LocationRule
    location_ids: list[uuid.UUID]
    visit_limit: int | None
    visit_limit_period: LimitPeriod | None
    visit_limit_mode: LimitMode | None
    time_windows: list[TimeWindow]
    active: bool
    created_at: datetime
    updated_at: datetime


class PlanPage(BaseModel):
    items: list[PlanRead]
    next_offset: int | None


class MembershipCreate(InputModel):
    model_config = ConfigDict(extra="forbid")
    plan_id: uuid.UUID
    starts_on: date
    ends_on: date | None = Field(None, description="Last valid day; default: from the plan")
    source: MemberSource = MemberSource.DESK
    home_location_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on cannot be before starts_on")
        return self


class MembershipFreeze(InputModel):
    model_config = ConfigDict(extra="forbid")
    until: date = Field(description="The day the membership resumes")


class MembershipCancel(InputModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(None, max_length=300)


class MembershipRead(BaseModel):
    id: uuid.UUID
    member_id: uuid.UUID
    plan_id: uuid.UUID
    plan_name: str
    plan_kind: PlanKind
    status: MembershipStatus = Field(description="As of today: expiry is applied when read")
    starts_on: date
    ends_on: date | None
    frozen_until: date | None
    source: MemberSource
    credits_remaining: int | None
    home_location_id: uuid.UUID | None
    next_renewal_on: date | None = Field(
        description="Recurring plans: the day the next period begins and is charged (while "
        "past due or suspended: the renewal still unpaid)"
    )
    created_at: datetime
    warnings: list[str] = Field(
        default_factory=list, description="Allowed, but worth a second look (e.g. home location)"
    )


class MembershipPage(BaseModel):
    items: list[MembershipRead]
    next_offset: int | None


class MobileMoneyIn(InputModel):
    model_config = ConfigDict(extra="forbid")
    phone: str = Field(pattern=r"^\+?[0-9]{7,15}$", description="The payer's phone number")
    provider: Literal["mtn", "vod", "atl", "tgo", "mpesa", "airtel"] = Field(
        description="The mobile-money network (Paystack's provider code)"
    )


class SaleCreate(InputModel):
    """A plan sold to a member: at a kiosk a day or guest pass, by staff any plan but a
    corporate one. ``sale_id`` is made by the client, once. ``amount`` is the plan's price
    less ``discount_amount``, in the plan's currency."""

    model_config = ConfigDict(extra="forbid")
    sale_id: uuid.UUID = Field(description="Client-made id; replaying it changes nothing")
    member_id: uuid.UUID
    plan_id: uuid.UUID
    method: StaffPaymentMethod
    amount: Price
    currency: Currency
    location_id: uuid.UUID | None = Field(
        None, description="Staff only; a kiosk sells at its own location"
    )
    guest_of_id: uuid.UUID | None = Field(
        None, description="For a guest pass: the member who brings the guest"
    )
    discount_amount: Price = Field(Decimal("0.00"), description="Taken off the plan's price")
    discount_reason: str | None = Field(None, min_length=1, max_length=200)
    mobile_money: MobileMoneyIn | None = Field(
        None, description="For method mobile_money: the phone that approves the charge"
    )

    @model_validator(mode="after")
    def _mobile_money_needs_a_phone(self) -> Self:
        if (self.method is PaymentMethod.MOBILE_MONEY) != (self.mobile_money is not None):
            raise ValueError("mobile_money (phone and provider) goes with method mobile_money only")
        return self


class SaleRead(BaseModel):
    sale_id: uuid.UUID
    member_id: uuid.UUID
    plan_id: uuid.UUID
    location_id: uuid.UUID
    method: PaymentMethod
    amount: Decimal
    currency: str
    taken_at: datetime
    taken_by: uuid.UUID | None
    device_id: uuid.UUID | None
    receipt_number: int
    list_price: Decimal | None
    discount_amount: Decimal
    discount_reason: str | None
    refunded_amount: Decimal
    payment_status: PaymentStatus = Field(
        PaymentStatus.PAID,
        description="pending: mobile money awaiting the payer's approval (the membership "
        "stays pending until the PSP confirms)",
    )
    membership: MembershipRead
