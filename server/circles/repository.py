"""Data access of circles, always within one tenant. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Uuid, column, exists, or_, select, table, update
from sqlalchemy.exc import IntegrityError

from server.circles.models import Circle, CircleAnnouncement, CircleMembership
from server.db.repository import TenantRepository
from server.members.models import Member


class CircleRepository(TenantRepository[Circle]):
    model = Circle
    noun = "circle"

    def page(
        self, *, where: Sequence[ColumnElement[bool]], limit: int, offset: int
    ) -> list[Circle]:
        """By name, one row past the page (whether another page follows)."""
        query = (
            self._select()
            .where(*where)
            .order_by(Circle.name, Circle.id)
            .limit(limit + 1)
            .offset(offset)
        )
        return list(self.db.execute(query).scalars())


def within_locations(location_ids: Collection[uuid.UUID] | None) -> tuple[ColumnElement[bool], ...]:
    """Circles a location-limited member of staff sees: their locations' and the tenant-wide
    ones."""
    if location_ids is None:
        return ()
    return (or_(Circle.location_id.is_(None), Circle.location_id.in_(sorted(location_ids))),)


def open_to_members() -> tuple[ColumnElement[bool], ...]:
    return (Circle.invite_only.is_(False), Circle.archived_at.is_(None))


class MembershipRepository:
    def __init__(self, db: Any, tenant_id: uuid.UUID) -> None:
        self.db = db
        self.tenant_id = tenant_id

    def _of(self, circle_id: uuid.UUID) -> tuple[ColumnElement[bool], ...]:
        return (
            CircleMembership.tenant_id == self.tenant_id,
            CircleMembership.circle_id == circle_id,
        )

    def current(self, circle_id: uuid.UUID, member_id: uuid.UUID) -> CircleMembership | None:
        row: CircleMembership | None = self.db.execute(
            select(CircleMembership).where(
                *self._of(circle_id),
                CircleMembership.member_id == member_id,
                CircleMembership.left_at.is_(None),
            )
        ).scalar_one_or_none()
        return row

    def is_member(self, circle_id: uuid.UUID, member_id: uuid.UUID) -> bool:
        return self.current(circle_id, member_id) is not None

    def open_stay(
        self, circle_id: uuid.UUID, member_id: uuid.UUID, at: datetime, by: uuid.UUID | None
    ) -> CircleMembership:
        """The member's open stay in the circle, started now unless one is open already
        (also when another request opened it at the same moment)."""
        found = self.current(circle_id, member_id)
        if found is not None:
            return found
        stay = CircleMembership(
            tenant_id=self.tenant_id,
            circle_id=circle_id,
            member_id=member_id,
            joined_at=at,
            added_by=by,
        )
        try:
            with self.db.begin_nested():
                self.db.add(stay)
        except IntegrityError:
            found = self.current(circle_id, member_id)
            if found is None:
                raise
            return found
        return stay

    def close_stay(
        self, circle_id: uuid.UUID, member_id: uuid.UUID, at: datetime, by: uuid.UUID | None
    ) -> None:
        self.db.execute(
            update(CircleMembership)
            .where(
                *self._of(circle_id),
                CircleMembership.member_id == member_id,
                CircleMembership.left_at.is_(None),
            )
            .values(left_at=at, removed_by=by)
        )

    def stays(
        self,
        circle_id: uuid.UUID,
        *,
        start: datetime | None,
        end: datetime | None,
        limit: int,
        offset: int,
    ) -> list[Row[CircleMembership, str, str]]:
        """Stays with the member's name, in the order they began: the open ones when no span
        is given, else those overlapping [start, end). One row past the page."""
        query = (
            select(CircleMembership, Member.first_name, Member.last_name)
            .join(
                Member,
                (Member.tenant_id == CircleMembership.tenant_id)
                & (Member.id == CircleMembership.member_id),
            )
            .where(*self._of(circle_id))
        )
        if start is None or end is None:
            query = query.where(CircleMembership.left_at.is_(None))
        else:
            query = query.where(
                CircleMembership.joined_at < end,
                or_(CircleMembership.left_at.is_(None), CircleMembership.left_at > start),
            )
        query = query.order_by(CircleMembership.joined_at, CircleMembership.id)
        return list(self.db.execute(query.limit(limit + 1).offset(offset)).all())

    def member_ids_at(self, circle_id: uuid.UUID, moment: datetime) -> list[uuid.UUID]:
        query = (
            select(CircleMembership.member_id)
            .where(
                *self._of(circle_id),
                CircleMembership.joined_at <= moment,
                or_(CircleMembership.left_at.is_(None), CircleMembership.left_at > moment),
            )
            .order_by(CircleMembership.joined_at, CircleMembership.member_id)
        )
        return list(dict.fromkeys(self.db.execute(query).scalars()))

    def my_circles(
        self, member_id: uuid.UUID, *, limit: int, offset: int
    ) -> list[Row[Circle, datetime]]:
        query = (
            select(Circle, CircleMembership.joined_at)
            .join(
                CircleMembership,
                (CircleMembership.tenant_id == Circle.tenant_id)
                & (CircleMembership.circle_id == Circle.id),
            )
            .where(
                Circle.tenant_id == self.tenant_id,
                Circle.archived_at.is_(None),
                CircleMembership.member_id == member_id,
                CircleMembership.left_at.is_(None),
            )
            .order_by(Circle.name, Circle.id)
        )
        return list(self.db.execute(query.limit(limit + 1).offset(offset)).all())

    def in_circle(self, member_id: uuid.UUID) -> ColumnElement[bool]:
        """The condition that a circle (in a query of circles) has the member in it now."""
        return exists().where(
            CircleMembership.tenant_id == Circle.tenant_id,
            CircleMembership.circle_id == Circle.id,
            CircleMembership.member_id == member_id,
            CircleMembership.left_at.is_(None),
        )


class AnnouncementRepository:
    def __init__(self, db: Any, tenant_id: uuid.UUID) -> None:
        self.db = db
        self.tenant_id = tenant_id

    def add(self, announcement: CircleAnnouncement) -> CircleAnnouncement:
        announcement.tenant_id = self.tenant_id
        self.db.add(announcement)
        return announcement

    def newest_first(
        self, circle_id: uuid.UUID, *, limit: int, offset: int
    ) -> list[CircleAnnouncement]:
        query = (
            select(CircleAnnouncement)
            .where(
                CircleAnnouncement.tenant_id == self.tenant_id,
                CircleAnnouncement.circle_id == circle_id,
            )
            .order_by(CircleAnnouncement.created_at.desc(), CircleAnnouncement.id.desc())
            .limit(limit + 1)
            .offset(offset)
        )
        return list(self.db.execute(query).scalars())


#: The challenges table, named rather than imported: challenges build on circles (teams,
#: who may join), so circles may not import them back.
_CHALLENGES = table("challenges", column("tenant_id", Uuid()), column("id", Uuid()))


def challenge_exists(db: Any, tenant_id: uuid.UUID, challenge_id: uuid.UUID) -> bool:
    """Whether the tenant has this challenge (an announcement may link one)."""
    found = db.execute(
        select(_CHALLENGES.c.id).where(
            _CHALLENGES.c.tenant_id == tenant_id, _CHALLENGES.c.id == challenge_id
        )
    ).first()
    return found is not None
