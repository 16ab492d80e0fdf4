"""Use cases of a member with circles: join, leave, and the circles they are in."""

from __future__ import annotations

import uuid

from server.circles.repository import MembershipRepository
from server.circles.schemas import CircleRead, MyCirclePage, MyCircleRead
from server.circles.service import member_circle
from server.db.uow import UnitOfWork
from server.errors import Forbidden
from server.ports.identity import AccessClaims
from shared.clock import utcnow


def join(*, uow: UnitOfWork, claims: AccessClaims, circle_id: uuid.UUID) -> MyCircleRead:
    """Joining a circle one is in already changes nothing; an invite-only circle takes
    members only from staff."""
    with uow:
        circle = member_circle(uow.db, claims, circle_id)
        memberships = MembershipRepository(uow.db, claims.tenant_id)
        current = memberships.current(circle_id, claims.subject_id)
        if current is None and circle.invite_only:
            raise Forbidden(
                "this circle is invite-only: ask the staff to add you", code="invite_only"
            )
        stay = current or memberships.open_stay(circle_id, claims.subject_id, utcnow(), None)
        uow.flush()
        read = MyCircleRead(circle=CircleRead.model_validate(circle), joined_at=stay.joined_at)
        uow.commit()
        return read


def leave(*, uow: UnitOfWork, claims: AccessClaims, circle_id: uuid.UUID) -> None:
    """Leaving a circle one is not in changes nothing."""
    with uow:
        member_circle(uow.db, claims, circle_id)
        MembershipRepository(uow.db, claims.tenant_id).close_stay(
            circle_id, claims.subject_id, utcnow(), None
        )
        uow.commit()


def my_circles(*, uow: UnitOfWork, claims: AccessClaims, limit: int, offset: int) -> MyCirclePage:
    """The circles the member is in now, by name."""
    with uow:
        rows = MembershipRepository(uow.db, claims.tenant_id).my_circles(
            claims.subject_id, limit=limit, offset=offset
        )
        return MyCirclePage(
            items=[
                MyCircleRead(circle=CircleRead.model_validate(row[0]), joined_at=row[1])
                for row in rows[:limit]
            ],
            next_offset=offset + limit if len(rows) > limit else None,
        )
