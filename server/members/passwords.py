"""Setting a member's password by email: resets they ask for, and invitations for members
staff added or imported. Both are one-time links whose secret is stored only as a hash."""

from __future__ import annotations

import hmac
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from server.config import Settings
from server.db.uow import UnitOfWork
from server.errors import Conflict, Gone, InvalidInput
from server.members import rules
from server.members.models import Member, PasswordToken
from server.members.repository import MemberRepository
from server.members.schemas import (
    PasswordChanged,
    PasswordResetConfirm,
    PasswordResetRequest,
)
from server.notices import service as notices
from server.ports.identity import AccessGrants, IdentityService
from server.ports.notifications import NotificationService
from server.signins.repository import RefreshTokenRepository
from server.tenants.repository import tenant_by_slug
from shared.clock import utcnow
from shared.enums import PrincipalKind
from shared.ids import new_id
from shared.normalise import email_key
from shared.one_time_tokens import valid_for

log = logging.getLogger("zmos.members")
TOKEN_PREFIX = "pw"
RESET, INVITATION = "reset", "invitation"
#: A reset is asked for by someone at their inbox now; an invitation may wait a while.
TTL = {RESET: timedelta(hours=2), INVITATION: timedelta(days=14)}
RESET_ACCEPTED = "if an account exists for this email, we sent it a link to set a new password"
BAD_LINK = "this password link is not valid; ask for a new one"
USED_LINK = "this password link was already used; ask for a new one if you need to"
EXPIRED_LINK = "this password link has expired; ask for a new one"


@dataclass(frozen=True)
class PasswordMail:
    """A link to send once the transaction that stored it has committed."""

    to_email: str
    tenant_name: str
    purpose: str
    token: str
    tenant_slug: str
    member_id: uuid.UUID | None = None


def new_link(repo: MemberRepository, member: Member, purpose: str) -> str:
    """Store a one-time password link for ``member``; returns the token for the email. The
    caller commits."""
    token_id = new_id()
    token, token_hash = rules.new_one_time_token(TOKEN_PREFIX, repo.tenant_id, token_id)
    now = utcnow()
    repo.add_password_token(
        PasswordToken(
            id=token_id,
            member_id=member.id,
            purpose=purpose,
            token_hash=token_hash,
            created_at=now,
            expires_at=now + TTL[purpose],
        )
    )
    return token


def invitation_for(
    repo: MemberRepository, member: Member, tenant_name: str, tenant_slug: str
) -> PasswordMail:
    assert member.email is not None
    token = new_link(repo, member, INVITATION)
    return PasswordMail(member.email, tenant_name, INVITATION, token, tenant_slug, member.id)


def page_link(public_url: str | None, tenant_slug: str, page: str, token: str) -> str | None:
    """The member app's page for a one-time code (``page`` under ``/app/<slug>/``), when the
    server's public address is known; the code also travels as text for those who type it."""
    if not public_url:
        return None
    return f"{public_url.rstrip('/')}/app/{quote(tenant_slug)}/{page}?code={quote(token, safe='')}"


def _body(mail: PasswordMail, public_url: str | None = None) -> tuple[str, str]:
    valid = valid_for(TTL[mail.purpose])
    if mail.purpose == INVITATION:
        subject = f"Set up your online account with {mail.tenant_name}"
        intro = (
            f"You are a member of {mail.tenant_name}. Choose a password to book classes and "
            "see your visits online"
        )
    else:
        subject = f"Reset your password for {mail.tenant_name}"
        intro = "Someone (we hope you) asked to reset the password of your account"
    link = page_link(public_url, mail.tenant_slug, "reset/confirm", mail.token)
    follow = (
        f"Open this link to choose your password (valid for {valid}):\n\n    {link}\n\n"
        "or send this one-time code with your new password:\n\n"
        if link
        else f"send this one-time code with your new password (valid for {valid}):\n\n"
    )
    body = (
        f"{intro}: {follow[:1].lower()}{follow[1:]}"
        f"    {mail.token}\n\n"
        "If you did not ask for this, ignore this message: nothing has changed.\n"
    )
    return subject, body


def queue_mails(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    mails: list[PasswordMail],
    public_url: str | None = None,
) -> list[uuid.UUID]:
    """Queue the mails in the delivery log, in the transaction that stores their links
    (marked secret: the body is wiped once sent). With the server's ``public_url``, each
    mail links to the member app's page. Send them with ``send`` after the commit."""
    queued = []
    for mail in mails:
        subject, body = _body(mail, public_url)
        queued.append(
            notices.mail(
                uow=uow,
                tenant_id=tenant_id,
                to_email=mail.to_email,
                subject=subject,
                body=body,
                topic=f"member.{mail.purpose}",
                member_id=mail.member_id,
                secret=True,
            )
        )
    return queued


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
    cmd: PasswordResetRequest,
) -> None:
    """Sends a reset link when the address names a current member; says nothing either way.

    A member who never had a password (added at the desk, imported) may use it too: the
    link sets their first one. At most ``verification_emails_per_day`` links a day go to
    one account, so the endpoint cannot flood an inbox; the answer stays the same."""
    email = email_key(cmd.email)
    with uow:
        tenant = tenant_by_slug(uow.db, cmd.tenant.lower())
        if tenant is None:
            return
        repo = MemberRepository(uow.db, tenant.id)
        member = repo.by_email(email)
        if member is None:
            return
        day_ago = utcnow() - timedelta(days=1)
        if repo.password_tokens_since(member.id, day_ago) >= settings.verification_emails_per_day:
            log.info("password email to %s not sent: daily cap reached", email)
            return
        token = new_link(repo, member, RESET)
        mail = PasswordMail(email, tenant.name, RESET, token, tenant.slug, member.id)
        queued = queue_mails(uow, tenant.id, [mail], settings.public_url)
        uow.commit()
    send(uow, notifications, tenant.id, queued)


def confirm(
    *,
    uow: UnitOfWork,
    identity: IdentityService,
    grants: AccessGrants,
    cmd: PasswordResetConfirm,
) -> PasswordChanged:
    """Set the password from a link. It proves the address too; every sign-in made with the
    old password ends (refresh tokens revoked, access tokens outdated)."""
    try:
        tenant_id, token_id, secret = rules.parse_one_time_token(TOKEN_PREFIX, cmd.token)
    except ValueError:
        raise InvalidInput(BAD_LINK, code="invalid_password_token") from None
    password_hash = identity.hash_password(cmd.password)
    with uow:
        repo = MemberRepository(uow.db, tenant_id)
        row = repo.password_token(token_id)
        if row is None or not hmac.compare_digest(row.token_hash, rules.sha256(secret)):
            raise InvalidInput(BAD_LINK, code="invalid_password_token")
        if row.used_at is not None:
            raise Conflict(USED_LINK, code="password_token_used")
        now = utcnow()
        if row.expires_at <= now:
            raise Gone(EXPIRED_LINK, code="password_token_expired")
        member = repo.get(row.member_id, for_update=True)
        if member is None or member.email is None:
            raise InvalidInput(BAD_LINK, code="invalid_password_token")
        member.password_hash = password_hash
        member.email_verified_at = member.email_verified_at or now
        member.token_generation = (member.token_generation or 0) + 1
        repo.use_password_tokens(member.id, now)
        RefreshTokenRepository(uow.db, tenant_id).revoke_all_of(member.id, now)
        uow.commit()
        changed = PasswordChanged(member_id=member.id, email=member.email)
    grants.forget(PrincipalKind.MEMBER, tenant_id, changed.member_id)
    return changed
