"""Sign-ins for staff and members alike: a short-lived access token plus a refresh token
that is stored only as a hash, rotated on every use, and whose reuse ends every sign-in of
the account (it must have leaked)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
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
#: How long a cookie's refresh token just rotated may be used again without being taken for
#: a leaked one: two requests of one browser that both found the access cookie expired (a
#: page and its poll) both renew it, and the slower one still holds the old token. The API's
#: clients keep their tokens themselves and get no grace.
COOKIE_REUSE_GRACE = timedelta(seconds=30)
#: Rotations followed to find whether a grace token's sign-in still lives (within the
#: window a browser rotates a handful of times at most).
_CHAIN = 16


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _refused() -> Unauthenticated:
    return Unauthenticated(ENDED, code="invalid_refresh_token")


def issue_pair(
    *,
    uow: UnitOfWork,
    identity: IdentityService,
    settings: Settings,
    claims: AccessClaims,
    token_id: uuid.UUID | None = None,
) -> TokenPair:
    """Access and refresh tokens for ``claims``' subject; the caller commits."""
    access, _ = identity.issue_access_token(claims, settings.access_token_ttl_seconds)
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    token = RefreshTokenRepository(uow.db, claims.tenant_id).add(
        RefreshToken(
            id=token_id or new_id(),
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
    reuse_grace: timedelta = timedelta(0),
) -> TokenPair:
    """A new pair for a live refresh token of ``kind``. ``claims_of(uow, tenant, subject)``
    says who the subject is now, or None when they may no longer sign in. Within
    ``reuse_grace`` of its rotation, a token whose sign-in lives on gets a pair of its own
    (see ``COOKIE_REUSE_GRACE``); any other reuse is taken for a leak."""
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
        successor: uuid.UUID | None = None
        if row.revoked_at is None and row.expires_at > now:
            successor = new_id()
            if not tokens.revoke_if_live(token_id, now, replaced_by=successor):
                # Another request rotated it between our read and our update.
                successor = None
                uow.db.refresh(row)
        if successor is None and not _rotated_lately(tokens, row, now, reuse_grace):
            if row.revoked_at is not None:
                # A rotated token used again means it leaked: end every sign-in of that
                # account.
                tokens.revoke_all_of(row.subject_id, now)
                uow.commit()
            raise _refused()
        claims = claims_of(uow, tenant_id, row.subject_id)
        if claims is None:
            raise _refused()
        pair = issue_pair(
            uow=uow, identity=identity, settings=settings, claims=claims, token_id=successor
        )
        uow.commit()
        return pair


def _rotated_lately(
    tokens: RefreshTokenRepository, row: RefreshToken, now: datetime, grace: timedelta
) -> bool:
    """Whether ``row`` was rotated (not ended) within ``grace``, and the sign-in it was
    rotated into still lives: a sign-out since then ends the grace too. Such a reuse is two
    requests that renewed the same cookie at once (a page and its poll): the later one gets
    a pair of its own rather than ending the sign-in."""
    if row.replaced_by is None or row.revoked_at is None or now - row.revoked_at > grace:
        return False
    successor = tokens.get(row.replaced_by)
    for _ in range(_CHAIN):
        if successor is None or successor.expires_at <= now:
            return False
        if successor.revoked_at is None:
            return True
        if successor.replaced_by is None:
            return False
        successor = tokens.get(successor.replaced_by)
    return False


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
