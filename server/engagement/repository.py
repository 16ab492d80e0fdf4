"""Data access for movement events, and where a member's days are counted."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from server.db.repository import TenantRepository
from server.engagement.models import MovementEvent
from server.members.models import Member
from server.tenants.models import Location, Tenant


class MovementEventRepository(TenantRepository[MovementEvent]):
    model = MovementEvent
    noun = "movement event"

    def of_member(
        self,
        member_id: uuid.UUID,
        *,
        since: date | None = None,
        until: date | None = None,
        kinds: Sequence[str] = (),
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[MovementEvent]:
        """Oldest first, within local dates ``since``–``until`` (both included)."""
        query = self._select().where(MovementEvent.member_id == member_id)
        if since is not None:
            query = query.where(MovementEvent.local_date >= since)
        if until is not None:
            query = query.where(MovementEvent.local_date <= until)
        if kinds:
            query = query.where(MovementEvent.kind.in_(list(kinds)))
        query = (
            query.order_by(MovementEvent.occurred_at, MovementEvent.id).limit(limit).offset(offset)
        )
        rows: Sequence[MovementEvent] = self.db.execute(query).scalars().all()
        return rows

    def minutes_on(
        self, member_id: uuid.UUID, day: date, *, leaving_out: uuid.UUID | None = None
    ) -> int:
        """The member's counted minutes on a local date: voids and voided events left out."""
        query = select(func.coalesce(func.sum(MovementEvent.minutes), 0)).where(
            MovementEvent.tenant_id == self.tenant_id,
            MovementEvent.member_id == member_id,
            MovementEvent.local_date == day,
            MovementEvent.is_void.is_(False),
            MovementEvent.voided_by.is_(None),
        )
        if leaving_out is not None:
            query = query.where(MovementEvent.id != leaving_out)
        return int(self.db.execute(query).scalar_one())

    def mark_voided(self, event_id: uuid.UUID, by: uuid.UUID) -> bool:
        """Name the event that replaces ``event_id``; False when another already did (two
        corrections at once: one wins)."""
        result = self.db.execute(
            update(MovementEvent)
            .where(
                MovementEvent.tenant_id == self.tenant_id,
                MovementEvent.id == event_id,
                MovementEvent.voided_by.is_(None),
            )
            .values(voided_by=by)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)


#: The advisory-lock namespace of members' ledgers ("ZMle").
_LEDGER_LOCKS = 0x5A4D6C65


class MemberDays:
    """Where and when a member's day is: the zone (home location's, else the event's
    location's, else the tenant's first location's) and the tenant's day-start hour.
    Remembers what it read, so that a batch of events asks once per member and location."""

    def __init__(self, db: Session, tenant_id: uuid.UUID) -> None:
        self.db, self.tenant_id = db, tenant_id
        self._zones: dict[uuid.UUID, str] = {}
        self._homes: dict[uuid.UUID, uuid.UUID | None] = {}
        self._first: str | None = None
        self._day_start: int | None = None

    def know(self, member_id: uuid.UUID, home_location_id: uuid.UUID | None) -> None:
        """What a caller read already: the member's home, saving a query."""
        self._homes[member_id] = home_location_id

    def know_location(self, location_id: uuid.UUID, timezone: str) -> None:
        self._zones[location_id] = timezone

    def is_member(self, member_id: uuid.UUID) -> bool:
        """Whether ``member_id`` is this tenant's member (another tenant's is not)."""
        if member_id in self._homes:
            return True
        found = self.db.execute(
            select(Member.home_location_id).where(
                Member.tenant_id == self.tenant_id, Member.id == member_id
            )
        ).one_or_none()
        if found is None:
            return False
        self._homes[member_id] = found[0]
        return True

    def hold_day_totals(self, member_id: uuid.UUID) -> bool:
        """``is_member``, and on PostgreSQL a lock on the member's ledger until the
        transaction ends, so that two entries at once cannot both fit under the day's
        plausible total. An advisory lock (two ints: a fixed namespace, the member's id
        folded to 32 bits), not a row lock, so the door's writes to the member wait for
        nothing. A collision of two members' folded ids only makes one wait briefly. SQLite
        has one writer at a time already: the insert checks the total again (see
        ``engagement.service``)."""
        if not self.is_member(member_id):
            return False
        if self.db.get_bind().dialect.name == "postgresql":
            folded = (member_id.int ^ (member_id.int >> 32) ^ (member_id.int >> 64)) & 0x7FFFFFFF
            self.db.execute(select(func.pg_advisory_xact_lock(_LEDGER_LOCKS, folded)))
        return True

    def is_location(self, location_id: uuid.UUID) -> bool:
        return self._zone_of(location_id) is not None

    def day_start_hour(self) -> int:
        if self._day_start is None:
            found = self.db.execute(
                select(Tenant.day_start_hour).where(Tenant.id == self.tenant_id)
            ).scalar_one_or_none()
            self._day_start = int(found or 0)
        return self._day_start

    def _zone_of(self, location_id: uuid.UUID) -> str | None:
        if location_id not in self._zones:
            found = self.db.execute(
                select(Location.timezone).where(
                    Location.tenant_id == self.tenant_id, Location.id == location_id
                )
            ).scalar_one_or_none()
            if found is None:
                return None
            self._zones[location_id] = found
        return self._zones[location_id]

    def _first_zone(self) -> str:
        if self._first is None:
            found = self.db.execute(
                select(Location.timezone)
                .where(Location.tenant_id == self.tenant_id)
                .order_by(Location.created_at, Location.id)
                .limit(1)
            ).scalar_one_or_none()
            self._first = found or "UTC"
        return self._first

    def zone(self, member_id: uuid.UUID, location_id: uuid.UUID | None) -> str:
        if member_id not in self._homes:
            self._homes[member_id] = self.db.execute(
                select(Member.home_location_id).where(
                    Member.tenant_id == self.tenant_id, Member.id == member_id
                )
            ).scalar_one_or_none()
        home = self._homes[member_id]
        for place in (home, location_id):
            if place is not None and (found := self._zone_of(place)) is not None:
                return found
        return self._first_zone()
