"""Refunds in three steps, so no transaction is open while a payment provider is asked:

1. reserve (one short transaction): the checks, the amount taken back from the sale, the
   refund written ``pending``;
2. ask the provider, with no transaction open (the refund id is its idempotency key);
3. settle (one short transaction): ``done`` (revenue counted), ``declined`` (the amount
   given back to the sale), or left ``pending`` when the provider could not answer: the
   ``payments.settle_refunds`` job asks again with the same key until it does.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from server.audit import rules as audit_rules
from server.audit.recorder import record_action
from server.db.uow import UnitOfWork
from server.errors import Conflict
from server.notices import service as notices
from server.plans import ledger
from server.plans.models import Sale
from server.plans.sales_service import PaymentDeclined
from server.ports.identity import AccessClaims
from server.ports.payments import PaymentResult, PaymentService, RefundRequest
from server.sales import rules
from server.sales.models import Refund
from server.sales.repository import LedgerRepository, RefundRepository
from server.sales.schemas import RefundCreate, RefundRead
from server.tenants.models import Location, Tenant
from shared.clock import utcnow
from shared.enums import RefundState

log = logging.getLogger("zmos.refunds")

#: What a pending refund's answer says.
PENDING_MESSAGE = (
    "the payment provider has not confirmed this refund yet; it is asked again every "
    "minute and the refund will be confirmed or declined then (send the same refund_id "
    "to see where it stands)"
)
_DECLINED = "the refund did not go through"

#: Reads a refund and its sale for the answer (``server.sales.service``'s view of it).
ReadRefund = Callable[[UnitOfWork, Refund], RefundRead]


@dataclass(frozen=True)
class _Reserved:
    request: RefundRequest
    sale_id: uuid.UUID


def answer(uow: UnitOfWork, refund: Refund, read: ReadRefund) -> RefundRead:
    """A refund as it stands now: a declined one is answered as its decline (402)."""
    if refund.state == RefundState.DECLINED.value:
        raise PaymentDeclined(refund.declined_reason or _DECLINED)
    return read(uow, refund)


def _replay(
    uow: UnitOfWork, refund: Refund, sale_id: uuid.UUID, cmd: RefundCreate, read: ReadRefund
) -> RefundRead:
    if refund.sale_id != sale_id or (cmd.amount is not None and cmd.amount != refund.amount):
        raise Conflict(
            f"refund {cmd.refund_id} was already made with other details; a new refund needs "
            "a new refund_id",
            code="refund_id_reused",
        )
    return answer(uow, refund, read)


def _reserve(
    uow: UnitOfWork, claims: AccessClaims, sale_id: uuid.UUID, cmd: RefundCreate
) -> Refund | _Reserved:
    """The earlier refund of this id, or the new one reserved and committed."""
    tenant_id = claims.tenant_id
    ledger.write_lock(uow)
    refunds = RefundRepository(uow.db, tenant_id)
    earlier = refunds.get(cmd.refund_id)
    if earlier is not None:
        return earlier
    sales = LedgerRepository(uow.db, tenant_id)
    sale = sales.get_or_404(sale_id, for_update=True)
    # The same refund may have been reserved while this one waited for the sale's lock.
    earlier = refunds.get(cmd.refund_id)
    if earlier is not None:
        return earlier
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
        raise Conflict("another refund took what was left of this sale", code="refund_exceeds_sale")
    refunds.add(
        Refund(
            id=cmd.refund_id,
            sale_id=sale.id,
            amount=amount,
            currency=sale.currency,
            reason=cmd.reason,
            refunded_by=claims.subject_id,
            state=RefundState.PENDING.value,
            requested_at=utcnow(),
        )
    )
    request = RefundRequest(
        tenant_id=tenant_id,
        idempotency_key=cmd.refund_id,
        payment_id=sale.id,
        amount=amount,
        currency=sale.currency,
        method=sale.method,
        reason=cmd.reason,
        reference=sale.provider_reference,
    )
    try:
        uow.commit()
    except IntegrityError:
        # The same refund arrived twice at once: the other request reserved it.
        uow.db.rollback()
        earlier = refunds.get(cmd.refund_id)
        if earlier is None:
            raise
        return earlier
    return _Reserved(request, sale.id)


def ask(payments: PaymentService, request: RefundRequest) -> PaymentResult:
    """The provider's answer; ``pending`` when it is not known. Called with no transaction
    open: a provider taking its time holds no lock of ours."""
    try:
        return payments.refund(request)
    except Exception as error:  # the outcome is unknown: asked again, never given up on
        log.warning("refund %s not answered: %s", request.idempotency_key, error)
        return PaymentResult(request.idempotency_key, False, str(error), pending=True)


def settle(
    uow: UnitOfWork, tenant_id: uuid.UUID, refund_id: uuid.UUID, result: PaymentResult
) -> bool:
    """Apply the provider's answer to a pending refund in one short transaction; False when
    there is nothing to do (no answer yet, or another settled it first)."""
    if result.pending:
        return False
    with uow:
        ledger.write_lock(uow)
        refund = RefundRepository(uow.db, tenant_id).get(refund_id)
        if refund is None or refund.state != RefundState.PENDING.value:
            return False
        sale = uow.db.get(Sale, (tenant_id, refund.sale_id))
        assert sale is not None
        sales = LedgerRepository(uow.db, tenant_id)
        location = uow.db.get(Location, (tenant_id, sale.location_id))
        now = utcnow()
        today = now.astimezone(ZoneInfo(location.timezone if location else "UTC")).date()
        values: dict[str, Any]
        if result.succeeded:
            values = {
                "state": RefundState.DONE.value,
                "refunded_at": now,
                "refunded_on": today,
                "payment_id": result.payment_id,
            }
        else:
            reason = (result.reason or _DECLINED)[:300]
            values = {"state": RefundState.DECLINED.value, "declined_reason": reason}
        moved = uow.db.execute(
            update(Refund)
            .where(
                Refund.tenant_id == tenant_id,
                Refund.id == refund_id,
                Refund.state == RefundState.PENDING.value,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if not moved.rowcount:  # type: ignore[attr-defined]
            return False
        if result.succeeded:
            sales.confirm_refund(sale.id, refund.amount)
            ledger.add_to_revenue(uow.db, sale, day=today, refunds=refund.amount)
            record_action(
                uow.db,
                tenant_id=tenant_id,
                action=audit_rules.REFUND,
                entity="sale_refunds",
                entity_id=refund_id,
            )
        else:
            sales.give_back(sale.id, refund.amount)
            _tell_staff_declined(uow, sale, refund, values["declined_reason"])
        uow.commit()
        return True


def _tell_staff_declined(uow: UnitOfWork, sale: Sale, refund: Refund, reason: str) -> None:
    """Post the decline to the tenant's staff channels (if it chose this event): the money
    did not go back, so someone has to call the member."""
    label = f"receipt {sale.receipt_number:06d}"
    notices.to_staff(
        uow=uow,
        tenant_id=sale.tenant_id,
        event="refund.declined",
        subject=f"Refund declined: {refund.amount} {refund.currency} ({label})",
        body=f"The payment provider declined a refund of {refund.amount} {refund.currency} "
        f"on {label} ({sale.method}): {reason}. The amount is refundable again.",
    )


def refund(
    *,
    uow: UnitOfWork,
    payments: PaymentService,
    claims: AccessClaims,
    sale_id: uuid.UUID,
    cmd: RefundCreate,
    read: ReadRefund,
) -> RefundRead:
    """Give back all or part of a sale through the payments port. The same ``refund_id``
    refunds once (a replay answers where it stands); no refunds take more than the sale."""
    with uow:
        reserved = _reserve(uow, claims, sale_id, cmd)
        if isinstance(reserved, Refund):
            return _replay(uow, reserved, sale_id, cmd, read)
    result = ask(payments, reserved.request)
    settle(uow, claims.tenant_id, cmd.refund_id, result)
    with uow:
        made = RefundRepository(uow.db, claims.tenant_id).get(cmd.refund_id)
        assert made is not None
        return answer(uow, made, read)


def settle_refunds(
    *,
    make_uow: Callable[[], UnitOfWork],
    payments: PaymentService,
    older_than: timedelta = timedelta(minutes=1),
    limit: int = 200,
) -> int:
    """The job's sweep: refunds still pending a while after they were asked for are asked
    again with the same idempotency key and settled; returns how many it settled. Each
    tenant's pending refunds are found through ``ix_sale_refunds_tenant_state``."""
    cutoff = utcnow() - older_than
    due: list[tuple[uuid.UUID, uuid.UUID, RefundRequest]] = []
    with make_uow() as uow:
        tenants = uow.db.execute(select(Tenant.id).order_by(Tenant.id)).scalars().all()
        for tenant_id in tenants:
            rows = uow.db.execute(
                select(Refund, Sale.method, Sale.provider_reference)
                .join(Sale, (Sale.tenant_id == Refund.tenant_id) & (Sale.id == Refund.sale_id))
                .where(
                    Refund.tenant_id == tenant_id,
                    Refund.state == RefundState.PENDING.value,
                    Refund.requested_at < cutoff,
                )
                .order_by(Refund.requested_at)
                .limit(limit - len(due))
            ).all()
            due += [(tenant_id, r.id, _again(r, method, ref)) for r, method, ref in rows]
            if len(due) >= limit:
                break
    settled = 0
    for tenant_id, refund_id, request in due:
        settled += settle(make_uow(), tenant_id, refund_id, ask(payments, request))
    return settled


def _again(refund: Refund, method: str, reference: str | None) -> RefundRequest:
    return RefundRequest(
        tenant_id=refund.tenant_id,
        idempotency_key=refund.id,
        payment_id=refund.sale_id,
        amount=refund.amount,
        currency=refund.currency,
        method=method,
        reason=refund.reason,
        reference=reference,
        asked_before=True,
    )
