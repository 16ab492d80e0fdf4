"""Check-in use cases: decide at the door, record the decision, count the visit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from server.audit import rules as audit_rules
from server.audit.recorder import record_action
from server.checkin.booked_classes import BookedClasses
from server.checkin.models import Checkin
from server.checkin.policy import door_policy
from server.checkin.repository import CheckinRepository
from server.checkin.schemas import CheckinCreate, CheckinPage, CheckinRead, CheckinResult
from server.db.uow import UnitOfWork
from server.devices.service_point import service_point
from server.engagement import service as engagement_service
from server.engagement.repository import MemberDays
from server.errors import Forbidden, InvalidInput
from server.members.models import Member
from server.outbox import record as outbox
from server.passes.repository import MemberPassRepository
from server.plans.models import Membership
from server.plans.repository import MembershipRepository, member_or_404
from server.ports.analytics import PublishedEvent
from server.ports.eligibility import EligibilityDecision, EligibilityRequest, EligibilityService
from server.ports.identity import AccessClaims
from server.sync import changes as sync_changes
from server.tenants.models import Location
from shared.clock import utcnow
from shared.door_rules import Admission, DoorPolicy, reentry_reason
from shared.enums import MovementKind, PrincipalKind
from shared.ids import new_id
from shared.movement import MovementSource

#: A door time further ahead of the server than this is a wrong clock, not the future.
FUTURE_TOLERANCE = timedelta(minutes=5)
_MAX_CREDIT_RACES = 5


def clamp_time(given: datetime | None, now: datetime) -> tuple[datetime, bool]:
    if given is None:
        return now, False
    if given > now + FUTURE_TOLERANCE:
        return now, True
    return given, False


def _decide_taking_credit(
    uow: UnitOfWork, eligibility: EligibilityService, request: EligibilityRequest
) -> EligibilityDecision:
    """Decide; when admitted on a pack, take its credit with a conditional UPDATE.

    Losing the race for the last credit means deciding again, now that the credit is gone.
    """
    memberships = MembershipRepository(uow.db, request.tenant_id)
    for _ in range(_MAX_CREDIT_RACES):
        decision = eligibility.decide(request, uow=uow)
        if not (decision.admitted and decision.consumes_credit):
            return decision
        assert decision.membership_id is not None
        if memberships.take_credit(decision.membership_id):
            # A Core UPDATE: kiosks learn the new credit count through an explicit change.
            sync_changes.touch(uow.db, Membership, request.tenant_id, decision.membership_id)
            return decision
    return EligibilityDecision(admitted=False, reason="no credits left")


def _check_pass(
    uow: UnitOfWork, tenant_id: uuid.UUID, pass_id: uuid.UUID | None, member_id: uuid.UUID
) -> None:
    """A pass named with a check-in is one of the member's: the same answer for another
    member's, another tenant's or no pass, so that nothing is learnt of other tenants."""
    if pass_id is None:
        return
    if MemberPassRepository(uow.db, tenant_id).owners([pass_id]).get(pass_id) != member_id:
        raise InvalidInput(f"pass_id {pass_id} is not a pass of this member")


def _one_at_a_time(uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID) -> None:
    """Door check-ins of one member in turn: the second of two at once must see the first
    (one visit, one credit). SQLite: the database's write lock, taken before reading;
    PostgreSQL: the member's row."""
    connection = uow.db.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not getattr(raw, "in_transaction", True):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    uow.db.execute(
        select(Member.id)
        .where(Member.tenant_id == tenant_id, Member.id == member_id)
        .with_for_update()
    )


def _reentry(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    location_id: uuid.UUID,
    at: datetime,
    policy: DoorPolicy,
) -> Admission | None:
    if policy.reentry_window_minutes <= 0:
        return None
    return CheckinRepository(uow.db, tenant_id).latest_visit(
        member_id, location_id, at - policy.reentry_window, at
    )


@dataclass(frozen=True)
class _Door:
    decision: EligibilityDecision
    repeat_of: Admission | None = None
    #: The booked class this check-in attends (its booking took any class-pack credit).
    booking_id: uuid.UUID | None = None


def _decide_at_door(
    uow: UnitOfWork,
    eligibility: EligibilityService,
    booked: BookedClasses | None,
    request: EligibilityRequest,
    timezone: str,
) -> _Door:
    """Already in (a re-entry: nothing taken), into a booked class (its booking holds the
    credit), or a door decision that takes what it admits on."""
    policy = door_policy(uow.db, request.tenant_id)
    booking_id = None
    if booked is not None:
        booking_id = booked.at_door(
            uow,
            tenant_id=request.tenant_id,
            member_id=request.member_id,
            location_id=request.location_id,
            at=request.at,
            policy=policy,
        )
    repeat = _reentry(
        uow, request.tenant_id, request.member_id, request.location_id, request.at, policy
    )
    if repeat is not None:
        reason = reentry_reason(repeat, ZoneInfo(timezone))
        decision = EligibilityDecision(admitted=True, reason=reason)
        return _Door(decision, repeat_of=repeat, booking_id=booking_id)
    if booking_id is not None:
        request = replace(request, credit_prepaid=True)
    decision = _decide_taking_credit(uow, eligibility, request)
    return _Door(decision, booking_id=booking_id)


def _ask_ahead(
    reads: UnitOfWork,
    eligibility: EligibilityService,
    claims: AccessClaims,
    cmd: CheckinCreate,
    at: datetime,
) -> None:
    """A remote eligibility service is asked before the check-in's write transaction, in a
    read-only one of its own: no lock is held (SQLite's whole database, PostgreSQL's member
    row) while it answers. The decision, in the write transaction, reads everything again
    and uses the answer only if it still needs one."""
    with reads:
        request = EligibilityRequest(
            tenant_id=claims.tenant_id,
            member_id=cmd.member_id,
            location_id=_where_asked(reads, claims, cmd.location_id),
            at=at,
        )
        eligibility.prefetch([request], uow=reads)


def _where_asked(uow: UnitOfWork, claims: AccessClaims, given: uuid.UUID | None) -> uuid.UUID:
    """The check-in's location as its claims say it, without reading it where they do (a
    kiosk's token names its location; staff name one they may see): the write transaction
    checks the device and the location anyway, before anything is decided."""
    if claims.kind is PrincipalKind.DEVICE and claims.location_id is not None and given is None:
        return claims.location_id
    if claims.kind is PrincipalKind.STAFF and given is not None and claims.sees_location(given):
        return given
    return service_point(uow, claims, given).location.id


def check_in(
    *,
    uow: UnitOfWork,
    eligibility: EligibilityService,
    claims: AccessClaims,
    cmd: CheckinCreate,
    booked: BookedClasses | None = None,
    reads: UnitOfWork | None = None,
) -> CheckinResult:
    """``booked``: how a check-in during a class the member booked attends that booking
    (None: every check-in is to the floor). ``reads``: a read-only unit of work (e.g. on
    the autocommit engine) for what a remote eligibility service is asked ahead."""
    if cmd.override_reason is not None and claims.kind is not PrincipalKind.STAFF:
        raise Forbidden("only staff can admit a member who was refused")
    now = utcnow()
    occurred_at, clamped = clamp_time(cmd.occurred_at, now)
    if eligibility.remote:
        _ask_ahead(reads or uow, eligibility, claims, cmd, occurred_at)
    with uow:
        _one_at_a_time(uow, claims.tenant_id, cmd.member_id)
        if cmd.occurred_at is None:
            # Stamped when the member's turn comes: scans at once are in the order they
            # hold the member, so each sees the visits before it (one visit, one credit).
            now = occurred_at = utcnow()
        point = service_point(uow, claims, cmd.location_id)
        member = member_or_404(uow.db, claims.tenant_id, cmd.member_id)
        _check_pass(uow, claims.tenant_id, cmd.pass_id, member.id)
        door = _decide_at_door(
            uow,
            eligibility,
            booked,
            EligibilityRequest(
                tenant_id=claims.tenant_id,
                member_id=member.id,
                location_id=point.location.id,
                at=occurred_at,
            ),
            point.location.timezone,
        )
        decision = door.decision
        overridden = not decision.admitted and cmd.override_reason is not None
        reason = decision.reason
        if decision.warning:
            reason = f"{reason}; {decision.warning}"
        checkin = CheckinRepository(uow.db, claims.tenant_id).add(
            Checkin(
                id=new_id(),
                member_id=member.id,
                location_id=point.location.id,
                membership_id=decision.membership_id,
                pass_id=cmd.pass_id,
                method=cmd.method.value,
                admitted=decision.admitted or overridden,
                reason=reason[:300],
                override_by=claims.subject_id if overridden else None,
                override_reason=cmd.override_reason if overridden else None,
                occurred_at=occurred_at,
                recorded_at=now,
                device_id=point.device_id,
                staff_id=point.staff_id,
                repeat_of=door.repeat_of.id if door.repeat_of else None,
            )
        )
        if overridden:
            record_action(
                uow.db,
                tenant_id=claims.tenant_id,
                action=audit_rules.CHECKIN_OVERRIDE,
                entity="checkins",
                entity_id=checkin.id,
            )
        published: list[PublishedEvent] = []
        if checkin.admitted and door.booking_id is not None and booked is not None:
            uow.db.flush()  # the attendance names this check-in
            attended = booked.attend(
                uow,
                tenant_id=claims.tenant_id,
                booking_id=door.booking_id,
                at=occurred_at,
                checkin_id=checkin.id,
            )
            published += [attended] if attended is not None else []
        elif checkin.admitted and door.repeat_of is None:
            published.append(
                engagement_service.record_movement(
                    uow=uow,
                    tenant_id=claims.tenant_id,
                    member_id=member.id,
                    kind=MovementKind.FLOOR_CHECKIN,
                    occurred_at=occurred_at,
                    location_id=point.location.id,
                    checkin_id=checkin.id,
                    data={"overridden": True} if overridden else None,
                    source=MovementSource.KIOSK if point.device_id else MovementSource.DESK,
                    days=_known_days(uow, claims.tenant_id, member, point.location),
                )
            )
        outbox.record(uow.db, published)
        uow.commit()
    return CheckinResult(
        **CheckinRead.model_validate(checkin).model_dump(),
        warning=decision.warning,
        occurred_at_clamped=clamped,
    )


def _known_days(
    uow: UnitOfWork, tenant_id: uuid.UUID, member: Member, location: Location
) -> MemberDays:
    """The zones the door read already, so that the movement's local date costs no query
    but the tenant's day-start hour."""
    days = MemberDays(uow.db, tenant_id)
    days.know(member.id, member.home_location_id)
    days.know_location(location.id, location.timezone)
    return days


def list_checkins(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    location_id: uuid.UUID | None,
    member_id: uuid.UUID | None,
    since: datetime | None,
    limit: int,
    offset: int,
) -> CheckinPage:
    with uow:
        rows = CheckinRepository(uow.db, claims.tenant_id).search(
            location_id=location_id,
            member_id=member_id,
            since=since,
            limit=limit + 1,
            offset=offset,
            location_ids=claims.location_ids,
        )
        return CheckinPage(
            items=[CheckinRead.model_validate(r) for r in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def get_checkin(*, uow: UnitOfWork, claims: AccessClaims, checkin_id: uuid.UUID) -> CheckinRead:
    with uow:
        return CheckinRead.model_validate(
            CheckinRepository(uow.db, claims.tenant_id).get_or_404(checkin_id)
        )
