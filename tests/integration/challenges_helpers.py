"""A club with members at home in London and Accra, ledger events written as the ledger
stores them (with a chosen storing time), and a pump feeding them to the challenge
observer in the order they were stored."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from server.bootstrap import Container
from server.challenges.models import ChallengeParticipant
from server.challenges.projection import ChallengeProjection
from server.engagement.models import MovementEvent
from server.engagement.projection import Observed
from server.engagement.repository import MemberDays
from server.engagement.service import MovementFacts, entry_of, movement_row
from shared.clock import utcnow
from shared.enums import MovementKind
from shared.movement import MovementIntensity, MovementSource, Provenance
from tests.integration.bookings_helpers import member_headers
from tests.integration.helpers import Api, Tenant

LONDON = ZoneInfo("Europe/London")
TODAY = datetime.now(LONDON).date()


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = LONDON) -> datetime:
    return datetime.combine(day, time(hour, minute), zone).astimezone(UTC)


@dataclass
class Club:
    api: Api
    container: Container
    tenant: Tenant
    london: str
    accra: str
    #: Ledger ids in the order they were stored: what the observer has not seen yet.
    pending: list[uuid.UUID] = field(default_factory=list)
    stored: list[uuid.UUID] = field(default_factory=list)

    @property
    def owner(self) -> dict[str, str]:
        return self.tenant.headers

    @property
    def tenant_id(self) -> uuid.UUID:
        return uuid.UUID(self.tenant.id)

    def member(self, first: str, last: str = "Mensah", home: str | None = None) -> str:
        response = self.api.client.post(
            "/members",
            json={"first_name": first, "last_name": last, "home_location_id": home or self.london},
            headers=self.owner,
        )
        assert response.status_code == 201, response.text
        member_id: str = response.json()["id"]
        return member_id

    def headers(self, member_id: str) -> dict[str, str]:
        return member_headers(self.container, self.tenant.id, member_id)

    def challenge(self, **body: Any) -> dict[str, Any]:
        sent = {
            "name": "Spring moves",
            "metric": "sessions",
            "starts_on": (TODAY - timedelta(days=20)).isoformat(),
            "ends_on": (TODAY + timedelta(days=10)).isoformat(),
            **body,
        }
        response = self.api.client.post("/challenges", json=sent, headers=self.owner)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def join(self, challenge_id: str, member_id: str) -> dict[str, Any]:
        response = self.api.client.post(
            f"/me/challenges/{challenge_id}/join", headers=self.headers(member_id)
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def enrol(self, challenge_id: str, member_id: str) -> None:
        """A participant who joined in the past (when joining was still open)."""
        with self.container.uow() as uow:
            uow.db.add(
                ChallengeParticipant(
                    tenant_id=self.tenant_id,
                    challenge_id=uuid.UUID(challenge_id),
                    member_id=uuid.UUID(member_id),
                    team=None,
                    zone="Europe/London",
                    joined_at=utcnow() - timedelta(days=9),
                    score=0,
                    buckets={},
                )
            )
            uow.commit()

    def event(
        self,
        member_id: str,
        occurred_at: datetime,
        *,
        minutes: int = 30,
        kind: MovementKind = MovementKind.OUTDOOR,
        provenance: Provenance = Provenance.STAFF_RECORDED,
        intensity: MovementIntensity = MovementIntensity.MODERATE,
        recorded_at: datetime | None = None,
    ) -> uuid.UUID:
        """A ledger event as the ledger stores it, stored at ``recorded_at`` (now)."""
        with self.container.uow() as uow:
            days = MemberDays(uow.db, self.tenant_id)
            facts = MovementFacts(
                member_id=uuid.UUID(member_id),
                kind=kind,
                occurred_at=occurred_at,
                minutes=minutes,
                intensity=intensity,
                provenance=provenance,
                source=MovementSource.DESK.value,
            )
            row = movement_row(days, facts)
            row["recorded_at"] = recorded_at or utcnow()
            uow.db.add(MovementEvent(tenant_id=self.tenant_id, **row))
            uow.commit()
        self.pending.append(row["id"])
        self.stored.append(row["id"])
        return uuid.UUID(str(row["id"]))

    def entered(self, event_id: str) -> None:
        """An event the API stored: the observer sees it next."""
        self.pending.append(uuid.UUID(event_id))
        self.stored.append(uuid.UUID(event_id))

    def _entries(self, ids: list[uuid.UUID]) -> list[Any]:
        with self.container.uow() as uow:
            rows = {
                r.id: entry_of(r)
                for r in uow.db.execute(
                    select(MovementEvent).where(
                        MovementEvent.tenant_id == self.tenant_id, MovementEvent.id.in_(ids)
                    )
                ).scalars()
            }
        return [rows[i] for i in ids]

    def pump(self, now: datetime | None = None) -> Observed:
        """Feed the events stored since the last pump to the observer, in stored order."""
        entries = self._entries(self.pending)
        self.pending = []
        with self.container.uow() as uow:
            outcome = ChallengeProjection().observe(uow, self.tenant_id, entries, now or utcnow())
            uow.commit()
        return outcome

    def replay(self) -> None:
        """Reset, then the whole ledger again, as a rebuild does."""
        entries = self._entries(self.stored)
        with self.container.uow() as uow:
            projection = ChallengeProjection()
            projection.reset(uow, self.tenant_id)
            for start in range(0, len(entries), 3):  # in batches, as the projector claims
                projection.observe(uow, self.tenant_id, entries[start : start + 3], utcnow())
            uow.commit()

    def rows(self, challenge_id: str) -> dict[uuid.UUID, tuple[Any, ...]]:
        with self.container.uow() as uow:
            found = uow.db.execute(
                select(ChallengeParticipant).where(
                    ChallengeParticipant.tenant_id == self.tenant_id,
                    ChallengeParticipant.challenge_id == uuid.UUID(challenge_id),
                )
            ).scalars()
            return {p.member_id: (p.score, p.reached_at, p.completed_on, p.buckets) for p in found}

    def score(self, challenge_id: str, member_id: str) -> int:
        return int(self.rows(challenge_id)[uuid.UUID(member_id)][0])


def open_club(api: Api, container: Container, slug: str) -> Club:
    tenant = api.sign_up(slug)
    london = api.create_location(tenant, "London", timezone="Europe/London")
    accra = api.create_location(tenant, "Accra", timezone="Africa/Accra")
    return Club(api, container, tenant, london["id"], accra["id"])
