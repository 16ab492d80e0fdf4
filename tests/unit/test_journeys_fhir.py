"""The shipped journeys pass the plan rules, and every journey and enrolment status makes
a FHIR R4 resource that parses back (built without a database)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.plandefinition import PlanDefinition

from server.journeys import fhir
from server.journeys.models import (
    JourneyEnrolment,
    JourneyEnrolmentWeek,
    JourneyTemplate,
    JourneyVersion,
)
from server.journeys.templates import starter_journeys
from shared.carepath.enrolment import EnrolmentStatus
from shared.carepath.plans import from_json, to_json
from shared.carepath.templates import label_problems, plan_problems

TENANT = uuid.UUID(int=7)


def _template(item: dict) -> tuple[JourneyTemplate, JourneyVersion]:  # type: ignore[type-arg]
    t = JourneyTemplate(
        id=uuid.uuid4(),
        tenant_id=TENANT,
        name=item["name"],
        summary=item["summary"],
        current_version=1,
    )
    v = JourneyVersion(
        id=uuid.uuid4(),
        tenant_id=TENANT,
        template_id=t.id,
        version=1,
        intensity_ceiling=item["intensity_ceiling"],
        indications=item["indications"],
        contraindications=item["contraindications"],
        plan=item["plan"],
    )
    return t, v


@pytest.mark.parametrize("item", starter_journeys(), ids=lambda i: i["key"])
def test_each_shipped_journey_passes_the_rules(item: dict) -> None:  # type: ignore[type-arg]
    plan = from_json(item["plan"])
    assert plan_problems(plan) == []
    assert (
        label_problems(
            ceiling=item["intensity_ceiling"],
            indications=item["indications"],
            contraindications=item["contraindications"],
        )
        == []
    )
    # Stored as the rules' own JSON: reading and writing it again changes nothing.
    assert to_json(plan) == to_json(from_json(to_json(plan)))
    assert item["summary"] and item["name"].split("-")[0].isdigit()
    # "8-week …" has 8 weeks.
    assert plan.length == int(item["name"].split("-")[0])


@pytest.mark.parametrize("item", starter_journeys(), ids=lambda i: i["key"])
def test_each_shipped_journey_is_a_plan_definition(item: dict) -> None:  # type: ignore[type-arg]
    t, v = _template(item)
    parsed = PlanDefinition.model_validate_json(fhir.plan_definition(t, v).model_dump_json())
    assert parsed.title == item["name"] and parsed.status == "active"
    assert parsed.url == f"urn:zmos:journey:{t.id}" and parsed.version == "1"
    assert parsed.name and parsed.name[0].isupper() and parsed.name.isalnum()
    assert len(parsed.goal or []) == len(item["plan"]["weeks"])


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (EnrolmentStatus.ENROLLED, "draft"),
        (EnrolmentStatus.ACTIVE, "active"),
        (EnrolmentStatus.PAUSED, "on-hold"),
        (EnrolmentStatus.COMPLETED, "completed"),
        (EnrolmentStatus.DROPPED, "revoked"),
    ],
)
def test_every_enrolment_status_is_a_care_plan_status(
    status: EnrolmentStatus, expected: str
) -> None:
    t, v = _template(starter_journeys()[2])  # 4 weeks
    e = JourneyEnrolment(
        id=uuid.uuid4(),
        tenant_id=TENANT,
        member_id=uuid.uuid4(),
        template_id=t.id,
        version_id=v.id,
        status=status.value,
        starts_on=date(2026, 3, 2),
        ended_on=date(2026, 3, 20) if status is EnrolmentStatus.DROPPED else None,
    )
    week1 = JourneyEnrolmentWeek(
        tenant_id=TENANT,
        enrolment_id=e.id,
        week=1,
        starts_on=date(2026, 3, 2),
        target={"minutes": 60, "sessions": 1, "strength_days": 0, "tiles": 7},
        minutes=70,
        sessions=1,
        strength_days=0,
        tiles=7,
        dose=1.0,
        met=True,
        paused=False,
    )
    care = CarePlan.model_validate_json(
        fhir.care_plan(t, v, e, [week1], today=date(2026, 3, 10)).model_dump_json()
    )
    assert care.status == expected
    assert care.period is not None
    # Dropped on 20 March: the period ends then; otherwise 4 weeks from 2 March end on 29 March.
    end = "2026-03-20" if status is EnrolmentStatus.DROPPED else "2026-03-29"
    assert str(care.period.end) == end
    statuses = [a.detail.status for a in care.activity or [] if a.detail]
    # Week 1 met; week 2 started on 9 March (today is the 10th); weeks 3 and 4 to come,
    # or never for an enrolment that has ended.
    later = "cancelled" if status in (EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED) else None
    assert statuses == [
        "completed",
        *(([later] * 3) if later else ["in-progress", "not-started", "not-started"]),
    ]
