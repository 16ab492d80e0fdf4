"""Access and refresh tokens for members, in the same format as staff tokens."""

from __future__ import annotations

import hmac
import secrets
import uuid
from datetime import timedelta

from server.config import Settings
from server.db.uow import UnitOfWork
from server.errors import Unauthenticated
from server.members.models import Member
from server.members.repository import MemberRepository
from server.members.rules import sha256
from server.ports.identity import AccessClaims, IdentityService
from server.staff.models import RefreshToken
from server.staff.repository import RefreshTokenRepository
from server.staff.schemas import TokenPair
from shared.clock import utcnow
from shared.enums import PrincipalKind
from shared.ids import new_id

_BAD_REFRESH = "this sign-in has ended; sign in again"


def issue_tokens(
    *, uow: UnitOfWork, identity: IdentityService, settings: Settings, member: Member
) -> TokenPair:
    """Access and refresh tokens for ``member``; the caller commits."""
    claims = AccessClaims(
        kind=PrincipalKind.MEMBER, subject_id=member.id, tenant_id=member.tenant_id
    )
    access, _ = identity.issue_access_token(claims, settings.access_token_ttl_seconds)
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    token = RefreshTokenRepository(uow.session, member.tenant_id).add(
        RefreshToken(
            id=new_id(),
            subject_kind=PrincipalKind.MEMBER.value,
            subject_id=member.id,
            token_hash=sha256(secret),
            issued_at=now,
            expires_at=now + timedelta(seconds=settings.refresh_token_ttl_seconds),
        )
    )
    refresh_token = f"rt.{member.tenant_id.hex}.{token.id.hex}.{secret}"
    return TokenPair(
        access_token=access,
        refresh_token=refresh_token,
        expires_in=settings.access_token_ttl_seconds,
    )


def _parse(token: str) -> tuple[uuid.UUID, uuid.UUID, str]:
    try:
        prefix, tenant_hex, token_hex, secret = token.split(".", 3)
        if prefix != "rt":
            raise ValueError
        return uuid.UUID(hex=tenant_hex), uuid.UUID(hex=token_hex), secret
    except ValueError:
        raise Unauthenticated(_BAD_REFRESH, code="invalid_refresh_token") from None


def refresh(
    *, uow: UnitOfWork, identity: IdentityService, settings: Settings, refresh_token: str
) -> TokenPair:
    """A new pair for a member's refresh token; a rotated token used again ends every session."""
    tenant_id, token_id, secret = _parse(refresh_token)
    refused = Unauthenticated(_BAD_REFRESH, code="invalid_refresh_token")
    with uow:
        tokens = RefreshTokenRepository(uow.session, tenant_id)
        row = tokens.get(token_id)
        now = utcnow()
        if (
            row is None
            or row.subject_kind != PrincipalKind.MEMBER.value
            or not hmac.compare_digest(row.token_hash, sha256(secret))
        ):
            raise refused
        if row.revoked_at is not None:
            tokens.revoke_all_of(row.subject_id, now)
            uow.commit()
            raise refused
        if row.expires_at <= now or not tokens.revoke_if_live(token_id, now):
            raise refused
        member = MemberRepository(uow.session, tenant_id).get(row.subject_id)
        if member is None or member.email_verified_at is None:
            raise refused
        pair = issue_tokens(uow=uow, identity=identity, settings=settings, member=member)
        uow.commit()
        return pair
