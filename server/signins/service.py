"""Sign-ins for staff and members alike: a short-lived access token plus a refresh token
that is stored only as a hash, rotated on every use, and whose reuse ends every sign-in of
the account (it must have leaked)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from server.config import Settings
from server.db.uow import UnitOfWork
from server.errors import Unauthenticated
from server.ports.identity import AccessClaims, AccessGrants, IdentityService
from server.signins.models import RefreshToken
from server.signins.repository import RefreshTokenRepository
from server.signins.schemas import TokenPair
from shared.clock import utcnow
from shared.enums import PrincipalKind
from shared.ids import new_id

ENDED = "this sign-in has ended; sign in again"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _refused() -> Unauthenticated:
    return Unauthenticated(ENDED, code="invalid_refresh_token")


def issue_pair(
    *, uow: UnitOfWork, identity: IdentityService, settings: Settings, claims: AccessClaims
) -> TokenPair:
    """Access and refresh tokens for ``claims``' subject; the caller commits."""
    access, _ = identity.issue_access_token(claims, settings.access_token_ttl_seconds)
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    token = RefreshTokenRepository(uow.db, claims.tenant_id).add(
        RefreshToken(
            id=new_id(),
            subject_kind=claims.kind.value,
            subject_id=claims.subject_id,
            token_hash=_sha256(secret),
            issued_at=now,
            expires_at=now + timedelta(seconds=settings.refresh_token_ttl_seconds),
        )
    )
    return TokenPair(
        access_token=access,
        refresh_token=f"rt.{claims.tenant_id.hex}.{token.id.hex}.{secret}",
        expires_in=settings.access_token_ttl_seconds,
    )


def _parse(token: str) -> tuple[uuid.UUID, uuid.UUID, str]:
    try:
        prefix, tenant_hex, token_hex, secret = token.split(".", 3)
        if prefix != "rt":
            raise ValueError
        return uuid.UUID(hex=tenant_hex), uuid.UUID(hex=token_hex), secret
    except ValueError:
        raise _refused() from None


def rotate(
    *,
    uow: UnitOfWork,
    identity: IdentityService,
    settings: Settings,
    refresh_token: str,
    kind: PrincipalKind,
    claims_of: Callable[[UnitOfWork, uuid.UUID, uuid.UUID], AccessClaims | None],
) -> TokenPair:
    """A new pair for a live refresh token of ``kind``. ``claims_of(uow, tenant, subject)``
    says who the subject is now, or None when they may no longer sign in."""
    tenant_id, token_id, secret = _parse(refresh_token)
    with uow:
        tokens = RefreshTokenRepository(uow.db, tenant_id)
        row = tokens.get(token_id)
        now = utcnow()
        if (
            row is None
            or row.subject_kind != kind.value
            or not hmac.compare_digest(row.token_hash, _sha256(secret))
        ):
            raise _refused()
        if row.revoked_at is not None:
            # A rotated token used again means it leaked: end every sign-in of that account.
            tokens.revoke_all_of(row.subject_id, now)
            uow.commit()
            raise _refused()
        if row.expires_at <= now or not tokens.revoke_if_live(token_id, now):
            raise _refused()
        claims = claims_of(uow, tenant_id, row.subject_id)
        if claims is None:
            raise _refused()
        pair = issue_pair(uow=uow, identity=identity, settings=settings, claims=claims)
        uow.commit()
        return pair


def end_every_sign_in(
    *, uow: UnitOfWork, grants: AccessGrants, claims: AccessClaims, account: type[Any]
) -> None:
    """Log out everywhere: the caller's refresh tokens end, and the generation of their
    account (``account``: the staff or member model, with ``token_generation``) moves on,
    so their access tokens stop working on the next request."""
    with uow:
        RefreshTokenRepository(uow.db, claims.tenant_id).revoke_all_of(claims.subject_id, utcnow())
        uow.db.execute(
            update(account)
            .where(account.tenant_id == claims.tenant_id, account.id == claims.subject_id)
            .values(token_generation=account.token_generation + 1)
            .execution_options(synchronize_session=False)
        )
        uow.commit()
    grants.forget(claims.kind, claims.tenant_id, claims.subject_id)
