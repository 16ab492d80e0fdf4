"""Use cases of enrolments: joining a journey (through the screening gate), moving along its
lifecycle, a coach's adjustments, assessments, and reading an enrolment with its weeks.

Who may do what: a member reads and changes only their own enrolments (pause, resume,
drop; never complete). Staff read any enrolment, except coaches, who reach only those they
coach; owners and managers change any, coaches their own, front desk none.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from server.db.sealed import FieldSealer
from server.db.uow import UnitOfWork
from server.engagement.repository import MemberDays
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.journeys import adherence, repository, rules
from server.journeys.models import (
    JourneyAssessmentResult,
    JourneyEnrolment,
    JourneyEnrolmentEvent,
    JourneyTemplate,
    JourneyVersion,
    assessment_context,
)
from server.journeys.schemas import (
    Adjustment,
    AssessmentDue,
    AssessmentRead,
    AssessmentWrite,
    EnrolmentDetail,
    EnrolmentEventRead,
    EnrolmentRead,
    EnrolmentWeekRead,
    JourneyOffer,
    WeekTargetRead,
)
from server.journeys.templates import with_starters
from server.members.models import Member
from server.outbox import record as outbox
from server.ports.analytics import PublishedEvent
from server.ports.identity import AccessClaims
from server.ports.risk import EnrolmentGate
from server.staff.models import StaffAccount
from shared.carepath.enrolment import LIVE, EnrolmentStatus, may_move
from shared.carepath.matching import Candidate, allowed, recommend
from shared.carepath.plans import ActivityKind, JourneyPlan, from_json
from shared.clock import utcnow
from shared.enums import ADMIN_ROLES, PrincipalKind, StaffRole
from shared.ids import new_id
from shared.movement import local_date

_COUNTS = {
    ActivityKind.SESSION_TYPE: "classes",
    ActivityKind.TILE: "Movement Tiles",
    ActivityKind.OUTDOOR: "outdoor activity",
    ActivityKind.GYM_FLOOR: "gym-floor visits",
}


def what_counts(plan: JourneyPlan) -> list[str]:
    if not plan.permitted:
        return ["any movement"]
    return list(dict.fromkeys(_COUNTS[p.kind] for p in plan.permitted))


def member_today(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID, now: datetime
) -> date:
    """The member's local date (their home location's zone and the tenant's day start)."""
    days = MemberDays(uow.db, tenant_id)
    return local_date(now, days.zone(member_id, None), days.day_start_hour())


def _event(tenant_id: uuid.UUID, name: str, now: datetime, **data: Any) -> PublishedEvent:
    return PublishedEvent(
        tenant_id=tenant_id,
        name=name,
        occurred_at=now,
        data={k: (str(v) if isinstance(v, uuid.UUID | date) else v) for k, v in data.items()},
    )


def _by(claims: AccessClaims) -> str:
    return "member" if claims.kind is PrincipalKind.MEMBER else "staff"


def _history(
    enrolment: JourneyEnrolment,
    kind: str,
    claims: AccessClaims | None,
    now: datetime,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> JourneyEnrolmentEvent:
    return JourneyEnrolmentEvent(
        tenant_id=enrolment.tenant_id,
        id=new_id(),
        enrolment_id=enrolment.id,
        kind=kind,
        at=now,
        by_kind=_by(claims) if claims is not None else "system",
        by=claims.subject_id if claims is not None else None,
        reason=reason,
        detail=detail or {},
    )


# --- reading --------------------------------------------------------------------------------


def _reach(uow: UnitOfWork, claims: AccessClaims, enrolment_id: uuid.UUID) -> JourneyEnrolment:
    """The enrolment if the caller may read it: a member's own (another's is not found), a
    coach's own (another coach's is forbidden), anyone else's for other staff."""
    found = repository.EnrolmentRepository(uow.db, claims.tenant_id).get(enrolment_id)
    if found is None or (
        claims.kind is PrincipalKind.MEMBER and found.member_id != claims.subject_id
    ):
        raise NotFound(f"enrolment {enrolment_id} was not found")
    if claims.kind is PrincipalKind.DEVICE:
        raise Forbidden("this needs a staff or member account")
    if claims.role is StaffRole.COACH and found.coach_id != claims.subject_id:
        raise Forbidden("this enrolment is another coach's: coaches reach only their own")
    return found


def _may_change(claims: AccessClaims, enrolment: JourneyEnrolment) -> None:
    if claims.kind is PrincipalKind.MEMBER:
        return
    if claims.role in ADMIN_ROLES:
        return
    if claims.role is StaffRole.COACH and enrolment.coach_id == claims.subject_id:
        return
    raise Forbidden("only the member's coach, a manager or an owner may change a journey")


@dataclass(frozen=True)
class _Context:
    template: JourneyTemplate
    version: JourneyVersion
    plan: JourneyPlan


def _context(uow: UnitOfWork, enrolment: JourneyEnrolment) -> _Context:
    db, tenant = uow.db, enrolment.tenant_id
    version = repository.version(db, tenant, enrolment.version_id)
    template = db.get(JourneyTemplate, (tenant, enrolment.template_id))
    if version is None or template is None:  # pragma: no cover - foreign keys keep them
        raise NotFound(f"enrolment {enrolment.id} has no journey")
    return _Context(template, version, from_json(version.plan))


def _read(enrolment: JourneyEnrolment, ctx: _Context, today: date) -> EnrolmentRead:
    plan = ctx.plan
    return EnrolmentRead(
        id=enrolment.id,
        member_id=enrolment.member_id,
        template_id=enrolment.template_id,
        journey=ctx.template.name,
        version=ctx.version.version,
        status=EnrolmentStatus(enrolment.status),
        starts_on=enrolment.starts_on,
        ends_on=enrolment.starts_on + timedelta(days=7 * plan.length - 1),
        ended_on=enrolment.ended_on,
        weeks_total=plan.length,
        current_week=max(0, min(plan.length, rules.week_of(today, enrolment.starts_on))),
        coach_id=enrolment.coach_id,
        enrolled_by_kind=enrolment.enrolled_by_kind,
        adherence=float(enrolment.adherence or 0),
        weeks_met=enrolment.weeks_met or 0,
        habit_point_on=enrolment.habit_point_on,
        habit_point={"sessions": plan.habit_point.sessions, "weeks": plan.habit_point.weeks},
        intensity_ceiling=str(
            (enrolment.adjustments or {}).get("intensity_ceiling", ctx.version.intensity_ceiling)
        ),
        journey_intensity_ceiling=ctx.version.intensity_ceiling,
        adjustments=dict(enrolment.adjustments or {}),
    )


def enrolments_of(
    uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID, now: datetime | None = None
) -> list[EnrolmentRead]:
    """A member's enrolments, newest start first (a coach sees those they coach)."""
    now = now or utcnow()
    with uow:
        db = uow.db
        if db.get(Member, (claims.tenant_id, member_id)) is None:
            raise NotFound(f"member {member_id} was not found")
        rows = repository.EnrolmentRepository(db, claims.tenant_id).of_member(member_id)
        if claims.role is StaffRole.COACH:
            rows = [r for r in rows if r.coach_id == claims.subject_id]
        today = member_today(uow, claims.tenant_id, member_id, now)
        return [_read(r, _context(uow, r), today) for r in rows]


def enrolment(
    uow: UnitOfWork,
    claims: AccessClaims,
    enrolment_id: uuid.UUID,
    now: datetime | None = None,
    *,
    sealer: FieldSealer,
) -> EnrolmentDetail:
    """One enrolment with its weeks so far (measured now), history and assessments."""
    now = now or utcnow()
    with uow:
        row = _reach(uow, claims, enrolment_id)
        return _detail(uow, sealer, row, now)


def _value(sealer: FieldSealer, result: JourneyAssessmentResult) -> float:
    return float(
        sealer.open_json(
            result.sealed_value, context=assessment_context(result.tenant_id, result.id)
        )
    )


def _detail(
    uow: UnitOfWork, sealer: FieldSealer, row: JourneyEnrolment, now: datetime
) -> EnrolmentDetail:
    db, tenant = uow.db, row.tenant_id
    ctx = _context(uow, row)
    measured = adherence.measure(db, tenant, now, only=[row.id])
    today = member_today(uow, tenant, row.member_id, now)
    weeks: list[EnrolmentWeekRead] = []
    base = _read(row, ctx, today)
    if measured:
        m = measured[0]
        base = base.model_copy(
            update={
                "adherence": m.adherence,
                "weeks_met": m.weeks_met,
                "habit_point_on": m.habit_point_on,
            }
        )
        weeks = [
            EnrolmentWeekRead(
                week=w.week,
                starts_on=rules.week_starts(row.starts_on, w.week),
                target=WeekTargetRead(
                    minutes=w.target.minutes,
                    sessions=w.target.sessions,
                    strength_days=w.target.strength_days,
                    tiles=w.target.tiles,
                ),
                minutes=w.counts.minutes,
                sessions=w.counts.sessions,
                strength_days=w.counts.strength_days,
                tiles=w.counts.tiles,
                dose=round(w.result.dose, 4),
                met=w.result.met,
                paused=w.result.paused,
                closed=w.result.closed,
            )
            for w in m.rolled
        ]
    recorded = {
        (a.week, a.key): _value(sealer, a) for a in repository.assessments(db, tenant, row.id)
    }
    due = [
        AssessmentDue(
            key=a.key,
            label=a.label,
            unit=a.unit,
            low=a.low,
            high=a.high,
            week=week,
            value=recorded.get((week, a.key)),
        )
        for a in ctx.plan.assessments
        for week in a.weeks
    ]
    return EnrolmentDetail(
        **base.model_dump(),
        weeks=weeks,
        events=[
            EnrolmentEventRead.model_validate(e) for e in repository.events(db, tenant, row.id)
        ],
        assessments=due,
    )


def offers(
    uow: UnitOfWork, gate: EnrolmentGate, claims: AccessClaims, member_id: uuid.UUID
) -> list[JourneyOffer]:
    """The tenant's journeys for this member: those that suit their risk flags first, each
    with why (``shared.carepath.matching``), then the others, with why not where the
    member may not join."""
    with uow:
        db = uow.db
        with_starters(uow, claims)
        flags, awaiting = gate.health(uow, claims.tenant_id, member_id)
        found: dict[uuid.UUID, JourneyOffer] = {}
        candidates = []
        for template in repository.TemplateRepository(db, claims.tenant_id).offered():
            version = repository.current_version(db, template)
            if version is None:
                continue
            plan = from_json(version.plan)
            candidate = Candidate(
                template_id=template.id,
                name=template.name,
                intensity_ceiling=version.intensity_ceiling,
                indications=tuple(version.indications or ()),
                contraindications=tuple(version.contraindications or ()),
            )
            candidates.append(candidate)
            ok, why = allowed(candidate, flags, awaiting)
            found[template.id] = JourneyOffer(
                template_id=template.id,
                name=template.name,
                summary=template.summary,
                weeks=plan.length,
                counts=what_counts(plan),
                intensity_ceiling=version.intensity_ceiling,
                allowed=ok,
                why_not="" if ok else why,
            )
        ranked = recommend(candidates, flags, awaiting)
        first = [
            found[r.template_id].model_copy(
                update={"recommended": True, "reasons": list(r.reasons)}
            )
            for r in ranked
        ]
        chosen = {r.template_id for r in ranked}
        return first + [o for t, o in found.items() if t not in chosen]


# --- enrolling ------------------------------------------------------------------------------


def _joinable(
    uow: UnitOfWork, tenant: uuid.UUID, template_id: uuid.UUID
) -> tuple[JourneyTemplate, JourneyVersion]:
    template = uow.db.get(JourneyTemplate, (tenant, template_id))
    if template is None or template.archived_at is not None:
        raise NotFound(f"journey {template_id} was not found")
    version = repository.current_version(uow.db, template)
    if version is None:
        raise NotFound(f"journey {template_id} has no version to join")
    return template, version


def _check_coach(uow: UnitOfWork, claims: AccessClaims, coach_id: uuid.UUID) -> None:
    if uow.db.get(StaffAccount, (claims.tenant_id, coach_id)) is None:
        raise NotFound(f"staff member {coach_id} was not found")
    if claims.role is StaffRole.COACH and coach_id != claims.subject_id:
        raise Forbidden("a coach enrols members as their own coach")


def enrol(
    uow: UnitOfWork,
    gate: EnrolmentGate,
    claims: AccessClaims,
    *,
    member_id: uuid.UUID,
    template_id: uuid.UUID,
    starts_on: date | None,
    coach_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> tuple[EnrolmentRead, list[PublishedEvent]]:
    """Put a member on a journey's current version, if the gate lets them; the caller is
    the member or staff (a coach enrols as their own coach unless naming another)."""
    now = now or utcnow()
    tenant = claims.tenant_id
    staff = claims.kind is PrincipalKind.STAFF
    if staff and claims.role not in (*ADMIN_ROLES, StaffRole.COACH):
        raise Forbidden("only coaches, managers and owners enrol members on journeys")
    if staff and coach_id is None and claims.role is StaffRole.COACH:
        coach_id = claims.subject_id
    with uow:
        db = uow.db
        if db.get(Member, (tenant, member_id)) is None:
            raise NotFound(f"member {member_id} was not found")
        template, version = _joinable(uow, tenant, template_id)
        if coach_id is not None:
            _check_coach(uow, claims, coach_id)
        today = member_today(uow, tenant, member_id, now)
        start = rules.start_date(starts_on, today)
        allowed, why = gate.check(
            uow,
            tenant,
            member_id,
            intensity_ceiling=version.intensity_ceiling,
            contraindications=list(version.contraindications or []),
        )
        if not allowed:
            raise Conflict(why or "screening does not allow this journey", code="not_allowed")
        repo = repository.EnrolmentRepository(db, tenant)
        if repo.live_on(member_id, template.id) is not None:
            raise Conflict(
                f"the member is on {template.name} already: one live enrolment per journey",
                code="already_enrolled",
            )
        # Starting today: active at once rather than at the roll-up's next run.
        starting = start <= today
        row = JourneyEnrolment(
            tenant_id=tenant,
            id=new_id(),
            member_id=member_id,
            template_id=template.id,
            version_id=version.id,
            status=(EnrolmentStatus.ACTIVE if starting else EnrolmentStatus.ENROLLED).value,
            starts_on=start,
            coach_id=coach_id,
            enrolled_by_kind=_by(claims),
            enrolled_by=claims.subject_id,
            adherence=0.0,
            weeks_met=0,
            adjustments={},
        )
        db.add(row)
        db.flush()
        db.add(_history(row, "enrolled", claims, now, detail={"starts_on": start.isoformat()}))
        if starting:
            db.add(_history(row, "started", None, now, reason="started on the day of enrolling"))
        published = [
            _event(
                tenant,
                "journey.enrolled",
                now,
                enrolment_id=row.id,
                member_id=member_id,
                template_id=template.id,
                version=version.version,
                starts_on=start,
                by=_by(claims),
            )
        ]
        outbox.record(db, published)
        try:
            uow.commit()
        except IntegrityError:
            raise Conflict(
                f"the member is on {template.name} already: one live enrolment per journey",
                code="already_enrolled",
            ) from None
        read = _read(row, _Context(template, version, from_json(version.plan)), today)
    return read, published


# --- the lifecycle --------------------------------------------------------------------------

_KINDS = {
    EnrolmentStatus.ACTIVE: "resumed",
    EnrolmentStatus.PAUSED: "paused",
    EnrolmentStatus.COMPLETED: "completed",
    EnrolmentStatus.DROPPED: "dropped",
}


def move(
    uow: UnitOfWork,
    claims: AccessClaims,
    enrolment_id: uuid.UUID,
    to: EnrolmentStatus,
    reason: str,
    now: datetime | None = None,
) -> tuple[EnrolmentRead, list[PublishedEvent]]:
    """Pause, resume, complete or drop, with why; a move the lifecycle does not allow is a
    409 naming both states."""
    now = now or utcnow()
    with uow:
        db = uow.db
        row = _reach(uow, claims, enrolment_id)
        _may_change(claims, row)
        if claims.kind is PrincipalKind.MEMBER and to is EnrolmentStatus.COMPLETED:
            raise Forbidden("a coach marks a journey complete (or it completes at its end)")
        current = EnrolmentStatus(row.status)
        if to is EnrolmentStatus.ACTIVE and current is not EnrolmentStatus.PAUSED:
            raise Conflict(
                f"the enrolment is {current.value}: only a paused one can be resumed",
                code="wrong_status",
            )
        if not may_move(current, to):
            raise Conflict(
                f"the enrolment is {current.value}: it cannot become {to.value}",
                code="wrong_status",
            )
        today = member_today(uow, claims.tenant_id, row.member_id, now)
        row.status = to.value
        if to in (EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED):
            row.ended_on = today
        db.add(_history(row, _KINDS[to], claims, now, reason=reason))
        ctx = _context(uow, row)
        read = _read(row, ctx, today)
        published: list[PublishedEvent] = []
        if to is EnrolmentStatus.COMPLETED:
            published.append(
                _event(
                    claims.tenant_id,
                    "journey.completed",
                    now,
                    enrolment_id=row.id,
                    member_id=row.member_id,
                    weeks_met=read.weeks_met,
                    adherence=read.adherence,
                )
            )
        outbox.record(db, published)
        uow.commit()
    return read, published


def adjust(
    uow: UnitOfWork,
    claims: AccessClaims,
    enrolment_id: uuid.UUID,
    cmd: Adjustment,
    now: datetime | None = None,
) -> EnrolmentRead:
    """A coach's change (ceiling, mix, a week's targets), recorded with who and why."""
    now = now or utcnow()
    if claims.kind is not PrincipalKind.STAFF:
        raise Forbidden("a coach adjusts a journey")
    if cmd.intensity_ceiling is None and cmd.mix is None and cmd.targets is None:
        raise InvalidInput("name what changes: intensity_ceiling, mix or a week's targets")
    if (cmd.targets is None) != (cmd.week is None):
        raise InvalidInput("targets need the week they are for (and a week needs targets)")
    with uow:
        db = uow.db
        row = _reach(uow, claims, enrolment_id)
        _may_change(claims, row)
        if EnrolmentStatus(row.status) not in LIVE:
            raise Conflict(f"the enrolment is {row.status}: only a live one can be adjusted")
        ctx = _context(uow, row)
        today = member_today(uow, claims.tenant_id, row.member_id, now)
        current_week = max(1, rules.week_of(today, row.starts_on))
        changes: dict[str, Any] = {}
        adjustments = dict(row.adjustments or {})
        if cmd.intensity_ceiling is not None:
            rules.check_ceiling(cmd.intensity_ceiling.value, ctx.version.intensity_ceiling)
            adjustments["intensity_ceiling"] = cmd.intensity_ceiling.value
            changes["intensity_ceiling"] = cmd.intensity_ceiling.value
        if cmd.mix is not None:
            adjustments["mix"] = cmd.mix.value
            adjustments["mix_from_week"] = current_week
            changes["mix"] = cmd.mix.value
        if cmd.targets is not None and cmd.week is not None:
            rules.check_week_editable(cmd.week, ctx.plan.length, row.starts_on, today)
            chosen = rules.check_targets(cmd.targets.model_dump(exclude_none=True))
            if not chosen:
                raise InvalidInput("name at least one target to change")
            targets = dict(adjustments.get("targets") or {})
            merged = {**targets.get(str(cmd.week), {}), **chosen}
            planned = ctx.plan.week(cmd.week)
            whole = {f: merged.get(f, getattr(planned, f)) for f in rules.TARGET_LIMITS}
            if not any(whole.values()):
                raise InvalidInput(
                    f"week {cmd.week} would ask for nothing: a week target cannot be all zero",
                    code="zero_target",
                )
            targets[str(cmd.week)] = merged
            adjustments["targets"] = targets
            changes["week"] = cmd.week
            changes["targets"] = chosen
        row.adjustments = adjustments
        db.add(_history(row, "adjusted", claims, now, reason=cmd.reason, detail=changes))
        uow.commit()
        return _read(row, ctx, today)


# --- assessments ----------------------------------------------------------------------------


def record_assessment(
    uow: UnitOfWork,
    claims: AccessClaims,
    enrolment_id: uuid.UUID,
    cmd: AssessmentWrite,
    now: datetime | None = None,
    *,
    sealer: FieldSealer,
) -> tuple[AssessmentRead, list[PublishedEvent]]:
    """Record (or correct) one assessment in a week the plan takes it in, within its
    plausible range. Published without its value: a measurement is health data."""
    now = now or utcnow()
    with uow:
        db = uow.db
        row = _reach(uow, claims, enrolment_id)
        _may_change(claims, row)
        if row.status == EnrolmentStatus.DROPPED:
            raise Conflict("the enrolment was dropped: nothing more is recorded on it")
        plan = _context(uow, row).plan
        found = next((a for a in plan.assessments if a.key == cmd.key), None)
        if found is None:
            raise InvalidInput(f"the journey takes no assessment {cmd.key!r}", code="no_assessment")
        if cmd.week not in found.weeks:
            weeks = ", ".join(str(w) for w in found.weeks)
            raise InvalidInput(
                f"{found.label} is taken in week {weeks}, not week {cmd.week}",
                code="wrong_week",
            )
        rules.check_assessment_value(found.label, cmd.value, found.low, found.high)
        existing = next(
            (
                a
                for a in repository.assessments(db, claims.tenant_id, row.id)
                if a.week == cmd.week and a.key == cmd.key
            ),
            None,
        )
        result = existing or JourneyAssessmentResult(
            tenant_id=claims.tenant_id, id=new_id(), enrolment_id=row.id, week=cmd.week, key=cmd.key
        )
        result.sealed_value = sealer.seal_json(
            cmd.value, context=assessment_context(claims.tenant_id, result.id)
        )
        result.recorded_by_kind = _by(claims)
        result.recorded_by = claims.subject_id
        result.at = now
        if existing is None:
            db.add(result)
        published = [
            _event(
                claims.tenant_id,
                "journey.assessment",
                now,
                enrolment_id=row.id,
                week=cmd.week,
                key=cmd.key,
            )
        ]
        outbox.record(db, published)
        uow.commit()
        read = AssessmentRead(
            enrolment_id=result.enrolment_id,
            week=result.week,
            key=result.key,
            value=cmd.value,
            recorded_by_kind=result.recorded_by_kind,
            at=result.at,
        )
    return read, published
