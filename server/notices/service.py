"""Notices: queued in the writing transaction, sent after it commits by a background job.

A notice is one message on one channel for one recipient. ``to_member`` queues a member's
message on the channels they chose for its kind (transactional ones by email, at once),
held to the end of their quiet hours; ``to_staff`` posts a staff event to the tenant's
Slack and Teams channels. ``deliver`` sends what is due and logs every attempt: a notice is
claimed with a conditional UPDATE (``next_attempt_at`` moved on only if it still holds the
value read), so two server processes never send one notice twice; a transient failure is
retried with exponential backoff (at least the provider's Retry-After) up to
``MAX_ATTEMPTS``; a permanent one (a 4xx) fails the notice at once.
"""

from __future__ import annotations

import logging
import mimetypes
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select, update

from server.db.sealed import FieldSealer
from server.db.uow import UnitOfWork
from server.notices import repository as repo
from server.notices import rules
from server.notices.models import Notice, NoticeSettings, staff_channel_context
from server.notices.templates import render_email
from server.ports.notifications import (
    STAFF_CHANNELS,
    Attachment,
    Channel,
    Delivery,
    DeliveryFailed,
    Messaging,
    Notification,
    NotificationService,
    OutgoingMessage,
    Sender,
    Unsubscribe,
)
from shared.clock import utcnow
from shared.ids import new_id
from shared.quiet_hours import QuietHours

log = logging.getLogger("zmos.notices")

MAX_ATTEMPTS = rules.MAX_ATTEMPTS
#: While one process sends a claimed notice, others leave it alone for this long.
CLAIM_SECONDS = 120
BATCH = 50
backoff = rules.backoff


def queue(
    *,
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    to_email: str,
    subject: str,
    body: str,
    topic: str,
    not_before: datetime | None = None,
    channel: Channel = Channel.EMAIL,
    kind: rules.Kind = rules.Kind.TRANSACTIONAL,
    member_id: uuid.UUID | None = None,
    secret: bool = False,
    attachment: Attachment | None = None,
) -> uuid.UUID:
    """Add a notice to the caller's open transaction; nothing is sent unless it commits.
    ``to_email`` is the recipient on ``channel``; ``not_before``: held until then;
    ``secret``: the body carries a one-time secret (wiped once sent). Its id."""
    now = utcnow()
    notice_id = new_id()
    uow.db.add(
        Notice(
            id=notice_id,
            tenant_id=tenant_id,
            to_email=to_email,
            subject=subject[:300],
            body=body,
            topic=topic[:50],
            created_at=now,
            next_attempt_at=now if not_before is None else max(now, not_before),
            attempts=0,
            channel=channel.value,
            kind=kind.value,
            member_id=member_id,
            status="queued",
            secret=secret,
            attachment_name=attachment.filename[:100] if attachment else None,
            attachment=attachment.content if attachment else None,
        )
    )
    return notice_id


def mail(
    *,
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    to_email: str,
    subject: str,
    body: str,
    topic: str,
    member_id: uuid.UUID | None = None,
    secret: bool = False,
    attachment: Attachment | None = None,
) -> uuid.UUID:
    """Queue a transactional email (a receipt, a password link, an invitation): a service
    message, so by email whatever the member chose for other kinds, never held by quiet
    hours and without an unsubscribe link. Send it with ``send_now`` after the commit."""
    return queue(
        uow=uow,
        tenant_id=tenant_id,
        to_email=to_email,
        subject=subject,
        body=body,
        topic=topic,
        kind=rules.Kind.TRANSACTIONAL,
        member_id=member_id,
        secret=secret,
        attachment=attachment,
    )


def to_member(
    *,
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    kind: rules.Kind,
    topic: str,
    subject: str,
    body: str,
    quiet: QuietHours | None = None,
    not_before: datetime | None = None,
) -> list[Channel]:
    """Queue a member's message on each channel they get ``kind`` on and have an address
    for; what is not transactional waits out ``quiet`` (the member's quiet hours; None: the
    tenant's default) on their own clock. The channels it was queued on."""
    person = repo.contact(uow.db, tenant_id, member_id)
    if person is None:
        return []
    channels = rules.channels_for(kind, repo.choices(uow.db, tenant_id, member_id))
    if quiet is None:
        quiet = repo.tenant_quiet_hours(repo.settings(uow.db, tenant_id))
    goes_at = rules.release_at(kind, not_before or utcnow(), quiet, person.zone)
    queued = []
    for channel in channels:
        address = person.email if channel is Channel.EMAIL else rules.e164(person.phone)
        if not address:
            continue
        queue(
            uow=uow,
            tenant_id=tenant_id,
            to_email=address,
            subject=subject,
            body=body,
            topic=topic,
            not_before=goes_at,
            channel=channel,
            kind=kind,
            member_id=member_id,
        )
        queued.append(channel)
    return queued


def to_staff(
    *, uow: UnitOfWork, tenant_id: uuid.UUID, event: str, subject: str, body: str
) -> list[Channel]:
    """Post a staff event (e.g. "session.cancelled") to the tenant's Slack and Teams
    channels, if it has them and chose that event."""
    row = repo.settings(uow.db, tenant_id)
    if row is None or event not in (row.staff_events or []):
        return []
    configured = repo.staff_channels(uow.db, tenant_id)
    queued = [c for c in STAFF_CHANNELS if c.value in configured]
    for channel in queued:
        queue(
            uow=uow,
            tenant_id=tenant_id,
            to_email=channel.value,
            subject=subject,
            body=body,
            topic=event,
            channel=channel,
            kind=rules.Kind.STAFF,
        )
    return queued


# --- sending -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outlets:
    """What sending on every channel needs besides the notice."""

    messaging: Messaging
    sealer: FieldSealer
    #: Signs unsubscribe links.
    secret_key: str
    #: The server's web address (unsubscribe links, status callbacks); None: no links.
    public_url: str | None


def _claim(uow: UnitOfWork, notice: Notice, now: datetime) -> bool:
    result = uow.db.execute(
        update(Notice)
        .where(
            Notice.tenant_id == notice.tenant_id,
            Notice.id == notice.id,
            Notice.status == "queued",
            Notice.next_attempt_at == notice.next_attempt_at,
        )
        .values(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _sender(row: NoticeSettings | None, tenant_name: str) -> Sender | None:
    if row is None or not row.sender_email:
        return None
    return Sender(row.sender_name or tenant_name, row.sender_email)


def _unsubscribe(outlets: Outlets, notice: Notice) -> Unsubscribe | None:
    kind = rules.Kind(notice.kind)
    if kind not in rules.CHOOSABLE or notice.member_id is None or outlets.public_url is None:
        return None
    request = rules.UnsubscribeRequest(notice.tenant_id, notice.member_id, kind)
    token = rules.unsubscribe_token(outlets.secret_key, request)
    return Unsubscribe(f"{outlets.public_url}/unsubscribe/{token}")


def _email(uow: UnitOfWork, outlets: Outlets, notice: Notice) -> OutgoingMessage:
    row = repo.settings(uow.db, notice.tenant_id)
    name = repo.tenant_name(uow.db, notice.tenant_id)
    sender = _sender(row, name)
    unsubscribe = _unsubscribe(outlets, notice)
    bodies = render_email(
        subject=notice.subject,
        body=notice.body,
        sender_name=sender.name if sender else (name or "ZMOS"),
        kind=notice.kind,
        unsubscribe_url=unsubscribe.url if unsubscribe else None,
    )
    return OutgoingMessage(
        Channel.EMAIL,
        notice.to_email,
        notice.subject,
        bodies.text,
        html=bodies.html,
        sender=sender,
        unsubscribe=unsubscribe,
    )


def _webhook(uow: UnitOfWork, outlets: Outlets, notice: Notice, channel: Channel) -> str:
    row = repo.staff_channels(uow.db, notice.tenant_id).get(channel.value)
    if row is None:
        raise DeliveryFailed(f"the tenant has no {channel.value} webhook", permanent=True)
    context = staff_channel_context(row.tenant_id, row.id)
    return outlets.sealer.open(row.sealed_url, context=context).decode()


def outgoing(uow: UnitOfWork, outlets: Outlets, notice: Notice) -> OutgoingMessage:
    """The message of ``notice`` as its channel's adapter takes it, keyed by the notice."""
    return replace(_outgoing(uow, outlets, notice), key=str(notice.id))


def _outgoing(uow: UnitOfWork, outlets: Outlets, notice: Notice) -> OutgoingMessage:
    channel = Channel(notice.channel)
    if channel is Channel.EMAIL:
        return _email(uow, outlets, notice)
    if channel in STAFF_CHANNELS:
        url = _webhook(uow, outlets, notice, channel)
        return OutgoingMessage(channel, url, notice.subject, notice.body)
    callback = None
    if outlets.public_url:
        callback = f"{outlets.public_url}/notices/status/{notice.tenant_id}/{notice.id}"
    text = f"{notice.subject}\n{notice.body}" if notice.subject else notice.body
    return OutgoingMessage(channel, notice.to_email, notice.subject, text, status_callback=callback)


def _attachments(notice: Notice) -> tuple[Attachment, ...]:
    if notice.attachment is None or not notice.attachment_name:
        return ()
    kind = mimetypes.guess_type(notice.attachment_name)[0] or "application/octet-stream"
    return (Attachment(notice.attachment_name, kind, notice.attachment),)


def _send(
    uow: UnitOfWork, notice: Notice, notifications: NotificationService, outlets: Outlets | None
) -> Delivery:
    attachments = _attachments(notice)
    if attachments:  # the channels' messages carry no files: plain email with the file
        notifications.send(Notification(notice.to_email, notice.subject, notice.body, attachments))
        return Delivery()
    if outlets is not None:
        return outlets.messaging.deliver(outgoing(uow, outlets, notice))
    if notice.channel != Channel.EMAIL.value:
        raise DeliveryFailed(f"no {notice.channel} provider is configured", permanent=True)
    notifications.send(Notification(notice.to_email, notice.subject, notice.body))
    return Delivery()


#: What a secret notice's body becomes once it is sent or failed for good.
WIPED_BODY = "(not kept: it carried a one-time link)"


def _outcome(notice: Notice, attempts: int, result: Delivery | Exception) -> dict[str, object]:
    values = _result(notice, attempts, result)
    if values["status"] != "queued":
        values["attachment"] = None
        if notice.secret:
            values["body"] = WIPED_BODY
    return values


def _result(notice: Notice, attempts: int, result: Delivery | Exception) -> dict[str, object]:
    if isinstance(result, Delivery):
        return {
            "attempts": attempts,
            "sent_at": utcnow(),
            "status": "sent",
            "last_error": None,
            "provider_id": result.provider_id,
            "provider_status": result.status[:20],
        }
    permanent = isinstance(result, DeliveryFailed) and result.permanent
    retry_after = result.retry_after if isinstance(result, DeliveryFailed) else None
    failed = permanent or attempts >= MAX_ATTEMPTS
    log.warning("notice %s not sent (attempt %d): %s", notice.id, attempts, result)
    return {
        "attempts": attempts,
        "last_error": str(result)[:500],
        "status": "failed" if failed else "queued",
        "next_attempt_at": utcnow() + backoff(attempts, retry_after),
    }


def _send_claimed(
    uow: UnitOfWork,
    claimed: list[Notice],
    notifications: NotificationService,
    outlets: Outlets | None,
) -> int:
    """Send claimed notices, recording each outcome in its own small commit."""
    sent = 0
    for notice in claimed:
        result: Delivery | Exception
        try:
            result = _send(uow, notice, notifications, outlets)
        except Exception as exc:  # any transport failure: retry later
            result = exc
        sent += isinstance(result, Delivery)
        values = _outcome(notice, notice.attempts + 1, result)
        uow.db.execute(
            update(Notice)
            .where(Notice.tenant_id == notice.tenant_id, Notice.id == notice.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        uow.commit()
    return sent


def deliver(
    *,
    make_uow: Callable[[], UnitOfWork],
    notifications: NotificationService,
    outlets: Outlets | None = None,
    now: datetime | None = None,
) -> int:
    """Claim due notices, then send each and record the outcome in its own small commit.
    Without ``outlets`` only email goes, as plain text through ``notifications``."""
    now = now or utcnow()
    with make_uow() as uow:
        due = list(
            uow.db.execute(
                select(Notice)
                .where(
                    Notice.status == "queued",
                    Notice.next_attempt_at <= now,
                    Notice.attempts < MAX_ATTEMPTS,
                )
                .order_by(Notice.next_attempt_at)
                .limit(BATCH)
            ).scalars()
        )
        claimed = [n for n in due if _claim(uow, n, now)]
        uow.commit()
        return _send_claimed(uow, claimed, notifications, outlets)


def send_now(
    *,
    uow: UnitOfWork,
    notifications: NotificationService,
    tenant_id: uuid.UUID,
    ids: Sequence[uuid.UUID],
) -> int:
    """Send at once the emails a use case queued (with ``mail``) and has just committed:
    a reset link is awaited at the inbox. Called outside the use case's ``with uow``. What
    fails is logged and stays queued for the delivery job's retries; what the job already
    claimed is left to it (never sent twice). How many went."""
    if not ids:
        return 0
    now = utcnow()
    try:
        with uow:
            rows = uow.db.execute(
                select(Notice).where(
                    Notice.tenant_id == tenant_id,
                    Notice.id.in_(list(ids)),
                    Notice.status == "queued",
                    Notice.next_attempt_at <= now,
                )
            ).scalars()
            claimed = [n for n in rows if _claim(uow, n, now)]
            uow.commit()
            return _send_claimed(uow, claimed, notifications, None)
    except Exception:  # the change is committed; the job sends the mail later
        log.exception("could not send notices %s now; the delivery job will retry", ids)
        return 0
