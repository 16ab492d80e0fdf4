"""Setting a staff password by email: resets asked for at the console's sign-in, and
invitations for accounts an owner or manager added without a password. Both are one-time
links whose secret is stored only as a hash, as members' are."""

from __future__ import annotations

import hmac
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from server.config import Settings
from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden, Gone, InvalidInput
from server.notices import service as notices
from server.ports.identity import AccessClaims, AccessGrants, IdentityService
from server.ports.notifications import NotificationService
from server.signins.repository import RefreshTokenRepository
from server.staff import rules
from server.staff.models import NO_PASSWORD, StaffAccount, StaffPasswordToken
from server.staff.repository import StaffRepository
from server.staff.schemas import (
    StaffPasswordChanged,
    StaffPasswordResetConfirm,
    StaffPasswordResetRequest,
)
from server.tenants.models import Tenant
from server.tenants.repository import tenant_by_slug
from shared.clock import utcnow
from shared.enums import PrincipalKind, StaffRole
from shared.ids import new_id
from shared.normalise import email_key
from shared.one_time_tokens import new_one_time_token, parse_one_time_token, sha256, valid_for

log = logging.getLogger("zmos.staff")
#: Not the members' prefix: a member's code is refused here before any lookup.
TOKEN_PREFIX = "spw"
RESET, INVITATION = "reset", "invitation"
#: A reset is asked for by someone at their inbox now; an invitation may wait a while.
TTL = {RESET: timedelta(hours=2), INVITATION: timedelta(days=14)}
RESET_ACCEPTED = "if a staff account exists for this email, we sent it a link to set a new password"
INVITATION_SENT = "an invitation to choose a password was sent"
BAD_LINK = "this password link is not valid; ask for a new one"
USED_LINK = "this password link was already used; ask for a new one if you need to"
EXPIRED_LINK = "this password link has expired; ask for a new one"
HAS_PASSWORD = "this account already has a password: its owner can reset it from the sign-in page"


@dataclass(frozen=True)
class PasswordMail:
    """A link to send once the transaction that stored it has committed."""

    to_email: str
    name: str
    tenant_name: str
    tenant_slug: str
    purpose: str
    token: str


def _new_link(repo: StaffRepository, staff: StaffAccount, purpose: str) -> str:
    """Store a one-time password link for ``staff``; returns the token. The caller commits."""
    token_id = new_id()
    token, token_hash = new_one_time_token(TOKEN_PREFIX, repo.tenant_id, token_id)
    now = utcnow()
    repo.add_password_token(
        StaffPasswordToken(
            id=token_id,
            staff_id=staff.id,
            purpose=purpose,
            token_hash=token_hash,
            created_at=now,
            expires_at=now + TTL[purpose],
        )
    )
    return token


def invitation_for(repo: StaffRepository, staff: StaffAccount, tenant: Tenant) -> PasswordMail:
    """An invitation to store with the account; send it after the commit."""
    token = _new_link(repo, staff, INVITATION)
    return PasswordMail(staff.email, staff.name, tenant.name, tenant.slug, INVITATION, token)


def console_link(public_url: str | None, token: str) -> str | None:
    """The console's page for a one-time code, when the server's public address is known."""
    if not public_url:
        return None
    return f"{public_url.rstrip('/')}/manage/reset/confirm?code={quote(token, safe='')}"


def _body(mail: PasswordMail, public_url: str | None) -> tuple[str, str]:
    valid = valid_for(TTL[mail.purpose])
    console = (
        f"the manager console ({public_url.rstrip('/')}/manage)"
        if public_url
        else "the ZMOS manager console"
    )
    if mail.purpose == INVITATION:
        subject = f"You are invited to the manager console of {mail.tenant_name}"
        intro = f"Hello {mail.name}, {mail.tenant_name} made you a staff account in {console}."
    else:
        subject = f"Reset your staff password for {mail.tenant_name}"
        intro = (
            "Someone (we hope you) asked to reset the password of your staff account at "
            f"{mail.tenant_name} in {console}."
        )
    link = console_link(public_url, mail.token)
    follow = (
        f"Open this link to choose your password (valid for {valid}):\n\n    {link}\n\n"
        'or enter this one-time code on the console\'s "Choose a password" page:\n\n'
        if link
        else f"Enter this one-time code with your new password (valid for {valid}):\n\n"
    )
    body = (
        f"{intro}\n\n{follow}"
        f"    {mail.token}\n\n"
        f'Then sign in with the short name "{mail.tenant_slug}" and the address '
        f"{mail.to_email}.\n\n"
        "If you did not expect this, ignore this message: nothing has changed.\n"
    )
    return subject, body


def queue_mail(
    uow: UnitOfWork, tenant_id: uuid.UUID, mail: PasswordMail, public_url: str | None
) -> uuid.UUID:
    """Queue the mail in the delivery log, in the transaction that stores its link (the
    body is marked secret: wiped once sent); send it with ``send`` after the commit."""
    subject, body = _body(mail, public_url)
    return notices.mail(
        uow=uow,
        tenant_id=tenant_id,
        to_email=mail.to_email,
        subject=subject,
        body=body,
        topic=f"staff.{mail.purpose}",
        secret=True,
    )


def send(
    uow: UnitOfWork,
    notifications: NotificationService,
    tenant_id: uuid.UUID,
    queued: list[uuid.UUID],
) -> None:
    """Sent after the commit: a lost email can be asked for again, a lost change cannot.
    What does not go now is retried by the delivery job."""
    notices.send_now(uow=uow, notifications=notifications, tenant_id=tenant_id, ids=queued)


def request_reset(
    *,
    uow: UnitOfWork,
    notifications: NotificationService,
    settings: Settings,
    cmd: StaffPasswordResetRequest,
) -> None:
    """Sends a reset link when the address names an active staff account; says nothing
    either way. An invited account may use it too: the link sets its first password. At
    most ``verification_emails_per_day`` links a day go to one account."""
    email = email_key(cmd.email)
    with uow:
        tenant = tenant_by_slug(uow.db, cmd.tenant.lower())
        if tenant is None:
            return
        repo = StaffRepository(uow.db, tenant.id)
        staff = repo.by_email(email)
        if staff is None or not staff.active:
            return
        day_ago = utcnow() - timedelta(days=1)
        if repo.password_tokens_since(staff.id, day_ago) >= settings.verification_emails_per_day:
            log.info("staff password email to %s not sent: daily cap reached", email)
            return
        token = _new_link(repo, staff, RESET)
        mail = PasswordMail(email, staff.name, tenant.name, tenant.slug, RESET, token)
        queued = queue_mail(uow, tenant.id, mail, settings.public_url)
        uow.commit()
    send(uow, notifications, tenant.id, [queued])


def confirm(
    *,
    uow: UnitOfWork,
    identity: IdentityService,
    grants: AccessGrants,
    cmd: StaffPasswordResetConfirm,
) -> StaffPasswordChanged:
    """Set the password from a link; every sign-in made with the old one ends (refresh
    tokens revoked, access tokens outdated)."""
    try:
        tenant_id, token_id, secret = parse_one_time_token(TOKEN_PREFIX, cmd.token)
    except ValueError:
        raise InvalidInput(BAD_LINK, code="invalid_password_token") from None
    password_hash = identity.hash_password(cmd.password)
    with uow:
        repo = StaffRepository(uow.db, tenant_id)
        row = repo.password_token(token_id)
        if row is None or not hmac.compare_digest(row.token_hash, sha256(secret)):
            raise InvalidInput(BAD_LINK, code="invalid_password_token")
        if row.used_at is not None:
            raise Conflict(USED_LINK, code="password_token_used")
        now = utcnow()
        if row.expires_at <= now:
            raise Gone(EXPIRED_LINK, code="password_token_expired")
        staff = repo.get(row.staff_id, for_update=True)
        if staff is None or not staff.active:
            raise InvalidInput(BAD_LINK, code="invalid_password_token")
        staff.password_hash = password_hash
        staff.token_generation = (staff.token_generation or 0) + 1
        repo.use_password_tokens(staff.id, now)
        RefreshTokenRepository(uow.db, tenant_id).revoke_all_of(staff.id, now)
        uow.commit()
        changed = StaffPasswordChanged(staff_id=staff.id, email=staff.email)
    grants.forget(PrincipalKind.STAFF, tenant_id, changed.staff_id)
    return changed


def resend_invitation(
    *,
    uow: UnitOfWork,
    notifications: NotificationService,
    claims: AccessClaims,
    staff_id: uuid.UUID,
    public_url: str | None,
) -> None:
    """A new invitation for an account that has not chosen its password (409 once it has).
    Earlier invitations keep working until one is used."""
    assert claims.role is not None
    with uow:
        repo = StaffRepository(uow.db, claims.tenant_id)
        staff = repo.get_or_404(staff_id, for_update=True)
        if not rules.may_manage(claims.role, StaffRole(staff.role)):
            raise Forbidden("you cannot invite this staff account")
        scope = staff.location_scope
        if claims.location_ids is not None and (scope is None or not scope <= claims.location_ids):
            raise Forbidden("you cannot invite this staff account: it reaches other locations")
        if staff.password_hash != NO_PASSWORD:
            raise Conflict(HAS_PASSWORD, code="password_already_set")
        if not staff.active:
            raise Conflict("this staff account is archived: restore it first", code="archived")
        tenant = uow.db.get(Tenant, claims.tenant_id)
        assert tenant is not None
        mail = invitation_for(repo, staff, tenant)
        queued = queue_mail(uow, claims.tenant_id, mail, public_url)
        uow.commit()
    send(uow, notifications, claims.tenant_id, [queued])
