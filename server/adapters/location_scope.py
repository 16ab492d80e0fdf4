"""Places the resources a request names at their locations, with one small query each, for
staff whose role is limited to some locations (others never get here: their claims say
they see the whole tenant).

What belongs to a location: the location itself, its class sessions and series, their
bookings and the penalties of those, its check-ins, its kiosks and their review items, the
sales made there, the movement recorded there, and the circles tied to it (a tenant-wide
circle belongs to none).
Members are the tenant's people: a limited member of staff reaches a member whose home is
one of their locations, who has none, or who has checked in or booked at one of them;
and through the member, the member's memberships, passes and journey enrolments.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping

from sqlalchemy import Select, select, union
from sqlalchemy.orm import Session

from server.bookings.models import Booking, Penalty
from server.checkin.models import Checkin
from server.circles.models import Circle
from server.db.uow import UnitOfWork
from server.devices.models import Device
from server.engagement.models import MovementEvent
from server.errors import NotFound
from server.journeys.models import JourneyEnrolment
from server.members.models import Member
from server.passes.models import MemberPass
from server.plans.models import Membership, Sale
from server.ports.identity import AccessClaims
from server.scheduling.models import ClassSession, Schedule
from server.sync.models import ReviewItem
from server.tenants.models import Location

#: The locations a resource belongs to; None when there is no such resource (the route
#: answers for it); an empty set when it belongs to none (every limited caller reaches it).
_Places = frozenset[uuid.UUID] | None
_Resolver = Callable[[Session, uuid.UUID, uuid.UUID], _Places]


def _one(db: Session, statement: Select[uuid.UUID]) -> _Places:
    found = db.execute(statement).scalar_one_or_none()
    return None if found is None else frozenset({found})


def _location(db: Session, tenant_id: uuid.UUID, id_: uuid.UUID) -> _Places:
    return _one(db, select(Location.id).where(Location.tenant_id == tenant_id, Location.id == id_))


def _session(db: Session, tenant_id: uuid.UUID, id_: uuid.UUID) -> _Places:
    return _one(
        db,
        select(ClassSession.location_id).where(
            ClassSession.tenant_id == tenant_id, ClassSession.id == id_
        ),
    )


def _schedule(db: Session, tenant_id: uuid.UUID, id_: uuid.UUID) -> _Places:
    return _one(
        db, select(Schedule.location_id).where(Schedule.tenant_id == tenant_id, Schedule.id == id_)
    )


def _booking(db: Session, tenant_id: uuid.UUID, id_: uuid.UUID) -> _Places:
    return _one(
        db,
        select(ClassSession.location_id)
        .join(
            Booking,
            (Booking.tenant_id == ClassSession.tenant_id) & (Booking.session_id == ClassSession.id),
        )
        .where(Booking.tenant_id == tenant_id, Booking.id == id_),
    )


def _penalty(db: Session, tenant_id: uuid.UUID, id_: uuid.UUID) -> _Places:
    booking = db.execute(
        select(Penalty.booking_id).where(Penalty.tenant_id == tenant_id, Penalty.id == id_)
    ).scalar_one_or_none()
    return None if booking is None else _booking(db, tenant_id, booking)


def _checkin(db: Session, tenant_id: uuid.UUID, id_: uuid.UUID) -> _Places:
    return _one(
        db, select(Checkin.location_id).where(Checkin.tenant_id == tenant_id, Checkin.id == id_)
    )


def _device(db: Session, tenant_id: uuid.UUID, id_: uuid.UUID) -> _Places:
    return _one(
        db, select(Device.location_id).where(Device.tenant_id == tenant_id, Device.id == id_)
    )


def _review_item(db: Session, tenant_id: uuid.UUID, id_: uuid.UUID) -> _Places:
    return _one(
        db,
        select(ReviewItem.location_id).where(
            ReviewItem.tenant_id == tenant_id, ReviewItem.id == id_
        ),
    )


def _circle(db: Session, tenant_id: uuid.UUID, id_: uuid.UUID) -> _Places:
    found = db.execute(
        select(Circle.location_id).where(Circle.tenant_id == tenant_id, Circle.id == id_)
    ).one_or_none()
    if found is None:
        return None
    return frozenset() if found[0] is None else frozenset({found[0]})


def _member(db: Session, tenant_id: uuid.UUID, id_: uuid.UUID) -> _Places:
    home = db.execute(
        select(Member.home_location_id).where(Member.tenant_id == tenant_id, Member.id == id_)
    ).one_or_none()
    if home is None:
        return None
    if home[0] is None:
        return frozenset()
    visited = union(
        select(Checkin.location_id).where(Checkin.tenant_id == tenant_id, Checkin.member_id == id_),
        select(ClassSession.location_id)
        .join(
            Booking,
            (Booking.tenant_id == ClassSession.tenant_id) & (Booking.session_id == ClassSession.id),
        )
        .where(Booking.tenant_id == tenant_id, Booking.member_id == id_),
    )
    return frozenset({home[0], *db.execute(visited).scalars()})


def _membership(db: Session, tenant_id: uuid.UUID, id_: uuid.UUID) -> _Places:
    member_id = db.execute(
        select(Membership.member_id).where(Membership.tenant_id == tenant_id, Membership.id == id_)
    ).scalar_one_or_none()
    return None if member_id is None else _member(db, tenant_id, member_id)


def _pass(db: Session, tenant_id: uuid.UUID, id_: uuid.UUID) -> _Places:
    member_id = db.execute(
        select(MemberPass.member_id).where(MemberPass.tenant_id == tenant_id, MemberPass.id == id_)
    ).scalar_one_or_none()
    return None if member_id is None else _member(db, tenant_id, member_id)


def _enrolment(db: Session, tenant_id: uuid.UUID, id_: uuid.UUID) -> _Places:
    """A journey enrolment belongs with its member."""
    member_id = db.execute(
        select(JourneyEnrolment.member_id).where(
            JourneyEnrolment.tenant_id == tenant_id, JourneyEnrolment.id == id_
        )
    ).scalar_one_or_none()
    return None if member_id is None else _member(db, tenant_id, member_id)


def _sale(db: Session, tenant_id: uuid.UUID, id_: uuid.UUID) -> _Places:
    return _one(db, select(Sale.location_id).where(Sale.tenant_id == tenant_id, Sale.id == id_))


def _movement_event(db: Session, tenant_id: uuid.UUID, id_: uuid.UUID) -> _Places:
    """Where it happened; an event of no location (a run outside) belongs with its member."""
    found = db.execute(
        select(MovementEvent.location_id, MovementEvent.member_id).where(
            MovementEvent.tenant_id == tenant_id, MovementEvent.id == id_
        )
    ).one_or_none()
    if found is None:
        return None
    if found[0] is not None:
        return frozenset({found[0]})
    return _member(db, tenant_id, found[1])


_RESOLVERS: dict[str, _Resolver] = {
    "location_id": _location,
    "session_id": _session,
    "schedule_id": _schedule,
    "booking_id": _booking,
    "penalty_id": _penalty,
    "checkin_id": _checkin,
    "device_id": _device,
    "review_item_id": _review_item,
    "member_id": _member,
    "membership_id": _membership,
    "pass_id": _pass,
    "sale_id": _sale,
    "movement_event_id": _movement_event,
    "circle_id": _circle,
    "enrolment_id": _enrolment,
}


class SqlLocationScope:
    parameters = frozenset(_RESOLVERS)

    def check(self, uow: UnitOfWork, claims: AccessClaims, ids: Mapping[str, uuid.UUID]) -> None:
        scope = claims.location_ids
        if scope is None:
            return
        with uow:
            for name, id_ in ids.items():
                resolver = _RESOLVERS.get(name)
                places = None if resolver is None else resolver(uow.db, claims.tenant_id, id_)
                if places and not places & scope:
                    raise NotFound(
                        f"{name.removesuffix('_id').replace('_', ' ')} {id_} was not found"
                    )
