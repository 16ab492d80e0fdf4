"""Corporate admins: invited by the provider's owners and managers with a one-time link to
choose a password, signed in with the console's own sign-in (same lock-out), and ended by
deactivation, which ends their sign-ins at once."""

from __future__ import annotations

import hmac
import logging
import uuid
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import select

from server.config import Settings
from server.corporate.access import MANAGING, visible_account
from server.corporate.models import CorporateAccount, CorporateAdmin
from server.corporate.repository import CorporateRepository
from server.corporate.schemas import (
    AdminInvite,
    AdminPage,
    AdminPasswordSet,
    AdminRead,
    AdminSignIn,
)
from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound, Unauthenticated
from server.notices import service as notices
from server.ports.identity import AccessClaims, AccessGrants, IdentityService
from server.ports.notifications import Notification, NotificationService
from server.signins import service as signins
from server.signins.repository import RefreshTokenRepository
from server.signins.schemas import TokenPair
from server.signins.throttle import BAD_LOGIN, DUMMY_HASH, SignInThrottle
from server.staff.repository import StaffRepository
from server.tenants.models import Tenant
from server.tenants.repository import tenant_by_slug
from shared.clock import utcnow
from shared.enums import PrincipalKind
from shared.ids import new_id
from shared.normalise import email_key
from shared.one_time_tokens import new_one_time_token, parse_one_time_token, sha256, valid_for

log = logging.getLogger("zmos.corporate")
TOKEN_PREFIX = "cpw"
INVITATION_TTL = timedelta(days=14)
BAD_LINK = "this invitation link is not valid; ask for a new one"
EXPIRED_LINK = "this invitation link has expired; ask for a new one"


def _read(admin: CorporateAdmin) -> AdminRead:
    return AdminRead(
        id=admin.id,
        email=admin.email,
        full_name=admin.full_name,
        active=admin.active,
        has_password=admin.password_hash is not None,
        last_signed_in_at=admin.last_signed_in_at,
    )


def claims_of(admin: CorporateAdmin) -> AccessClaims:
    return AccessClaims(
        kind=PrincipalKind.CORPORATE_ADMIN,
        subject_id=admin.id,
        tenant_id=admin.tenant_id,
        generation=admin.token_generation or 0,
    )


def token_generation_of(uow: UnitOfWork, tenant_id: uuid.UUID, admin_id: uuid.UUID) -> int | None:
    """The generation an admin's access tokens must carry; None once deactivated or once
    their account is archived."""
    row = uow.db.execute(
        select(CorporateAdmin.token_generation, CorporateAdmin.active, CorporateAccount.archived_at)
        .join(
            CorporateAccount,
            (CorporateAccount.tenant_id == CorporateAdmin.tenant_id)
            & (CorporateAccount.id == CorporateAdmin.account_id),
        )
        .where(CorporateAdmin.tenant_id == tenant_id, CorporateAdmin.id == admin_id)
    ).one_or_none()
    if row is None or not row.active or row.archived_at is not None:
        return None
    return int(row.token_generation)


def _managing(claims: AccessClaims) -> None:
    if claims.kind is not PrincipalKind.STAFF or claims.role not in MANAGING:
        raise Forbidden("Only owners and managers manage a company's admins.")


def list_admins(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    account_id: uuid.UUID,
    limit: int = 500,
    offset: int = 0,
) -> AdminPage:
    with uow:
        visible_account(uow.db, claims, account_id)
        # Another account is not found before any role is refused.
        _managing(claims)
        rows = CorporateRepository(uow.db, claims.tenant_id).admins(account_id)
        return AdminPage(
            items=[_read(a) for a in rows[offset : offset + limit]],
            next_offset=offset + limit if len(rows) > offset + limit else None,
        )


def invite_admin(
    *,
    uow: UnitOfWork,
    notifications: NotificationService,
    claims: AccessClaims,
    account_id: uuid.UUID,
    cmd: AdminInvite,
    public_url: str | None,
) -> AdminRead:
    """A new admin of the account, sent a link to choose their password. An address that is
    already an admin (of any account of the tenant) is a 409."""
    email = email_key(str(cmd.email))
    with uow:
        account = visible_account(uow.db, claims, account_id)
        # Another account is not found before any role is refused.
        _managing(claims)
        repo = CorporateRepository(uow.db, claims.tenant_id)
        if repo.admin_by_email(email) is not None:
            raise Conflict("this address is already a corporate admin", code="duplicate_email")
        admin = CorporateAdmin(
            id=new_id(),
            tenant_id=claims.tenant_id,
            account_id=account_id,
            email=email,
            full_name=cmd.full_name,
            active=True,
            token_generation=0,
        )
        token = _new_link(admin)
        uow.db.add(admin)
        tenant = uow.db.get(Tenant, claims.tenant_id)
        assert tenant is not None
        queued = _queue(
            uow, claims.tenant_id, _mail(admin, account.name, tenant, token, public_url)
        )
        uow.commit()
        read = _read(admin)
    notices.send_now(uow=uow, notifications=notifications, tenant_id=claims.tenant_id, ids=[queued])
    return read


def resend_admin_invitation(
    *,
    uow: UnitOfWork,
    notifications: NotificationService,
    claims: AccessClaims,
    account_id: uuid.UUID,
    admin_id: uuid.UUID,
    public_url: str | None,
) -> AdminRead:
    with uow:
        account = visible_account(uow.db, claims, account_id)
        # Another account is not found before any role is refused.
        _managing(claims)
        admin = _admin_of(uow, claims, account_id, admin_id)
        if admin.password_hash is not None:
            raise Conflict("this admin has chosen a password already", code="password_already_set")
        if not admin.active:
            raise Conflict("this admin is deactivated", code="deactivated")
        token = _new_link(admin)
        tenant = uow.db.get(Tenant, claims.tenant_id)
        assert tenant is not None
        queued = _queue(
            uow, claims.tenant_id, _mail(admin, account.name, tenant, token, public_url)
        )
        uow.commit()
        read = _read(admin)
    notices.send_now(uow=uow, notifications=notifications, tenant_id=claims.tenant_id, ids=[queued])
    return read


def deactivate_admin(
    *,
    uow: UnitOfWork,
    grants: AccessGrants,
    claims: AccessClaims,
    account_id: uuid.UUID,
    admin_id: uuid.UUID,
) -> AdminRead:
    """The admin may no longer sign in; every sign-in of theirs ends now."""
    with uow:
        visible_account(uow.db, claims, account_id)
        # Another account is not found before any role is refused.
        _managing(claims)
        admin = _admin_of(uow, claims, account_id, admin_id)
        admin.active = False
        admin.token_generation = (admin.token_generation or 0) + 1
        admin.invitation_hash = None
        RefreshTokenRepository(uow.db, claims.tenant_id).revoke_all_of(admin.id, utcnow())
        uow.commit()
        read = _read(admin)
    grants.forget(PrincipalKind.CORPORATE_ADMIN, claims.tenant_id, admin_id)
    return read


def _admin_of(
    uow: UnitOfWork, claims: AccessClaims, account_id: uuid.UUID, admin_id: uuid.UUID
) -> CorporateAdmin:
    admin = uow.db.get(CorporateAdmin, (claims.tenant_id, admin_id), with_for_update=True)
    if admin is None or admin.account_id != account_id:
        raise NotFound("corporate admin not found")
    return admin


def _new_link(admin: CorporateAdmin) -> str:
    token, token_hash = new_one_time_token(TOKEN_PREFIX, admin.tenant_id, admin.id)
    admin.invitation_hash = token_hash
    admin.invitation_expires_at = utcnow() + INVITATION_TTL
    return token


def admin_link(public_url: str | None, token: str) -> str | None:
    if not public_url:
        return None
    return f"{public_url.rstrip('/')}/manage/corporate/welcome?code={quote(token, safe='')}"


def _mail(
    admin: CorporateAdmin, account_name: str, tenant: Tenant, token: str, public_url: str | None
) -> Notification:
    link = admin_link(public_url, token)
    follow = (
        f"Open this link to choose your password (valid for {valid_for(INVITATION_TTL)}):\n\n"
        f"    {link}\n\nor enter this one-time code on the console's welcome page:\n\n"
        if link
        else f"Enter this one-time code with your new password (valid for "
        f"{valid_for(INVITATION_TTL)}):\n\n"
    )
    body = (
        f"Hello {admin.full_name},\n\n{tenant.name} made you an administrator of "
        f"{account_name}'s account.\n\n{follow}    {token}\n\n"
        f'Then sign in to the manager console with the short name "{tenant.slug}" and the '
        f"address {admin.email}.\n\nIf you did not expect this, ignore this message.\n"
    )
    subject = f"You are invited to {account_name}'s account at {tenant.name}"
    return Notification(to_email=admin.email, subject=subject, body=body)


def _queue(uow: UnitOfWork, tenant_id: uuid.UUID, mail: Notification) -> uuid.UUID:
    """Queue the invitation in the delivery log with the link it carries (secret: wiped
    once sent); sent after the commit (a lost email can be sent again, a lost change
    cannot), retried by the delivery job if it does not go at once."""
    return notices.mail(
        uow=uow,
        tenant_id=tenant_id,
        to_email=mail.to_email,
        subject=mail.subject,
        body=mail.body,
        topic="corporate.admin_invitation",
        secret=True,
    )


def set_password(
    *, uow: UnitOfWork, identity: IdentityService, grants: AccessGrants, cmd: AdminPasswordSet
) -> AdminRead:
    """Accept an invitation: the password is set, the link used up."""
    try:
        tenant_id, admin_id, secret = parse_one_time_token(TOKEN_PREFIX, cmd.token)
    except ValueError:
        raise InvalidInput(BAD_LINK, code="invalid_invitation") from None
    password_hash = identity.hash_password(cmd.password)
    with uow:
        admin = uow.db.get(CorporateAdmin, (tenant_id, admin_id), with_for_update=True)
        if (
            admin is None
            or not admin.active
            or admin.invitation_hash is None
            or not hmac.compare_digest(admin.invitation_hash, sha256(secret))
        ):
            raise InvalidInput(BAD_LINK, code="invalid_invitation")
        if admin.invitation_expires_at is None or admin.invitation_expires_at <= utcnow():
            raise Gone(EXPIRED_LINK, code="invitation_expired")
        admin.password_hash = password_hash
        admin.invitation_hash = None
        admin.invitation_expires_at = None
        admin.token_generation = (admin.token_generation or 0) + 1
        RefreshTokenRepository(uow.db, tenant_id).revoke_all_of(admin.id, utcnow())
        uow.commit()
        read = _read(admin)
    grants.forget(PrincipalKind.CORPORATE_ADMIN, tenant_id, admin_id)
    return read


def is_admin_address(uow: UnitOfWork, tenant_slug: str, email: str) -> bool:
    """Whether the sign-in's address names a corporate admin rather than staff (the
    console's one sign-in page serves both)."""
    with uow:
        tenant = tenant_by_slug(uow.db, tenant_slug.lower())
        if tenant is None:
            return False
        key = email_key(email)
        if CorporateRepository(uow.db, tenant.id).admin_by_email(key) is None:
            return False
        # An address that is staff too signs in as staff: the console is theirs.
        return StaffRepository(uow.db, tenant.id).by_email(key) is None


def login(
    *,
    uow: UnitOfWork,
    identity: IdentityService,
    settings: Settings,
    cmd: AdminSignIn,
    client: str,
) -> TokenPair:
    """Sign in with the staff sign-in's lock-out and the same answer for every failure."""
    email = email_key(str(cmd.email))
    with uow:
        tenant = tenant_by_slug(uow.db, cmd.tenant.lower())
        if tenant is None:
            identity.verify_password(DUMMY_HASH.get(identity), cmd.password)
            raise Unauthenticated(BAD_LOGIN, code="invalid_credentials")
        throttle = SignInThrottle(uow, tenant.id, email, client, utcnow())
        throttle.refuse_if_locked()
        admin = CorporateRepository(uow.db, tenant.id).admin_by_email(email)
        stored = admin.password_hash if admin is not None else None
        valid = identity.verify_password(stored or DUMMY_HASH.get(identity), cmd.password)
        live = admin is not None and token_generation_of(uow, tenant.id, admin.id) is not None
        if admin is None or stored is None or not valid or not live:
            throttle.fail(settings)
        throttle.succeed()
        admin.last_signed_in_at = utcnow()
        pair = signins.issue_pair(
            uow=uow, identity=identity, settings=settings, claims=claims_of(admin)
        )
        uow.commit()
        return pair


def _live_admin(uow: UnitOfWork, tenant_id: uuid.UUID, admin_id: uuid.UUID) -> AccessClaims | None:
    if token_generation_of(uow, tenant_id, admin_id) is None:
        return None
    admin = uow.db.get(CorporateAdmin, (tenant_id, admin_id))
    return claims_of(admin) if admin is not None else None


def refresh(
    *,
    uow: UnitOfWork,
    identity: IdentityService,
    settings: Settings,
    refresh_token: str,
    reuse_grace: timedelta = timedelta(0),
) -> TokenPair:
    return signins.rotate(
        uow=uow,
        identity=identity,
        settings=settings,
        refresh_token=refresh_token,
        kind=PrincipalKind.CORPORATE_ADMIN,
        reuse_grace=reuse_grace,
        claims_of=_live_admin,
    )


def logout(*, uow: UnitOfWork, grants: AccessGrants, claims: AccessClaims) -> None:
    signins.end_every_sign_in(uow=uow, grants=grants, claims=claims, account=CorporateAdmin)
