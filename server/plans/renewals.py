"""Recurring billing: the background job that renews monthly and annual memberships.

Each due membership is charged through the payments port with a key made from the
membership, the period and the attempt (``renewal_rules.renewal_key``), so whatever runs it
twice (a second server process, a re-run after a crash between charging and committing) asks
the provider with the same key and is charged once. A paid renewal is recorded as a sale
(``card_on_file``, taken by nobody) and moves the next renewal on by one period; a declined
one makes the membership past due and is retried on days 1, 3 and 7, then suspended.

Several processes: on PostgreSQL a batch is claimed with ``FOR UPDATE SKIP LOCKED`` and its
rows stay locked while it is charged, so another process takes other rows. SQLite has one
writer and no row locks: the batch is read, charged outside any transaction (a WAL read
cannot become a write once another process has written), and written with conditional
updates, so of two processes that charged the same attempt with the same key only one
records it. Charges run on a bounded thread pool: a provider's answer takes tens of ms.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from server.db.bulk import insert_rows
from server.db.uow import UnitOfWork
from server.members.models import Member
from server.plans import ledger
from server.plans.models import AccessPlan, Membership, Sale
from server.plans.renewal_rules import BillingState, after_charge, renewal_key
from server.ports.payments import PaymentRequest, PaymentResult, PaymentService
from server.sync import changes as sync_changes
from server.tenants.models import Location, Tenant
from shared.clock import utcnow
from shared.enums import MembershipStatus, PaymentMethod, PlanKind

log = logging.getLogger(__name__)

#: Renewals claimed, charged and written together (one transaction).
BATCH = 500
#: Charges in flight at once: enough to hide a provider's latency, few enough to be polite.
WORKERS = 32
#: Statuses the job charges; a frozen membership waits until its freeze is over.
_RENEWING = (MembershipStatus.ACTIVE.value, MembershipStatus.PAST_DUE.value)


@dataclass(frozen=True)
class Due:
    """One attempt to charge one membership's next period, as claimed."""

    tenant_id: uuid.UUID
    membership_id: uuid.UUID
    member_id: uuid.UUID
    plan_id: uuid.UUID
    plan_name: str
    amount: Decimal
    currency: str
    location_id: uuid.UUID | None
    state: BillingState
    next_charge_on: date

    @property
    def key(self) -> uuid.UUID:
        return renewal_key(self.membership_id, self.state.periods_billed, self.state.failed_charges)


@dataclass
class RenewalRun:
    """What one run of the job did."""

    charged: int = 0
    declined: int = 0
    suspended: int = 0
    #: Charges that raised (the provider unreachable): tried again at the next run.
    failed: int = 0
    #: Attempts another process recorded first.
    skipped: int = 0


def _claim_query(tenant_id: uuid.UUID, today: date, limit: int) -> Any:
    return (
        select(
            Membership.id,
            Membership.member_id,
            Membership.plan_id,
            Membership.status,
            Membership.starts_on,
            Membership.periods_billed,
            Membership.failed_charges,
            Membership.first_failed_on,
            Membership.next_charge_on,
            Membership.home_location_id,
            Member.home_location_id,
            AccessPlan.name,
            AccessPlan.billing_period,
            AccessPlan.price,
            AccessPlan.currency,
        )
        .join(
            AccessPlan,
            (AccessPlan.tenant_id == Membership.tenant_id) & (AccessPlan.id == Membership.plan_id),
        )
        .join(
            Member, (Member.tenant_id == Membership.tenant_id) & (Member.id == Membership.member_id)
        )
        .where(
            Membership.tenant_id == tenant_id,
            Membership.next_charge_on <= today,
            Membership.periods_billed.is_not(None),
            AccessPlan.kind == PlanKind.RECURRING.value,
            AccessPlan.billing_period.is_not(None),
            or_(
                Membership.status.in_(_RENEWING),
                and_(
                    Membership.status == MembershipStatus.FROZEN.value,
                    Membership.frozen_until <= today,
                ),
            ),
            # A membership given an end renews no further than it.
            or_(Membership.ends_on.is_(None), Membership.ends_on >= Membership.next_renewal_on),
        )
        .order_by(Membership.next_charge_on, Membership.id)
        .limit(limit)
        .with_for_update(of=Membership, skip_locked=True)
    )


def _claim(db: Session, tenant_id: uuid.UUID, today: date, limit: int) -> list[Due]:
    dues = []
    for row in db.execute(_claim_query(tenant_id, today, limit)):
        (mid, member_id, plan_id, status, starts_on, periods, failed, first_failed) = row[:8]
        (next_charge_on, home, member_home, name, period, price, currency) = row[8:]
        state = BillingState(
            status=MembershipStatus(status),
            anchor=starts_on,
            billing_period=period,
            periods_billed=periods,
            failed_charges=failed,
            first_failed_on=first_failed,
        )
        dues.append(
            Due(
                tenant_id=tenant_id,
                membership_id=mid,
                member_id=member_id,
                plan_id=plan_id,
                plan_name=name,
                amount=price,
                currency=currency,
                location_id=home or member_home,
                state=state,
                next_charge_on=next_charge_on,
            )
        )
    return dues


def _charge(payments: PaymentService, due: Due) -> PaymentResult | None:
    request = PaymentRequest(
        tenant_id=due.tenant_id,
        idempotency_key=due.key,
        amount=due.amount,
        currency=due.currency,
        method=PaymentMethod.CARD_ON_FILE.value,
        description=f"{due.plan_name}: renewal from {due.state.next_renewal_on.isoformat()}",
        member_id=due.member_id,
        membership_id=due.membership_id,
    )
    try:
        return payments.charge(request)
    except Exception:
        log.exception("renewal of membership %s not charged; tried again later", due.membership_id)
        return None


def _first_location(db: Session, tenant_id: uuid.UUID) -> uuid.UUID | None:
    """Where a sale of a member with no home location is booked: the tenant's first live
    location."""
    found: uuid.UUID | None = db.execute(
        select(Location.id)
        .where(Location.tenant_id == tenant_id, Location.archived_at.is_(None))
        .order_by(Location.id)
        .limit(1)
    ).scalar_one_or_none()
    return found


def _record(db: Session, due: Due, succeeded: bool, today: date) -> MembershipStatus | None:
    """Write one attempt's outcome if nobody did; returns the new status, or None."""
    change = after_charge(due.state, succeeded, today)
    written = db.execute(
        update(Membership)
        .where(
            Membership.tenant_id == due.tenant_id,
            Membership.id == due.membership_id,
            Membership.status == due.state.status.value,
            Membership.periods_billed == due.state.periods_billed,
            Membership.failed_charges == due.state.failed_charges,
            Membership.next_charge_on == due.next_charge_on,
        )
        .values(
            status=change.status.value,
            periods_billed=change.periods_billed,
            next_renewal_on=change.next_renewal_on,
            next_charge_on=change.next_charge_on,
            failed_charges=change.failed_charges,
            first_failed_on=change.first_failed_on,
        )
        .execution_options(synchronize_session=False)
    )
    if not written.rowcount:  # type: ignore[attr-defined]
        return None
    if change.status is not due.state.status:
        # Kiosks hold the status (the door reads it); the billing columns stay here.
        sync_changes.touch(db, Membership, due.tenant_id, due.membership_id)
    return change.status


def _sale_row(due: Due, location: tuple[uuid.UUID, str], result: PaymentResult) -> dict[str, Any]:
    location_id, zone = location
    taken_at = utcnow()
    return {
        "tenant_id": due.tenant_id,
        # The sale's id is its payment's idempotency key, as for desk sales.
        "id": due.key,
        "member_id": due.member_id,
        "membership_id": due.membership_id,
        "plan_id": due.plan_id,
        "location_id": location_id,
        "amount": due.amount,
        "currency": due.currency,
        "method": PaymentMethod.CARD_ON_FILE.value,
        "taken_by": None,
        "device_id": None,
        "taken_at": taken_at,
        "taken_on": taken_at.astimezone(ZoneInfo(zone)).date(),
        "provider": result.provider,
        "provider_reference": result.reference,
    }


def _write(
    db: Session,
    dues: Sequence[Due],
    results: Sequence[PaymentResult | None],
    today: date,
    run: RenewalRun,
) -> None:
    sales: list[dict[str, Any]] = []
    fallback: dict[uuid.UUID, uuid.UUID | None] = {}
    zones = _zones(db, dues)
    for due, result in zip(dues, results, strict=True):
        if result is None:
            run.failed += 1
            continue
        status = _record(db, due, result.succeeded, today)
        if status is None:
            run.skipped += 1
        elif result.succeeded:
            run.charged += 1
            location_id = due.location_id
            if location_id is None:
                if due.tenant_id not in fallback:
                    fallback[due.tenant_id] = _first_location(db, due.tenant_id)
                location_id = fallback[due.tenant_id]
            if location_id is not None:
                sales.append(_sale_row(due, (location_id, zones[location_id]), result))
        elif status is MembershipStatus.SUSPENDED:
            run.suspended += 1
        else:
            run.declined += 1
            log.info("renewal of membership %s declined: %s", due.membership_id, result.reason)
    if sales:
        ledger.record_rows(db, dues[0].tenant_id, sales)
    insert_rows(db, Sale, sales)


def _zones(db: Session, dues: Sequence[Due]) -> dict[uuid.UUID, str]:
    """The time zone of every location of the batch's tenants: a sale is dated in its
    location's local day."""
    tenants = {due.tenant_id for due in dues}
    rows = db.execute(
        select(Location.id, Location.timezone).where(Location.tenant_id.in_(tenants))
    ).all()
    return {location_id: zone for location_id, zone in rows}


def _renew_batch(
    uow: UnitOfWork,
    payments: PaymentService,
    pool: ThreadPoolExecutor,
    tenant_id: uuid.UUID,
    today: date,
    limit: int,
    run: RenewalRun,
) -> tuple[int, bool]:
    """Claim, charge and record one batch; returns (claimed, whether any was recorded)."""
    before = run.charged + run.declined + run.suspended
    with uow:
        db = uow.db
        dues = _claim(db, tenant_id, today, limit)
        if not dues:
            return 0, False
        if db.get_bind().dialect.name != "postgresql":
            # No row locks to keep: end the read so the writes see what others wrote.
            db.rollback()
        results = list(pool.map(lambda due: _charge(payments, due), dues))
        _write(db, dues, results, today, run)
        uow.commit()
    return len(dues), run.charged + run.declined + run.suspended > before


def _tenants(uow: UnitOfWork) -> list[uuid.UUID]:
    with uow:
        return list(uow.db.execute(select(Tenant.id).order_by(Tenant.id)).scalars())


def renew_due(
    *,
    make_uow: Callable[[], UnitOfWork],
    payments: PaymentService,
    today: date | None = None,
    batch: int = BATCH,
    workers: int = WORKERS,
) -> RenewalRun:
    """Charge every renewal and retry due by ``today`` (default: today in UTC).

    A membership many periods behind (the job did not run for a while) is charged one
    period after the other, each with its own key, until it is paid up or declined.
    """
    today = today or utcnow().date()
    run = RenewalRun()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zmos-renewals") as pool:
        # Tenant by tenant: the index on the due day leads with the tenant, like every index.
        for tenant_id in _tenants(make_uow()):
            while True:
                claimed, progressed = _renew_batch(
                    make_uow(), payments, pool, tenant_id, today, batch, run
                )
                if claimed < batch or not progressed:
                    break
    return run
