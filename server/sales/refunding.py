"""Refunds in three steps, so no transaction is open while a payment provider is asked:

1. reserve (one short transaction): the checks, the amount taken back from the sale, the
   refund written ``pending``;
2. ask the provider, with no transaction open (the refund id is its idempotency key);
3. settle (one short transaction): ``done`` (revenue counted), ``declined`` (the amount
   given back to the sale), or left ``pending`` when the provider could not answer: the
   ``payments.settle_refunds`` job asks again with the same key until it does, unless the
   provider's own refund webhook settles it first (:func:`settle_from_psp`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.audit import rules as audit_rules
from server.audit.recorder import record_action
from server.db.uow import InTransaction, UnitOfWork
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
from server.tenants.models import Location
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
#: Who "made" a refund given at the PSP itself (its dashboard), in the ledger.
PSP_ACTOR = uuid.UUID(int=0)

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
    reserved = Refund(
        id=cmd.refund_id,
        sale_id=sale.id,
        amount=amount,
        currency=sale.currency,
        reason=cmd.reason,
        refunded_by=claims.subject_id,
        state=RefundState.PENDING.value,
        requested_at=utcnow(),
    )
    refunds.add(reserved)
    request = refund_request(reserved, sale.method, sale.provider_reference)
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


def _effects_day(db: Session, sale: Sale) -> tuple[datetime, date]:
    now = utcnow()
    location = db.get(Location, (sale.tenant_id, sale.location_id))
    return now, now.astimezone(ZoneInfo(location.timezone if location else "UTC")).date()


def _moved(db: Session, refund: Refund, state: RefundState, values: dict[str, Any]) -> bool:
    """Move ``refund`` out of ``state`` if it is still there (one conditional UPDATE: of two
    answers applied at once, one moves it)."""
    moved = db.execute(
        update(Refund)
        .where(
            Refund.tenant_id == refund.tenant_id,
            Refund.id == refund.id,
            Refund.state == state.value,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(moved.rowcount)  # type: ignore[attr-defined]


def _settle_pending(db: Session, refund: Refund, result: PaymentResult) -> bool:
    """Apply a provider's answer to a pending refund in the caller's transaction: done
    (revenue counted) or declined (its amount given back to the sale); False when another
    answer settled it first."""
    tenant_id = refund.tenant_id
    # The sale's row first, as a refund's reservation and a webhook take it: two settlings
    # of one sale at once queue up instead of deadlocking.
    sale = db.get(Sale, (tenant_id, refund.sale_id), with_for_update=True)
    assert sale is not None
    now, today = _effects_day(db, sale)
    values: dict[str, Any]
    if result.succeeded:
        values = {
            "state": RefundState.DONE.value,
            "refunded_at": now,
            "refunded_on": today,
            "payment_id": result.payment_id,
        }
    else:
        values = {"state": RefundState.DECLINED.value, "declined_reason": _reason(result.reason)}
    if not _moved(db, refund, RefundState.PENDING, values):
        return False
    sales = LedgerRepository(db, tenant_id)
    if result.succeeded:
        sales.confirm_refund(sale.id, refund.amount)
        ledger.add_to_revenue(db, sale, day=today, refunds=refund.amount)
        record_action(
            db,
            tenant_id=tenant_id,
            action=audit_rules.REFUND,
            entity="sale_refunds",
            entity_id=refund.id,
        )
    else:
        sales.give_back(sale.id, refund.amount)
        _tell_staff_declined(InTransaction(db), sale, refund, _reason(result.reason))
    return True


def _reason(reason: str | None) -> str:
    return (reason or _DECLINED)[:300]


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
        if not _settle_pending(uow.db, refund, result):
            return False
        uow.commit()
        return True


def _reverse(db: Session, refund: Refund, reason: str | None) -> bool:
    """A refund the PSP reported made, then failed (Stripe: "a refund can fail after it
    succeeded"; the money went back to the merchant's balance): declined after all, its
    amount back on the sale and out of the revenue of the day it was counted on."""
    values = {
        "state": RefundState.DECLINED.value,
        "declined_reason": _reason(reason),
        "refunded_at": None,
        "refunded_on": None,
    }
    counted_on = refund.refunded_on
    sale = db.get(Sale, (refund.tenant_id, refund.sale_id), with_for_update=True)
    assert sale is not None
    if not _moved(db, refund, RefundState.DONE, values):
        return False
    db.execute(
        update(Sale)
        .where(Sale.tenant_id == sale.tenant_id, Sale.id == sale.id)
        .values(refunded_amount=Sale.refunded_amount - refund.amount)
        .execution_options(synchronize_session=False)
    )
    if counted_on is not None:
        ledger.add_to_revenue(db, sale, day=counted_on, refunds=-refund.amount)
    log.warning("refund %s failed at the PSP after it was made: declined", refund.id)
    _tell_staff_declined(InTransaction(db), sale, refund, _reason(reason))
    return True


def _psp_refund(
    db: Session, sale: Sale, refund_id: uuid.UUID | None, amount: Decimal | None
) -> Refund | None:
    """Our refund a PSP's webhook names: by its id when the PSP carries it back (Stripe's
    metadata, Paystack's merchant note), else (``amount`` given: a PSP whose events cannot
    carry it) the one refund of that amount we made on the sale; two of the same amount
    are not guessed at (the job settles them)."""
    if refund_id is not None:
        found = db.get(Refund, (sale.tenant_id, refund_id))
        return found if found is not None and found.sale_id == sale.id else None
    if amount is None:
        return None
    rows = (
        db.execute(
            select(Refund)
            .where(
                Refund.tenant_id == sale.tenant_id,
                Refund.sale_id == sale.id,
                Refund.amount == amount,
                Refund.refunded_by != PSP_ACTOR,
            )
            .limit(2)
        )
        .scalars()
        .all()
    )
    return rows[0] if len(rows) == 1 else None


def settle_from_psp(
    db: Session,
    sale: Sale,
    *,
    refund_id: uuid.UUID | None,
    amount: Decimal | None,
    succeeded: bool,
    reason: str | None,
) -> str:
    """A PSP's webhook about one of our refunds of ``sale``, in the caller's transaction
    (which took the ledger's write lock): a pending refund settles as the job would settle
    it; a late or repeated word changes nothing, except a failure after the refund was
    made, which reverses it. Returns what it did."""
    refund = _psp_refund(db, sale, refund_id, amount)
    if refund is None:
        return "unknown_refund"
    if refund.state == RefundState.PENDING.value:
        result = PaymentResult(refund.id, succeeded, reason)
        if not _settle_pending(db, refund, result):
            return "no_change"
        return "refund_done" if succeeded else "refund_declined"
    if refund.state == RefundState.DONE.value and not succeeded:
        return "refund_reversed" if _reverse(db, refund, reason) else "no_change"
    return "no_change"


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


def _pending_state() -> Any:
    """``'pending'`` written into the statement, not bound: PostgreSQL's generic plan of a
    prepared statement cannot use a partial index (``WHERE state = 'pending'``) for a
    bound value."""
    return bindparam(None, RefundState.PENDING.value, type_=Refund.state.type, literal_execute=True)


def settle_refunds(
    *,
    make_uow: Callable[[], UnitOfWork],
    payments: PaymentService,
    older_than: timedelta = timedelta(minutes=1),
    limit: int = 200,
) -> int:
    """The job's sweep: refunds still pending a while after they were asked for (every
    tenant's, oldest first) are asked again with the same idempotency key and settled;
    returns how many it settled. One query through ``ix_sale_refunds_tenant_pending``,
    which holds pending refunds only: tenants with none cost nothing."""
    cutoff = utcnow() - older_than
    with make_uow() as uow:
        rows = uow.db.execute(
            select(Refund, Sale.method, Sale.provider_reference)
            .join(Sale, (Sale.tenant_id == Refund.tenant_id) & (Sale.id == Refund.sale_id))
            .where(Refund.state == _pending_state(), Refund.requested_at < cutoff)
            .order_by(Refund.requested_at)
            .limit(limit)
        ).all()
        due = [
            (r.tenant_id, r.id, refund_request(r, method, ref, asked_before=True))
            for r, method, ref in rows
        ]
    settled = 0
    for tenant_id, refund_id, request in due:
        settled += settle(make_uow(), tenant_id, refund_id, ask(payments, request))
    return settled


def refund_request(
    refund: Refund, method: str, reference: str | None, *, asked_before: bool = False
) -> RefundRequest:
    """What the payments port is asked, from the refund's row and its sale's payment
    (``asked_before``: asked again by the job, the first answer unknown)."""
    return RefundRequest(
        tenant_id=refund.tenant_id,
        idempotency_key=refund.id,
        payment_id=refund.sale_id,
        amount=refund.amount,
        currency=refund.currency,
        method=method,
        reason=refund.reason,
        reference=reference,
        asked_before=asked_before,
    )
