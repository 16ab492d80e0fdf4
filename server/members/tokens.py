"""Access and refresh tokens for members, through the same sign-ins as staff."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from server.config import Settings
from server.db.uow import UnitOfWork
from server.members.models import Member
from server.members.repository import MemberRepository
from server.ports.identity import AccessClaims, AccessGrants, IdentityService
from server.signins import service as signins
from server.signins.schemas import TokenPair
from shared.enums import PrincipalKind


def member_claims(member: Member) -> AccessClaims:
    return AccessClaims(
        kind=PrincipalKind.MEMBER,
        subject_id=member.id,
        tenant_id=member.tenant_id,
        generation=member.token_generation or 0,
    )


def token_generation_of(uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID) -> int | None:
    """The generation a member's access tokens must carry; None once archived."""
    row = uow.db.execute(
        select(Member.token_generation).where(
            Member.tenant_id == tenant_id, Member.id == member_id, Member.archived_at.is_(None)
        )
    ).one_or_none()
    return None if row is None else row.token_generation


def issue_tokens(
    *, uow: UnitOfWork, identity: IdentityService, settings: Settings, member: Member
) -> TokenPair:
    """Access and refresh tokens for ``member``; the caller commits."""
    return signins.issue_pair(
        uow=uow, identity=identity, settings=settings, claims=member_claims(member)
    )


def _verified_member(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID
) -> AccessClaims | None:
    member = MemberRepository(uow.db, tenant_id).get(member_id)
    return (
        member_claims(member)
        if member is not None and member.email_verified_at is not None
        else None
    )


def refresh(
    *,
    uow: UnitOfWork,
    identity: IdentityService,
    settings: Settings,
    refresh_token: str,
    reuse_grace: timedelta = timedelta(0),
) -> TokenPair:
    """A new pair for a member's refresh token; a rotated token used again ends every sign-in."""
    return signins.rotate(
        uow=uow,
        identity=identity,
        settings=settings,
        refresh_token=refresh_token,
        kind=PrincipalKind.MEMBER,
        reuse_grace=reuse_grace,
        claims_of=_verified_member,
    )


def logout(*, uow: UnitOfWork, grants: AccessGrants, claims: AccessClaims) -> None:
    """End every sign-in of the member: refresh tokens and access tokens alike."""
    signins.end_every_sign_in(uow=uow, grants=grants, claims=claims, account=Member)
