"""A member's timeline for their coach: each source reads its own newest entries before a
moment, and the timeline merges them newest first. A new kind of entry (screening, risk
flags) is one more function in ``SOURCES``."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from server.bookings.models import Booking
from server.coaching import rules
from server.coaching.models import CoachAssignmentChange, CoachContact, contact_context
from server.db.sealed import FieldSealer
from server.engagement.models import MovementEvent
from server.journeys.models import JourneyEnrolment, JourneyEnrolmentEvent, JourneyTemplate
from server.nudges.models import Nudge
from server.nudges.rules import NudgeKind
from server.scheduling.models import ClassSession, SessionType
from server.screening import rules as screening_rules
from server.screening.models import RiskFlagRecord, Screening, ScreeningClearance
from shared.carepath.screening import Outcome
from shared.carepath.vocabulary import RISK_FLAG_LABELS, RiskFlag
from shared.enums import Attendance


@dataclass(frozen=True, slots=True)
class TimelineQuery:
    db: Session
    tenant_id: uuid.UUID
    member_id: uuid.UUID
    #: Entries strictly older than this.
    before: datetime
    limit: int
    sealer: FieldSealer


@dataclass(frozen=True, slots=True)
class Dated:
    at: datetime
    source: str
    title: str
    detail: str = ""
    by: uuid.UUID | None = None
    #: A member of staff the entry is about (the new lead coach): named in its detail.
    subject: uuid.UUID | None = None


Source = Callable[[TimelineQuery], list[Dated]]

_KIND_LABELS = {
    "attendance": "Class attended",
    "floor_checkin": "Gym floor visit",
    "outdoor": "Outdoor activity",
    "tile": "Movement Tile",
    "staff_entry": "Activity logged by staff",
    "self_report": "Activity reported",
}


def movements(q: TimelineQuery) -> list[Dated]:
    rows = q.db.execute(
        select(MovementEvent)
        .where(
            MovementEvent.tenant_id == q.tenant_id,
            MovementEvent.member_id == q.member_id,
            MovementEvent.occurred_at < q.before,
        )
        .order_by(MovementEvent.occurred_at.desc())
        .limit(q.limit)
    ).scalars()
    found = []
    for e in rows:
        if e.is_void:
            found.append(
                Dated(e.occurred_at, "movement", "Movement voided", e.reason or "", e.recorded_by)
            )
            continue
        title = _KIND_LABELS.get(e.kind, e.kind)
        found.append(
            Dated(
                e.occurred_at, "movement", title, f"{e.minutes} min, {e.intensity}", e.recorded_by
            )
        )
    return found


def attendance(q: TimelineQuery) -> list[Dated]:
    rows = q.db.execute(
        select(Booking.starts_at, Booking.attendance, SessionType.name)
        .join(
            ClassSession,
            and_(
                ClassSession.tenant_id == Booking.tenant_id, ClassSession.id == Booking.session_id
            ),
        )
        .join(
            SessionType,
            and_(
                SessionType.tenant_id == ClassSession.tenant_id,
                SessionType.id == ClassSession.session_type_id,
            ),
        )
        .where(
            Booking.tenant_id == q.tenant_id,
            Booking.member_id == q.member_id,
            Booking.attendance.is_not(None),
            Booking.starts_at < q.before,
        )
        .order_by(Booking.starts_at.desc())
        .limit(q.limit)
    )
    found = []
    for starts_at, marked, name in rows:
        if marked == Attendance.NO_SHOW:
            found.append(Dated(starts_at, "no_show", f"No-show: {name}"))
        else:
            late = " (late)" if marked == Attendance.LATE else ""
            found.append(Dated(starts_at, "attendance", f"Attended {name}{late}"))
    return found


def journey_events(q: TimelineQuery) -> list[Dated]:
    rows = q.db.execute(
        select(JourneyEnrolmentEvent, JourneyTemplate.name)
        .join(
            JourneyEnrolment,
            and_(
                JourneyEnrolment.tenant_id == JourneyEnrolmentEvent.tenant_id,
                JourneyEnrolment.id == JourneyEnrolmentEvent.enrolment_id,
            ),
        )
        .join(
            JourneyTemplate,
            and_(
                JourneyTemplate.tenant_id == JourneyEnrolment.tenant_id,
                JourneyTemplate.id == JourneyEnrolment.template_id,
            ),
        )
        .where(
            JourneyEnrolmentEvent.tenant_id == q.tenant_id,
            JourneyEnrolment.member_id == q.member_id,
            JourneyEnrolmentEvent.at < q.before,
        )
        .order_by(JourneyEnrolmentEvent.at.desc())
        .limit(q.limit)
    )
    return [
        Dated(
            e.at,
            "journey",
            f"{name}: {e.kind}",
            e.reason,
            e.by if e.by_kind == "staff" else None,
        )
        for e, name in rows
    ]


def nudges(q: TimelineQuery) -> list[Dated]:
    """Automatic nudges; a coach's own message shows as its contact."""
    rows = q.db.execute(
        select(Nudge)
        .where(
            Nudge.tenant_id == q.tenant_id,
            Nudge.member_id == q.member_id,
            Nudge.kind != NudgeKind.COACH.value,
            Nudge.created_at < q.before,
        )
        .order_by(Nudge.created_at.desc())
        .limit(q.limit)
    ).scalars()
    found = []
    for n in rows:
        label = n.kind.replace("_", " ").capitalize()
        state = "sent" if n.skipped is None else f"not sent ({n.skipped.replace('_', ' ')})"
        found.append(Dated(n.created_at, "nudge", f"Nudge: {label}, {state}", n.why))
    return found


def _contact_title(c: CoachContact) -> str:
    if c.kind == rules.ContactKind.CALL:
        outcome = rules.OUTCOME_LABELS.get(rules.CallOutcome(c.outcome or "reached"), "")
        return f"Call: {outcome}"
    if c.kind == rules.ContactKind.REFERRAL:
        target = rules.REFERRAL_LABELS.get(rules.ReferralTarget(c.referred_to or "other"), "")
        return f"Referral: {target}"
    if c.kind == rules.ContactKind.MESSAGE:
        return f"Message to member: {c.outcome}"
    return "Note"


def contacts(q: TimelineQuery) -> list[Dated]:
    rows = q.db.execute(
        select(CoachContact)
        .where(
            CoachContact.tenant_id == q.tenant_id,
            CoachContact.member_id == q.member_id,
            CoachContact.at < q.before,
        )
        .order_by(CoachContact.at.desc())
        .limit(q.limit)
    ).scalars()
    found = []
    for c in rows:
        text = q.sealer.open(c.sealed_text, context=contact_context(c.tenant_id, c.id)).decode()
        found.append(Dated(c.at, "contact", _contact_title(c), text, c.coach_id))
    return found


def assignments(q: TimelineQuery) -> list[Dated]:
    rows = q.db.execute(
        select(CoachAssignmentChange)
        .where(
            CoachAssignmentChange.tenant_id == q.tenant_id,
            CoachAssignmentChange.member_id == q.member_id,
            CoachAssignmentChange.at < q.before,
        )
        .order_by(CoachAssignmentChange.at.desc())
        .limit(q.limit)
    ).scalars()
    return [
        Dated(
            c.at,
            "assignment",
            "Lead coach changed" if c.coach_id is not None else "Lead coach removed",
            "",
            c.by,
            c.coach_id,
        )
        for c in rows
    ]


_OUTCOMES = {
    Outcome.CLEAR: "Health questionnaire: clear",
    Outcome.NEEDS_CLEARANCE: "Health questionnaire: needs a clearance",
}


def health(q: TimelineQuery) -> list[Dated]:
    """Questionnaires, clearances and risk flags (opened for the coach: health data a coach
    reads for the members they look after)."""
    screenings = q.db.execute(
        select(Screening)
        .where(
            Screening.tenant_id == q.tenant_id,
            Screening.member_id == q.member_id,
            Screening.completed_at < q.before,
        )
        .order_by(Screening.completed_at.desc())
        .limit(q.limit)
    ).scalars()
    found = [
        Dated(
            s.completed_at,
            "health",
            _OUTCOMES.get(Outcome(s.outcome), s.outcome),
            "",
            s.entered_by if s.entered_by_kind == "staff" else None,
        )
        for s in screenings
    ]
    clearances = q.db.execute(
        select(ScreeningClearance)
        .where(
            ScreeningClearance.tenant_id == q.tenant_id,
            ScreeningClearance.member_id == q.member_id,
            ScreeningClearance.created_at < q.before,
        )
        .order_by(ScreeningClearance.created_at.desc())
        .limit(q.limit)
    ).scalars()
    for c in clearances:
        until = f"until {c.expires_on.isoformat()}"
        found.append(Dated(c.created_at, "health", "Screening clearance", until, c.cleared_by))
        if c.revoked_at is not None and c.revoked_at < q.before:
            found.append(
                Dated(c.revoked_at, "health", "Screening clearance revoked", "", c.revoked_by)
            )
    flags = q.db.execute(
        select(RiskFlagRecord)
        .where(
            RiskFlagRecord.tenant_id == q.tenant_id,
            RiskFlagRecord.member_id == q.member_id,
            RiskFlagRecord.created_at < q.before,
        )
        .order_by(RiskFlagRecord.created_at.desc())
        .limit(q.limit)
    ).scalars()
    for f in flags:
        key = q.sealer.open(
            f.flag, context=screening_rules.context("risk_flags", "flag", f.tenant_id, f.id)
        ).decode()
        name = RISK_FLAG_LABELS[RiskFlag(key)] if key in RiskFlag.__members__.values() else key
        ended = f" · ended {f.ended_on.isoformat()}" if f.ended_on is not None else ""
        found.append(
            Dated(
                f.created_at,
                "health",
                f"Risk flag: {name}",
                f"from {f.source}{ended}",
                f.recorded_by,
            )
        )
    return found


SOURCES: tuple[Source, ...] = (
    movements,
    attendance,
    journey_events,
    nudges,
    contacts,
    assignments,
    health,
)


def merged(
    q: TimelineQuery, sources: Sequence[Source] = SOURCES, offset: int = 0
) -> tuple[list[Dated], bool]:
    """Entries ``offset`` to ``offset + q.limit`` of all sources merged newest first, and
    whether older ones remain. The first ``offset + limit`` of the merge are among each
    source's own first ``offset + limit``, so no source reads more than that."""
    wide = replace(q, limit=offset + q.limit)
    everything = [entry for source in sources for entry in source(wide)]
    everything.sort(key=lambda d: d.at, reverse=True)
    return everything[offset : offset + q.limit], len(everything) > offset + q.limit
