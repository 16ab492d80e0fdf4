"""The console's pages of a corporate account's packages
(``/manage/corporate/{account_id}/packages``) and monthly invoices
(``/manage/corporate/{account_id}/invoices``): list, create and change packages, end one,
issue a month's invoice, read it with its lines and usage, and download it."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.api.exports import download
from server.corporate_billing import documents, invoicing
from server.corporate_billing import service as billing
from server.corporate_billing.schemas import PackageCreate, PackageEnd, PackageUpdate
from server.ports.identity import AccessClaims
from server.web.console import staff_in
from server.web.corporate_access import SECTION, corporate_page, corporate_viewer
from server.web.corporate_billing_view import (
    SPLIT_NAMES,
    form_view,
    invoice_view,
    invoices_view,
    package_values,
    package_view,
    packages_view,
)
from server.web.pages import redirect
from server.web.sessions import WebRefusal, checked_form, services
from server.web.setup_common import call, parse_id
from server.web.setup_forms import Field, Filled, validated, values_of

router = APIRouter(include_in_schema=False)
#: Owners and managers, for now through the Reports section's role check.
_BASE = "/manage/corporate/{account_id}"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _placed(detail: str, fields: list[Field]) -> tuple[dict[str, str], list[str]]:
    """A service's refusal next to the field it names ("seats: …"), else above the form."""
    name, _, message = detail.partition(": ")
    if message and name.lower() in {f.name for f in fields}:
        return {name.lower(): message[:1].upper() + message[1:] + "."}, []
    return {}, [detail[:1].upper() + detail[1:]]


@router.get(f"{_BASE}/packages")
async def packages_page(request: Request, account_id: str) -> Response:
    claims = await corporate_viewer(request)
    account = parse_id(account_id)
    view = await call(packages_view, services(request), claims, account)
    return corporate_page(
        request,
        "manage/corporate_billing/packages.html",
        claims,
        account_id=account,
        split_names=SPLIT_NAMES,
        **view,
    )


def _form_page(
    request: Request,
    claims: AccessClaims,
    account: uuid.UUID,
    view: dict[str, Any],
    filled: Filled,
    status: int,
) -> Response:
    return corporate_page(
        request,
        "manage/corporate_billing/form.html",
        claims,
        status,
        account_id=account,
        account_name=view["account_name"],
        title="New package",
        action=f"/manage/corporate/{account}/packages/new",
        submit="Create package",
        form=filled,
    )


@router.get(f"{_BASE}/packages/new")
async def new_package(request: Request, account_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    account = parse_id(account_id)
    view = await call(form_view, services(request), claims, account)
    defaults = {"split": "company_all", "plan_ids": [], "journey_template_ids": []}
    return _form_page(request, claims, account, view, Filled(view["fields"], defaults), 200)


@router.post(f"{_BASE}/packages/new")
async def create_package(request: Request, account_id: str) -> Response:
    form = await checked_form(request)
    claims = await staff_in(request, SECTION)
    account = parse_id(account_id)
    view = await call(form_view, services(request), claims, account)
    fields: list[Field] = view["fields"]
    cmd, errors, general = validated(PackageCreate, fields, form)
    if cmd is not None:
        try:
            made = await call(
                lambda c: billing.create_package(
                    uow=c.uow(), claims=claims, account_id=account, cmd=cmd
                ),
                services(request),
            )
        except WebRefusal as refusal:
            if refusal.status != 422:
                raise
            errors, general = _placed(refusal.detail, fields)
        else:
            return redirect(request, f"/manage/corporate/{account}/packages?made={made.id}")
    filled = Filled(fields, values_of(fields, form), errors, general)
    return _form_page(request, claims, account, view, filled, 422)


async def _package_page(
    request: Request,
    claims: AccessClaims,
    account: uuid.UUID,
    package_id: uuid.UUID,
    filled: Filled | None = None,
    status: int = 200,
    end_error: str = "",
) -> Response:
    view = await call(package_view, services(request), claims, account, package_id)
    fields = [f for f in view.pop("fields") if not f.create_only]
    if filled is None:
        filled = Filled(fields, package_values(view["package"]))
    return corporate_page(
        request,
        "manage/corporate_billing/package.html",
        claims,
        status,
        account_id=account,
        form=filled,
        end_error=end_error,
        split_names=SPLIT_NAMES,
        saved=request.query_params.get("saved") == "1",
        **view,
    )


@router.get(f"{_BASE}/packages/{{package_id}}")
async def package_page(request: Request, account_id: str, package_id: str) -> Response:
    claims = await corporate_viewer(request)
    return await _package_page(request, claims, parse_id(account_id), parse_id(package_id))


@router.post(f"{_BASE}/packages/{{package_id}}")
async def update_package(request: Request, account_id: str, package_id: str) -> Response:
    form = await checked_form(request)
    claims = await staff_in(request, SECTION)
    account, package = parse_id(account_id), parse_id(package_id)
    view = await call(form_view, services(request), claims, account)
    fields = [f for f in view["fields"] if not f.create_only]
    cmd, errors, general = validated(PackageUpdate, fields, form)
    if cmd is not None:
        try:
            await call(
                lambda c: billing.update_package(
                    uow=c.uow(), claims=claims, account_id=account, package_id=package, cmd=cmd
                ),
                services(request),
            )
        except WebRefusal as refusal:
            if refusal.status not in (409, 422):
                raise
            errors, general = _placed(refusal.detail, fields)
        else:
            return redirect(request, f"/manage/corporate/{account}/packages/{package}?saved=1")
    filled = Filled(fields, values_of(fields, form), errors, general)
    return await _package_page(request, claims, account, package, filled, 422)


@router.post(f"{_BASE}/packages/{{package_id}}/end")
async def end_package(request: Request, account_id: str, package_id: str) -> Response:
    form = await checked_form(request)
    claims = await staff_in(request, SECTION)
    account, package = parse_id(account_id), parse_id(package_id)
    try:
        cmd = PackageEnd.model_validate({"ends_on": form.get("ends_on", "").strip()})
        await call(
            lambda c: billing.end_package(
                uow=c.uow(), claims=claims, account_id=account, package_id=package, cmd=cmd
            ),
            services(request),
        )
    except ValueError:
        return await _package_page(
            request, claims, account, package, status=422, end_error="Enter the last day."
        )
    except WebRefusal as refusal:
        if refusal.status != 422:
            raise
        message = refusal.detail.partition(": ")[2] or refusal.detail
        return await _package_page(
            request, claims, account, package, status=422, end_error=message.capitalize() + "."
        )
    return redirect(request, f"/manage/corporate/{account}/packages/{package}?saved=1")


async def _invoices_page(
    request: Request, claims: AccessClaims, account: uuid.UUID, error: str = "", status: int = 200
) -> Response:
    month = request.query_params.get("month", "").strip()
    shown = month if _MONTH.match(month) else None
    view = await call(invoices_view, services(request), claims, account, shown)
    return corporate_page(
        request,
        "manage/corporate_billing/invoices.html",
        claims,
        status,
        account_id=account,
        month=shown or "",
        error=error,
        **view,
    )


@router.get(f"{_BASE}/invoices")
async def invoices_page(request: Request, account_id: str) -> Response:
    claims = await corporate_viewer(request)
    return await _invoices_page(request, claims, parse_id(account_id))


@router.post(f"{_BASE}/invoices")
async def issue_invoice(request: Request, account_id: str) -> Response:
    form = await checked_form(request)
    claims = await staff_in(request, SECTION)
    account = parse_id(account_id)
    month = form.get("month", "").strip()
    if not _MONTH.match(month):
        return await _invoices_page(
            request, claims, account, "Choose the month to invoice (YYYY-MM).", 422
        )
    invoice = await call(
        lambda c: invoicing.issue_for_account(
            uow=c.uow(), claims=claims, account_id=account, month=month
        ),
        services(request),
    )
    return redirect(request, f"/manage/corporate/{account}/invoices/{invoice.id}")


@router.get(f"{_BASE}/invoices/{{invoice_id}}")
async def invoice_page(request: Request, account_id: str, invoice_id: str) -> Response:
    claims = await corporate_viewer(request)
    account, invoice = parse_id(account_id), parse_id(invoice_id)
    view = await call(invoice_view, services(request), claims, account, invoice)
    return corporate_page(
        request,
        "manage/corporate_billing/invoice.html",
        claims,
        account_id=account,
        **view,
    )


@router.get(f"{_BASE}/invoices/{{invoice_id}}/invoice.{{fmt}}")
async def invoice_file(request: Request, account_id: str, invoice_id: str, fmt: str) -> Response:
    claims = await corporate_viewer(request)
    account, invoice_key = parse_id(account_id), parse_id(invoice_id)
    if fmt not in ("csv", "xlsx", "pdf"):
        raise WebRefusal(404, "Not found", "There is nothing at this address.")
    invoice = await call(
        lambda c: invoicing.get_invoice(
            uow=c.read_uow(), claims=claims, account_id=account, invoice_id=invoice_key
        ),
        services(request),
    )
    export = documents.invoice_export(invoice)
    if fmt != "pdf":
        return download(export, fmt)  # type: ignore[arg-type]
    provider = await call(
        lambda c: invoicing.provider_name(uow=c.read_uow(), claims=claims), services(request)
    )
    return Response(
        documents.invoice_pdf(invoice, provider),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{export.name}.pdf"'},
    )
