"""What the member app's Journey page shows: the journeys one may join, one's live journey
with this week's targets and progress, the weeks so far, the habit point and the
assessments due, and completed journeys with their certificates; in the member's home
location's formats."""

from __future__ import annotations

import uuid
from typing import Any

from server.api.deps import Services
from server.journeys import certificate, rules, service
from server.journeys.schemas import AssessmentWrite, EnrolmentDetail, EnrolmentRead
from server.ports.identity import AccessClaims
from server.ports.risk import EnrolmentGate
from server.web.account_view import places
from server.web.formatting import Formats
from shared.carepath.enrolment import LIVE, EnrolmentStatus
from shared.clock import utcnow

TARGET_WORDS = (
    ("minutes", "Active minutes"),
    ("sessions", "Sessions"),
    ("strength_days", "Strength days"),
    ("tiles", "Movement Tiles"),
)
STATUS_WORDS = {
    "enrolled": "Starting soon",
    "active": "On now",
    "paused": "Paused",
    "completed": "Completed",
    "dropped": "Stopped",
}


def _gate(container: Services) -> EnrolmentGate:
    return container.enrolment_gate


def _bars(week: Any) -> list[dict[str, Any]]:
    """One bar per target the week asks for: done of asked."""
    return [
        {
            "label": label,
            "done": getattr(week, name),
            "target": getattr(week.target, name),
            "shown": min(getattr(week, name), getattr(week.target, name)),
        }
        for name, label in TARGET_WORDS
        if getattr(week.target, name) > 0
    ]


def _week_word(week: Any) -> str:
    if week.paused:
        return "Paused"
    if not week.closed:
        return "This week" if not week.met else "This week · met"
    return "Met" if week.met else "Not met"


def _journey(detail: EnrolmentDetail, fmt: Formats) -> dict[str, Any]:
    current = next((w for w in detail.weeks if w.week == detail.current_week), None)
    return {
        "id": detail.id,
        "name": detail.journey,
        "status": STATUS_WORDS.get(detail.status, detail.status),
        "status_key": detail.status,
        "dates": f"{fmt.day(detail.starts_on)} – {fmt.day(detail.ends_on)}",
        "starts": fmt.day(detail.starts_on),
        "week": detail.current_week,
        "weeks_total": detail.weeks_total,
        "this_week": _bars(current) if current is not None else [],
        "this_week_met": bool(current and current.met),
        "weeks": [
            {
                "number": w.week,
                "from": fmt.short_day(w.starts_on),
                "word": _week_word(w),
                "key": "paused" if w.paused else ("met" if w.met else "open"),
                "dose": fmt.percent(w.dose),
            }
            for w in detail.weeks
        ],
        "adherence": fmt.percent(detail.adherence),
        "weeks_met": detail.weeks_met,
        "counted": any(w.closed for w in detail.weeks),
        "habit": detail.habit_point,
        "habit_on": fmt.day(detail.habit_point_on) if detail.habit_point_on else None,
        "assessments": [
            {
                "key": a.key,
                "label": a.label,
                "unit": a.unit,
                "week": a.week,
                "when": "before you start" if a.week == 0 else f"in week {a.week}",
                "low": fmt.number(a.low),
                "high": fmt.number(a.high),
                "value": fmt.number(a.value) if a.value is not None else None,
                "due": a.value is None and a.week <= max(detail.current_week, 0) + 1,
            }
            for a in detail.assessments
        ],
    }


def page_view(
    container: Services, claims: AccessClaims, error: dict[str, str] | None = None
) -> dict[str, Any]:
    fmt = places(container, claims).home
    mine: list[EnrolmentRead] = service.enrolments_of(
        container.read_uow(), claims, claims.subject_id
    )
    live = [
        _journey(
            service.enrolment(container.read_uow(), claims, e.id, sealer=container.sealer), fmt
        )
        for e in mine
        if e.status in LIVE
    ]
    done = [
        {
            "id": e.id,
            "name": e.journey,
            "status": STATUS_WORDS.get(e.status, e.status),
            "dates": f"{fmt.day(e.starts_on)} – {fmt.day(e.ended_on or e.ends_on)}",
            "adherence": fmt.percent(e.adherence),
            "weeks_met": e.weeks_met,
            "weeks_total": e.weeks_total,
            "certificate": e.status == EnrolmentStatus.COMPLETED,
        }
        for e in mine
        if e.status not in LIVE
    ]
    on = {e.template_id for e in mine if e.status in LIVE}
    with container.read_uow() as uow:
        today = service.member_today(uow, claims.tenant_id, claims.subject_id, utcnow())
    next_monday = rules.next_monday(today)
    offers = [
        {
            "id": o.template_id,
            "name": o.name,
            "summary": o.summary,
            "weeks": o.weeks,
            "counts": ", ".join(o.counts),
            "allowed": o.allowed,
            "monday": fmt.date(next_monday),
            "why_not": o.why_not,
            "reasons": o.reasons,
        }
        for o in service.offers(container.uow(), _gate(container), claims, claims.subject_id)
        if o.template_id not in on
    ]
    return {"live": live, "done": done, "offers": offers, "error": error or {}}


def enrol(container: Services, claims: AccessClaims, template_id: uuid.UUID, today: bool) -> None:
    """Join from the coming Monday, or from today."""
    starts_on = None
    if today:
        with container.read_uow() as uow:
            starts_on = service.member_today(uow, claims.tenant_id, claims.subject_id, utcnow())
    service.enrol(
        container.uow(),
        _gate(container),
        claims,
        member_id=claims.subject_id,
        template_id=template_id,
        starts_on=starts_on,
    )


def record(
    container: Services, claims: AccessClaims, enrolment_id: uuid.UUID, cmd: AssessmentWrite
) -> None:
    service.record_assessment(container.uow(), claims, enrolment_id, cmd, sealer=container.sealer)


def certificate_pdf(container: Services, claims: AccessClaims, enrolment_id: uuid.UUID) -> bytes:
    return certificate.for_member(container.read_uow(), claims, enrolment_id)
