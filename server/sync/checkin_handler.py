"""``checkin.create.v1``: a door decision made at a kiosk, possibly hours ago, offline.

A check-in is a fact. It is recorded with the kiosk's decision and the kiosk's time as
business time. The server decides again as of that time; where it would have refused an
admission, the admission stands and a review item says why (DESIGN.md §5.6).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from server.checkin.models import Checkin
from server.checkin.repository import CheckinRepository
from server.engagement import service as engagement_service
from server.errors import DomainError
from server.members.models import Member
from server.plans.models import Membership
from server.plans.repository import MembershipRepository
from server.ports.eligibility import EligibilityDecision, EligibilityRequest
from server.sync import review, rules
from server.sync.changes import touch
from server.sync.registry import MutationContext, MutationRejected
from shared.clock import ensure_utc
from shared.enums import MovementKind
from shared.sync.messages import CheckinCreateArgs


def _member(context: MutationContext, member_id: uuid.UUID) -> Member:
    member: Member | None = context.uow.session.execute(
        select(Member).where(Member.tenant_id == context.tenant_id, Member.id == member_id)
    ).scalar_one_or_none()
    if member is None:
        raise MutationRejected(f"member {member_id} is not known to the server")
    return member


def _server_decision(context: MutationContext, member: Member, at: datetime) -> EligibilityDecision:
    try:
        return context.eligibility.decide(
            EligibilityRequest(
                tenant_id=context.tenant_id,
                member_id=member.id,
                location_id=context.location.id,
                at=at,
            ),
            uow=context.uow,
        )
    except DomainError as exc:  # e.g. the member has been archived since
        return EligibilityDecision(admitted=False, reason=exc.detail)


def _membership_of(
    context: MutationContext, member: Member, membership_id: uuid.UUID | None
) -> bool:
    if membership_id is None:
        return False
    found = MembershipRepository(context.uow.session, context.tenant_id).get(membership_id)
    return found is not None and found.member_id == member.id


def _take_credit(context: MutationContext, decision: EligibilityDecision) -> EligibilityDecision:
    if not (decision.admitted and decision.consumes_credit and decision.membership_id):
        return decision
    memberships = MembershipRepository(context.uow.session, context.tenant_id)
    if memberships.take_credit(decision.membership_id):
        touch(context.uow.session, Membership, context.tenant_id, decision.membership_id)
        return decision
    return EligibilityDecision(admitted=False, reason="no credits left")


def _flag_shared_pass(context: MutationContext, checkin: Checkin, name: str) -> None:
    """The same pass admitted at another kiosk within minutes: lent, copied, or a screenshot."""
    window = rules.SHARED_PASS_WINDOW
    other = context.uow.session.execute(
        select(Checkin)
        .where(
            Checkin.tenant_id == context.tenant_id,
            Checkin.member_id == checkin.member_id,
            Checkin.pass_id == checkin.pass_id,
            Checkin.admitted.is_(True),
            Checkin.device_id.is_not(None),
            Checkin.device_id != checkin.device_id,
            Checkin.occurred_at >= checkin.occurred_at - window,
            Checkin.occurred_at <= checkin.occurred_at + window,
            Checkin.id != checkin.id,
        )
        .limit(1)
    ).scalar_one_or_none()
    if other is not None:
        context.review(
            review.PASS_USED_TWICE,
            f"{name}'s pass was used at two kiosks within {int(window.total_seconds() // 60)} "
            f"minutes ({context.local(other.occurred_at)} and "
            f"{context.local(checkin.occurred_at)}): check who came in",
            member_id=checkin.member_id,
            checkin_id=checkin.id,
        )


def _flag_clock(context: MutationContext) -> None:
    """One open item per kiosk whose clock runs ahead, not one per check-in."""
    items = review.ReviewItemRepository(context.uow.session, context.tenant_id)
    if items.open_of_device(context.device.id, review.CLOCK_AHEAD) is None:
        context.review(
            review.CLOCK_AHEAD,
            f"kiosk {context.device.name!r} reported times far in the future "
            f"({context.mutation.device_time.isoformat()}); its actions were recorded at the "
            "time the server received them. Check the kiosk's clock",
        )


def create_checkin(context: MutationContext, args: CheckinCreateArgs) -> str | None:
    session, tenant_id = context.uow.session, context.tenant_id
    checkins = CheckinRepository(session, tenant_id)
    if checkins.get(args.checkin_id) is not None:
        return "already recorded"
    if args.location_id != context.location.id:
        raise MutationRejected("a kiosk records check-ins at its own location only")
    member = _member(context, args.member_id)
    occurred_at, clamped = rules.clamp_time(
        ensure_utc(args.occurred_at or context.mutation.device_time), context.now
    )
    overridden = args.admitted and args.override_reason is not None
    decision = _server_decision(context, member, occurred_at)
    if args.admitted:
        decision = _take_credit(context, decision)
    membership_id = (
        args.membership_id
        if _membership_of(context, member, args.membership_id)
        else decision.membership_id
    )
    reason = args.reason if not args.warning else f"{args.reason}; {args.warning}"
    checkin = checkins.add(
        Checkin(
            id=args.checkin_id,
            member_id=member.id,
            location_id=context.location.id,
            membership_id=membership_id,
            pass_id=args.pass_id,
            method=args.method.value,
            admitted=args.admitted,
            reason=reason[:300],
            override_by=args.override_by if overridden else None,
            override_reason=args.override_reason if overridden else None,
            occurred_at=occurred_at,
            recorded_at=context.now,
            device_id=context.device.id,
            staff_id=args.override_by if overridden else None,
        )
    )
    name = f"{member.first_name} {member.last_name}"
    if args.admitted and not overridden and not decision.admitted:
        context.review(
            review.INELIGIBLE_ADMISSION,
            f"{name} was admitted at {context.location.name} on {context.local(occurred_at)} "
            f"while the kiosk was offline, but the server would have refused: {decision.reason}",
            member_id=member.id,
            checkin_id=checkin.id,
        )
    if args.admitted and args.pass_id is not None:
        _flag_shared_pass(context, checkin, name)
    if clamped:
        context.clamped = True
        _flag_clock(context)
    if args.admitted:
        data: dict[str, object] = {"overridden": True} if overridden else {}
        if clamped:
            data["device_time_clamped"] = True
        context.published.append(
            engagement_service.record_movement(
                uow=context.uow,
                tenant_id=tenant_id,
                member_id=member.id,
                kind=MovementKind.FLOOR_CHECKIN,
                occurred_at=occurred_at,
                location_id=context.location.id,
                checkin_id=checkin.id,
                data=data or None,
            )
        )
    return "device time was far ahead of the server; recorded at server time" if clamped else None
