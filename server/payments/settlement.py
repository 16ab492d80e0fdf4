"""What a PSP's word does to a sale: a pending payment settles or fails, a refund made at
the PSP joins the ledger, one of our pending refunds settles (``server.sales.refunding``).
Each change only moves forward (pending -> paid or failed; the refunded amount only grows;
a refund pending -> done or declined, done -> declined when the PSP says it failed after
all), so events applied out of order end in the same state."""

from __future__ import annotations

import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.plans import ledger
from server.plans.models import Membership, Sale
from server.ports.payments import PaymentEvent
from server.sales import refunding
from server.sales.models import Refund
from server.sync import changes as sync_changes
from server.tenants.models import Location
from shared.clock import utcnow
from shared.enums import MembershipStatus, PaymentStatus

PSP_ACTOR = refunding.PSP_ACTOR
#: One of our refunds made or failed at the PSP (``PaymentEvent.refund_id`` names it).
_REFUND_KINDS = {"refund_succeeded", "refund_failed"}
_REFUNDS = uuid.UUID("6b1f2f8e-2c55-4a57-9d0a-5e8f3c1b7a10")


def _membership_to(db: Session, sale: Sale, status: MembershipStatus) -> None:
    if sale.membership_id is None:
        return
    membership = db.get(Membership, (sale.tenant_id, sale.membership_id))
    if membership is not None and membership.status == MembershipStatus.AWAITING_PAYMENT.value:
        membership.status = status.value
        sync_changes.touch(db, Membership, sale.tenant_id, membership.id)


def _settle(db: Session, sale: Sale) -> bool:
    if sale.payment_status != PaymentStatus.PENDING.value:
        return False
    sale.payment_status = PaymentStatus.PAID.value
    _membership_to(db, sale, MembershipStatus.ACTIVE)
    return True


def _fail(db: Session, sale: Sale) -> bool:
    if sale.payment_status != PaymentStatus.PENDING.value:
        return False
    sale.payment_status = PaymentStatus.FAILED.value
    _membership_to(db, sale, MembershipStatus.CANCELLED)
    # The sale was counted when recorded; money never taken is no revenue.
    ledger.add_to_revenue(db, sale, day=sale.taken_on, sales=-1, gross=-sale.amount)
    return True


def _refunded(db: Session, sale: Sale, provider: str, event: PaymentEvent) -> bool:
    """A refund seen at the PSP: the part of it our ledger lacks is recorded (once)."""
    settled = _settle(db, sale)
    total = min(event.refunded_total or Decimal("0"), sale.amount)
    missing = total - sale.refunded_amount
    if missing <= 0:
        return settled
    now = utcnow()
    location = db.get(Location, (sale.tenant_id, sale.location_id))
    today = now.astimezone(ZoneInfo(location.timezone if location else "UTC")).date()
    sale.refunded_amount = sale.refunded_amount + missing
    db.add(
        Refund(
            tenant_id=sale.tenant_id,
            id=uuid.uuid5(_REFUNDS, f"{provider}:{event.event_id}"),
            sale_id=sale.id,
            amount=missing,
            currency=sale.currency,
            reason=f"refunded at {provider}",
            refunded_by=PSP_ACTOR,
            refunded_at=now,
            refunded_on=today,
            payment_id=None,
            state="done",
            requested_at=now,
        )
    )
    ledger.add_to_revenue(db, sale, day=today, refunds=missing)
    return True


def _sale(db: Session, tenant_id: uuid.UUID, provider: str, event: PaymentEvent) -> Sale | None:
    if event.payment_id is not None:
        return db.get(Sale, (tenant_id, event.payment_id), with_for_update=True)
    if event.reference is None:
        return None
    found: Sale | None = db.execute(
        select(Sale)
        .where(
            Sale.tenant_id == tenant_id,
            Sale.provider == provider,
            Sale.provider_reference == event.reference,
        )
        .with_for_update()
    ).scalar_one_or_none()
    return found


def apply(db: Session, tenant_id: uuid.UUID, provider: str, event: PaymentEvent) -> str:
    """Apply one verified event to the tenant's sale it names, in the caller's
    transaction; returns what it did."""
    if event.kind not in {"succeeded", "failed", "refunded", *_REFUND_KINDS}:
        return "no_change"
    sale = _sale(db, tenant_id, provider, event)
    if sale is None or sale.provider != provider:
        return "unknown_refund" if event.kind in _REFUND_KINDS else "unknown_payment"
    if event.kind in _REFUND_KINDS:
        return refunding.settle_from_psp(
            db,
            sale,
            refund_id=event.refund_id,
            amount=event.amount if event.refund_by_amount else None,
            succeeded=event.kind == "refund_succeeded",
            reason=event.reason,
        )
    if event.kind == "succeeded":
        return "settled" if _settle(db, sale) else "no_change"
    if event.kind == "failed":
        return "failed" if _fail(db, sale) else "no_change"
    return "refunded" if _refunded(db, sale, provider, event) else "no_change"
