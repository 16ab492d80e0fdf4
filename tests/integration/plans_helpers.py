"""Helpers for plan, membership, check-in and sale tests: a tenant with a desk, members, plans."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from server.bootstrap import Container
from server.members.models import Member
from shared.ids import new_id
from tests.integration.helpers import Api, Tenant

MONTHLY = {
    "name": "Monthly unlimited",
    "kind": "recurring",
    "billing_period": "month",
    "price": "45.00",
    "currency": "GBP",
}
PACK = {
    "name": "5 classes",
    "kind": "class_pack",
    "credits": 5,
    "validity_days": 90,
    "price": "50.00",
    "currency": "GBP",
}
DAY_PASS = {"name": "Day pass", "kind": "day_pass", "price": "12.50", "currency": "GBP"}
GUEST_PASS = {"name": "Guest pass", "kind": "guest_pass", "price": "8.00", "currency": "GBP"}


def add_member(container: Container, tenant_id: str, first_name: str = "Ama", **extra: Any) -> str:
    """A member row written straight through the unit of work (the members API is separate)."""
    member_id = new_id()
    with container.uow() as uow:
        uow.db.add(
            Member(
                tenant_id=uuid.UUID(tenant_id),
                id=member_id,
                first_name=first_name,
                last_name="Mensah",
                source="desk",
                fitness_goals=[],
                preferences={},
                **extra,
            )
        )
        uow.commit()
    return str(member_id)


@dataclass
class Desk:
    """A tenant with one location, a front-desk account and a kiosk enrolled there."""

    api: Api
    container: Container
    tenant: Tenant
    location: dict[str, Any]
    desk: dict[str, str]
    kiosk: dict[str, str]
    device_id: str
    desk_staff_id: str
    plans: dict[str, str] = field(default_factory=dict)

    @property
    def admin(self) -> dict[str, str]:
        return self.tenant.headers

    def plan(self, body: dict[str, Any], **changes: Any) -> str:
        response = self.api.client.post("/plans", json={**body, **changes}, headers=self.admin)
        assert response.status_code == 201, response.text
        plan_id: str = response.json()["id"]
        return plan_id

    def member(self, **extra: Any) -> str:
        return add_member(self.container, self.tenant.id, **extra)

    def membership(self, member_id: str, plan_id: str, **extra: Any) -> dict[str, Any]:
        yesterday = (date.today() - timedelta(days=1)).isoformat()
        body = {"plan_id": plan_id, "starts_on": yesterday, **extra}
        response = self.api.client.post(
            f"/members/{member_id}/memberships", json=body, headers=self.desk
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def separate_visits(self) -> None:
        """No re-entry window: every admission of the test is a visit of its own (e.g. to
        count credits and visit limits with check-ins made moments apart)."""
        response = self.api.client.patch(
            "/checkin-policy", json={"reentry_window_minutes": 0}, headers=self.admin
        )
        assert response.status_code == 200, response.text

    def check_in(self, member_id: str, *, kiosk: bool = False, **extra: Any) -> Any:
        body: dict[str, Any] = {"member_id": member_id, "method": "search", **extra}
        if not kiosk:
            body.setdefault("location_id", self.location["id"])
        return self.api.client.post(
            "/checkins", json=body, headers=self.kiosk if kiosk else self.desk
        )


def open_desk(api: Api, container: Container, slug: str, **location: Any) -> Desk:
    tenant = api.sign_up(slug)
    place = api.create_location(tenant, "Osu Studio", **location)
    staff = api.create_staff(tenant, "front_desk", f"desk@{slug}.example")
    device = api.enrol_device(tenant, place["id"])
    return Desk(
        api=api,
        container=container,
        tenant=tenant,
        location=place,
        desk=api.token_for(slug, f"desk@{slug}.example"),
        kiosk=api.device_headers(device),
        device_id=device["device_id"],
        desk_staff_id=staff["id"],
    )
