"""Notices: queued with the booking change, sent by the job through real SMTP on loopback,
retried with backoff when the server is down, never sent twice."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from server.bootstrap import Container
from server.config import Settings
from server.notices import service as notices
from server.notices.models import Notice
from shared.clock import utcnow
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api
from tests.integration.members_helpers import SmtpSink, mailing_to
from tests.ports import free_port


@pytest.fixture
def settings(settings: Settings, smtp: tuple[SmtpSink, int]) -> Settings:
    return mailing_to(settings, smtp, background_jobs=False)


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, "notice-gym")


def _send_due(container: Container, now: datetime | None = None) -> int:
    """What the process's notices job does."""
    return notices.deliver(make_uow=container.uow, notifications=container.notifications, now=now)


def _bodies(sink: SmtpSink, address: str) -> list[tuple[str, str]]:
    found = []
    for message in sink.to(address):
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        found.append((str(message["Subject"]), body.get_content()))
    return found


def test_confirmation_and_promotion_are_emailed_once(
    studio: Studio, container: Container, smtp: tuple[SmtpSink, int]
) -> None:
    sink = smtp[0]
    session_id = studio.session(capacity=1)
    first = studio.member(email="first@example.com")
    second = studio.member(email="second@example.com")
    booking = studio.booked(session_id, first)
    studio.booked(session_id, second)
    # Two processes send at once: each notice goes out exactly once.
    barrier = threading.Barrier(2)

    def send() -> None:
        barrier.wait()
        _send_due(container)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    [(subject, body)] = _bodies(sink, "first@example.com")
    assert subject.startswith("Booked: HIIT at Osu Studio") and "You are booked" in body
    [(subject, body)] = _bodies(sink, "second@example.com")
    assert subject.startswith("On the waitlist") and "number 1 in line" in body
    studio.cancel(booking["id"])
    assert _send_due(container) == 1
    subject, body = _bodies(sink, "second@example.com")[-1]
    assert subject.startswith("A place opened up") and "now booked" in body
    assert _send_due(container) == 0


def test_waitlist_emails_count_places_in_line_from_one(
    studio: Studio, container: Container, smtp: tuple[SmtpSink, int]
) -> None:
    sink = smtp[0]
    session_id = studio.session(capacity=2)
    for n in range(2):
        studio.booked(session_id, studio.member(email=f"in{n}@example.com"))
    first = studio.booked(session_id, studio.member(email="line1@example.com"))
    studio.booked(session_id, studio.member(email="line2@example.com"))
    # Someone leaves the line: the next to join is behind one person, not three.
    studio.cancel(first["id"])
    studio.booked(session_id, studio.member(email="line3@example.com"))
    _send_due(container)
    for address, place in (
        ("line1@example.com", 1),
        ("line2@example.com", 2),
        ("line3@example.com", 2),
    ):
        [(subject, body)] = _bodies(sink, address)
        assert subject.startswith("On the waitlist")
        assert f"You are number {place} in line" in body, (address, body)


def test_failed_send_is_retried_with_backoff(studio: Studio, container: Container) -> None:
    from server.adapters.smtp_notifications import SmtpNotifications

    member = studio.member(email="retry@example.com")
    studio.booked(studio.session(), member)
    dead = SmtpNotifications("127.0.0.1", free_port(), "zmos@example.com", timeout=2)
    assert notices.deliver(make_uow=container.uow, notifications=dead) == 0
    with container.uow() as uow:
        [row] = uow.db.execute(select(Notice)).scalars().all()
        assert (row.attempts, row.sent_at) == (1, None)
        assert row.last_error
        assert row.next_attempt_at > utcnow() + timedelta(seconds=20)
    # Not due yet; then due, and the live server takes it.
    assert _send_due(container) == 0
    later = utcnow() + timedelta(minutes=2)
    assert _send_due(container, now=later) == 1
    with container.uow() as uow:
        [row] = uow.db.execute(select(Notice)).scalars().all()
        assert row.sent_at is not None and row.attempts == 2
