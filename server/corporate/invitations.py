"""Employees' invitations: an eligible employee is sent a time-limited one-time link;
accepting it creates or finds their member (by email) and gives them a membership of their
package's first plan, paid for by the company. Up to two reminders follow an invitation
not yet accepted; an expired one can be sent again.

Only the SHA-256 of a link's secret is stored."""

from __future__ import annotations

import hmac
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import select

from server.corporate import rules
from server.corporate.access import MANAGING, visible_account
from server.corporate.models import CorporateAccount, CorporateEmployee, CorporatePackage
from server.corporate.repository import CorporateRepository
from server.corporate.schemas import InvitationAccept, InvitationAccepted, InvitationsSent
from server.corporate.service import today_of
from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden, Gone, InvalidInput
from server.members.models import Member
from server.members.repository import MemberRepository
from server.notices import service as notices
from server.plans.membership_service import new_membership
from server.plans.models import AccessPlan
from server.ports.identity import AccessClaims, IdentityService
from server.ports.notifications import Notification, NotificationService
from server.tenants.models import Tenant
from shared.clock import utcnow
from shared.enums import MemberSource, PrincipalKind
from shared.ids import new_id
from shared.one_time_tokens import new_one_time_token, parse_one_time_token, sha256, valid_for

log = logging.getLogger("zmos.corporate")
TOKEN_PREFIX = "cin"
BAD_LINK = "this invitation is not valid; ask your employer's contact for a new one"
EXPIRED_LINK = "this invitation has expired; ask for a new one"
USED_LINK = "this invitation was already accepted"
NO_SEAT = "every seat of this package is taken; ask your employer"


@dataclass(frozen=True)
class _Mail:
    tenant_id: uuid.UUID
    to_email: str
    first_name: str | None
    account_name: str
    tenant_name: str
    token: str
    reminder: bool


def invitation_link(public_url: str | None, token: str) -> str | None:
    if not public_url:
        return None
    return f"{public_url.rstrip('/')}/app/corporate/join?code={quote(token, safe='')}"


def _notification(mail: _Mail, public_url: str | None) -> Notification:
    link = invitation_link(public_url, mail.token)
    hello = f"Hello {mail.first_name}," if mail.first_name else "Hello,"
    opening = (
        "A reminder: your invitation is waiting."
        if mail.reminder
        else f"{mail.account_name} pays for your membership at {mail.tenant_name}."
    )
    follow = (
        f"Open this link to accept it (valid for {valid_for(rules.INVITATION_TTL)}):\n\n"
        f"    {link}\n\nor use this one-time code:\n\n"
        if link
        else "Accept it with this one-time code:\n\n"
    )
    body = (
        f"{hello}\n\n{opening}\n\n{follow}    {mail.token}\n\n"
        "If you did not expect this, ignore this message.\n"
    )
    subject = (
        f"Reminder: your {mail.account_name} membership at {mail.tenant_name}"
        if mail.reminder
        else f"Your {mail.account_name} membership at {mail.tenant_name}"
    )
    return Notification(to_email=mail.to_email, subject=subject, body=body)


def _queue(
    uow: UnitOfWork, mails: list[_Mail], public_url: str | None
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Queue the mails in the delivery log with the links they carry (secret: wiped once
    sent); the notices' ids by tenant."""
    queued: dict[uuid.UUID, list[uuid.UUID]] = {}
    for mail in mails:
        message = _notification(mail, public_url)
        notice_id = notices.mail(
            uow=uow,
            tenant_id=mail.tenant_id,
            to_email=message.to_email,
            subject=message.subject,
            body=message.body,
            topic="corporate.reminder" if mail.reminder else "corporate.invitation",
            secret=True,
        )
        queued.setdefault(mail.tenant_id, []).append(notice_id)
    return queued


def _send(
    uow: UnitOfWork,
    notifications: NotificationService,
    queued: dict[uuid.UUID, list[uuid.UUID]],
) -> None:
    """After the commit: a lost email can be sent again, a lost change cannot; what does
    not go now is retried by the delivery job."""
    for tenant_id, ids in queued.items():
        notices.send_now(uow=uow, notifications=notifications, tenant_id=tenant_id, ids=ids)


def _invitable(employee: CorporateEmployee, now: datetime) -> bool:
    """Active, not yet a member, with an address, and no live invitation."""
    live = employee.invitation_expires_at is not None and employee.invitation_expires_at > now
    return (
        employee.status == rules.ACTIVE
        and employee.member_id is None
        and employee.work_email is not None
        and not (employee.invitation_hash is not None and live)
    )


def send_invitations(
    *,
    uow: UnitOfWork,
    notifications: NotificationService,
    claims: AccessClaims,
    account_id: uuid.UUID,
    public_url: str | None,
) -> InvitationsSent:
    """Invite every active employee not yet a member who has no live invitation (never
    invited, or expired: sent again)."""
    now = utcnow()
    with uow:
        account = visible_account(uow.db, claims, account_id)
        if claims.kind is not PrincipalKind.STAFF or claims.role not in MANAGING:
            raise Forbidden("Only owners and managers send a company's invitations.")
        if account.archived_at is not None:
            raise Conflict("this account is archived: restore it first", code="archived")
        tenant = uow.db.get(Tenant, claims.tenant_id)
        assert tenant is not None
        mails: list[_Mail] = []
        rows = CorporateRepository(uow.db, claims.tenant_id).employees(account_id, for_update=True)
        for employee in rows:
            if not _invitable(employee, now):
                continue
            token, token_hash = new_one_time_token(TOKEN_PREFIX, claims.tenant_id, employee.id)
            employee.invitation_hash = token_hash
            employee.invited_at = now
            employee.invitation_expires_at = now + rules.INVITATION_TTL
            employee.reminders_sent = 0
            employee.last_reminded_at = None
            assert employee.work_email is not None
            mails.append(
                _Mail(
                    claims.tenant_id,
                    employee.work_email,
                    employee.first_name,
                    account.name,
                    tenant.name,
                    token,
                    False,
                )
            )
        queued = _queue(uow, mails, public_url)
        uow.commit()
    _send(uow, notifications, queued)
    return InvitationsSent(sent=len(mails))


def send_reminders(
    *,
    make_uow: Callable[[], UnitOfWork],
    notifications: NotificationService,
    public_url: str | None,
    now: datetime | None = None,
) -> int:
    """The job: remind those whose invitation waits (after 3 and after 7 days, at most
    twice). A reminder carries a new link (the stored hash is replaced), valid until the
    invitation's own expiry."""
    now = now or utcnow()
    mails: list[_Mail] = []
    with make_uow() as uow:
        rows = uow.db.execute(
            select(CorporateEmployee, CorporateAccount.name, Tenant.name)
            .join(
                CorporateAccount,
                (CorporateAccount.tenant_id == CorporateEmployee.tenant_id)
                & (CorporateAccount.id == CorporateEmployee.account_id),
            )
            .join(Tenant, Tenant.id == CorporateEmployee.tenant_id)
            .where(
                CorporateEmployee.invitation_hash.is_not(None),
                CorporateEmployee.member_id.is_(None),
                CorporateEmployee.status == rules.ACTIVE,
                CorporateEmployee.reminders_sent < len(rules.REMINDER_AFTER),
                CorporateEmployee.invitation_expires_at > now,
                CorporateAccount.archived_at.is_(None),
            )
            .with_for_update(of=CorporateEmployee)
        ).all()
        for employee, account_name, tenant_name in rows:
            assert employee.invited_at is not None and employee.invitation_expires_at is not None
            due = rules.reminder_due(
                employee.invited_at, employee.reminders_sent, employee.invitation_expires_at, now
            )
            if not due or employee.work_email is None:
                continue
            token, token_hash = new_one_time_token(TOKEN_PREFIX, employee.tenant_id, employee.id)
            employee.invitation_hash = token_hash
            employee.reminders_sent += 1
            employee.last_reminded_at = now
            mails.append(
                _Mail(
                    employee.tenant_id,
                    employee.work_email,
                    employee.first_name,
                    account_name,
                    tenant_name,
                    token,
                    True,
                )
            )
        queued = _queue(uow, mails, public_url)
        uow.commit()
    _send(make_uow(), notifications, queued)
    return len(mails)


def accept(
    *, uow: UnitOfWork, identity: IdentityService, cmd: InvitationAccept
) -> InvitationAccepted:
    """The employee accepts: their member is found by the work email (or made, with the
    password they chose), and given a membership of the package's first plan that the
    company pays for (``source`` corporate). Refused when every seat is taken."""
    try:
        tenant_id, employee_id, secret = parse_one_time_token(TOKEN_PREFIX, cmd.token)
    except ValueError:
        raise InvalidInput(BAD_LINK, code="invalid_invitation") from None
    password_hash = identity.hash_password(cmd.password) if cmd.password else None
    with uow:
        employee = uow.db.get(CorporateEmployee, (tenant_id, employee_id), with_for_update=True)
        if (
            employee is None
            or employee.invitation_hash is None
            or not hmac.compare_digest(employee.invitation_hash, sha256(secret))
        ):
            if employee is not None and employee.member_id is not None:
                raise Conflict(USED_LINK, code="invitation_used")
            raise InvalidInput(BAD_LINK, code="invalid_invitation")
        now = utcnow()
        if employee.invitation_expires_at is None or employee.invitation_expires_at <= now:
            raise Gone(EXPIRED_LINK, code="invitation_expired")
        if employee.status != rules.ACTIVE:
            raise Conflict(
                "you are not eligible at the moment; ask your employer", code="not_eligible"
            )
        account = uow.db.get(CorporateAccount, (tenant_id, employee.account_id))
        assert account is not None
        if account.archived_at is not None:
            raise Conflict("this company's account has ended", code="archived")
        plan = _first_plan(uow, employee)
        package = uow.db.get(
            CorporatePackage, (tenant_id, employee.package_id), with_for_update=True
        )
        assert package is not None
        taken = CorporateRepository(uow.db, tenant_id).seats_taken(package.id)
        if not rules.seat_left(package.seats, taken):
            raise Conflict(NO_SEAT, code="no_seat_left")
        member, created = _member_for(uow, tenant_id, employee, password_hash, now)
        membership = new_membership(
            uow,
            tenant_id,
            member_id=member.id,
            plan=plan,
            starts_on=today_of(uow.db, tenant_id),
            ends_on=None,
            source=MemberSource.CORPORATE,
            home_location_id=employee.location_id,
        )
        # The company is invoiced for the seat: the member is never charged a renewal.
        membership.ends_on = employee.covered_until
        membership.corporate_account_id = account.id
        membership.periods_billed = None
        membership.next_renewal_on = None
        membership.next_charge_on = None
        employee.member_id = member.id
        employee.activated_at = now
        employee.invitation_hash = None
        uow.commit()
        return InvitationAccepted(
            member_id=member.id,
            membership_id=membership.id,
            account_name=account.name,
            created_member=created,
        )


def _first_plan(uow: UnitOfWork, employee: CorporateEmployee) -> AccessPlan:
    package = (
        uow.db.get(CorporatePackage, (employee.tenant_id, employee.package_id))
        if employee.package_id is not None
        else None
    )
    for plan_id in package.plan_ids if package is not None else []:
        plan = uow.db.get(AccessPlan, (employee.tenant_id, uuid.UUID(str(plan_id))))
        if plan is not None and plan.active:
            return plan
    raise Conflict(
        "your employer's package has no plan to give you yet; ask your employer",
        code="no_plan",
    )


def _member_for(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    employee: CorporateEmployee,
    password_hash: str | None,
    now: datetime,
) -> tuple[Member, bool]:
    assert employee.work_email is not None
    repo = MemberRepository(uow.db, tenant_id)
    found = repo.by_email(employee.work_email)
    if found is not None:
        return found, False
    local = employee.work_email.split("@", 1)[0]
    member = repo.add(
        Member(
            id=new_id(),
            first_name=employee.first_name or local,
            last_name=employee.last_name or "-",
            email=employee.work_email,
            source=MemberSource.CORPORATE.value,
            password_hash=password_hash,
            # The link came to this inbox: the address is confirmed.
            email_verified_at=now,
        )
    )
    uow.flush()
    return member, True
