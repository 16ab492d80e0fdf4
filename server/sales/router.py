"""HTTP routes of the sales ledger, refunds, receipts and the revenue report. Thin."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, status

from server.api.deps import Admin, ContainerDep, ReadUowDep, staff_with
from server.api.exports import (
    FILE_RESPONSES,
    Export,
    FormatParam,
    Table,
    columns_of,
    download,
    period_filters,
)
from server.api.params import Day, Offset
from server.api.threaded_route import ThreadedRoute
from server.members.deps import MemberClaims
from server.ports.identity import AccessClaims
from server.sales import revenue as revenue_report
from server.sales import service
from server.sales.repository import SaleFilter
from server.sales.schemas import (
    GroupBy,
    Period,
    ReceiptEmail,
    ReceiptSent,
    RefundCreate,
    RefundRead,
    RevenueReport,
    RevenueRow,
    SalePage,
    SaleRecord,
)
from shared.enums import RefundState, StaffRole

router = APIRouter(route_class=ThreadedRoute, tags=["sales and revenue"])

#: Who reads the ledger and hands out receipts: the desk and up (not coaches).
LedgerStaff = Annotated[
    AccessClaims,
    Depends(staff_with(StaffRole.OWNER, StaffRole.MANAGER, StaffRole.FRONT_DESK)),
]
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The receipt as a PDF"}
}


def _pdf(number: int, content: bytes) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="receipt-{number:06d}.pdf"'},
    )


@router.get("/sales", response_model=SalePage)
def list_sales(
    claims: LedgerStaff,
    uow: ReadUowDep,
    from_: Annotated[Day | None, Query(alias="from", description="First local day")] = None,
    to: Annotated[Day | None, Query(description="Last local day")] = None,
    location_id: uuid.UUID | None = None,
    plan_id: uuid.UUID | None = None,
    staff_id: uuid.UUID | None = Query(None, description="Who sold it"),
    member_id: uuid.UUID | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
) -> SalePage:
    """Every sale, newest first, in the currency it was made in."""
    where = SaleFilter(from_, to, location_id, plan_id, staff_id, member_id)
    return service.list_sales(uow=uow, claims=claims, where=where, limit=limit, offset=offset)


@router.get("/sales/{sale_id}", response_model=SaleRecord)
def get_sale(sale_id: uuid.UUID, claims: LedgerStaff, uow: ReadUowDep) -> SaleRecord:
    return service.get_sale(uow=uow, claims=claims, sale_id=sale_id)


@router.post(
    "/sales/{sale_id}/refunds",
    response_model=RefundRead,
    status_code=status.HTTP_201_CREATED,
    responses={
        202: {
            "model": RefundRead,
            "description": "Pending: the payment provider has not confirmed the refund yet; "
            "it is asked again until it does (replay the refund_id to see where it stands)",
        }
    },
)
def refund_sale(
    sale_id: uuid.UUID,
    cmd: RefundCreate,
    claims: Admin,
    container: ContainerDep,
    response: Response,
) -> RefundRead:
    """Give back all (no ``amount``) or part of a sale, with a reason; owners and managers.
    201: the money went back; 202: pending at the payment provider (confirmed later);
    402: declined (the amount stays refundable). Replaying the same ``refund_id`` answers
    where that refund stands and changes nothing."""
    made = service.refund(
        uow=container.uow(),
        payments=container.payments,
        claims=claims,
        sale_id=sale_id,
        cmd=cmd,
    )
    if made.state == RefundState.PENDING:
        response.status_code = status.HTTP_202_ACCEPTED
    return made


@router.get("/sales/{sale_id}/receipt.pdf", response_class=Response, responses=PDF)
def sale_receipt(sale_id: uuid.UUID, claims: LedgerStaff, uow: ReadUowDep) -> Response:
    return _pdf(*service.receipt_pdf(uow=uow, claims=claims, sale_id=sale_id))


@router.post("/sales/{sale_id}/receipt/email", response_model=ReceiptSent)
def email_receipt(
    sale_id: uuid.UUID,
    claims: LedgerStaff,
    container: ContainerDep,
    cmd: ReceiptEmail | None = None,
) -> ReceiptSent:
    """Email the receipt as a PDF, to the member unless ``to_email`` says otherwise."""
    return service.email_receipt(
        uow=container.uow(),
        notifications=container.notifications,
        claims=claims,
        sale_id=sale_id,
        cmd=cmd or ReceiptEmail(),
    )


@router.get("/me/sales", response_model=SalePage)
def my_sales(
    claims: MemberClaims,
    uow: ReadUowDep,
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
) -> SalePage:
    """What the member bought, newest first."""
    where = SaleFilter(member_id=claims.subject_id)
    return service.list_sales(uow=uow, claims=claims, where=where, limit=limit, offset=offset)


@router.get("/me/sales/{sale_id}/receipt.pdf", response_class=Response, responses=PDF)
def my_receipt(sale_id: uuid.UUID, claims: MemberClaims, uow: ReadUowDep) -> Response:
    return _pdf(*service.receipt_pdf(uow=uow, claims=claims, sale_id=sale_id, own=True))


@router.get("/reports/revenue", response_model=RevenueReport, responses=FILE_RESPONSES)
def revenue(
    claims: Admin,
    uow: ReadUowDep,
    from_: Annotated[Day, Query(alias="from", description="First local day")],
    to: Annotated[Day, Query(description="Last local day")],
    group_by: GroupBy = "plan",
    period: Period = "month",
    format: FormatParam = "json",
) -> Response:
    """Revenue per plan or location, per day, week or month, per currency, net of refunds."""
    if format != "json":
        rows = revenue_report.revenue_rows(
            uow=uow, claims=claims, group_by=group_by, period=period, from_day=from_, to_day=to
        )
        shown = period_filters(from_, to, None, group_by=group_by, period=period)
        table = Table("Revenue", columns_of(RevenueRow), rows)
        return download(Export("revenue", "Revenue", shown, [table]), format)
    report = revenue_report.revenue(
        uow=uow, claims=claims, group_by=group_by, period=period, from_day=from_, to_day=to
    )
    # Serialised once by the report, in the documented shape: a year of days is thousands
    # of rows, which the framework would otherwise validate again.
    return Response(report, media_type="application/json")
