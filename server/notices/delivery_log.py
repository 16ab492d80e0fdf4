"""Use cases of the delivery log (owners and managers): the tenant's messages, filtered and
paged, and sending a failed one again."""

from __future__ import annotations

import uuid
from datetime import datetime

from server.db.uow import UnitOfWork
from server.errors import Conflict, NotFound
from server.notices import repository as repo
from server.notices import rules
from server.notices.models import Notice
from server.notices.rules import NoticeFilters
from server.notices.schemas import NoticePage, NoticeRead
from server.ports.notifications import Channel
from shared.clock import utcnow


def page(
    *, uow: UnitOfWork, tenant_id: uuid.UUID, filters: NoticeFilters, limit: int, offset: int
) -> NoticePage:
    """The tenant's messages, newest first, with each one's attempts and outcome."""
    with uow:
        rows, total = repo.log_page(uow.db, tenant_id, filters, limit=limit, offset=offset)
        items = [
            NoticeRead.model_validate(row).model_copy(update={"member_name": name})
            for row, name in rows
        ]
    more = offset + len(items) < total
    return NoticePage(items=items, next_offset=offset + len(items) if more else None)


def _goes_at(uow: UnitOfWork, notice: Notice) -> datetime:
    """When a message sent again may go: at once, or for what a member chose (reminders,
    nudges, news) after the tenant's quiet hours on the member's clock; and only while the
    member is on the books and still gets that kind on that channel."""
    now = utcnow()
    if notice.member_id is None:
        return now
    person = repo.contact(uow.db, notice.tenant_id, notice.member_id)
    if person is None:
        raise Conflict("the member it was for is no longer on the books")
    kind = rules.Kind(notice.kind)
    if kind not in rules.CHOOSABLE:
        return now
    choices = repo.choices(uow.db, notice.tenant_id, notice.member_id)
    if Channel(notice.channel) not in rules.channels_for(kind, choices):
        raise Conflict(f"the member no longer gets {kind.value} messages by {notice.channel}")
    quiet = repo.tenant_quiet_hours(repo.settings(uow.db, notice.tenant_id))
    return rules.release_at(kind, now, quiet, person.zone)


def retry_now(*, uow: UnitOfWork, tenant_id: uuid.UUID, notice_id: uuid.UUID) -> NoticeRead:
    """Queue a failed message again, due now (a member's reminder or nudge: after quiet
    hours), with a fresh set of attempts (its last error
    stays shown until the next attempt). Another tenant's or an unknown id is not found;
    a message that has not failed (sent, or still queued) is a conflict; nothing changes."""
    with uow:
        notice = uow.db.get(Notice, (tenant_id, notice_id))
        if notice is None:
            raise NotFound("no such message")
        if notice.status != "failed":
            raise Conflict(f"only a failed message can be sent again; this one is {notice.status}")
        goes_at = _goes_at(uow, notice)
        notice.status = "queued"
        notice.attempts = 0
        notice.next_attempt_at = goes_at
        notice.sent_at = None
        notice.provider_id = None
        notice.provider_status = None
        uow.commit()
        return NoticeRead.model_validate(notice)
