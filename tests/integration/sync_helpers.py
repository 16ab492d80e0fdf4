"""Helpers for the sync tests: a kiosk that builds outbox mutations and pushes and pulls them."""

from __future__ import annotations

import gzip
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.integration.helpers import Api
from tests.integration.plans_helpers import Desk


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class Kiosk:
    api: Api
    device_id: str
    location_id: str
    headers: dict[str, str]
    next_id: int = 1
    sent: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, desk: Desk) -> Kiosk:
        return cls(desk.api, desk.device_id, desk.location["id"], desk.kiosk)

    @classmethod
    def enrol(cls, desk: Desk, location_id: str | None = None) -> Kiosk:
        place = location_id or desk.location["id"]
        device = desk.api.enrol_device(desk.tenant, place, name="Second desk")
        return cls(desk.api, device["device_id"], place, desk.api.device_headers(device))

    def mutation(self, name: str, args: dict[str, Any], device_time: str | None = None) -> Any:
        mutation = {
            "mutation_id": self.next_id,
            "name": name,
            "args": args,
            "device_time": device_time or now_iso(),
            "hlc": f"{self.next_id:016d}",
        }
        self.next_id += 1
        self.sent.append(mutation)
        return mutation

    def checkin(
        self, member_id: str, *, admitted: bool = True, at: str | None = None, **extra: Any
    ) -> Any:
        args = {
            "checkin_id": str(uuid.uuid4()),
            "member_id": member_id,
            "location_id": self.location_id,
            "method": "search",
            "admitted": admitted,
            "reason": "active membership" if admitted else "no membership",
            "occurred_at": at,
            **extra,
        }
        return self.mutation("checkin.create.v1", args, device_time=at)

    def walkin(self, first: str, last: str, **extra: Any) -> Any:
        args = {"member_id": str(uuid.uuid4()), "first_name": first, "last_name": last, **extra}
        return self.mutation("member.create.v1", args)

    def push(self, mutations: list[Any], *, compress: bool = False, schema_version: int = 1) -> Any:
        body = {
            "device_id": self.device_id,
            "schema_version": schema_version,
            "mutations": mutations,
        }
        if not compress:
            return self.api.client.post("/sync/push", json=body, headers=self.headers)
        return self.api.client.post(
            "/sync/push",
            content=gzip.compress(json.dumps(body).encode()),
            headers={
                **self.headers,
                "content-type": "application/json",
                "content-encoding": "gzip",
            },
        )

    def pushed(self, mutations: list[Any]) -> list[dict[str, Any]]:
        response = self.push(mutations)
        assert response.status_code == 200, response.text
        results: list[dict[str, Any]] = response.json()["results"]
        return results

    def pull(self, cursor: int = 0, **params: Any) -> Any:
        return self.api.client.get(
            "/sync/pull", params={"cursor": cursor, **params}, headers=self.headers
        )

    def pull_all(self, cursor: int = 0) -> tuple[list[dict[str, Any]], int]:
        changes: list[dict[str, Any]] = []
        while True:
            response = self.pull(cursor)
            assert response.status_code == 200, response.text
            body = response.json()
            changes += body["changes"]
            cursor = body["cursor"]
            if not body["has_more"]:
                return changes, cursor


def checkin_count(desk: Desk) -> int:
    response = desk.api.client.get("/checkins", params={"limit": 500}, headers=desk.admin)
    assert response.status_code == 200, response.text
    return len(response.json()["items"])


def review_items(desk: Desk, **params: Any) -> list[dict[str, Any]]:
    response = desk.api.client.get("/review-items", params=params, headers=desk.admin)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
