"""Sales ledger use cases: listing sales, refunds through the payments port, receipts."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from server.db.uow import UnitOfWork
from server.errors import InvalidInput, NotFound
from server.members.models import Member
from server.notices import service as notices
from server.ports.identity import AccessClaims
from server.ports.notifications import Attachment, NotificationService
from server.ports.payments import PaymentService
from server.sales import receipts, refunding
from server.sales.models import Refund
from server.sales.repository import LedgerRepository, SaleFilter, SaleRow
from server.sales.schemas import (
    ReceiptEmail,
    ReceiptSent,
    RefundCreate,
    RefundLine,
    RefundRead,
    SalePage,
    SaleRecord,
)
from server.tenants.models import Location
from server.tenants.repository import TenantDirectory
from shared.enums import PaymentMethod, PaymentStatus, PlanKind, RefundState


def _name(row: SaleRow) -> str:
    return f"{row.member_first_name} {row.member_last_name}".strip()


def to_record(sale: SaleRow) -> SaleRecord:
    return SaleRecord(
        id=sale.id,
        receipt_number=sale.receipt_number,
        member_id=sale.member_id,
        member_name=_name(sale),
        plan_id=sale.plan_id,
        plan_name=sale.plan_name,
        plan_kind=PlanKind(sale.plan_kind) if sale.plan_kind else None,
        membership_id=sale.membership_id,
        location_id=sale.location_id,
        location_name=sale.location_name,
        currency=sale.currency,
        list_price=sale.list_price,
        discount_amount=sale.discount_amount,
        discount_reason=sale.discount_reason,
        amount=sale.amount,
        refunded_amount=sale.refunded_amount - sale.refund_pending_amount,
        refund_pending_amount=sale.refund_pending_amount,
        net_amount=sale.amount - sale.refunded_amount + sale.refund_pending_amount,
        method=PaymentMethod(sale.method),
        payment_status=PaymentStatus(sale.payment_status),
        taken_at=sale.taken_at,
        taken_on=sale.taken_on,
        taken_by=sale.taken_by,
        device_id=sale.device_id,
    )


def list_sales(
    *, uow: UnitOfWork, claims: AccessClaims, where: SaleFilter, limit: int, offset: int
) -> SalePage:
    if where.from_day and where.to_day and where.from_day > where.to_day:
        raise InvalidInput("from cannot be after to")
    with uow:
        rows = LedgerRepository(uow.db, claims.tenant_id).search(
            replace(where, seen_at=claims.location_ids), limit=limit + 1, offset=offset
        )
        return SalePage(
            items=[to_record(r) for r in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def _row_or_404(
    uow: UnitOfWork, tenant_id: uuid.UUID, sale_id: uuid.UUID, member_id: uuid.UUID | None
) -> SaleRow:
    row = LedgerRepository(uow.db, tenant_id).described(sale_id, member_id=member_id)
    if row is None:
        raise NotFound(f"sale {sale_id} was not found")
    return row


def get_sale(
    *, uow: UnitOfWork, claims: AccessClaims, sale_id: uuid.UUID, own: bool = False
) -> SaleRecord:
    """A sale of the tenant; ``own``: only one of the calling member's (others are 404)."""
    with uow:
        member_id = claims.subject_id if own else None
        return to_record(_row_or_404(uow, claims.tenant_id, sale_id, member_id))


def _refund_read(uow: UnitOfWork, refund: Refund) -> RefundRead:
    row = _row_or_404(uow, refund.tenant_id, refund.sale_id, None)
    pending = refund.state == RefundState.PENDING.value
    return RefundRead(
        id=refund.id,
        sale_id=refund.sale_id,
        amount=refund.amount,
        currency=refund.currency,
        reason=refund.reason,
        state=RefundState(refund.state),
        refunded_by=refund.refunded_by,
        requested_at=refund.requested_at,
        refunded_at=refund.refunded_at,
        message=refunding.PENDING_MESSAGE if pending else None,
        sale=to_record(row),
    )


def refund(
    *,
    uow: UnitOfWork,
    payments: PaymentService,
    claims: AccessClaims,
    sale_id: uuid.UUID,
    cmd: RefundCreate,
) -> RefundRead:
    """Give back all or part of a sale through the payments port, the provider asked with
    no transaction open (``server.sales.refunding``). The same ``refund_id`` refunds once;
    no refund takes more than what is left of the sale."""
    return refunding.refund(
        uow=uow, payments=payments, claims=claims, sale_id=sale_id, cmd=cmd, read=_refund_read
    )


def refunds_of(
    *, uow: UnitOfWork, claims: AccessClaims, sale_ids: Collection[uuid.UUID]
) -> list[RefundLine]:
    """The refunds of these sales of the tenant (any state), oldest first."""
    if not sale_ids:
        return []
    with uow:
        rows = uow.db.scalars(
            select(Refund)
            .where(Refund.tenant_id == claims.tenant_id, Refund.sale_id.in_(list(sale_ids)))
            .order_by(Refund.requested_at, Refund.id)
        ).all()
        return [
            RefundLine(
                id=r.id,
                sale_id=r.sale_id,
                amount=r.amount,
                currency=r.currency,
                reason=r.reason,
                state=RefundState(r.state),
                requested_at=r.requested_at,
                refunded_at=r.refunded_at,
                declined_reason=r.declined_reason,
            )
            for r in rows
        ]


def _receipt_lines(uow: UnitOfWork, tenant_id: uuid.UUID, sale: SaleRow) -> receipts.ReceiptLines:
    tenant = TenantDirectory(uow.db, tenant_id).current()
    location = uow.db.get(Location, (tenant_id, sale.location_id))
    zone = ZoneInfo(location.timezone) if location else ZoneInfo("UTC")
    return receipts.ReceiptLines(
        tenant_name=tenant.name,
        receipt_number=sale.receipt_number,
        taken_at_local=sale.taken_at.astimezone(zone),
        location_name=sale.location_name or "",
        member_name=_name(sale),
        plan_name=sale.plan_name or "",
        currency=sale.currency,
        list_price=sale.list_price,
        discount_amount=sale.discount_amount or Decimal("0"),
        discount_reason=sale.discount_reason,
        amount=sale.amount,
        refunded_amount=sale.refunded_amount - sale.refund_pending_amount,
        refund_pending_amount=sale.refund_pending_amount,
        method=sale.method,
    )


def receipt_pdf(
    *, uow: UnitOfWork, claims: AccessClaims, sale_id: uuid.UUID, own: bool = False
) -> tuple[int, bytes]:
    """The receipt's number and PDF; ``own``: only for the calling member's sale."""
    with uow:
        row = _row_or_404(uow, claims.tenant_id, sale_id, claims.subject_id if own else None)
        lines = _receipt_lines(uow, claims.tenant_id, row)
    return lines.receipt_number, receipts.render(lines)


def email_receipt(
    *,
    uow: UnitOfWork,
    notifications: NotificationService,
    claims: AccessClaims,
    sale_id: uuid.UUID,
    cmd: ReceiptEmail,
) -> ReceiptSent:
    with uow:
        row = _row_or_404(uow, claims.tenant_id, sale_id, None)
        lines = _receipt_lines(uow, claims.tenant_id, row)
        member = uow.db.get(Member, (claims.tenant_id, row.member_id))
        to_email = cmd.to_email or (member.email if member else None)
        member_id = row.member_id
    if not to_email:
        raise InvalidInput(
            "this member has no email address: give to_email", code="no_email_address"
        )
    label = receipts.receipt_label(lines.receipt_number)
    with uow:
        queued = notices.mail(
            uow=uow,
            tenant_id=claims.tenant_id,
            to_email=to_email,
            subject=f"{lines.tenant_name}: {label}",
            body=(
                f"Hello {lines.member_name},\n\nThank you for your purchase of {lines.plan_name}: "
                f"{lines.amount} {lines.currency}. Your receipt is attached.\n\n"
                f"{lines.tenant_name}"
            ),
            topic="sale.receipt",
            member_id=member_id,
            attachment=Attachment(
                filename=f"receipt-{lines.receipt_number:06d}.pdf",
                content_type="application/pdf",
                content=receipts.render(lines),
            ),
        )
        uow.commit()
    notices.send_now(uow=uow, notifications=notifications, tenant_id=claims.tenant_id, ids=[queued])
    return ReceiptSent(receipt_number=lines.receipt_number, sent_to=to_email)
