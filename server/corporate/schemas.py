"""API schemas of corporate accounts, their departments, admins and eligibility roster."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, EmailStr, StringConstraints

from server.api.bodies import Patching
from shared.inputs import InputModel

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Password = Annotated[str, StringConstraints(min_length=10, max_length=200)]
Token = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=300)]
Slug = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=63)]


class AccountFields(InputModel):
    legal_name: Name | None = None
    contact_name: Name | None = None
    contact_email: EmailStr | None = None
    contact_phone: Phone | None = None
    billing_email: EmailStr | None = None
    billing_address: Address | None = None
    #: VAT or other tax number printed on invoices.
    tax_number: Code | None = None
    #: The purchase-order reference the company wants on its invoices.
    po_reference: Reference | None = None


class AccountCreate(AccountFields):
    name: Name


class AccountUpdate(Patching, AccountFields):
    """Only the fields sent change; null clears an optional one."""

    name: Name | None = None


class AccountRead(BaseModel):
    id: uuid.UUID
    name: str
    legal_name: str | None
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    billing_email: str | None
    billing_address: str | None
    tax_number: str | None
    po_reference: str | None
    archived: bool
    created_at: datetime


class AccountPage(BaseModel):
    items: list[AccountRead]
    total: int
    next_offset: int | None


class DepartmentCreate(InputModel):
    name: Short
    cost_centre: Code | None = None


class DepartmentRead(BaseModel):
    id: uuid.UUID
    name: str
    cost_centre: str | None


class DepartmentPage(BaseModel):
    items: list[DepartmentRead]
    next_offset: int | None


class AdminInvite(InputModel):
    email: EmailStr
    full_name: Name


class AdminRead(BaseModel):
    id: uuid.UUID
    email: str
    full_name: str
    active: bool
    has_password: bool
    last_signed_in_at: datetime | None


class AdminPage(BaseModel):
    items: list[AdminRead]
    next_offset: int | None


class AdminPasswordSet(InputModel):
    """Accepting an admin invitation: the one-time code from the email and a password."""

    token: Token
    password: Password


class AdminSignIn(InputModel):
    tenant: Slug
    email: EmailStr
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class RowReport(BaseModel):
    """What one line of a roster file does (``line`` null: someone a full file ends)."""

    line: int | None
    key: str
    action: str
    detail: str


class RosterReport(BaseModel):
    dry_run: bool
    full: bool
    applied: bool
    added: int
    updated: int
    unchanged: int
    ended: int
    errors: int
    rows: list[RowReport]


class EmployeeRead(BaseModel):
    id: uuid.UUID
    employee_ref: str | None
    work_email: str | None
    first_name: str | None
    last_name: str | None
    department_id: uuid.UUID | None
    package_id: uuid.UUID | None
    location_id: uuid.UUID | None
    status: str
    covered_until: date | None
    #: Whether the employee accepted their invitation (owners and managers only; null for
    #: the company's own admins, who see no member-level participation).
    activated: bool | None
    invited_at: datetime | None


class EmployeePage(BaseModel):
    items: list[EmployeeRead]
    total: int
    next_offset: int | None


class InvitationsSent(BaseModel):
    sent: int


class InvitationAccept(InputModel):
    """Accepting an employee's invitation: the one-time code; a new member's password."""

    token: Token
    password: Password | None = None


class InvitationAccepted(BaseModel):
    member_id: uuid.UUID
    membership_id: uuid.UUID
    account_name: str
    created_member: bool
