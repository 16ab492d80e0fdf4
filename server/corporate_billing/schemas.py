"""API schemas of corporate packages and invoices."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from server.api.bodies import Patching
from shared.inputs import InputModel

T = TypeVar("T")
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
_CENT = Decimal("0.01")
Fee = Annotated[
    Decimal,
    Field(ge=0, max_digits=12, decimal_places=2),
    AfterValidator(lambda value: value.quantize(_CENT)),
]
Percent = Annotated[
    Decimal,
    Field(ge=0, le=100, max_digits=5, decimal_places=2),
    AfterValidator(lambda value: value.quantize(_CENT)),
]
Seats = Annotated[int, Field(ge=1, le=1_000_000)]
Ids = Annotated[list[uuid.UUID], Field(max_length=50)]
Split = Literal["company_all", "percentage", "fixed"]
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class PackageCreate(InputModel):
    name: Name
    plan_ids: Ids = Field(default_factory=list, description="Access plans of the tenant")
    journey_template_ids: Ids = Field(
        default_factory=list, description="Journey templates of the tenant"
    )
    seats: Seats | None = Field(None, description="The seat pool; null: no limit")
    seat_fee: Fee = Field(description="One seat's monthly fee, in the tenant's currency")
    split: Split = "company_all"
    company_percent: Percent | None = Field(None, description="With 'percentage': 0–100")
    company_amount: Fee | None = Field(None, description="With 'fixed': the company's part")
    starts_on: date
    ends_on: date | None = None

    @model_validator(mode="after")
    def _whole(self) -> PackageCreate:
        if not self.plan_ids and not self.journey_template_ids:
            raise ValueError("a package gives at least one access plan or journey")
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class PackageUpdate(Patching, InputModel):
    """Only the fields sent change; the split is checked whole after the change."""

    name: Name | None = None
    plan_ids: Ids | None = None
    journey_template_ids: Ids | None = None
    seats: Seats | None = None
    seat_fee: Fee | None = None
    split: Split | None = None
    company_percent: Percent | None = None
    company_amount: Fee | None = None


class PackageEnd(InputModel):
    ends_on: date = Field(description="The package's last day")


class PackageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    account_id: uuid.UUID
    name: str
    plan_ids: list[uuid.UUID]
    journey_template_ids: list[uuid.UUID]
    seats: int | None
    seat_fee: Decimal
    split: str
    company_percent: Decimal | None
    company_amount: Decimal | None
    #: One seat's fee as the company and the employee pay it.
    company_share: Decimal
    employee_share: Decimal
    currency: str
    starts_on: date
    ends_on: date | None
    seats_taken: int
    seats_left: int | None
    created_at: datetime


class PackagePage(BaseModel):
    items: list[PackageRead]
    next_offset: int | None


class InvoiceIssue(InputModel):
    month: Month = Field(description="YYYY-MM")


class InvoiceLineRead(BaseModel):
    """One cost centre's seats on one package in the month, and their usage."""

    department: str
    cost_centre: str
    package: str
    seats: int
    seat_fee: Decimal
    company_share: Decimal
    amount: Decimal
    employees_owe: Decimal
    active_employees: int
    visits: int


class EmployeeShareRead(BaseModel):
    """What one employee owes the provider for the month (collected by the payments work)."""

    employee_id: uuid.UUID
    employee_ref: str | None
    name: str
    department: str
    package: str
    amount: Decimal


class EmployeeSharePage(BaseModel):
    items: list[EmployeeShareRead]
    next_offset: int | None
    #: What all the month's employees owe, whatever the page.
    total: Decimal


class InvoiceRead(BaseModel):
    id: uuid.UUID
    account_id: uuid.UUID
    account_name: str
    number: str
    month: str
    period_start: date
    period_end: date
    issued_at: datetime
    currency: str
    total: Decimal
    employees_owe: Decimal
    lines: list[InvoiceLineRead]


class InvoiceSummary(BaseModel):
    id: uuid.UUID
    account_id: uuid.UUID
    number: str
    month: str
    issued_at: datetime
    currency: str
    total: Decimal


class InvoicePage(BaseModel):
    items: list[InvoiceSummary]
    next_offset: int | None


def page_of(rows: list[T], limit: int, offset: int) -> tuple[list[T], int | None]:
    """One page of ``rows`` and the offset of the next (None: the last page)."""
    return rows[offset : offset + limit], offset + limit if len(rows) > offset + limit else None


class IssuedRead(BaseModel):
    """A month's invoices: one per account with seats or a live package in it."""

    month: str
    items: list[InvoiceSummary]
