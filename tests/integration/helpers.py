"""Small helpers to drive the API the way a client would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
HOURS = {
    "mon": [{"opens": "06:00", "closes": "22:00"}],
    "sat": [{"opens": "08:00", "closes": "12:00"}],
}


@dataclass
class Tenant:
    slug: str
    id: str
    owner_id: str
    token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Api:
    def __init__(self, client: TestClient) -> None:
        self.client = client

    def sign_up(self, slug: str, currency: str = "GBP") -> Tenant:
        response = self.client.post(
            "/tenants",
            json={
                "name": f"{slug} gym",
                "slug": slug,
                "currency": currency,
                "owner": {
                    "name": "Olu Owner",
                    "email": f"owner@{slug}.example",
                    "password": PASSWORD,
                },
            },
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return Tenant(
            slug=slug,
            id=body["tenant"]["id"],
            owner_id=body["owner"]["id"],
            token=body["tokens"]["access_token"],
            refresh_token=body["tokens"]["refresh_token"],
        )

    def create_location(
        self, tenant: Tenant, name: str = "Central", **extra: Any
    ) -> dict[str, Any]:
        body = {"name": name, "timezone": "Europe/London", "capacity": 100, "opening_hours": HOURS}
        response = self.client.post("/locations", json={**body, **extra}, headers=tenant.headers)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def create_staff(
        self, tenant: Tenant, role: str, email: str, pin: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        body = {
            "name": f"{role} person",
            "email": email,
            "role": role,
            "password": PASSWORD,
            **extra,
        }
        if pin:
            body["pin"] = pin
        response = self.client.post("/staff", json=body, headers=tenant.headers)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def login(self, slug: str, email: str, password: str = PASSWORD) -> Any:
        return self.client.post(
            "/auth/login", json={"tenant": slug, "email": email, "password": password}
        )

    def token_for(self, slug: str, email: str) -> dict[str, str]:
        response = self.login(slug, email)
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def enrol_device(
        self, tenant: Tenant, location_id: str, name: str = "Front desk"
    ) -> dict[str, Any]:
        code = self.client.post(
            f"/locations/{location_id}/enrolment-codes", json={}, headers=tenant.headers
        )
        assert code.status_code == 201, code.text
        enrolled = self.client.post(
            "/devices/enrol", json={"code": code.json()["code"], "name": name}
        )
        assert enrolled.status_code == 201, enrolled.text
        result: dict[str, Any] = enrolled.json()
        return result

    def device_headers(self, device: dict[str, Any]) -> dict[str, str]:
        response = self.client.post(
            "/devices/token",
            json={"device_id": device["device_id"], "device_secret": device["device_secret"]},
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def sell_day_pass(
        self, tenant: Tenant, member_id: str, location_id: str, name: str = "Day"
    ) -> str:
        """A day pass sold at ``location_id`` by the tenant's owner, paid in cash: the sale's
        id. (A pass, so it never overlaps a membership the member holds.)"""
        plan = self.client.post(
            "/plans",
            json={"name": name, "kind": "day_pass", "price": "10.00", "currency": "GBP"},
            headers=tenant.headers,
        )
        assert plan.status_code == 201, plan.text
        sale = {
            "sale_id": str(uuid.uuid4()),
            "member_id": member_id,
            "plan_id": plan.json()["id"],
            "method": "cash",
            "amount": "10.00",
            "currency": "GBP",
            "location_id": location_id,
        }
        sold = self.client.post("/sales", json=sale, headers=tenant.headers)
        assert sold.status_code == 201, sold.text
        sale_id: str = sold.json()["sale_id"]
        return sale_id

    def review_item(self, device: dict[str, Any], last_name: str, duplicate_of: str) -> str:
        """A walk-in registered at the kiosk ``device`` like member ``duplicate_of``: the
        review item it opens at the kiosk's location."""
        walkin = {
            "mutation_id": 1,
            "name": "member.create.v1",
            "args": {
                "member_id": str(uuid.uuid4()),
                "first_name": "Kwame",
                "last_name": last_name,
                "possible_duplicate_of": [duplicate_of],
            },
            "device_time": "2026-01-01T10:00:00Z",
            "hlc": "0",
        }
        pushed = self.client.post(
            "/sync/push",
            json={"device_id": device["device_id"], "schema_version": 1, "mutations": [walkin]},
            headers=self.device_headers(device),
        )
        assert pushed.status_code == 200, pushed.text
        item: str = pushed.json()["results"][0]["review_item_id"]
        return item
