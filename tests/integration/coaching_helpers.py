"""A tenant with two coaches and a manager, and members whose engagement rows and journey
enrolments are written directly (the projector and enrolment rules are tested elsewhere)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from server.bootstrap import Container
from server.engagement.models import MemberEngagement
from server.journeys.models import JourneyEnrolment, JourneyTemplate, JourneyVersion
from tests.integration.helpers import Api, Tenant


@dataclass
class CoachWorld:
    api: Api
    container: Container
    tenant: Tenant
    location: dict[str, Any]
    coach_a: str
    coach_b: str
    coach_a_headers: dict[str, str]
    coach_b_headers: dict[str, str]
    manager_headers: dict[str, str]
    _template: uuid.UUID | None = field(default=None)

    @property
    def owner(self) -> dict[str, str]:
        return self.tenant.headers

    @property
    def tenant_uuid(self) -> uuid.UUID:
        return uuid.UUID(self.tenant.id)

    def member(
        self,
        first: str,
        last: str,
        *,
        score: float | None = None,
        last_active_on: date | None = None,
        weekly: int = 0,
        daily: int = 0,
        email: str | None = None,
    ) -> str:
        body = {
            "first_name": first,
            "last_name": last,
            "email": email or f"{first.lower()}.{last.lower()}@example.com",
            "home_location_id": self.location["id"],
        }
        response = self.api.client.post("/members", json=body, headers=self.owner)
        assert response.status_code == 201, response.text
        member_id: str = response.json()["id"]
        if score is not None:
            with self.container.uow() as uow:
                uow.db.add(
                    MemberEngagement(
                        tenant_id=self.tenant_uuid,
                        member_id=uuid.UUID(member_id),
                        state={},
                        score=score,
                        last_active_on=last_active_on,
                        weekly_current=weekly,
                        daily_current=daily,
                    )
                )
                uow.commit()
        return member_id

    def assign(self, member_id: str, coach_id: str | None) -> Any:
        response = self.api.client.put(
            f"/coaching/members/{member_id}/coach",
            json={"coach_id": coach_id},
            headers=self.owner,
        )
        assert response.status_code == 200, response.text
        return response.json()

    def template(self) -> uuid.UUID:
        if self._template is None:
            template_id, version_id = uuid.uuid4(), uuid.uuid4()
            with self.container.uow() as uow:
                uow.db.add(
                    JourneyTemplate(
                        tenant_id=self.tenant_uuid, id=template_id, name="Back & Core Rescue"
                    )
                )
                uow.db.flush()
                uow.db.add(
                    JourneyVersion(
                        tenant_id=self.tenant_uuid,
                        id=version_id,
                        template_id=template_id,
                        version=1,
                        intensity_ceiling="moderate",
                        plan={},
                    )
                )
                uow.commit()
            self._template = template_id
        return self._template

    def enrol(self, member_id: str, coach_id: str, status: str = "active") -> uuid.UUID:
        template_id = self.template()
        with self.container.uow() as uow:
            from sqlalchemy import select

            version_id = uow.db.execute(
                select(JourneyVersion.id).where(
                    JourneyVersion.tenant_id == self.tenant_uuid,
                    JourneyVersion.template_id == template_id,
                )
            ).scalar_one()
            enrolment_id = uuid.uuid4()
            uow.db.add(
                JourneyEnrolment(
                    tenant_id=self.tenant_uuid,
                    id=enrolment_id,
                    member_id=uuid.UUID(member_id),
                    template_id=template_id,
                    version_id=version_id,
                    status=status,
                    starts_on=date(2026, 11, 2),
                    coach_id=uuid.UUID(coach_id),
                    enrolled_by_kind="staff",
                    adherence=0.625,
                )
            )
            uow.commit()
        return enrolment_id


def coach_world(api: Api, container: Container, slug: str) -> CoachWorld:
    tenant = api.sign_up(slug)
    location = api.create_location(tenant)
    a = api.create_staff(tenant, "coach", f"ama@{slug}.example", name="Ama Coach")
    b = api.create_staff(tenant, "coach", f"ben@{slug}.example", name="Ben Coach")
    api.create_staff(tenant, "manager", f"mia@{slug}.example", name="Mia Manager")
    return CoachWorld(
        api=api,
        container=container,
        tenant=tenant,
        location=location,
        coach_a=a["id"],
        coach_b=b["id"],
        coach_a_headers=api.token_for(slug, f"ama@{slug}.example"),
        coach_b_headers=api.token_for(slug, f"ben@{slug}.example"),
        manager_headers=api.token_for(slug, f"mia@{slug}.example"),
    )
