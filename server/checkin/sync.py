"""What kiosks hold of check-ins, ``checkin.create.v1``: a door decision made at a kiosk,
possibly hours ago, offline, and ``checkin.checkout.v1``: staff confirming such a visit.

A check-in is a fact. It is recorded with the kiosk's decision and the kiosk's time as
business time. The server decides again as of that time; where it would have refused an
admission, the admission stands and a review item says why.

Check-ins arrive by the hundred, so they are applied in a :class:`CheckinBatch`: the handler
reads the batch's preloaded data and stages its rows there. It raises only before it has
changed anything (see server.sync.registry).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from server.checkin.booked_classes import BookedClasses
from server.checkin.models import Checkin, CheckinPolicy
from server.checkin.policy import door_policy, policy_row
from server.checkin.sync_batch import CheckinBatch, MemberFacts, occurred_at
from server.engagement import ratings
from server.engagement import service as engagement_service
from server.errors import DomainError, NotFound
from server.ports.eligibility import EligibilityDecision
from server.sync import review, rules
from server.sync.registry import MutationContext, MutationRejected, SnapshotScope, SyncRegistry
from shared.door_rules import Admission, reentry_reason
from shared.eligibility import local_midnight, period_bounds
from shared.enums import LimitPeriod, MovementKind
from shared.movement import MovementSource, Provenance
from shared.sync import messages as wire
from shared.sync.messages import CheckinCheckoutArgs, CheckinCreateArgs
from shared.sync.snapshot import (
    SnapshotCheckin,
    SnapshotCheckinPolicy,
    SnapshotMembership,
    SnapshotPlan,
)

CHECKIN_CHECKOUT = "checkin.checkout.v1"


def _server_decision(
    batch: CheckinBatch, args: CheckinCreateArgs, member: MemberFacts, at: datetime, *, into: bool
) -> EligibilityDecision:
    # Into a booked session: the booking took the class-pack credit already.
    try:
        return batch.decide(args.checkin_id, member, at, credit_prepaid=into)
    except DomainError as exc:  # e.g. the member has been archived since
        return EligibilityDecision(admitted=False, reason=exc.detail)


def _take_credit(batch: CheckinBatch, decision: EligibilityDecision) -> EligibilityDecision:
    if not (decision.admitted and decision.consumes_credit and decision.membership_id):
        return decision
    if batch.take_credit(decision.membership_id):
        return decision
    return EligibilityDecision(admitted=False, reason="no credits left")


def _decide(
    context: MutationContext,
    args: CheckinCreateArgs,
    member: MemberFacts,
    at: datetime,
    repeat: Admission | None,
    *,
    into: bool,
) -> tuple[EligibilityDecision, uuid.UUID | None]:
    """The server's decision, and the membership the check-in was on."""
    batch: CheckinBatch = context.batch
    if repeat is not None:
        return EligibilityDecision(admitted=True, reason=reentry_reason(repeat, context.tz)), None
    decision = _server_decision(batch, args, member, at, into=into)
    if args.admitted and not into:
        decision = _take_credit(batch, decision)
    owned = batch.owns(member, args.membership_id)
    return decision, args.membership_id if owned else decision.membership_id


def _flag_shared_pass(
    context: MutationContext, batch: CheckinBatch, row: dict[str, object], name: str
) -> None:
    """The same pass admitted at another kiosk within minutes: lent, copied, or a screenshot."""
    at = row["occurred_at"]
    assert isinstance(at, datetime)
    other = batch.used_elsewhere(row["member_id"], row["pass_id"], at)  # type: ignore[arg-type]
    if other is not None:
        minutes = int(rules.SHARED_PASS_WINDOW.total_seconds() // 60)
        batch.review(
            context,
            review.PASS_USED_TWICE,
            f"{name}'s pass was used at two kiosks within {minutes} minutes "
            f"({context.local(other)} and {context.local(at)}): check who came in",
            member_id=row["member_id"],
            checkin_id=row["id"],
        )


def _flag_clock(context: MutationContext, batch: CheckinBatch) -> None:
    """One open item per kiosk whose clock runs ahead, not one per check-in."""
    if batch.clock_needs_flag():
        batch.review(
            context,
            review.CLOCK_AHEAD,
            f"kiosk {context.device.name!r} reported times far in the future "
            f"({context.mutation.device_time.isoformat()}); its actions were recorded at the "
            "time the server received them. Check the kiosk's clock",
        )


def _movement(context: MutationContext, row: dict[str, object], data: dict[str, object]) -> None:
    """A floor check-in movement, as engagement_service.record_movement records it."""
    batch: CheckinBatch = context.batch
    at, member_id, location_id, checkin_id = (
        row["occurred_at"],
        row["member_id"],
        row["location_id"],
        row["id"],
    )
    assert isinstance(at, datetime)
    assert isinstance(member_id, uuid.UUID) and isinstance(checkin_id, uuid.UUID)
    assert isinstance(location_id, uuid.UUID)
    facts = engagement_service.MovementFacts(
        member_id=member_id,
        kind=MovementKind.FLOOR_CHECKIN,
        occurred_at=at,
        location_id=location_id,
        checkin_id=checkin_id,
        data=dict(data),
    )
    movement = engagement_service.movement_row(batch.movement_days, facts)
    batch.add_movement(movement)
    context.published.append(
        engagement_service.movement_published(tenant_id=context.tenant_id, row=movement)
    )


def create_checkin(context: MutationContext, args: CheckinCreateArgs) -> str | None:
    batch: CheckinBatch = context.batch
    if batch.known(args.checkin_id):
        return "already recorded"
    if args.location_id != context.location.id:
        raise MutationRejected("a kiosk records check-ins at its own location only")
    member = batch.member(args.member_id)
    if member is None:
        raise MutationRejected(f"member {args.member_id} is not known to the server")
    unknown = batch.unknown_reference(args, member)
    if unknown is not None:
        raise MutationRejected(unknown)
    at, clamped = occurred_at(context, args)
    overridden = args.admitted and args.override_reason is not None
    # Into a booked session: the booking takes the credit, its attendance is the movement.
    # A kiosk that had not pulled the booking yet checked the member in at the door: during
    # the class that is attending it, as at the door.
    at_door = (
        batch.booking_at_door(member.id, at) if args.admitted and not args.booking_id else None
    )
    into_session = args.booking_id is not None or at_door is not None
    # Already in (another kiosk of the location may have admitted them): nothing is taken.
    repeat = batch.reentry(member.id, at) if args.admitted else None
    decision, membership_id = _decide(context, args, member, at, repeat, into=into_session)
    reason = args.reason if not args.warning else f"{args.reason}; {args.warning}"
    row: dict[str, object] = {
        "id": args.checkin_id,
        "member_id": member.id,
        "location_id": context.location.id,
        "membership_id": membership_id,
        "pass_id": args.pass_id,
        "method": args.method.value,
        "admitted": args.admitted,
        "reason": reason[:300],
        "override_by": args.override_by if overridden else None,
        "override_reason": args.override_reason if overridden else None,
        "occurred_at": at,
        "recorded_at": context.now,
        "device_id": context.device.id,
        "staff_id": args.override_by if overridden else None,
        "repeat_of": repeat.id if repeat is not None else None,
    }
    batch.add_checkin(row)
    if at_door is not None:
        batch.attend(context, at_door, at, args.checkin_id)
    name = f"{member.first_name} {member.last_name}"
    if args.admitted and not overridden and not decision.admitted:
        batch.review(
            context,
            review.INELIGIBLE_ADMISSION,
            f"{name} was admitted at {context.location.name} on {context.local(at)} "
            f"while the kiosk was offline, but the server would have refused: {decision.reason}",
            member_id=member.id,
            checkin_id=args.checkin_id,
        )
    if args.admitted and args.pass_id is not None:
        _flag_shared_pass(context, batch, row, name)
    if clamped:
        context.clamped = True
        _flag_clock(context, batch)
    if args.admitted and not into_session and repeat is None:
        data: dict[str, object] = {"overridden": True} if overridden else {}
        if clamped:
            data["device_time_clamped"] = True
        _movement(context, row, data)
    return "device time was far ahead of the server; recorded at server time" if clamped else None


def checkout_checkin(context: MutationContext, args: CheckinCheckoutArgs) -> str | None:
    """Staff at the desk confirm a visit: the same check-out as the member app's, for the
    member the check-in names, with the kiosk's word as the staff's."""
    db = context.uow.db
    checkin = db.get(Checkin, (context.tenant_id, args.checkin_id))
    if checkin is None or checkin.member_id != args.member_id:
        raise MutationRejected(
            f"the server has no check-in {args.checkin_id} of member {args.member_id} "
            "(it was never pushed, or was rejected): there is no visit to check out of"
        )
    if checkin.location_id != context.location.id:
        raise MutationRejected("a kiosk checks out visits at its own location only")
    try:
        row = ratings.stage_check_out(
            db,
            context.tenant_id,
            member_id=checkin.member_id,
            minutes=args.minutes,
            completed=args.completed,
            checkin_id=checkin.id,
            recorded_by=None,
            source=MovementSource.DESK,
            provenance=Provenance.STAFF_RECORDED,
            now=context.now,
        )
    except NotFound as exc:
        raise MutationRejected(
            f"check-in {args.checkin_id} has no visit to confirm (a re-entry, a refusal, "
            "or checked out already as not trained)"
        ) from exc
    context.published.append(engagement_service.published_of(context.tenant_id, row))
    return None


def checkin_shape(row: Checkin) -> SnapshotCheckin:
    return SnapshotCheckin.model_validate(row, from_attributes=True)


def _snapshot(scope: SnapshotScope) -> dict[str, Any]:
    """Admitted check-ins the kiosk needs: on the snapshot's limited memberships in their
    current periods (it counts visits from these, and the ones it pulls or makes), and at
    its location since the start of the local day or the re-entry window, whichever is
    earlier (who is in already: a kiosk enrolled mid-day must know)."""
    plans: list[SnapshotPlan] = list(scope.fields["plans"])
    memberships: list[SnapshotMembership] = list(scope.fields["memberships"])
    limited_plans = {p.id for p in plans if p.visit_limit_period}
    limited = [m.id for m in memberships if m.plan_id in limited_plans]
    policy = door_policy(scope.db, scope.tenant_id)
    today = local_midnight(scope.now.astimezone(scope.tz).date(), scope.tz)
    here_since = min(today, scope.now - policy.reentry_window)
    wanted = (Checkin.location_id == scope.location.id) & (Checkin.occurred_at >= here_since)
    if limited:
        since = min(period_bounds(scope.now, scope.tz, period)[0] for period in LimitPeriod)
        counted = Checkin.membership_id.in_(limited) & (Checkin.occurred_at >= since)
        wanted = wanted | counted
    rows = scope.db.execute(
        select(Checkin)
        .where(Checkin.tenant_id == scope.tenant_id, Checkin.admitted.is_(True), wanted)
        .order_by(Checkin.occurred_at)
    ).scalars()
    return {
        "checkins": [checkin_shape(c) for c in rows],
        "checkin_policy": [_policy_shape(policy_row(scope.db, scope.tenant_id))],
    }


def _policy_shape(row: CheckinPolicy) -> SnapshotCheckinPolicy:
    return SnapshotCheckinPolicy(
        id=row.tenant_id,
        reentry_window_minutes=row.reentry_window_minutes,
        class_checkin_opens_minutes=row.class_checkin_opens_minutes,
    )


def register(registry: SyncRegistry, booked: BookedClasses | None = None) -> None:
    """Check-ins need plans' part of the snapshot before theirs (to count visits).
    ``booked``: how a pushed check-in during a class the member booked attends that booking
    (None: every pushed check-in without a booking is to the floor)."""
    registry.tables.register(
        wire.TABLE_CHECKINS,
        Checkin,
        serialise=lambda row: checkin_shape(row).model_dump(mode="json"),
        include=lambda row: bool(row.admitted),
    )
    registry.tables.register(
        wire.TABLE_CHECKIN_POLICY,
        CheckinPolicy,
        serialise=lambda row: _policy_shape(row).model_dump(mode="json"),
    )
    registry.snapshot_parts.append(_snapshot)
    registry.mutations.register(
        "checkin.create.v1",
        CheckinCreateArgs,
        create_checkin,
        batch=lambda context: CheckinBatch(context, booked),
    )
    registry.mutations.register(CHECKIN_CHECKOUT, CheckinCheckoutArgs, checkout_checkin)
