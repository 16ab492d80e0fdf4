"""What the console's corporate package and invoice pages show, gathered from the services
with the caller's claims (the services decide who sees what)."""

from __future__ import annotations

import uuid
from typing import Any

from server.api.deps import Services
from server.corporate_billing import invoicing
from server.corporate_billing import service as billing
from server.corporate_billing.schemas import PackageRead
from server.journeys import templates as journeys
from server.plans import service as plans
from server.ports.identity import AccessClaims
from server.tenants import service as tenants
from server.web.formatting import Formats
from server.web.setup_forms import CHOICES, DATE, NUMBER, SELECT, Field
from shared.enums import PrincipalKind

SPLIT_NAMES = {
    "company_all": "The company pays all",
    "percentage": "The company pays a percentage",
    "fixed": "The company pays a fixed amount",
}


def formats(container: Services, claims: AccessClaims) -> Formats:
    tenant = tenants.get_tenant(uow=container.read_uow(), claims=claims)
    page = tenants.list_locations(uow=container.read_uow(), claims=claims, limit=1, offset=0)
    return Formats.of(page.items[0], tenant.currency) if page.items else Formats()


def _account_name(container: Services, claims: AccessClaims, account_id: uuid.UUID) -> str:
    return invoicing.account_name(uow=container.read_uow(), claims=claims, account_id=account_id)


def package_fields(container: Services, claims: AccessClaims) -> list[Field]:
    plan_page = plans.list_plans(
        uow=container.read_uow(), claims=claims, kind=None, active=True, limit=200, offset=0
    )
    journey_page = journeys.list_templates(
        uow=container.uow(), claims=claims, include_archived=False, limit=200, offset=0
    )
    money = {"inputmode": "decimal", "step": "0.01", "min": "0"}
    return [
        Field("name", "Name", required=True, hint="What the company sees, e.g. “Gym access”"),
        Field(
            "plan_ids",
            "Access plans",
            CHOICES,
            [(str(p.id), p.name) for p in plan_page.items],
            hint="What an employee on this package may use",
        ),
        Field(
            "journey_template_ids",
            "Journeys",
            CHOICES,
            [(str(t.id), t.name) for t in journey_page.items],
        ),
        Field("seats", "Seats", NUMBER, hint="Leave empty for no limit", attrs={"min": "1"}),
        Field("seat_fee", "Monthly fee per seat", NUMBER, required=True, attrs=money),
        Field("split", "Who pays", SELECT, list(SPLIT_NAMES.items()), required=True),
        Field(
            "company_percent",
            "Company's percentage",
            NUMBER,
            hint="With a percentage: 0 to 100; the employee pays the rest",
            attrs=money,
        ),
        Field(
            "company_amount",
            "Company's amount per seat",
            NUMBER,
            hint="With a fixed amount: at most the fee; the employee pays the rest",
            attrs=money,
        ),
        Field("starts_on", "Starts on", DATE, required=True, create_only=True),
    ]


def package_values(package: PackageRead) -> dict[str, Any]:
    return {
        "name": package.name,
        "plan_ids": [str(i) for i in package.plan_ids],
        "journey_template_ids": [str(i) for i in package.journey_template_ids],
        "seats": "" if package.seats is None else str(package.seats),
        "seat_fee": str(package.seat_fee),
        "split": package.split,
        "company_percent": "" if package.company_percent is None else str(package.company_percent),
        "company_amount": "" if package.company_amount is None else str(package.company_amount),
        "starts_on": package.starts_on.isoformat(),
    }


def packages_view(
    container: Services, claims: AccessClaims, account_id: uuid.UUID
) -> dict[str, Any]:
    page = billing.list_packages(uow=container.read_uow(), claims=claims, account_id=account_id)
    return {
        "account_name": _account_name(container, claims, account_id),
        "packages": page.items,
        "fmt": formats(container, claims),
    }


def package_view(
    container: Services, claims: AccessClaims, account_id: uuid.UUID, package_id: uuid.UUID
) -> dict[str, Any]:
    package = billing.get_package(
        uow=container.read_uow(), claims=claims, account_id=account_id, package_id=package_id
    )
    return {
        "account_name": _account_name(container, claims, account_id),
        "package": package,
        "fields": package_fields(container, claims),
        "fmt": formats(container, claims),
    }


def form_view(container: Services, claims: AccessClaims, account_id: uuid.UUID) -> dict[str, Any]:
    return {
        "account_name": _account_name(container, claims, account_id),
        "fields": package_fields(container, claims),
    }


def invoices_view(
    container: Services, claims: AccessClaims, account_id: uuid.UUID, month: str | None
) -> dict[str, Any]:
    page = invoicing.list_invoices(
        uow=container.read_uow(), claims=claims, account_id=account_id, month=month
    )
    return {
        "account_name": _account_name(container, claims, account_id),
        "invoices": page.items,
        "fmt": formats(container, claims),
    }


def invoice_view(
    container: Services, claims: AccessClaims, account_id: uuid.UUID, invoice_id: uuid.UUID
) -> dict[str, Any]:
    invoice = invoicing.get_invoice(
        uow=container.read_uow(), claims=claims, account_id=account_id, invoice_id=invoice_id
    )
    # Who owes what is the provider's: a company's admin sees the totals only.
    owed = (
        None
        if claims.kind is PrincipalKind.CORPORATE_ADMIN
        else invoicing.employee_shares(
            uow=container.read_uow(), claims=claims, account_id=account_id, invoice_id=invoice_id
        )
    )
    return {"invoice": invoice, "owed": owed, "fmt": formats(container, claims)}
