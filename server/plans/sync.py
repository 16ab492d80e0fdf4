"""What kiosks hold of plans and memberships, and ``sale.create.v1``: a day or guest pass
sold at a kiosk, possibly hours ago, offline. The sale's id is its payment's idempotency
key, so the same sale pushed twice is one sale."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import Table, inspect, or_, select
from sqlalchemy.orm import Session

from server.db.base import Base
from server.devices.service_point import ServicePoint
from server.plans import sales_service
from server.plans.models import AccessPlan, Membership
from server.plans.repository import (
    MembershipRepository,
    PlanRepository,
    SaleRepository,
    member_or_404,
)
from server.plans.schemas import SaleCreate
from server.staff.repository import StaffRepository
from server.sync import changes, review, rules
from server.sync.registry import MutationContext, MutationRejected, SnapshotScope, SyncRegistry
from server.tenants.models import Location
from shared.clock import ensure_utc
from shared.enums import MembershipStatus
from shared.sync import messages as wire
from shared.sync.messages import SaleCreateArgs
from shared.sync.snapshot import SnapshotMembership, SnapshotPlan

#: Review kind: a guest pass sold offline for a host with no active membership.
GUEST_HOST_NOT_ACTIVE = "guest_host_not_active"
#: Memberships that ended this long ago still travel, so a refusal can say when they ended.
ENDED_RECENTLY = timedelta(days=62)


def _plan(row: AccessPlan) -> dict[str, Any]:
    return SnapshotPlan.model_validate(row, from_attributes=True).model_dump(mode="json")


def _accounts() -> Table:
    # The corporate domain's table, read by name: plans may not import that domain (it
    # builds on plans), yet a kiosk's door names the company that pays.
    return Base.metadata.tables["corporate_accounts"]


def cover_names(
    db: Session, tenant_id: uuid.UUID, account_ids: Iterable[uuid.UUID | None] | None = None
) -> dict[uuid.UUID, str]:
    """The names of the tenant's live (not archived) corporate accounts, of ``account_ids``
    only when given: an archived account covers no one at the door."""
    accounts = _accounts()
    query = select(accounts.c.id, accounts.c.name).where(
        accounts.c.tenant_id == tenant_id, accounts.c.archived_at.is_(None)
    )
    if account_ids is not None:
        wanted = {a for a in account_ids if a is not None}
        if not wanted:
            return {}
        query = query.where(accounts.c.id.in_(wanted))
    return {id_: name for id_, name in db.connection().execute(query)}


def _snapshot_membership(row: Membership, covers: dict[uuid.UUID, str]) -> SnapshotMembership:
    # Visit counts are the kiosk's to make, from the check-ins it downloads.
    found = SnapshotMembership.model_validate(row, from_attributes=True)
    account_id = getattr(row, "corporate_account_id", None)
    if account_id is None:
        return found
    return found.model_copy(update={"covered_by": covers.get(account_id)})


def _membership(row: Membership) -> dict[str, Any]:
    covers: dict[uuid.UUID, str] = {}
    account_id = getattr(row, "corporate_account_id", None)
    # A row written with a Core insert comes as plain values (no session to read the
    # name with); corporate memberships are made as ORM rows.
    state = inspect(row, raiseerr=False)
    db = state.session if state is not None else None
    if account_id is not None and db is not None:
        covers = cover_names(db, row.tenant_id, [account_id])
    return _snapshot_membership(row, covers).model_dump(mode="json")


def send_covered_again(db: Session, tenant_id: uuid.UUID, account_id: uuid.UUID) -> int:
    """The memberships a corporate account pays for go to the kiosks again (its name, or
    whether it covers anyone, changed); how many."""
    ids = db.execute(
        select(Membership.id).where(
            Membership.tenant_id == tenant_id, Membership.corporate_account_id == account_id
        )
    ).scalars()
    count = 0
    for membership_id in ids:
        changes.touch(db, Membership, tenant_id, membership_id)
        count += 1
    return count


def _snapshot(scope: SnapshotScope) -> dict[str, Any]:
    """Every plan, and the memberships a door decision may meet: not cancelled, not long
    over."""
    plans = scope.db.execute(
        select(AccessPlan).where(AccessPlan.tenant_id == scope.tenant_id).order_by(AccessPlan.id)
    ).scalars()
    ended_after = (scope.now - ENDED_RECENTLY).date()
    memberships = scope.db.execute(
        select(Membership)
        .where(
            Membership.tenant_id == scope.tenant_id,
            Membership.status != MembershipStatus.CANCELLED.value,
            or_(Membership.ends_on.is_(None), Membership.ends_on >= ended_after),
        )
        .order_by(Membership.id)
    ).scalars()
    covers = cover_names(scope.db, scope.tenant_id)
    return {
        "plans": [SnapshotPlan.model_validate(p, from_attributes=True) for p in plans],
        "memberships": [_snapshot_membership(m, covers) for m in memberships],
    }


def _check_references(context: MutationContext, args: SaleCreateArgs) -> None:
    """The seller is staff of this location; the new membership's id is not one in use."""
    db, tenant_id = context.uow.db, context.tenant_id
    if args.staff_id is not None:
        serving = StaffRepository(db, tenant_id).serving([args.staff_id], context.location.id)
        if args.staff_id not in serving:
            raise MutationRejected(f"staff_id {args.staff_id} is not staff of this location")
    memberships = MembershipRepository(db, tenant_id)
    if args.membership_id is not None and memberships.get(args.membership_id) is not None:
        raise MutationRejected(f"membership_id {args.membership_id} is already in use")


def create_sale(context: MutationContext, args: SaleCreateArgs) -> str | None:
    db, tenant_id = context.uow.db, context.tenant_id
    earlier = SaleRepository(db, tenant_id).get(args.sale_id)
    if earlier is not None:
        same = (earlier.member_id, earlier.plan_id, earlier.amount, earlier.currency)
        if same != (args.member_id, args.plan_id, args.amount, args.currency):
            raise MutationRejected(f"sale {args.sale_id} was already recorded with other details")
        return "already recorded"
    if args.location_id != context.location.id:
        raise MutationRejected("a kiosk sells at its own location only")
    plan = PlanRepository(db, tenant_id).get(args.plan_id)
    if plan is None:
        raise MutationRejected(f"plan {args.plan_id} is not known to the server")
    _check_references(context, args)
    cmd = SaleCreate(
        sale_id=args.sale_id,
        member_id=args.member_id,
        plan_id=args.plan_id,
        method=args.payment_method,
        amount=args.amount,
        currency=args.currency,
        guest_of_id=args.guest_of_id,
    )
    taken_at, clamped = rules.clamp_time(
        ensure_utc(args.sold_at or context.mutation.device_time), context.now
    )
    context.clamped = context.clamped or clamped
    # The kiosk's location, read already by the push.
    location = db.get(Location, (tenant_id, context.location.id))
    assert location is not None
    point = ServicePoint(location=location, staff_id=args.staff_id, device_id=context.device.id)
    # Asked before the sale: the money was taken, so the sale stands either way.
    hostless = args.guest_of_id is not None and not sales_service.can_host(
        context.uow, tenant_id, args.guest_of_id, point, taken_at
    )
    payment = sales_service.record_sale(
        context.uow,
        context.payments,
        tenant_id,
        point,
        cmd,
        membership_id=args.membership_id,
        starts_on=args.starts_on,
        ends_on=args.ends_on,
        taken_at=taken_at,
        check_plan=False,
    )
    changed = []
    if not plan.active:
        changed.append("the plan is no longer sold")
    if (args.amount, args.currency) != (plan.price, plan.currency):
        changed.append(f"the plan now costs {plan.price} {plan.currency}")
    if changed:
        context.review(
            review.SALE_CHANGED,
            f"{plan.name} sold offline at {context.location.name} on {context.local(taken_at)} "
            f"for {args.amount} {args.currency}, but {' and '.join(changed)}",
            member_id=payment.member_id,
        )
    if hostless:
        assert args.guest_of_id is not None
        host = member_or_404(db, tenant_id, args.guest_of_id)
        context.review(
            GUEST_HOST_NOT_ACTIVE,
            f"{plan.name} sold offline at {context.location.name} on {context.local(taken_at)} "
            f"for a guest of {host.first_name} {host.last_name}, who has no active "
            "membership to bring a guest on: the payment was kept",
            member_id=payment.member_id,
        )
    return None


def register(registry: SyncRegistry) -> None:
    registry.tables.register(wire.TABLE_PLANS, AccessPlan, serialise=_plan)
    registry.tables.register(wire.TABLE_MEMBERSHIPS, Membership, serialise=_membership)
    registry.snapshot_parts.append(_snapshot)
    registry.mutations.register("sale.create.v1", SaleCreateArgs, create_sale)
