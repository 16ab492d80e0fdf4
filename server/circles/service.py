"""Use cases of circles for staff: create, change, archive, list, manage members, and
announce. One use case is one transaction."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select

from server.circles import rules
from server.circles.models import Circle, CircleAnnouncement
from server.circles.repository import (
    AnnouncementRepository,
    CircleRepository,
    MembershipRepository,
    challenge_exists,
    open_to_members,
    within_locations,
)
from server.circles.schemas import (
    AnnouncementCreate,
    AnnouncementPage,
    AnnouncementRead,
    CircleCreate,
    CircleMemberPage,
    CircleMemberRead,
    CirclePage,
    CircleRead,
    CircleUpdate,
)
from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.members.models import Member
from server.ports.identity import AccessClaims
from server.staff.models import StaffAccount
from server.tenants.models import Location
from shared.clock import utcnow
from shared.enums import PrincipalKind

_UTC = ZoneInfo("UTC")


def _is_staff(claims: AccessClaims) -> bool:
    return claims.kind is PrincipalKind.STAFF


def staff_circle(db: Any, claims: AccessClaims, circle_id: uuid.UUID) -> Circle:
    """A circle as staff reach it: another location's is not found, as another tenant's."""
    circle = CircleRepository(db, claims.tenant_id).get_or_404(circle_id)
    if circle.location_id is not None and not claims.sees_location(circle.location_id):
        raise NotFound(f"circle {circle_id} was not found")
    return circle


def member_circle(db: Any, claims: AccessClaims, circle_id: uuid.UUID) -> Circle:
    """A circle as a member reaches it: archived ones are gone for members."""
    circle = CircleRepository(db, claims.tenant_id).get_or_404(circle_id)
    if circle.archived_at is not None:
        raise NotFound(f"circle {circle_id} was not found")
    return circle


def _managed(db: Any, claims: AccessClaims, circle_id: uuid.UUID) -> Circle:
    circle = staff_circle(db, claims, circle_id)
    if not rules.manages(claims.role, claims.subject_id, circle.leader_id):
        raise Forbidden("only owners, managers and the coach who leads this circle change it")
    return circle


def _live(circle: Circle) -> None:
    if circle.archived_at is not None:
        raise Conflict(f"circle {circle.id} is archived", code="circle_archived")


def _check_location(db: Any, claims: AccessClaims, location_id: uuid.UUID | None) -> None:
    if location_id is None:
        if claims.location_ids is not None:
            raise InvalidInput("location_id: tie the circle to one of your locations")
        return
    found = db.execute(
        select(Location.id).where(
            Location.tenant_id == claims.tenant_id,
            Location.id == location_id,
            Location.archived_at.is_(None),
        )
    ).scalar_one_or_none()
    if found is None or not claims.sees_location(location_id):
        raise NotFound(f"location {location_id} was not found")


def _check_leader(db: Any, claims: AccessClaims, leader_id: uuid.UUID | None) -> None:
    if leader_id is None:
        return
    found = db.execute(
        select(StaffAccount.id).where(
            StaffAccount.tenant_id == claims.tenant_id,
            StaffAccount.id == leader_id,
            StaffAccount.active.is_(True),
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"staff {leader_id} was not found")


def create_circle(*, uow: UnitOfWork, claims: AccessClaims, cmd: CircleCreate) -> CircleRead:
    leader_id = cmd.leader_id
    if leader_id is None and not rules.manages(claims.role, claims.subject_id, None):
        leader_id = claims.subject_id  # a coach's circle is theirs to lead
    if not rules.may_create(claims.role, claims.subject_id, leader_id):
        raise Forbidden("owners and managers create circles; a coach only one they lead")
    with uow:
        _check_location(uow.db, claims, cmd.location_id)
        _check_leader(uow.db, claims, leader_id)
        circle = Circle(
            name=cmd.name,
            interest=cmd.interest,
            description=cmd.description or None,
            location_id=cmd.location_id,
            invite_only=cmd.invite_only,
            leader_id=leader_id,
            created_by=claims.subject_id,
        )
        CircleRepository(uow.db, claims.tenant_id).add(circle)
        uow.flush()
        read = CircleRead.model_validate(circle)
        uow.commit()
        return read


def update_circle(
    *, uow: UnitOfWork, claims: AccessClaims, circle_id: uuid.UUID, cmd: CircleUpdate
) -> CircleRead:
    changes = cmd.model_dump(exclude_unset=True)
    for field in ("name", "interest", "invite_only"):
        if field in changes and changes[field] is None:
            raise InvalidInput(f"{field}: may not be null")
    with uow:
        circle = _managed(uow.db, claims, circle_id)
        if "location_id" in changes:
            _check_location(uow.db, claims, changes["location_id"])
        if "leader_id" in changes:
            _check_leader(uow.db, claims, changes["leader_id"])
            if not rules.manages(claims.role, claims.subject_id, changes["leader_id"]):
                raise Forbidden("a coach cannot hand a circle to someone else")
        if "description" in changes:
            changes["description"] = changes["description"] or None
        for field, value in changes.items():
            setattr(circle, field, value)
        uow.flush()
        read = CircleRead.model_validate(circle)
        uow.commit()
        return read


def archive_circle(*, uow: UnitOfWork, claims: AccessClaims, circle_id: uuid.UUID) -> None:
    """Archiving twice changes nothing; members stop seeing the circle at once."""
    with uow:
        circle = _managed(uow.db, claims, circle_id)
        if circle.archived_at is None:
            circle.archived_at = utcnow()
        uow.commit()


def get_circle(*, uow: UnitOfWork, claims: AccessClaims, circle_id: uuid.UUID) -> CircleRead:
    with uow:
        if _is_staff(claims):
            return CircleRead.model_validate(staff_circle(uow.db, claims, circle_id))
        return CircleRead.model_validate(member_circle(uow.db, claims, circle_id))


def list_circles(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    interest: str | None,
    location_id: uuid.UUID | None,
    include_archived: bool,
    limit: int,
    offset: int,
) -> CirclePage:
    """Staff: every circle of their locations (and the tenant-wide ones); members: the
    open circles they may join."""
    where: list[ColumnElement[bool]] = []
    if _is_staff(claims):
        where += within_locations(claims.location_ids)
        if not include_archived:
            where.append(Circle.archived_at.is_(None))
    else:
        where += open_to_members()
    if interest is not None:
        where.append(Circle.interest == interest.strip().lower())
    if location_id is not None:
        where.append(Circle.location_id == location_id)
    with uow:
        rows = CircleRepository(uow.db, claims.tenant_id).page(
            where=where, limit=limit, offset=offset
        )
        return CirclePage(
            items=[CircleRead.model_validate(row) for row in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def _zone(db: Any, circle: Circle) -> ZoneInfo:
    """A circle's days are its location's; a tenant-wide circle's are UTC days."""
    if circle.location_id is None:
        return _UTC
    name = db.execute(
        select(Location.timezone).where(
            Location.tenant_id == circle.tenant_id, Location.id == circle.location_id
        )
    ).scalar_one()
    return ZoneInfo(name)


def list_members(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    circle_id: uuid.UUID,
    on: date | None,
    limit: int,
    offset: int,
) -> CircleMemberPage:
    """Current members, in the order they joined; with ``on``, everyone who was a member
    at some moment of that day in the circle's zone."""
    with uow:
        circle = staff_circle(uow.db, claims, circle_id)
        if not rules.sees_members(claims.role, claims.subject_id, circle.leader_id):
            raise Forbidden("a coach sees the members of the circles they lead")
        start: datetime | None = None
        end: datetime | None = None
        if on is not None:
            start, end = rules.day_span(on, _zone(uow.db, circle))
        rows = MembershipRepository(uow.db, claims.tenant_id).stays(
            circle_id, start=start, end=end, limit=limit, offset=offset
        )
        return CircleMemberPage(
            items=[_member_read(row[0], row[1], row[2]) for row in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def _member_read(stay: Any, first_name: str, last_name: str) -> CircleMemberRead:
    return CircleMemberRead(
        id=stay.id,
        circle_id=stay.circle_id,
        member_id=stay.member_id,
        first_name=first_name,
        last_name=last_name,
        joined_at=stay.joined_at,
        left_at=stay.left_at,
        added_by=stay.added_by,
    )


def _member(
    db: Any, tenant_id: uuid.UUID, member_id: uuid.UUID, *, archived_too: bool = False
) -> Member:
    """The member; an archived one joins nothing, but may still be taken out."""
    member: Member | None = db.execute(
        select(Member).where(Member.tenant_id == tenant_id, Member.id == member_id)
    ).scalar_one_or_none()
    if member is None or (member.archived_at is not None and not archived_too):
        raise NotFound(f"member {member_id} was not found")
    return member


def add_member(
    *, uow: UnitOfWork, claims: AccessClaims, circle_id: uuid.UUID, member_id: uuid.UUID
) -> CircleMemberRead:
    """Adding someone who is in already changes nothing (the same stay is answered)."""
    with uow:
        circle = _managed(uow.db, claims, circle_id)
        _live(circle)
        member = _member(uow.db, claims.tenant_id, member_id)
        stay = MembershipRepository(uow.db, claims.tenant_id).open_stay(
            circle_id, member_id, utcnow(), claims.subject_id
        )
        uow.flush()
        read = _member_read(stay, member.first_name, member.last_name)
        uow.commit()
        return read


def remove_member(
    *, uow: UnitOfWork, claims: AccessClaims, circle_id: uuid.UUID, member_id: uuid.UUID
) -> None:
    """Ends the member's stay (kept in the history); someone not in it is left as is."""
    with uow:
        _managed(uow.db, claims, circle_id)
        _member(uow.db, claims.tenant_id, member_id, archived_too=True)
        MembershipRepository(uow.db, claims.tenant_id).close_stay(
            circle_id, member_id, utcnow(), claims.subject_id
        )
        uow.commit()


def member_ids_at(
    *, uow: UnitOfWork, tenant_id: uuid.UUID, circle_id: uuid.UUID, moment: datetime
) -> list[uuid.UUID]:
    """Who was in the circle at ``moment``, in the order they joined (a circle as a team)."""
    with uow:
        CircleRepository(uow.db, tenant_id).get_or_404(circle_id)
        return MembershipRepository(uow.db, tenant_id).member_ids_at(circle_id, moment)


def announce(
    *, uow: UnitOfWork, claims: AccessClaims, circle_id: uuid.UUID, cmd: AnnouncementCreate
) -> AnnouncementRead:
    with uow:
        circle = _managed(uow.db, claims, circle_id)
        _live(circle)
        if cmd.challenge_id is not None and not challenge_exists(
            uow.db, claims.tenant_id, cmd.challenge_id
        ):
            raise NotFound(f"challenge {cmd.challenge_id} was not found")
        announcement = AnnouncementRepository(uow.db, claims.tenant_id).add(
            CircleAnnouncement(
                circle_id=circle_id,
                title=cmd.title,
                body=cmd.body,
                challenge_id=cmd.challenge_id,
                created_by=claims.subject_id,
                created_at=utcnow(),
            )
        )
        uow.flush()
        read = AnnouncementRead.model_validate(announcement)
        uow.commit()
        return read


def announcements(
    *, uow: UnitOfWork, claims: AccessClaims, circle_id: uuid.UUID, limit: int, offset: int
) -> AnnouncementPage:
    """Newest first, for staff who reach the circle and for its current members."""
    with uow:
        if _is_staff(claims):
            staff_circle(uow.db, claims, circle_id)
        else:
            member_circle(uow.db, claims, circle_id)
            if not MembershipRepository(uow.db, claims.tenant_id).is_member(
                circle_id, claims.subject_id
            ):
                raise Forbidden(
                    "only the circle's members read its announcements: join it first",
                    code="not_a_member",
                )
        rows = AnnouncementRepository(uow.db, claims.tenant_id).newest_first(
            circle_id, limit=limit, offset=offset
        )
        return AnnouncementPage(
            items=[AnnouncementRead.model_validate(row) for row in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )
