"""Corporate accounts and everything that hangs from one.

A tenant (the provider) sells to organisations. Each account has departments (cost centres),
a roster of eligible employees keyed on the employee id or the work email, packages that
bind it to plans and journeys with a seat pool and a split of the fee, monthly invoices per
cost centre, its own administrators (a principal of their own: they see only their account)
and the consents of employees who agreed to be reported on individually.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, Timestamps, UtcDateTime
from shared.clock import utcnow


class CorporateAccount(TenantScoped, Timestamps, Base):
    __tablename__ = "corporate_accounts"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    legal_name: Mapped[str | None] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    billing_email: Mapped[str | None] = mapped_column(String(320))
    billing_address: Mapped[str | None] = mapped_column(String(500))
    #: VAT or other tax number printed on invoices.
    tax_number: Mapped[str | None] = mapped_column(String(40))
    #: Purchase-order reference the company wants on its invoices.
    po_reference: Mapped[str | None] = mapped_column(String(60))
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CorporateDepartment(TenantScoped, Base):
    """A department, and the cost centre its share of an invoice is charged to."""

    __tablename__ = "corporate_departments"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "account_id"], ["corporate_accounts.tenant_id", "corporate_accounts.id"]
        ),
        UniqueConstraint("tenant_id", "account_id", "name"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(String(120))
    cost_centre: Mapped[str | None] = mapped_column(String(40))


class CorporateAdmin(TenantScoped, Timestamps, Base):
    """Someone at the company who signs in to the console's corporate view (a principal of
    kind ``corporate_admin``) and sees their own account only."""

    __tablename__ = "corporate_admins"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "account_id"], ["corporate_accounts.tenant_id", "corporate_accounts.id"]
        ),
        UniqueConstraint("tenant_id", "email"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    email: Mapped[str] = mapped_column(String(320))
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Moves on at a sign-out, a password change or deactivation: older tokens stop working.
    token_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: SHA-256 of the one-time secret of the invitation to choose a password (never the
    #: secret itself); cleared once used.
    invitation_hash: Mapped[str | None] = mapped_column(String(64))
    invitation_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CorporatePackage(TenantScoped, Timestamps, Base):
    """What an account buys: access plans and/or journeys for a pool of seats, and who pays
    what of each seat's monthly fee."""

    __tablename__ = "corporate_packages"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "account_id"], ["corporate_accounts.tenant_id", "corporate_accounts.id"]
        ),
        Index("ix_corporate_packages_tenant_account", "tenant_id", "account_id"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(String(120))
    #: Access plans an employee on this package is given (ids of ``access_plans``).
    plan_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Journey templates the employee may enrol in (ids of ``journey_templates``).
    journey_template_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Employees who may hold the package at once; None: no limit.
    seats: Mapped[int | None] = mapped_column(Integer)
    #: The monthly fee of one seat, in the tenant's currency.
    seat_fee: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    #: company_all, percentage, fixed (who pays what of ``seat_fee``)
    split: Mapped[str] = mapped_column(String(12))
    #: With ``percentage``: the company's share, 0–100.
    company_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    #: With ``fixed``: what the company pays of each seat; the employee pays the rest.
    company_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)


class CorporateEmployee(TenantScoped, Timestamps, Base):
    """One row of an account's eligibility roster."""

    __tablename__ = "corporate_employees"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "account_id"], ["corporate_accounts.tenant_id", "corporate_accounts.id"]
        ),
        ForeignKeyConstraint(
            ["tenant_id", "department_id"],
            ["corporate_departments.tenant_id", "corporate_departments.id"],
        ),
        ForeignKeyConstraint(
            ["tenant_id", "package_id"],
            ["corporate_packages.tenant_id", "corporate_packages.id"],
        ),
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        ForeignKeyConstraint(["tenant_id", "location_id"], ["locations.tenant_id", "locations.id"]),
        UniqueConstraint("tenant_id", "account_id", "employee_ref"),
        UniqueConstraint("tenant_id", "account_id", "work_email"),
        Index("ix_corporate_employees_tenant_member", "tenant_id", "member_id"),
        Index("ix_corporate_employees_tenant_account_status", "tenant_id", "account_id", "status"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: The employer's own id for the person; a roster row has this, the work email, or both.
    employee_ref: Mapped[str | None] = mapped_column(String(64))
    #: Normalised (shared.normalise.normalise_email).
    work_email: Mapped[str | None] = mapped_column(String(320))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    department_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    package_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: The location the employee mostly uses, for reports crossed by location.
    location_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: active, suspended, ended
    status: Mapped[str] = mapped_column(String(10), default="active")
    #: When ended: access lasts to the end of the billing period, this day included.
    covered_until: Mapped[date | None] = mapped_column(Date)
    #: The member the employee became on accepting the invitation.
    member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: SHA-256 of the invitation's one-time token (never the token itself).
    invitation_hash: Mapped[str | None] = mapped_column(String(64))
    invited_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    invitation_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CorporateConsent(TenantScoped, Base):
    """An employee's consent to individual reporting to their employer: its scope, when it
    was given and, once revoked, when. Rows are never deleted: a revocation is a date."""

    __tablename__ = "corporate_consents"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "employee_id"],
            ["corporate_employees.tenant_id", "corporate_employees.id"],
        ),
        Index("ix_corporate_consents_tenant_employee", "tenant_id", "employee_id"),
    )

    employee_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: What the employer may see of them, e.g. "participation", "journeys"
    scope: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CorporateInvoice(TenantScoped, Base):
    """The company's invoice for one month, with a line per cost centre."""

    __tablename__ = "corporate_invoices"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "account_id"], ["corporate_accounts.tenant_id", "corporate_accounts.id"]
        ),
        UniqueConstraint("tenant_id", "account_id", "period_start"),
        UniqueConstraint("tenant_id", "number"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    number: Mapped[str] = mapped_column(String(32))
    #: The first and last day of the month invoiced.
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    #: Lines: [{"department_id", "cost_centre", "package_id", "seats", "active_employees",
    #: "visits", "amount"}], the usage that explains each amount.
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
