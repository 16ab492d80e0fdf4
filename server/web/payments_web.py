"""The console's Reports → Reconciliation (``/manage/reports/reconciliation``): the sales
ledger against a PSP's own records for a period, as ``GET /payments/reconciliation``
reports it (owners and managers, the same service): how many match, and each mismatch
with a link to the member whose sale it is."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.api.deps import Services
from server.errors import Conflict, InvalidInput, NotFound
from server.payments import reconcile as reconciliation
from server.payments.schemas import ReconciliationItem, ReconciliationRead
from server.payments.service import ProviderDown
from server.ports.identity import AccessClaims
from server.sales import service as sales
from server.tenants import service as tenants
from server.web.console import console_page, staff_in
from server.web.formatting import Formats
from server.web.reports_view import REPORTS
from server.web.sessions import services
from server.web.setup_common import call
from shared.clock import utcnow
from shared.enums import PaymentProvider

router = APIRouter(include_in_schema=False)
PAGE = "/manage/reports/reconciliation"
SECTION = "reports"
#: Mismatches shown on the page (the API answers all of them).
SHOWN = 500
#: The default period: the last seven days, ending yesterday where the gym is.
DEFAULT_DAYS = 7

NAMES = {PaymentProvider.STRIPE: "Stripe", PaymentProvider.PAYSTACK: "Paystack"}
_KINDS = {
    "missing_theirs": "In ZMOS, not at {psp}",
    "missing_ours": "At {psp}, not in ZMOS",
    "amount_mismatch": "Amounts differ",
    "status_mismatch": "Paid on one side only",
}


@dataclass
class Chosen:
    provider: PaymentProvider | None
    start: date
    end: date
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    kind: str
    label: str
    reference: str | None
    ours: Decimal | None
    theirs: Decimal | None
    currency: str
    #: The console's page of the member whose sale it is, and what to call the link.
    href: str | None = None
    sale: str | None = None


def _provider(raw: str, enabled: list[PaymentProvider], chosen: Chosen) -> None:
    if not raw:
        chosen.provider = enabled[0] if enabled else None
        return
    try:
        provider = PaymentProvider(raw)
    except ValueError:
        provider = None
    if provider not in enabled:
        chosen.errors["provider"] = "Choose a payment provider from the list."
    else:
        chosen.provider = provider


def _day(raw: str, name: str, default: date, chosen: Chosen) -> date:
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        chosen.errors[name] = "Give the day as a date (YYYY-MM-DD)."
        return default


def parse(params: Any, enabled: list[PaymentProvider], today: date) -> Chosen:
    """The period from the address (default: the last seven days, ending yesterday); what
    cannot be read is said beside its field."""
    end = today - timedelta(days=1)
    chosen = Chosen(None, end - timedelta(days=DEFAULT_DAYS - 1), end)
    _provider((params.get("provider") or "").strip(), enabled, chosen)
    chosen.start = _day((params.get("start") or "").strip(), "start", chosen.start, chosen)
    chosen.end = _day((params.get("end") or "").strip(), "end", chosen.end, chosen)
    if not chosen.errors and chosen.end < chosen.start:
        chosen.errors["end"] = "The last day comes before the first."
    return chosen


def _sale_link(container: Services, claims: AccessClaims, sale_id: uuid.UUID) -> dict[str, str]:
    try:
        sale = sales.get_sale(uow=container.read_uow(), claims=claims, sale_id=sale_id)
    except NotFound:
        return {}
    return {
        "href": f"/manage/members/{sale.member_id}#payments",
        "sale": f"Receipt {sale.receipt_number} · {sale.member_name}",
    }


def _rows(
    container: Services, claims: AccessClaims, items: list[ReconciliationItem], psp: str
) -> list[Row]:
    rows = []
    for item in items[:SHOWN]:
        # A charge only the PSP has is not in this period's ledger: no sale to look up.
        sale_id = item.sale_id if item.kind != "missing_ours" else None
        link = _sale_link(container, claims, sale_id) if sale_id else {}
        rows.append(
            Row(
                kind=item.kind,
                label=_KINDS[item.kind].format(psp=psp),
                reference=item.reference,
                ours=item.ours,
                theirs=item.theirs,
                currency=item.currency,
                **link,
            )
        )
    return rows


def _report(
    container: Services, claims: AccessClaims, chosen: Chosen
) -> tuple[ReconciliationRead | None, str | None, str]:
    """The report, or why there is none: ``no_account``, ``down`` or ``invalid``."""
    assert chosen.provider is not None
    try:
        report = reconciliation.reconcile(
            uow=container.uow(),
            accounts=container.payment_accounts,
            gateway=container.payment_gateways[chosen.provider.value],
            tenant_id=claims.tenant_id,
            start=chosen.start,
            end=chosen.end,
        )
    except Conflict as exc:
        return None, "no_account", exc.detail
    except ProviderDown as exc:
        return None, "down", exc.detail
    except InvalidInput as exc:
        return None, "invalid", exc.detail[:1].upper() + exc.detail[1:] + "."
    return report, None, ""


def view(container: Services, claims: AccessClaims, params: Any) -> dict[str, Any]:
    """Worker thread: the page's values. The PSP is asked only for a period that reads."""
    tenant = tenants.get_tenant(uow=container.read_uow(), claims=claims)
    places = tenants.list_locations(uow=container.read_uow(), claims=claims, limit=1, offset=0)
    fmt = Formats.of(places.items[0], tenant.currency) if places.items else Formats()
    enabled = [p for p in PaymentProvider if p.value in container.payment_gateways]
    chosen = parse(params, enabled, utcnow().astimezone(fmt.zone).date())
    values: dict[str, Any] = {
        "tenant": tenant,
        "fmt": fmt,
        "enabled": enabled,
        "names": NAMES,
        "chosen": chosen,
        "report": None,
        "rows": [],
        "state": None,
        "message": "",
    }
    if not enabled:
        values["state"] = "off"
    elif not chosen.errors:
        report, state, message = _report(container, claims, chosen)
        values.update(state=state, message=message, report=report)
        if report is not None:
            psp = NAMES.get(report.provider, report.provider.value)
            values["rows"] = _rows(container, claims, report.mismatches, psp)
    return values


@router.get(PAGE)
async def reconciliation_page(request: Request) -> Response:
    claims = await staff_in(request, SECTION)
    container = services(request)
    values = await call(view, container, claims, request.query_params)
    refused_input = values["chosen"].errors or values["state"] == "invalid"
    return console_page(
        request,
        "manage/reports/reconciliation.html",
        claims,
        SECTION,
        422 if refused_input else 200,
        reports=REPORTS,
        shown=SHOWN,
        **values,
    )
