"""Helpers for booking tests: a studio with session types, sessions, members who can book."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from server.bookings.models import Booking
from server.bootstrap import Container
from server.ports.identity import AccessClaims
from server.scheduling.models import ClassSession, SessionType
from shared.clock import utcnow
from shared.enums import PrincipalKind
from shared.ids import new_id
from tests.integration.helpers import Api
from tests.integration.plans_helpers import MONTHLY, PACK, Desk, open_desk


def member_headers(container: Container, tenant_id: str, member_id: str) -> dict[str, str]:
    """A member's access token, issued directly (the sign-in flow has its own tests)."""
    token, _ = container.identity.issue_access_token(
        AccessClaims(
            kind=PrincipalKind.MEMBER,
            subject_id=uuid.UUID(member_id),
            tenant_id=uuid.UUID(tenant_id),
        ),
        3600,
    )
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Studio:
    desk: Desk
    session_type_id: str
    monthly_plan: str
    pack_plan: str

    @property
    def api(self) -> Api:
        return self.desk.api

    @property
    def container(self) -> Container:
        return self.desk.container

    @property
    def tenant_id(self) -> str:
        return self.desk.tenant.id

    @property
    def admin(self) -> dict[str, str]:
        return self.desk.admin

    @property
    def staff(self) -> dict[str, str]:
        return self.desk.desk

    def session_type(self, name: str = "HIIT", **extra: Any) -> str:
        type_id = new_id()
        with self.container.uow() as uow:
            uow.db.add(
                SessionType(
                    tenant_id=uuid.UUID(self.tenant_id),
                    id=type_id,
                    name=name,
                    kind="class",
                    category=extra.pop("category", "HIIT"),
                    duration_minutes=60,
                    default_capacity=10,
                    requires_approval=extra.pop("requires_approval", False),
                    intensity="high",
                    contraindications=[],
                    **extra,
                )
            )
            uow.commit()
        return str(type_id)

    def session(
        self,
        *,
        capacity: int = 10,
        starts_in: timedelta = timedelta(days=1),
        minutes: int = 60,
        session_type_id: str | None = None,
        instructor_id: str | None = None,
        location_id: str | None = None,
    ) -> str:
        session_id = new_id()
        start = (utcnow() + starts_in).replace(microsecond=0)
        with self.container.uow() as uow:
            uow.db.add(
                ClassSession(
                    tenant_id=uuid.UUID(self.tenant_id),
                    id=session_id,
                    location_id=uuid.UUID(location_id or self.desk.location["id"]),
                    session_type_id=uuid.UUID(session_type_id or self.session_type_id),
                    instructor_id=uuid.UUID(instructor_id) if instructor_id else None,
                    starts_at=start,
                    ends_at=start + timedelta(minutes=minutes),
                    capacity=capacity,
                    confirmed_count=0,
                    waitlist_count=0,
                    next_position=1,
                    status="scheduled",
                    detached=False,
                )
            )
            uow.commit()
        return str(session_id)

    def member(self, *, plan: str | None = None, email: str | None = None, **extra: Any) -> str:
        """A member with a membership of ``plan`` (default monthly; "" for none)."""
        member_id = self.desk.member(email=email, **extra)
        chosen = self.monthly_plan if plan is None else plan
        if chosen:
            self.desk.membership(member_id, chosen)
        return member_id

    def member_headers(self, member_id: str) -> dict[str, str]:
        return member_headers(self.container, self.tenant_id, member_id)

    def book(self, session_id: str, member_id: str) -> Any:
        return self.api.client.post(
            f"/sessions/{session_id}/bookings", json={"member_id": member_id}, headers=self.staff
        )

    def booked(self, session_id: str, member_id: str) -> dict[str, Any]:
        response = self.book(session_id, member_id)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def cancel(self, booking_id: str, **body: Any) -> Any:
        return self.api.client.post(
            f"/bookings/{booking_id}/cancel", json=body or None, headers=self.staff
        )

    def counts(self, session_id: str) -> tuple[int, int]:
        with self.container.uow() as uow:
            row = uow.db.get(ClassSession, (uuid.UUID(self.tenant_id), uuid.UUID(session_id)))
            assert row is not None
            return row.confirmed_count, row.waitlist_count

    def bookings(self, session_id: str) -> list[Booking]:
        with self.container.uow() as uow:
            return list(
                uow.db.execute(
                    select(Booking)
                    .where(Booking.session_id == uuid.UUID(session_id))
                    .order_by(Booking.position)
                ).scalars()
            )

    def credits(self, membership_id: str) -> int:
        response = self.api.client.get(f"/memberships/{membership_id}", headers=self.staff)
        assert response.status_code == 200, response.text
        credits: int = response.json()["credits_remaining"]
        return credits

    def move_start(self, session_id: str, starts_at: datetime) -> None:
        """Put a session (and its bookings) at another time, as if time had passed."""
        with self.container.uow() as uow:
            row = uow.db.get(ClassSession, (uuid.UUID(self.tenant_id), uuid.UUID(session_id)))
            assert row is not None
            length = row.ends_at - row.starts_at
            row.starts_at, row.ends_at = starts_at, starts_at + length
            for booking in uow.db.execute(
                select(Booking).where(Booking.session_id == row.id)
            ).scalars():
                booking.starts_at, booking.ends_at = row.starts_at, row.ends_at
            uow.commit()


def open_studio(api: Api, container: Container, slug: str) -> Studio:
    desk = open_desk(api, container, slug)
    studio = Studio(desk=desk, session_type_id="", monthly_plan="", pack_plan="")
    studio.session_type_id = studio.session_type()
    studio.monthly_plan = desk.plan(MONTHLY)
    studio.pack_plan = desk.plan(PACK)
    return studio
