"""HTTP routes of corporate packages and invoices. Owners and managers change them; a
company's own admins read their account's. Thin: the services decide who sees what."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from starlette.responses import Response

from server.api.deps import UowDep, caller_where
from server.api.exports import FILE_RESPONSES, FormatParam, download
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.corporate_billing import documents, invoicing, service
from server.corporate_billing.schemas import (
    EmployeeSharePage,
    InvoiceIssue,
    InvoicePage,
    InvoiceRead,
    IssuedRead,
    Month,
    PackageCreate,
    PackageEnd,
    PackagePage,
    PackageRead,
    PackageUpdate,
)
from server.errors import Forbidden
from server.ports.identity import AccessClaims
from shared.enums import PrincipalKind

router = APIRouter(route_class=ThreadedRoute, tags=["corporate billing"])


def _staff_or_corporate_admin(claims: AccessClaims) -> None:
    if claims.kind not in (PrincipalKind.STAFF, PrincipalKind.CORPORATE_ADMIN):
        raise Forbidden("this needs a staff or corporate account")


Reader = Annotated[AccessClaims, Depends(caller_where(_staff_or_corporate_admin))]
_ACCOUNT = "/corporate/accounts/{account_id}"


@router.get(f"{_ACCOUNT}/packages", response_model=PackagePage)
def list_packages(
    account_id: uuid.UUID, claims: Reader, uow: UowDep, limit: Limit = 50, offset: Offset = 0
) -> PackagePage:
    """The account's packages, with the seats taken and left."""
    return service.list_packages(
        uow=uow, claims=claims, account_id=account_id, limit=limit, offset=offset
    )


@router.post(
    f"{_ACCOUNT}/packages", response_model=PackageRead, status_code=status.HTTP_201_CREATED
)
def create_package(
    account_id: uuid.UUID, cmd: PackageCreate, claims: Reader, uow: UowDep
) -> PackageRead:
    """A package: plans and/or journeys, a seat pool and the split of the seat's fee."""
    return service.create_package(uow=uow, claims=claims, account_id=account_id, cmd=cmd)


@router.get(f"{_ACCOUNT}/packages/{{package_id}}", response_model=PackageRead)
def get_package(
    account_id: uuid.UUID, package_id: uuid.UUID, claims: Reader, uow: UowDep
) -> PackageRead:
    return service.get_package(uow=uow, claims=claims, account_id=account_id, package_id=package_id)


@router.patch(f"{_ACCOUNT}/packages/{{package_id}}", response_model=PackageRead)
def update_package(
    account_id: uuid.UUID, package_id: uuid.UUID, cmd: PackageUpdate, claims: Reader, uow: UowDep
) -> PackageRead:
    """Only the fields sent change; the pool never shrinks below the seats taken."""
    return service.update_package(
        uow=uow, claims=claims, account_id=account_id, package_id=package_id, cmd=cmd
    )


@router.post(f"{_ACCOUNT}/packages/{{package_id}}/end", response_model=PackageRead)
def end_package(
    account_id: uuid.UUID, package_id: uuid.UUID, cmd: PackageEnd, claims: Reader, uow: UowDep
) -> PackageRead:
    """The package's last day."""
    return service.end_package(
        uow=uow, claims=claims, account_id=account_id, package_id=package_id, cmd=cmd
    )


@router.post("/corporate/invoices", response_model=IssuedRead)
def issue_month(cmd: InvoiceIssue, claims: Reader, uow: UowDep) -> IssuedRead:
    """The month's invoices for every account with a live package; a month issued before
    answers the same invoices."""
    return invoicing.issue_month_as(uow=uow, claims=claims, month=cmd.month)


@router.post(f"{_ACCOUNT}/invoices", response_model=InvoiceRead)
def issue_invoice(
    account_id: uuid.UUID, cmd: InvoiceIssue, claims: Reader, uow: UowDep
) -> InvoiceRead:
    """The account's invoice for the month (the same one if it was issued before)."""
    return invoicing.issue_for_account(
        uow=uow, claims=claims, account_id=account_id, month=cmd.month
    )


@router.get(f"{_ACCOUNT}/invoices", response_model=InvoicePage)
def list_invoices(
    account_id: uuid.UUID,
    claims: Reader,
    uow: UowDep,
    month: Annotated[Month | None, Query(description="YYYY-MM")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> InvoicePage:
    """Newest month first."""
    return invoicing.list_invoices(
        uow=uow, claims=claims, account_id=account_id, month=month, limit=limit, offset=offset
    )


@router.get(
    f"{_ACCOUNT}/invoices/{{invoice_id}}", response_model=InvoiceRead, responses=FILE_RESPONSES
)
def get_invoice(
    account_id: uuid.UUID,
    invoice_id: uuid.UUID,
    claims: Reader,
    uow: UowDep,
    format: FormatParam = "json",
) -> InvoiceRead | Response:
    """The invoice with its lines and usage; ``?format=csv|xlsx|pdf`` for a file."""
    invoice = invoicing.get_invoice(
        uow=uow, claims=claims, account_id=account_id, invoice_id=invoice_id
    )
    if format == "json":
        return invoice
    export = documents.invoice_export(invoice)
    if format == "pdf":
        provider = invoicing.provider_name(uow=uow, claims=claims)
        return Response(
            documents.invoice_pdf(invoice, provider),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{export.name}.pdf"'},
        )
    return download(export, format)


@router.get(f"{_ACCOUNT}/invoices/{{invoice_id}}/employees", response_model=EmployeeSharePage)
def employee_shares(
    account_id: uuid.UUID,
    invoice_id: uuid.UUID,
    claims: Reader,
    uow: UowDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> EmployeeSharePage:
    """What each employee owes for the month (the provider collects it; owners and
    managers only)."""
    return invoicing.employee_shares(
        uow=uow,
        claims=claims,
        account_id=account_id,
        invoice_id=invoice_id,
        limit=limit,
        offset=offset,
    )
