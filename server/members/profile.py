"""A member's own profile: read it and change what is theirs to change."""

from __future__ import annotations

from typing import Any

from server.db.uow import UnitOfWork
from server.errors import InvalidInput, NotFound
from server.members.models import Member
from server.members.repository import MemberRepository
from server.members.schemas import MemberProfile, MemberProfileUpdate
from server.ports.identity import AccessClaims

_GONE = "your member account no longer exists"


def _profile(member: Member) -> MemberProfile:
    return MemberProfile(
        id=member.id,
        first_name=member.first_name,
        last_name=member.last_name,
        email=member.email,
        phone=member.phone,
        date_of_birth=member.date_of_birth,
        fitness_goals=list(member.fitness_goals or []),
        preferences=dict(member.preferences or {}),
        emergency_contact=member.emergency_contact,
        home_location_id=member.home_location_id,
    )


def get_profile(*, uow: UnitOfWork, claims: AccessClaims) -> MemberProfile:
    with uow:
        member = MemberRepository(uow.db, claims.tenant_id).get(claims.subject_id)
        if member is None:
            raise NotFound(_GONE)
        return _profile(member)


def update_profile(
    *, uow: UnitOfWork, claims: AccessClaims, cmd: MemberProfileUpdate
) -> MemberProfile:
    changes = cmd.model_dump(exclude_unset=True)
    for required in ("first_name", "last_name"):
        if required in changes and changes[required] is None:
            raise InvalidInput(f"{required} cannot be empty")
    defaults: dict[str, Any] = {"fitness_goals": [], "preferences": {}}
    with uow:
        member = MemberRepository(uow.db, claims.tenant_id).get(claims.subject_id, for_update=True)
        if member is None:
            raise NotFound(_GONE)
        for field, value in changes.items():
            setattr(member, field, defaults.get(field) if value is None else value)
        uow.commit()
        return _profile(member)
