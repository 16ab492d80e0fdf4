"""Sell a day pass or guest pass at the desk (the sale id is the payment idempotency key)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from desktop.core.checkin.model import InputError
from desktop.core.checkin.outbox import SALE_CREATE, OutboxWriter
from desktop.core.checkin.periods import zone
from desktop.core.store import (
    CachedPlan,
    CacheRepository,
    LocalRepository,
    LocationRef,
    MemberRepository,
    Store,
)
from desktop.core.store.codec import opt_str
from shared.enums import PaymentMethod, PlanKind
from shared.ids import new_id
from shared.memberships import MembershipState, can_host_guests

PASS_KINDS = (PlanKind.DAY_PASS, PlanKind.GUEST_PASS)
NO_ACTIVE_HOST = "A guest pass needs a host with an active membership; this member has none"


@dataclass(frozen=True)
class Sale:
    sale_id: uuid.UUID
    membership_id: uuid.UUID
    member_id: uuid.UUID
    plan: CachedPlan
    amount: Decimal
    method: PaymentMethod
    starts_on: date
    ends_on: date


def pass_plans(store: Store) -> list[CachedPlan]:
    """The active day and guest pass plans, as sold at the desk."""
    plans = CacheRepository(store.connection()).plans()
    return [p for p in plans if p.kind in PASS_KINDS and p.active]


def sell_pass(
    *,
    store: Store,
    outbox: OutboxWriter,
    now: Callable[[], datetime],
    location: LocationRef,
    plan_id: uuid.UUID,
    member_id: uuid.UUID,
    method: PaymentMethod,
    guest_of_id: uuid.UUID | None = None,
    staff_id: uuid.UUID | None = None,
) -> Sale:
    """Record the sale and the pass, active today in the location's time zone, with the
    ``sale.create.v1`` outbox row, in one transaction."""
    conn = store.connection()
    plan = CacheRepository(conn).plan(plan_id)
    if plan is None or plan.kind not in PASS_KINDS or not plan.active:
        raise InputError("Choose a day pass or guest pass plan")
    members = MemberRepository(conn)
    if members.get(member_id) is None:
        raise InputError("Choose who the pass is for")
    if plan.kind is PlanKind.GUEST_PASS:
        if guest_of_id is None or members.get(guest_of_id) is None:
            raise InputError("A guest pass needs the member who brings the guest")
        if guest_of_id == member_id:
            raise InputError("The guest and the member bringing them must be different people")
    else:
        guest_of_id = None
    at = now()
    starts_on = at.astimezone(zone(location.timezone)).date()
    if guest_of_id is not None:
        host = members.memberships([guest_of_id])
        states = [
            (m.plan.kind, MembershipState(m.status, m.starts_on, m.ends_on, m.frozen_until))
            for m in host
        ]
        if not can_host_guests(states, starts_on):
            raise InputError(NO_ACTIVE_HOST)
    ends_on = starts_on + timedelta(days=max(1, plan.validity_days or 1) - 1)
    sale = Sale(
        sale_id=new_id(),
        membership_id=new_id(),
        member_id=member_id,
        plan=plan,
        amount=plan.price,
        method=PaymentMethod(method),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    args = {
        "sale_id": str(sale.sale_id),
        "membership_id": str(sale.membership_id),
        "member_id": str(member_id),
        "plan_id": str(plan.id),
        "amount": str(sale.amount),
        "currency": plan.currency,
        "payment_method": sale.method.value,
        "guest_of_id": opt_str(guest_of_id),
        "location_id": str(location.id),
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "sold_at": at.isoformat(),
        "staff_id": opt_str(staff_id),
    }
    with store.transaction() as tx:
        mutation_id = outbox.append(tx, SALE_CREATE, args, at)
        LocalRepository(tx).add_membership(
            membership_id=sale.membership_id,
            member_id=member_id,
            plan=plan,
            starts_on=starts_on,
            ends_on=ends_on,
            home_location_id=location.id,
            sale_id=sale.sale_id,
            amount=sale.amount,
            payment_method=sale.method,
            guest_of_id=guest_of_id,
            created_at=at,
            mutation_id=mutation_id,
        )
    return sale
