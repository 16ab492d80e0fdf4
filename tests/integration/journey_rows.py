"""Journeys for enrolment tests: template and version rows written straight to the database
(the templates' own service and API have their own tests), a studio with a coach, and
ledger rows at chosen local times."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from server.bootstrap import Container
from server.engagement import service as engagement
from server.journeys.models import JourneyTemplate, JourneyVersion
from shared.carepath.plans import (
    ActivityKind,
    Assessment,
    HabitPoint,
    JourneyPlan,
    PermittedActivity,
    ProgressionKind,
    ProgressionRule,
    WeekTarget,
    to_json,
)
from shared.enums import MovementKind
from shared.ids import new_id
from shared.movement import MovementIntensity
from tests.integration.bookings_helpers import member_headers
from tests.integration.helpers import Api
from tests.integration.plans_helpers import Desk, add_member, open_desk

LONDON = ZoneInfo("Europe/London")

#: Four weeks of 100 moderate-equivalent minutes and 2 sessions; raise 20% on a met week.
FOUR_WEEKS = JourneyPlan(
    weeks=tuple(WeekTarget(week=n, minutes=100, sessions=2) for n in range(1, 5)),
    permitted=(
        PermittedActivity(ActivityKind.SESSION_TYPE),
        PermittedActivity(ActivityKind.TILE),
        PermittedActivity(ActivityKind.OUTDOOR),
    ),
    assessments=(
        Assessment(
            key="sit_to_stand_30s",
            label="Sit-to-stand in 30 seconds",
            unit="count",
            low=0,
            high=60,
            weeks=(0, 4),
        ),
    ),
    progression=(ProgressionRule(ProgressionKind.RAISE_ON_MET, percent=20, cap=150),),
    habit_point=HabitPoint(sessions=4, weeks=2),
)


def add_journey(
    container: Container,
    tenant_id: str,
    name: str = "4-week Starter",
    plan: JourneyPlan = FOUR_WEEKS,
    *,
    ceiling: str = "moderate",
    contraindications: list[str] | None = None,
) -> str:
    template_id, version_id = new_id(), new_id()
    tenant = uuid.UUID(tenant_id)
    with container.uow() as uow:
        uow.db.add(
            JourneyTemplate(
                tenant_id=tenant,
                id=template_id,
                name=name,
                summary=f"{name}: a gentle start",
                current_version=1,
            )
        )
        uow.db.flush()
        uow.db.add(
            JourneyVersion(
                tenant_id=tenant,
                id=version_id,
                template_id=template_id,
                version=1,
                intensity_ceiling=ceiling,
                indications=[],
                contraindications=contraindications or [],
                plan=to_json(plan),
            )
        )
        uow.commit()
    return str(template_id)


@dataclass
class Clinic:
    """A tenant in London with a journey, a manager, two coaches and a front desk."""

    desk: Desk
    journey_id: str
    coach_a: dict[str, str]
    coach_a_id: str
    coach_b: dict[str, str]
    coach_b_id: str
    manager: dict[str, str]

    @property
    def api(self) -> Api:
        return self.desk.api

    @property
    def container(self) -> Container:
        return self.desk.container

    @property
    def tenant_id(self) -> str:
        return self.desk.tenant.id

    def member(self, first_name: str = "Ama") -> str:
        return add_member(
            self.container,
            self.tenant_id,
            first_name=first_name,
            home_location_id=uuid.UUID(self.desk.location["id"]),
        )

    def member_headers(self, member_id: str) -> dict[str, str]:
        return member_headers(self.container, self.tenant_id, member_id)

    def move(
        self,
        member_id: str,
        day: date,
        *,
        minutes: int = 30,
        intensity: MovementIntensity = MovementIntensity.MODERATE,
        kind: MovementKind = MovementKind.ATTENDANCE,
        at: time = time(10),
    ) -> None:
        """One ledger row at a London wall time on ``day``."""
        occurred = datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)
        with self.container.uow() as uow:
            engagement.record_movement(
                uow=uow,
                tenant_id=uuid.UUID(self.tenant_id),
                member_id=uuid.UUID(member_id),
                kind=kind,
                occurred_at=occurred,
                minutes=minutes,
                intensity=intensity,
            )
            uow.commit()


def open_clinic(api: Api, container: Container, slug: str) -> Clinic:
    desk = open_desk(api, container, slug)
    tenant = desk.tenant
    people: dict[str, Any] = {}
    for role, email in (
        ("coach", f"a@{slug}.example"),
        ("coach", f"b@{slug}.example"),
        ("manager", f"m@{slug}.example"),
    ):
        people[email] = api.create_staff(tenant, role, email)
    return Clinic(
        desk=desk,
        journey_id=add_journey(container, tenant.id),
        coach_a=api.token_for(slug, f"a@{slug}.example"),
        coach_a_id=people[f"a@{slug}.example"]["id"],
        coach_b=api.token_for(slug, f"b@{slug}.example"),
        coach_b_id=people[f"b@{slug}.example"]["id"],
        manager=api.token_for(slug, f"m@{slug}.example"),
    )
