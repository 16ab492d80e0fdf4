"""Sales ledger use cases: listing sales, refunds through the payments port, receipts."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from server.audit import rules as audit_rules
from server.audit.recorder import record_action
from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.members.models import Member
from server.plans import ledger
from server.plans.sales_service import PaymentDeclined
from server.ports.identity import AccessClaims
from server.ports.notifications import Attachment, Notification, NotificationService
from server.ports.payments import PaymentService, RefundRequest
from server.sales import receipts, rules
from server.sales.models import Refund
from server.sales.repository import LedgerRepository, RefundRepository, SaleFilter, SaleRow
from server.sales.schemas import (
    ReceiptEmail,
    ReceiptSent,
    RefundCreate,
    RefundRead,
    SalePage,
    SaleRecord,
)
from server.tenants.models import Location
from server.tenants.repository import TenantDirectory
from shared.clock import utcnow
from shared.enums import PaymentMethod, PaymentStatus, PlanKind


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
        refunded_amount=sale.refunded_amount,
        net_amount=sale.amount - sale.refunded_amount,
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


def _replay(uow: UnitOfWork, refund: Refund, sale_id: uuid.UUID, cmd: RefundCreate) -> RefundRead:
    if refund.sale_id != sale_id or (cmd.amount is not None and cmd.amount != refund.amount):
        raise Conflict(
            f"refund {cmd.refund_id} was already made with other details; a new refund needs "
            "a new refund_id",
            code="refund_id_reused",
        )
    return _refund_read(uow, refund)


def _refund_read(uow: UnitOfWork, refund: Refund) -> RefundRead:
    row = _row_or_404(uow, refund.tenant_id, refund.sale_id, None)
    return RefundRead(
        id=refund.id,
        sale_id=refund.sale_id,
        amount=refund.amount,
        currency=refund.currency,
        reason=refund.reason,
        refunded_by=refund.refunded_by,
        refunded_at=refund.refunded_at,
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
    """Give back all or part of a sale through the payments port. The same ``refund_id``
    refunds once; no refund takes more than what is left of the sale."""
    tenant_id = claims.tenant_id
    with uow:
        ledger.write_lock(uow)
        refunds = RefundRepository(uow.db, tenant_id)
        earlier = refunds.get(cmd.refund_id)
        if earlier is not None:
            return _replay(uow, earlier, sale_id, cmd)
        sales = LedgerRepository(uow.db, tenant_id)
        sale = sales.get_or_404(sale_id, for_update=True)
        if sale.payment_status != "paid":
            raise Conflict(
                f"this sale's payment is {sale.payment_status}: only money taken is refunded",
                code="sale_not_paid",
            )
        amount = cmd.amount if cmd.amount is not None else sale.amount - sale.refunded_amount
        problem = rules.refund_problem(amount, sale.amount, sale.refunded_amount)
        if problem:
            raise Conflict(problem, code="refund_exceeds_sale")
        if not sales.take_back(sale.id, amount):
            raise Conflict(
                "another refund took what was left of this sale", code="refund_exceeds_sale"
            )
        result = payments.refund(
            RefundRequest(
                tenant_id=tenant_id,
                idempotency_key=cmd.refund_id,
                payment_id=sale.id,
                amount=amount,
                currency=sale.currency,
                method=sale.method,
                reason=cmd.reason,
                reference=sale.provider_reference,
            )
        )
        if not result.succeeded:
            raise PaymentDeclined(result.reason or "the refund did not go through")
        location = uow.db.get(Location, (tenant_id, sale.location_id))
        zone = ZoneInfo(location.timezone) if location else ZoneInfo("UTC")
        now = utcnow()
        today = now.astimezone(zone).date()
        ledger.add_to_revenue(uow.db, sale, day=today, refunds=amount)
        made = refunds.add(
            Refund(
                id=cmd.refund_id,
                sale_id=sale.id,
                amount=amount,
                currency=sale.currency,
                reason=cmd.reason,
                refunded_by=claims.subject_id,
                refunded_at=now,
                refunded_on=today,
                payment_id=result.payment_id,
            )
        )
        record_action(
            uow.db,
            tenant_id=tenant_id,
            action=audit_rules.REFUND,
            entity="sale_refunds",
            entity_id=cmd.refund_id,
        )
        try:
            uow.commit()
        except IntegrityError:
            # The same refund arrived twice at once: the other request made it.
            uow.db.rollback()
            earlier = refunds.get(cmd.refund_id)
            if earlier is None:
                raise
            return _replay(uow, earlier, sale_id, cmd)
        return _refund_read(uow, made)


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
        refunded_amount=sale.refunded_amount,
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
    if not to_email:
        raise InvalidInput(
            "this member has no email address: give to_email", code="no_email_address"
        )
    label = receipts.receipt_label(lines.receipt_number)
    notifications.send(
        Notification(
            to_email=to_email,
            subject=f"{lines.tenant_name}: {label}",
            body=(
                f"Hello {lines.member_name},\n\nThank you for your purchase of {lines.plan_name}: "
                f"{lines.amount} {lines.currency}. Your receipt is attached.\n\n"
                f"{lines.tenant_name}"
            ),
            attachments=(
                Attachment(
                    filename=f"receipt-{lines.receipt_number:06d}.pdf",
                    content_type="application/pdf",
                    content=receipts.render(lines),
                ),
            ),
        )
    )
    return ReceiptSent(receipt_number=lines.receipt_number, sent_to=to_email)
