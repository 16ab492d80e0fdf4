"""What the corporate pages show, gathered from the corporate services with the caller's
claims (worker threads): the accounts list, and an account's page with its details,
departments, roster (filtered), admins and, after an upload, the roster report."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from server.api.deps import Services
from server.corporate import admins, service
from server.corporate.access import admin_account_id
from server.corporate.schemas import AccountCreate, AccountUpdate, AdminInvite, DepartmentCreate
from server.ports.identity import AccessClaims
from server.web.formatting import Formats
from shared.enums import PrincipalKind

#: Roster filter: statuses a person may pick.
STATUSES = ("active", "suspended", "ended")
ACCOUNT_WORDS = {
    "name": "Give the account a name (at most 200 characters).",
    "contact_email": "The contact email is not an email address.",
    "billing_email": "The billing email is not an email address.",
    "tax_number": "The tax number is at most 40 characters.",
    "po_reference": "The PO reference is at most 60 characters.",
}
ACCOUNT_FIELDS = (
    "name",
    "legal_name",
    "contact_name",
    "contact_email",
    "contact_phone",
    "billing_email",
    "billing_address",
    "tax_number",
    "po_reference",
)


@dataclass(frozen=True)
class Filter:
    status: str | None
    department_id: uuid.UUID | None


def parse_filter(params: Any) -> Filter:
    status = params.get("status") or None
    department: uuid.UUID | None
    try:
        department = uuid.UUID(params.get("department", "")) if params.get("department") else None
    except ValueError:
        department = None
    return Filter(status if status in STATUSES else None, department)


def is_admin(claims: AccessClaims) -> bool:
    return claims.kind is PrincipalKind.CORPORATE_ADMIN


def home_account(container: Services, claims: AccessClaims) -> uuid.UUID:
    """The account a company's admin lands on."""
    with container.read_uow() as uow:
        return admin_account_id(uow.db, claims)


def accounts(container: Services, claims: AccessClaims, archived: bool) -> dict[str, Any]:
    page = service.list_accounts(uow=container.read_uow(), claims=claims, include_archived=archived)
    return {"accounts": page.items, "archived": archived}


def account_fields(fields: dict[str, str]) -> dict[str, Any]:
    """The form's account fields; a blank optional field is none."""
    return {k: (fields.get(k, "").strip() or None) for k in ACCOUNT_FIELDS}


def create_account(container: Services, claims: AccessClaims, cmd: AccountCreate) -> uuid.UUID:
    return service.create_account(uow=container.uow(), claims=claims, cmd=cmd).id


def update_account(
    container: Services, claims: AccessClaims, account_id: uuid.UUID, cmd: AccountUpdate
) -> None:
    service.update_account(uow=container.uow(), claims=claims, account_id=account_id, cmd=cmd)


def add_department(
    container: Services, claims: AccessClaims, account_id: uuid.UUID, cmd: DepartmentCreate
) -> None:
    service.add_department(uow=container.uow(), claims=claims, account_id=account_id, cmd=cmd)


def invite_admin(
    container: Services, claims: AccessClaims, account_id: uuid.UUID, cmd: AdminInvite
) -> None:
    admins.invite_admin(
        uow=container.uow(),
        notifications=container.notifications,
        claims=claims,
        account_id=account_id,
        cmd=cmd,
        public_url=container.settings.public_url,
    )


def account_page(
    container: Services, claims: AccessClaims, account_id: uuid.UUID, chosen: Filter
) -> dict[str, Any]:
    account = service.get_account(uow=container.read_uow(), claims=claims, account_id=account_id)
    departments = service.list_departments(
        uow=container.uow(), claims=claims, account_id=account_id
    ).items
    roster = service.list_employees(
        uow=container.uow(),
        claims=claims,
        account_id=account_id,
        status=chosen.status,
        department_id=chosen.department_id,
    ).items
    place = service.place_of(uow=container.read_uow(), claims=claims, account_id=account_id)
    fmt = Formats.of(place) if place is not None else Formats()
    managing = not is_admin(claims)
    return {
        "account": account,
        "departments": departments,
        "department_names": {d.id: d.name for d in departments},
        "roster": roster,
        "locations": service.location_names(
            uow=container.read_uow(), claims=claims, account_id=account_id
        ),
        "packages": service.package_names(
            uow=container.read_uow(), claims=claims, account_id=account_id
        ),
        "admins": admins.list_admins(
            uow=container.uow(), claims=claims, account_id=account_id
        ).items
        if managing
        else [],
        "managing": managing,
        "chosen": chosen,
        "statuses": STATUSES,
        "fmt": fmt,
    }
