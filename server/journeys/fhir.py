"""Journeys in FHIR R4 (the R4B models of ``fhir.resources``): a template version as a
``PlanDefinition``, an enrolment as a ``CarePlan``. Both are built as model objects, so an
export that breaks the specification fails here rather than in the receiving system."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from fhir.resources.R4B.annotation import Annotation
from fhir.resources.R4B.careplan import CarePlan, CarePlanActivity, CarePlanActivityDetail
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.duration import Duration
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.plandefinition import (
    PlanDefinition,
    PlanDefinitionAction,
    PlanDefinitionGoal,
    PlanDefinitionGoalTarget,
)
from fhir.resources.R4B.quantity import Quantity
from fhir.resources.R4B.reference import Reference

from server.journeys.models import (
    JourneyEnrolment,
    JourneyEnrolmentWeek,
    JourneyTemplate,
    JourneyVersion,
)
from shared.carepath.enrolment import EnrolmentStatus
from shared.carepath.plans import WeekTarget, from_json

UCUM = "http://unitsofmeasure.org"
#: Where a template's canonical address starts: its id, then ``|version``.
CANONICAL = "urn:zmos:journey:"

#: The enrolment's status as a CarePlan's (request-status).
CARE_PLAN_STATUS: dict[str, str] = {
    EnrolmentStatus.ENROLLED: "draft",
    EnrolmentStatus.ACTIVE: "active",
    EnrolmentStatus.PAUSED: "on-hold",
    EnrolmentStatus.COMPLETED: "completed",
    EnrolmentStatus.DROPPED: "revoked",
}

#: A week's targets: the field, what it measures, its UCUM unit.
_MEASURES: tuple[tuple[str, str, str], ...] = (
    ("minutes", "Moderate-equivalent minutes of movement in the week", "min"),
    ("sessions", "Sessions per week", "/wk"),
    ("strength_days", "Strength days per week", "/wk"),
    ("tiles", "Movement Tiles per week", "/wk"),
)


def _period(start: date, end: date) -> Period:
    """FHIR dates without a time: the week's or the journey's days in the member's zone."""
    return Period.model_validate({"start": start.isoformat(), "end": end.isoformat()})


def canonical(template: JourneyTemplate, version: JourneyVersion) -> str:
    return f"{CANONICAL}{template.id}|{version.version}"


def _quantity(value: int, unit: str) -> Quantity:
    return Quantity(value=Decimal(value), unit=unit, system=UCUM, code=unit)


def _goal(week: WeekTarget) -> PlanDefinitionGoal:
    targets = [
        PlanDefinitionGoalTarget(
            measure=CodeableConcept(text=text),
            detailQuantity=_quantity(getattr(week, field), unit),
            due=Duration(value=Decimal(week.week), unit="wk", system=UCUM, code="wk"),
        )
        for field, text, unit in _MEASURES
        if getattr(week, field) > 0
    ]
    return PlanDefinitionGoal(
        id=f"week-{week.week}",
        description=CodeableConcept(text=f"Week {week.week}"),
        target=targets,
    )


def _week_text(week: WeekTarget) -> str:
    parts = [
        f"{getattr(week, field)} {label}"
        for field, label in (
            ("minutes", "minutes"),
            ("sessions", "sessions"),
            ("strength_days", "strength days"),
            ("tiles", "Tiles"),
        )
        if getattr(week, field) > 0
    ]
    return ", ".join(parts)


def plan_definition(template: JourneyTemplate, version: JourneyVersion) -> PlanDefinition:
    plan = from_json(version.plan)
    actions = [
        PlanDefinitionAction(
            id=f"week-{w.week}",
            title=f"Week {w.week}",
            description=_week_text(w),
            goalId=[f"week-{w.week}"],
        )
        for w in plan.weeks
    ]
    actions += [
        PlanDefinitionAction(
            id=f"assessment-{a.key}",
            title=a.label,
            description=(
                f"{a.label} ({a.low:g}–{a.high:g} {a.unit}) in week "
                + " and ".join(str(n) for n in a.weeks)
            ),
            code=[CodeableConcept(text=a.key)],
        )
        for a in plan.assessments
    ]
    return PlanDefinition(
        id=str(version.id),
        url=f"{CANONICAL}{template.id}",
        version=str(version.version),
        name=_machine_name(template.name),
        title=template.name,
        status="retired" if template.archived_at is not None else "active",
        description=template.summary or template.name,
        goal=[_goal(w) for w in plan.weeks],
        action=actions,
    )


def _machine_name(name: str) -> str:
    """FHIR's computer-friendly name: letters and digits, starting with a capital letter."""
    words = "".join(c if c.isalnum() else " " for c in name).split()
    joined = "".join(w[:1].upper() + w[1:] for w in words if w.isascii())
    return joined if joined[:1].isalpha() else f"Journey{joined}"


def _activity_status(
    enrolment: JourneyEnrolment, row: JourneyEnrolmentWeek | None, start: date, today: date
) -> str:
    if row is not None and row.met:
        return "completed"
    if row is not None and row.paused:
        return "on-hold"
    if enrolment.status in (EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED):
        return "completed" if row is not None and row.met else "cancelled"
    return "in-progress" if start <= today else "not-started"


def care_plan(
    template: JourneyTemplate,
    version: JourneyVersion,
    enrolment: JourneyEnrolment,
    weeks: Sequence[JourneyEnrolmentWeek],
    today: date,
) -> CarePlan:
    plan = from_json(version.plan)
    by_week = {w.week: w for w in weeks}
    planned_end = enrolment.starts_on + timedelta(days=7 * plan.length - 1)
    activities = []
    for target in plan.weeks:
        row = by_week.get(target.week)
        start = (
            row.starts_on if row else enrolment.starts_on + timedelta(days=7 * (target.week - 1))
        )
        asked = (
            _week_text(target) if row is None else _week_text(WeekTarget(target.week, **row.target))
        )
        progress = []
        if row is not None:
            progress.append(
                Annotation(
                    text=(
                        f"Logged {row.minutes} minutes, {row.sessions} sessions, "
                        f"{row.strength_days} strength days, {row.tiles} Tiles; "
                        f"dose {row.dose:.0%}"
                        + (", met" if row.met else "")
                        + (", paused" if row.paused else "")
                    )
                )
            )
        activities.append(
            CarePlanActivity(
                progress=progress or None,
                detail=CarePlanActivityDetail(
                    kind="Task",
                    code=CodeableConcept(text=f"Week {target.week}"),
                    status=_activity_status(enrolment, row, start, today),
                    description=f"Week {target.week}: {asked}",
                    scheduledPeriod=_period(start, start + timedelta(days=6)),
                ),
            )
        )
    return CarePlan(
        id=str(enrolment.id),
        status=CARE_PLAN_STATUS[enrolment.status],
        intent="plan",
        title=template.name,
        instantiatesCanonical=[canonical(template, version)],
        subject=Reference(reference=f"Patient/{enrolment.member_id}"),
        period=_period(enrolment.starts_on, enrolment.ended_on or planned_end),
        activity=activities,
    )
