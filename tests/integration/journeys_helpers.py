"""Journey templates in tests: a provider with the shipped templates, and an enrolment
written straight into the tables (the enrolment use cases are another module's)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from server.bootstrap import Container
from server.journeys.models import JourneyEnrolment, JourneyEnrolmentWeek, JourneyVersion
from shared.carepath.enrolment import EnrolmentStatus
from tests.integration.helpers import Api, Tenant


def shipped(api: Api, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The shipped templates by starter key (reading the list loads them)."""
    response = api.client.get("/journeys/templates", headers=headers)
    assert response.status_code == 200, response.text
    return {t["starter_key"]: t for t in response.json()["items"] if t["starter_key"]}


def new_member(api: Api, tenant: Tenant, location_id: str, first_name: str = "Ama") -> str:
    body = {"first_name": first_name, "last_name": "Mensah", "home_location_id": location_id}
    response = api.client.post("/members", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    member_id: str = response.json()["id"]
    return member_id


def enrol(
    container: Container,
    tenant_id: str,
    template_id: str,
    member_id: str,
    *,
    version: int = 1,
    status: EnrolmentStatus = EnrolmentStatus.ACTIVE,
    starts_on: date = date(2026, 3, 2),
    weeks: tuple[dict[str, Any], ...] = (),
    coach_id: str | None = None,
) -> str:
    """An enrolment on the template's ``version``, with the given week rows."""
    tenant = uuid.UUID(tenant_id)
    with container.uow() as uow:
        v = (
            uow.db.query(JourneyVersion)
            .filter_by(tenant_id=tenant, template_id=uuid.UUID(template_id), version=version)
            .one()
        )
        e = JourneyEnrolment(
            tenant_id=tenant,
            member_id=uuid.UUID(member_id),
            template_id=v.template_id,
            version_id=v.id,
            status=status.value,
            starts_on=starts_on,
            enrolled_by_kind="staff",
            coach_id=uuid.UUID(coach_id) if coach_id else None,
        )
        uow.db.add(e)
        uow.db.flush()
        for row in weeks:
            uow.db.add(JourneyEnrolmentWeek(tenant_id=tenant, enrolment_id=e.id, **row))
        uow.commit()
        return str(e.id)


def journey_world(api: Api, tenant: Tenant, member_id: str) -> dict[str, str]:
    """A template of the tenant's own and an enrolment on it, for the walks over routes."""
    body = {
        "name": "Walk walk",
        "intensity_ceiling": "low",
        "plan": {"weeks": [{"week": 1, "minutes": 60}, {"week": 2, "minutes": 70}]},
    }
    response = api.client.post("/journeys/templates", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    template_id: str = response.json()["id"]
    container: Container = api.client.app.state.container  # type: ignore[attr-defined]
    enrolment_id = enrol(container, tenant.id, template_id, member_id)
    return {"template_id": template_id, "enrolment_id": enrolment_id}
