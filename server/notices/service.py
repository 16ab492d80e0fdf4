"""Notices: queued in the writing transaction, sent after it commits by a background job.

A notice is claimed for sending with a conditional UPDATE (``next_attempt_at`` moved on only
if it still holds the value read), so two server processes never send one notice twice.
A failed send is retried with exponential backoff up to ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update

from server.db.uow import UnitOfWork
from server.notices.models import Notice
from server.ports.notifications import Notification, NotificationService
from shared.clock import utcnow
from shared.ids import new_id

log = logging.getLogger("zmos.notices")

MAX_ATTEMPTS = 8
#: While one process sends a claimed notice, others leave it alone for this long.
CLAIM_SECONDS = 120
BATCH = 50


def queue(
    *,
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    to_email: str,
    subject: str,
    body: str,
    topic: str,
    not_before: datetime | None = None,
) -> None:
    """Add a notice to the caller's open transaction; nothing is sent unless it commits.
    ``not_before``: held until then (a member's quiet hours)."""
    now = utcnow()
    uow.db.add(
        Notice(
            id=new_id(),
            tenant_id=tenant_id,
            to_email=to_email,
            subject=subject[:300],
            body=body,
            topic=topic[:50],
            created_at=now,
            next_attempt_at=now if not_before is None else max(now, not_before),
            attempts=0,
        )
    )


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: 30 s, 1 min, 2 min, … capped at one hour."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def _claim(uow: UnitOfWork, notice: Notice, now: datetime) -> bool:
    result = uow.db.execute(
        update(Notice)
        .where(
            Notice.tenant_id == notice.tenant_id,
            Notice.id == notice.id,
            Notice.sent_at.is_(None),
            Notice.next_attempt_at == notice.next_attempt_at,
        )
        .values(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def deliver(
    *,
    make_uow: Callable[[], UnitOfWork],
    notifications: NotificationService,
    now: datetime | None = None,
) -> int:
    """Claim due notices, then send each and record the outcome in its own small commit."""
    now = now or utcnow()
    sent = 0
    with make_uow() as uow:
        due = list(
            uow.db.execute(
                select(Notice)
                .where(
                    Notice.sent_at.is_(None),
                    Notice.next_attempt_at <= now,
                    Notice.attempts < MAX_ATTEMPTS,
                )
                .order_by(Notice.next_attempt_at)
                .limit(BATCH)
            ).scalars()
        )
        claimed = [n for n in due if _claim(uow, n, now)]
        uow.commit()
        for notice in claimed:
            notice_id, tenant_id = notice.id, notice.tenant_id
            message = Notification(notice.to_email, notice.subject, notice.body)
            attempts = notice.attempts + 1
            try:
                notifications.send(message)
            except Exception as exc:  # any transport failure: retry later
                log.warning("notice %s not sent (attempt %d): %s", notice_id, attempts, exc)
                values: dict[str, object] = {
                    "attempts": attempts,
                    "last_error": str(exc)[:500],
                    "next_attempt_at": utcnow() + backoff(attempts),
                }
            else:
                sent += 1
                values = {"attempts": attempts, "sent_at": utcnow(), "last_error": None}
            uow.db.execute(
                update(Notice)
                .where(Notice.tenant_id == tenant_id, Notice.id == notice_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            uow.commit()
    return sent
