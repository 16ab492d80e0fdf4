"""Helpers for scheduling tests: a studio with a coach, session types, members with bookings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from server.bookings.models import Booking
from server.bookings.placing import place_booking
from server.bootstrap import Container
from server.notices.models import Notice
from server.ports.identity import AccessClaims
from server.scheduling.models import ClassSession
from shared.enums import BookingSource, PrincipalKind
from tests.integration.helpers import Api, Tenant
from tests.integration.plans_helpers import MONTHLY, add_member

YOGA = {
    "name": "Sunrise yoga",
    "kind": "class",
    "category": "yoga",
    "description": "Slow flow to start the day",
    "duration_minutes": 60,
    "default_capacity": 12,
    "intensity": "low",
    "primary_goal": "mobility",
    "contraindications": ["acute back injury"],
    "suggested_per_week": 3,
}


def soon(days: int) -> date:
    """A day ``days`` ahead, inside the default booking window (14 days)."""
    return date.today() + timedelta(days=days)


def next_change(zone: str, *, spring: bool, after: date | None = None) -> date:
    """The next day on which the zone's clocks go forward (spring) or back."""
    tz = ZoneInfo(zone)
    day = after or date.today() + timedelta(days=1)
    for _ in range(800):
        noon_before = datetime.combine(day - timedelta(days=1), time(12), tzinfo=tz)
        noon = datetime.combine(day, time(12), tzinfo=tz)
        before, now = noon_before.utcoffset(), noon.utcoffset()
        assert before is not None and now is not None
        if now != before and (now > before) == spring:
            return day
        day += timedelta(days=1)
    raise AssertionError(f"no daylight-saving change found for {zone}")


def local_clock(instant: str, zone: str) -> str:
    return datetime.fromisoformat(instant).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


@dataclass
class Studio:
    api: Api
    container: Container
    tenant: Tenant
    location: dict[str, Any]
    coach: dict[str, Any]
    plan_id: str
    members: list[str] = field(default_factory=list)

    @property
    def admin(self) -> dict[str, str]:
        return self.tenant.headers

    @property
    def zone(self) -> str:
        zone: str = self.location["timezone"]
        return zone

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.api.client.post(path, json=body, headers=self.admin)

    def session_type(self, **changes: Any) -> dict[str, Any]:
        """A session type the studio's coach is an instructor of (only linked staff teach)."""
        response = self.post("/session-types", {**YOGA, **changes})
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        linked = self.api.client.put(
            f"/session-types/{result['id']}/instructors",
            json={"staff_ids": [self.coach["id"]]},
            headers=self.admin,
        )
        assert linked.status_code == 200, linked.text
        return result

    def schedule(self, type_id: str, **body: Any) -> dict[str, Any]:
        response = self.post(
            "/schedules",
            {"location_id": self.location["id"], "session_type_id": type_id, **body},
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def session(self, type_id: str, day: date, at: str = "18:00", **body: Any) -> dict[str, Any]:
        response = self.post(
            "/sessions",
            {
                "location_id": self.location["id"],
                "session_type_id": type_id,
                "local_date": day.isoformat(),
                "local_start": at,
                **body,
            },
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def sessions(self, **params: Any) -> list[dict[str, Any]]:
        response = self.api.client.get("/sessions", params=params, headers=self.admin)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def get_session(self, session_id: str) -> dict[str, Any]:
        response = self.api.client.get(f"/sessions/{session_id}", headers=self.admin)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def member(self, name: str) -> str:
        """A member with an email address and a monthly membership."""
        member_id = add_member(
            self.container, self.tenant.id, first_name=name, email=f"{name.lower()}@example.com"
        )
        body = {
            "plan_id": self.plan_id,
            "starts_on": (date.today() - timedelta(days=1)).isoformat(),
        }
        response = self.api.client.post(
            f"/members/{member_id}/memberships", json=body, headers=self.admin
        )
        assert response.status_code == 201, response.text
        self.members.append(member_id)
        return member_id

    def book(self, session_id: str, member_id: str) -> Booking:
        with self.container.uow() as uow:
            booking = place_booking(
                uow=uow,
                eligibility=self.container.eligibility,
                tenant_id=uuid.UUID(self.tenant.id),
                session_id=uuid.UUID(session_id),
                member_id=uuid.UUID(member_id),
                source=BookingSource.STAFF,
                skip_window=True,
            )
            uow.commit()
            uow.db.expunge(booking)
            return booking

    def booking(self, booking_id: uuid.UUID) -> Booking:
        with self.container.uow() as uow:
            row = uow.db.get(Booking, (uuid.UUID(self.tenant.id), booking_id))
            assert row is not None
            uow.db.expunge(row)
            return row

    def notices_to(self, name: str) -> list[str]:
        """Topics of the notices queued for a member, in order."""
        with self.container.uow() as uow:
            rows = uow.db.execute(
                select(Notice.topic)
                .where(Notice.to_email == f"{name.lower()}@example.com")
                .order_by(Notice.created_at)
            )
            return [r[0] for r in rows]

    def backdate(self, session_id: str, hours: int = 2) -> None:
        """Make a session one that has already started (as if time had passed)."""
        start = datetime.now(UTC) - timedelta(hours=hours)
        with self.container.uow() as uow:
            uow.db.execute(
                update(ClassSession)
                .where(ClassSession.id == uuid.UUID(session_id))
                .values(starts_at=start, ends_at=start + timedelta(hours=1))
            )
            uow.commit()

    def member_headers(self, member_id: str) -> dict[str, str]:
        claims = AccessClaims(
            kind=PrincipalKind.MEMBER,
            subject_id=uuid.UUID(member_id),
            tenant_id=uuid.UUID(self.tenant.id),
        )
        token, _ = self.container.identity.issue_access_token(claims, 600)
        return {"Authorization": f"Bearer {token}"}


def open_studio(api: Api, container: Container, slug: str, zone: str = "Europe/London") -> Studio:
    tenant = api.sign_up(slug)
    location = api.create_location(tenant, "Osu Studio", timezone=zone, address="1 Oxford St")
    coach = api.create_staff(tenant, "coach", f"coach@{slug}.example", name="Kofi Coach")
    response = api.client.post("/plans", json=MONTHLY, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return Studio(api, container, tenant, location, coach, response.json()["id"])
