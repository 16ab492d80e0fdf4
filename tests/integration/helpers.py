"""Small helpers to drive the API the way a client would."""

from __future__ import annotations

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
