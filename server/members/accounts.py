"""Member accounts: online sign-up, email verification, sign-in with throttling, tokens."""

from __future__ import annotations

import hmac
import logging
import uuid
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from server.config import Settings
from server.db.uow import UnitOfWork
from server.errors import (
    Conflict,
    Forbidden,
    Gone,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from server.members import passwords, rules
from server.members.models import EmailVerification, Member
from server.members.repository import MemberRepository
from server.members.schemas import (
    Accepted,
    EmailVerified,
    MemberLoginRequest,
    MemberRead,
    MemberSignup,
    ResendVerificationRequest,
)
from server.members.service import to_read
from server.members.tokens import issue_tokens
from server.notices import service as notices
from server.ports.identity import AccessClaims, IdentityService
from server.ports.notifications import NotificationService
from server.signins.schemas import TokenPair
from server.signins.throttle import BAD_LOGIN, DUMMY_HASH, SignInThrottle
from server.tenants.models import Tenant
from server.tenants.repository import tenant_by_slug
from shared.clock import utcnow
from shared.enums import MemberSource
from shared.ids import new_id
from shared.normalise import email_key

log = logging.getLogger("zmos.members")
VERIFICATION_TTL = timedelta(hours=48)
SIGNUP_ACCEPTED = "check your email: we sent a message to this address with what to do next"
_BAD_LINK = "this verification link is not valid; ask for a new one"


def _new_verification(repo: MemberRepository, member: Member) -> str:
    """Store a new one-time verification for ``member``; returns the token for the email."""
    verification_id = new_id()
    token, token_hash = rules.new_verification_token(repo.tenant_id, verification_id)
    now = utcnow()
    repo.add_verification(
        EmailVerification(
            id=verification_id,
            member_id=member.id,
            token_hash=token_hash,
            created_at=now,
            expires_at=now + VERIFICATION_TTL,
        )
    )
    return token


def _queue(
    uow: UnitOfWork,
    tenant: Tenant,
    to_email: str,
    mail: tuple[str, str],
    topic: str,
    *,
    secret: bool = False,
) -> uuid.UUID:
    """Queue a mail in the delivery log with the change it is about; sent after the
    commit (a lost email can be asked for again, a lost account cannot)."""
    subject, body = mail
    return notices.mail(
        uow=uow,
        tenant_id=tenant.id,
        to_email=to_email,
        subject=subject,
        body=body,
        topic=topic,
        secret=secret,
    )


def _verification(
    uow: UnitOfWork, tenant: Tenant, to_email: str, token: str, public_url: str | None
) -> uuid.UUID:
    link = passwords.page_link(public_url, tenant.slug, "verify", token)
    how = (
        f"Confirm your email address with this link (valid for 48 hours):\n\n    {link}\n\n"
        "or with this one-time code:\n\n"
        if link
        else "Confirm your email address with this one-time code (valid for 48 hours):\n\n"
    )
    body = (
        f"Welcome to {tenant.name}!\n\n"
        f"{how}"
        f"    {token}\n\n"
        "If you did not sign up, ignore this message.\n"
    )
    subject = f"Confirm your email for {tenant.name}"
    return _queue(uow, tenant, to_email, (subject, body), "member.verification", secret=True)


def _tenant(uow: UnitOfWork, slug: str) -> Tenant:
    tenant = tenant_by_slug(uow.db, slug.lower())
    if tenant is None:
        raise NotFound(f"there is no provider called {slug!r}", code="unknown_tenant")
    return tenant


def _tell_existing(uow: UnitOfWork, tenant: Tenant, email: str, has_account: bool) -> uuid.UUID:
    """What a sign-up with a member's address means goes to that address, not to the caller."""
    if has_account:
        advice = (
            "You already have an account with this email address: sign in, or reset your "
            "password if you have forgotten it."
        )
    else:
        advice = (
            "You are already a member with this email address, but your membership is no "
            "longer active online. Ask the front desk to reopen it."
        )
    body = (
        f"Someone asked to sign up for {tenant.name} with this email address.\n\n"
        f"{advice}\n\nIf it was not you, ignore this message: nothing has changed.\n"
    )
    subject = f"Your account with {tenant.name}"
    return _queue(uow, tenant, email, (subject, body), "member.signup_existing")


def sign_up(
    *,
    uow: UnitOfWork,
    identity: IdentityService,
    notifications: NotificationService,
    cmd: MemberSignup,
    public_url: str | None = None,
) -> Accepted:
    """The answer is the same whether or not the email already names a member, so that a
    sign-up cannot tell anyone who is a member; the difference is said by email. A member
    staff added or imported, who has no password yet, is sent an invitation to set one."""
    email = email_key(cmd.email)
    # Hashed before the lookup, so that the time taken tells nothing either.
    password_hash = identity.hash_password(cmd.password)
    queued: list[uuid.UUID] = []
    with uow:
        tenant = _tenant(uow, cmd.tenant)
        repo = MemberRepository(uow.db, tenant.id)
        holder = repo.holder_of("email", email)
        has_account = holder is not None and holder.password_hash is not None
        if holder is None:
            queued = _add_online_member(uow, repo, tenant, cmd, email, password_hash, public_url)
        else:
            if not has_account and holder.archived_at is None:
                invitation = passwords.invitation_for(repo, holder, tenant.name, tenant.slug)
                queued = passwords.queue_mails(uow, tenant.id, [invitation], public_url)
            else:
                queued = [_tell_existing(uow, tenant, email, has_account=has_account)]
            uow.commit()
    passwords.send(uow, notifications, tenant.id, queued)
    return Accepted(detail=SIGNUP_ACCEPTED)


def _add_online_member(
    uow: UnitOfWork,
    repo: MemberRepository,
    tenant: Tenant,
    cmd: MemberSignup,
    email: str,
    password_hash: str,
    public_url: str | None,
) -> list[uuid.UUID]:
    """Commit a new member with its verification mail queued; returns the mail to send, or
    none when the same address signed up at the same moment (that sign-up sends its own)."""
    member = repo.add(
        Member(
            id=new_id(),
            first_name=cmd.first_name,
            last_name=cmd.last_name,
            email=email,
            phone=cmd.phone,
            fitness_goals=cmd.fitness_goals,
            preferences=cmd.preferences,
            source=MemberSource.ONLINE.value,
            password_hash=password_hash,
        )
    )
    uow.flush()
    token = _new_verification(repo, member)
    queued = _verification(uow, tenant, email, token, public_url)
    try:
        uow.commit()
    except IntegrityError:
        return []
    return [queued]


def verify_email(*, uow: UnitOfWork, token: str) -> EmailVerified:
    try:
        tenant_id, verification_id, secret = rules.parse_verification_token(token)
    except ValueError:
        raise InvalidInput(_BAD_LINK, code="invalid_verification_token") from None
    with uow:
        repo = MemberRepository(uow.db, tenant_id)
        row = repo.verification(verification_id)
        if row is None or not hmac.compare_digest(row.token_hash, rules.sha256(secret)):
            raise InvalidInput(_BAD_LINK, code="invalid_verification_token")
        if row.used_at is not None:
            raise Conflict("this verification link was already used", code="verification_used")
        now = utcnow()
        if row.expires_at <= now:
            raise Gone("this verification link has expired; ask for a new one")
        member = repo.get(row.member_id, for_update=True)
        if member is None or member.email is None:
            raise InvalidInput(_BAD_LINK, code="invalid_verification_token")
        row.used_at = now
        member.email_verified_at = member.email_verified_at or now
        uow.commit()
        return EmailVerified(
            member_id=member.id, email=member.email, email_verified_at=member.email_verified_at
        )


def resend_verification(
    *,
    uow: UnitOfWork,
    notifications: NotificationService,
    settings: Settings,
    cmd: ResendVerificationRequest,
) -> None:
    """Sends a new link when there is an unverified account; says nothing either way.

    At most ``verification_emails_per_day`` links a day go to one account, so the endpoint
    cannot be used to flood someone's inbox; the answer stays the same when the cap is hit.
    """
    email = email_key(cmd.email)
    with uow:
        tenant = tenant_by_slug(uow.db, cmd.tenant.lower())
        if tenant is None:
            return
        repo = MemberRepository(uow.db, tenant.id)
        member = repo.by_email(email)
        if member is None or member.email_verified_at is not None or not member.password_hash:
            return
        day_ago = utcnow() - timedelta(days=1)
        if repo.verifications_since(member.id, day_ago) >= settings.verification_emails_per_day:
            log.info("verification email to %s not sent: daily cap reached", email)
            return
        token = _new_verification(repo, member)
        queued = _verification(uow, tenant, email, token, settings.public_url)
        uow.commit()
    passwords.send(uow, notifications, tenant.id, [queued])


def login(
    *,
    uow: UnitOfWork,
    identity: IdentityService,
    settings: Settings,
    cmd: MemberLoginRequest,
    client: str,
) -> TokenPair:
    email = email_key(cmd.email)
    with uow:
        tenant = tenant_by_slug(uow.db, cmd.tenant.lower())
        if tenant is None:
            identity.verify_password(DUMMY_HASH.get(identity), cmd.password)
            raise Unauthenticated(BAD_LOGIN, code="invalid_credentials")
        repo = MemberRepository(uow.db, tenant.id)
        # Members have their own throttle rows, apart from a staff account with the same email.
        throttle = SignInThrottle(uow, tenant.id, f"member:{email}", client, utcnow())
        throttle.refuse_if_locked()
        member = repo.by_email(email)
        password_hash = member.password_hash if member and member.password_hash else None
        valid = identity.verify_password(password_hash or DUMMY_HASH.get(identity), cmd.password)
        if member is None or password_hash is None or not valid:
            throttle.fail(settings)
        if member.email_verified_at is None:
            raise Forbidden(
                "verify your email first: use the link we sent, or ask for a new one",
                code="email_not_verified",
            )
        throttle.succeed()
        tokens = issue_tokens(uow=uow, identity=identity, settings=settings, member=member)
        uow.commit()
        return tokens


def get_me(*, uow: UnitOfWork, claims: AccessClaims) -> MemberRead:
    with uow:
        member = MemberRepository(uow.db, claims.tenant_id).get(claims.subject_id)
        if member is None:
            raise NotFound("your member account no longer exists")
        return to_read(member)
