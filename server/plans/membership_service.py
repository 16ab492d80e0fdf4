"""Membership use cases: selling a plan to a member, and freezing, unfreezing, cancelling."""

from __future__ import annotations

import uuid
from datetime import date
from zoneinfo import ZoneInfo

from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.outbox import record as outbox
from server.plans import renewal_rules, rules
from server.plans.models import AccessPlan, Membership
from server.plans.repository import MembershipRepository, PlanRepository, member_or_404
from server.plans.schemas import (
    MembershipCancel,
    MembershipCreate,
    MembershipFreeze,
    MembershipPage,
    MembershipRead,
)
from server.ports.analytics import PublishedEvent
from server.ports.identity import AccessClaims
from server.tenants.repository import LocationRepository
from shared.clock import utcnow
from shared.enums import LocationRule, MembershipStatus, MemberSource, PlanKind
from shared.ids import new_id
from shared.memberships import MembershipState, effective_status, human_date


def state_of(membership: Membership) -> MembershipState:
    return MembershipState(
        status=MembershipStatus(membership.status),
        starts_on=membership.starts_on,
        ends_on=membership.ends_on,
        frozen_until=membership.frozen_until,
    )


def local_today(timezone: str | None) -> date:
    """Today where the membership is used: at its home location, else in UTC."""
    now = utcnow()
    return now.astimezone(ZoneInfo(timezone)).date() if timezone else now.date()


def to_read(membership: Membership, plan: AccessPlan, timezone: str | None) -> MembershipRead:
    today = local_today(timezone)
    return MembershipRead(
        id=membership.id,
        member_id=membership.member_id,
        plan_id=membership.plan_id,
        plan_name=plan.name,
        plan_kind=PlanKind(plan.kind),
        status=effective_status(state_of(membership), today),
        starts_on=membership.starts_on,
        ends_on=membership.ends_on,
        frozen_until=membership.frozen_until,
        source=MemberSource(membership.source),
        credits_remaining=membership.credits_remaining,
        home_location_id=membership.home_location_id,
        next_renewal_on=membership.next_renewal_on,
        created_at=membership.created_at,
    )


def new_membership(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    *,
    member_id: uuid.UUID,
    plan: AccessPlan,
    starts_on: date,
    ends_on: date | None,
    source: MemberSource,
    home_location_id: uuid.UUID | None,
    membership_id: uuid.UUID | None = None,
) -> Membership:
    """Add a membership of ``plan`` in the caller's transaction (the caller checked the ids)."""
    kind = PlanKind(plan.kind)
    if ends_on is None:
        ends_on = rules.default_ends_on(kind, plan.billing_period, plan.validity_days, starts_on)
    membership = Membership(
        id=membership_id or new_id(),
        member_id=member_id,
        plan_id=plan.id,
        status=MembershipStatus.ACTIVE.value,
        starts_on=starts_on,
        ends_on=ends_on,
        source=source.value,
        credits_remaining=plan.credits,
        home_location_id=home_location_id,
    )
    if kind is PlanKind.RECURRING and plan.billing_period is not None:
        # Billed up to today: an imported or back-dated membership renews at its next
        # anniversary, not once for every period since it started.
        today = max(utcnow().date(), starts_on)
        periods = renewal_rules.periods_covering(starts_on, plan.billing_period, today)
        membership.periods_billed = periods
        membership.next_renewal_on = renewal_rules.renewal_on(
            starts_on, plan.billing_period, periods
        )
        membership.next_charge_on = membership.next_renewal_on
    return MembershipRepository(uow.db, tenant_id).add(membership)


def sellable_plan(uow: UnitOfWork, tenant_id: uuid.UUID, plan_id: uuid.UUID) -> AccessPlan:
    plan = PlanRepository(uow.db, tenant_id).get_or_404(plan_id)
    if not plan.active:
        raise Conflict(f"the plan {plan.name!r} is no longer sold", code="plan_inactive")
    return plan


def check_no_overlap(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    plan: AccessPlan,
    period: tuple[date, date | None],
) -> None:
    """A member holds one membership of a plan at a time: a second one whose days overlap
    a held one that is not cancelled or over is a Conflict (the caller locked the member)."""
    for held, _plan, timezone in MembershipRepository(uow.db, tenant_id).of_member(member_id):
        if held.plan_id != plan.id:
            continue
        status = effective_status(state_of(held), local_today(timezone))
        if status in (MembershipStatus.CANCELLED, MembershipStatus.EXPIRED):
            continue
        if rules.periods_overlap((held.starts_on, held.ends_on), period):
            until = f" to {human_date(held.ends_on)}" if held.ends_on else ""
            raise Conflict(
                f"this member already holds {plan.name!r} from {human_date(held.starts_on)}"
                f"{until} (membership {held.id}, {status.value}), which overlaps the new one: "
                "one membership of a plan at a time; cancel it, or start the new one after it",
                code="membership_overlaps",
            )


def home_warnings(
    uow: UnitOfWork, tenant_id: uuid.UUID, plan: AccessPlan, home: uuid.UUID | None
) -> list[str]:
    """A plan valid at listed locations only, not at the member's home location."""
    if home is None or plan.location_rule != LocationRule.LISTED.value:
        return []
    if str(home) in {str(i) for i in plan.location_ids}:
        return []
    location = LocationRepository(uow.db, tenant_id).get(home)
    where = f"({location.name})" if location is not None else f"({home})"
    return [f"the plan {plan.name!r} is not valid at the member's home location {where}"]


def create_membership(
    *, uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID, cmd: MembershipCreate
) -> MembershipRead:
    tenant_id = claims.tenant_id
    with uow:
        member = member_or_404(uow.db, tenant_id, member_id, for_update=True)
        plan = sellable_plan(uow, tenant_id, cmd.plan_id)
        home_location = None
        if cmd.home_location_id is not None:
            home_location = LocationRepository(uow.db, tenant_id).get(cmd.home_location_id)
            if home_location is None:
                raise NotFound(f"location {cmd.home_location_id} was not found")
        home = cmd.home_location_id or member.home_location_id
        if plan.location_rule == LocationRule.HOME.value and home is None:
            raise InvalidInput(
                f"the plan {plan.name!r} is valid at the member's home location only, and this "
                "member has none: give home_location_id"
            )
        ends_on = cmd.ends_on or rules.default_ends_on(
            PlanKind(plan.kind), plan.billing_period, plan.validity_days, cmd.starts_on
        )
        check_no_overlap(uow, tenant_id, member.id, plan, (cmd.starts_on, ends_on))
        membership = new_membership(
            uow,
            tenant_id,
            member_id=member.id,
            plan=plan,
            starts_on=cmd.starts_on,
            ends_on=ends_on,
            source=cmd.source,
            home_location_id=cmd.home_location_id,
        )
        warnings = home_warnings(uow, tenant_id, plan, home)
        uow.commit()
        read = to_read(membership, plan, home_location.timezone if home_location else None)
        read.warnings = warnings
        return read


def list_memberships(
    *, uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID, limit: int, offset: int
) -> MembershipPage:
    with uow:
        member_or_404(uow.db, claims.tenant_id, member_id)
        rows = MembershipRepository(uow.db, claims.tenant_id).of_member(
            member_id, limit=limit + 1, offset=offset
        )
        return MembershipPage(
            items=[to_read(m, p, tz) for m, p, tz in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def get_membership(
    *, uow: UnitOfWork, claims: AccessClaims, membership_id: uuid.UUID
) -> MembershipRead:
    with uow:
        return to_read(
            *MembershipRepository(uow.db, claims.tenant_id).with_plan_or_404(membership_id)
        )


def _locked(
    uow: UnitOfWork, claims: AccessClaims, membership_id: uuid.UUID
) -> tuple[Membership, AccessPlan, str | None]:
    memberships = MembershipRepository(uow.db, claims.tenant_id)
    memberships.get_or_404(membership_id, for_update=True)
    return memberships.with_plan_or_404(membership_id)


def freeze(
    *, uow: UnitOfWork, claims: AccessClaims, membership_id: uuid.UUID, cmd: MembershipFreeze
) -> MembershipRead:
    with uow:
        membership, plan, timezone = _locked(uow, claims, membership_id)
        today = local_today(timezone)
        refusal = rules.freeze_refusal(state_of(membership), cmd.until, today)
        if refusal:
            raise Conflict(refusal, code="membership_state")
        if cmd.until <= today:
            raise InvalidInput("until must be a day after today: the day the membership resumes")
        membership.status = MembershipStatus.FROZEN.value
        membership.frozen_until = cmd.until
        uow.commit()
        return to_read(membership, plan, timezone)


def unfreeze(*, uow: UnitOfWork, claims: AccessClaims, membership_id: uuid.UUID) -> MembershipRead:
    with uow:
        membership, plan, timezone = _locked(uow, claims, membership_id)
        today = local_today(timezone)
        refusal = rules.unfreeze_refusal(state_of(membership), today)
        if refusal:
            raise Conflict(refusal, code="membership_state")
        membership.status = MembershipStatus.ACTIVE.value
        membership.frozen_until = None
        uow.commit()
        return to_read(membership, plan, timezone)


def cancel(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    membership_id: uuid.UUID,
    cmd: MembershipCancel,
) -> MembershipRead:
    with uow:
        membership, plan, timezone = _locked(uow, claims, membership_id)
        today = local_today(timezone)
        refusal = rules.cancel_refusal(state_of(membership), today)
        if refusal:
            raise Conflict(refusal, code="membership_state")
        membership.status = MembershipStatus.CANCELLED.value
        membership.frozen_until = None
        # The reason has no column: it travels with the event, which is the record of it.
        outbox.record(
            uow.db,
            [
                PublishedEvent(
                    tenant_id=claims.tenant_id,
                    name="membership.cancelled",
                    occurred_at=utcnow(),
                    data={
                        "membership_id": str(membership_id),
                        "member_id": str(membership.member_id),
                        "by": str(claims.subject_id),
                        "reason": cmd.reason,
                    },
                )
            ],
        )
        uow.commit()
        read = to_read(membership, plan, timezone)
    return read
