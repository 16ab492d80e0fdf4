"""The delivery log through the API: narrowed by member, name or address, and local day;
and a failed message sent again (``POST /notices/{id}/retry``) against a real SMTP server
on loopback that refuses a mailbox until it exists."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from server.bootstrap import Container, outlets
from server.config import Settings
from server.notices import rules
from server.notices import service as notices
from server.notices.models import Notice
from shared.clock import utcnow
from shared.quiet_hours import QuietHours
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api
from tests.integration.members_helpers import mailing_to
from tests.loopback.smtp_refusing import RefusingSink, refusing_smtp

NEVER_QUIET = QuietHours(time(0), time(0))
GONE = "gone@example.com"


@pytest.fixture
def refusing() -> Iterator[tuple[RefusingSink, int]]:
    with refusing_smtp(GONE) as running:
        yield running


@pytest.fixture
def settings(settings: Settings, refusing: tuple[RefusingSink, int]) -> Settings:
    return mailing_to(settings, refusing, background_jobs=False)


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, "notice-log-gym")


def _send(container: Container) -> int:
    return notices.deliver(
        make_uow=container.uow, notifications=container.notifications, outlets=outlets(container)
    )


def _message(
    studio: Studio, member_id: str, kind: rules.Kind = rules.Kind.TRANSACTIONAL, topic: str = "t"
) -> None:
    with studio.container.uow() as uow:
        notices.to_member(
            uow=uow,
            tenant_id=uuid.UUID(studio.tenant_id),
            member_id=uuid.UUID(member_id),
            kind=kind,
            topic=topic,
            subject="Your booking",
            body="See you at HIIT.",
            quiet=NEVER_QUIET,
        )
        uow.commit()


def _member(studio: Studio, email: str, first: str = "Ama", last: str = "Mensah") -> str:
    """A member added through the API (so that the name search finds them)."""
    body = {"first_name": first, "last_name": last, "email": email}
    response = studio.api.client.post("/members", json=body, headers=studio.admin)
    assert response.status_code == 201, response.text
    member_id: str = response.json()["id"]
    return member_id


def _rows(container: Container, tenant_id: str) -> list[Notice]:
    with container.uow() as uow:
        return list(
            uow.db.execute(
                select(Notice)
                .where(Notice.tenant_id == uuid.UUID(tenant_id))
                .order_by(Notice.created_at)
            ).scalars()
        )


def _log(studio: Studio, query: str = "") -> list[dict[str, Any]]:
    """The log as the API lists it, without the member-app invitations that adding each
    member queues (these tests look at the messages they write)."""
    response = studio.api.client.get(f"/notices?{query}", headers=studio.admin)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return [item for item in items if item["topic"] != "member.invitation"]


def _failed_notice(studio: Studio) -> tuple[str, str]:
    """A member whose mailbox the server refuses, and their message, failed for good."""
    member = _member(studio, GONE, "Esi", "Owusu")
    _message(studio, member, topic="booking.confirmed")
    assert _send(studio.container) == 0
    [failed] = _log(studio, "status=failed")
    assert failed["attempts"] == 1 and "550" in failed["last_error"]
    assert failed["member_name"] == "Esi Owusu"
    return member, failed["id"]


def test_a_failed_message_is_sent_again_once_the_mailbox_exists(
    studio: Studio, container: Container, refusing: tuple[RefusingSink, int]
) -> None:
    sink = refusing[0]
    _member, notice_id = _failed_notice(studio)
    client = studio.api.client
    # Another tenant cannot see or send it; nor can the front desk or a member.
    other = open_studio(studio.api, container, "notice-log-other")
    before = _rows(container, studio.tenant_id)
    for headers in (other.admin, studio.staff):
        refused = client.post(f"/notices/{notice_id}/retry", headers=headers)
        assert refused.status_code in (403, 404), refused.text
        assert refused.headers["content-type"] == "application/problem+json"
    assert client.post(f"/notices/{notice_id}/retry", headers=other.admin).status_code == 404
    assert client.post(f"/notices/{notice_id}/retry", headers=studio.staff).status_code == 403
    assert _log(other) == []
    unknown = client.post(f"/notices/{uuid.uuid4()}/retry", headers=studio.admin)
    assert unknown.status_code == 404 and unknown.json()["title"] == "Not found"
    assert client.post("/notices/not-an-id/retry", headers=studio.admin).status_code == 404
    after = _rows(container, studio.tenant_id)
    assert [(n.status, n.attempts) for n in after] == [(n.status, n.attempts) for n in before]

    sink.refused.clear()
    t0 = utcnow()
    again = client.post(f"/notices/{notice_id}/retry", headers=studio.admin)
    assert again.status_code == 200, again.text
    read = again.json()
    assert (read["status"], read["attempts"], read["sent_at"]) == ("queued", 0, None)
    assert datetime.fromisoformat(read["next_attempt_at"]) >= t0 - timedelta(seconds=1)
    assert "550" in read["last_error"]  # what went wrong last time stays shown
    assert _send(container) == 1
    assert [m["Subject"] for m in sink.to(GONE)] == ["Your booking"]
    [sent] = _log(studio)
    assert (sent["status"], sent["attempts"], sent["last_error"]) == ("sent", 1, None)
    # Sent: not again (409), nothing changes, nothing more goes.
    twice = client.post(f"/notices/{notice_id}/retry", headers=studio.admin)
    assert twice.status_code == 409 and "failed" in twice.json()["detail"]
    assert _send(container) == 0 and len(sink.to(GONE)) == 1
    assert _log(studio)[0]["status"] == "sent"


def test_a_queued_message_or_one_the_member_no_longer_wants_is_not_sent_again(
    studio: Studio, container: Container
) -> None:
    member = _member(studio, GONE)
    _message(studio, member, rules.Kind.NUDGE, topic="nudge.lapsed")
    _send(container)
    [failed] = _log(studio, "status=failed")
    # The member has since turned nudges off: it is not sent again.
    off = {"reminder": ["email"], "nudge": [], "marketing": []}
    client = studio.api.client
    put = client.put("/me/channels", json=off, headers=studio.member_headers(member))
    assert put.status_code == 200, put.text
    refused = client.post(f"/notices/{failed['id']}/retry", headers=studio.admin)
    assert refused.status_code == 409 and "no longer gets nudge" in refused.json()["detail"]
    assert _log(studio)[0]["status"] == "failed"
    # A message still waiting (held or between attempts) is not a failed one.
    _message(studio, _member(studio, "later@example.com"))
    [queued] = _log(studio, "status=queued")
    refused = client.post(f"/notices/{queued['id']}/retry", headers=studio.admin)
    assert refused.status_code == 409 and "queued" in refused.json()["detail"]


def test_a_reminder_sent_again_at_night_waits_out_the_quiet_hours(
    studio: Studio, container: Container
) -> None:
    member = _member(studio, GONE)
    _message(studio, member, rules.Kind.REMINDER, topic="booking.reminder")
    _send(container)
    [failed] = _log(studio, "status=failed")
    # Quiet from a minute ago to two minutes before that, tomorrow: sent again now, it
    # waits till then.
    zone = ZoneInfo("Europe/London")
    now = datetime.now(zone)
    start = (now - timedelta(minutes=1)).strftime("%H:%M")
    end = (now - timedelta(minutes=2)).strftime("%H:%M")
    body = {"quiet_start": start, "quiet_end": end}
    response = studio.api.client.put("/notice-settings", json=body, headers=studio.admin)
    assert response.status_code == 200, response.text
    again = studio.api.client.post(f"/notices/{failed['id']}/retry", headers=studio.admin)
    assert again.status_code == 200, again.text
    held = datetime.fromisoformat(again.json()["next_attempt_at"])
    assert held > utcnow() + timedelta(hours=23)
    assert _send(container) == 0


def test_the_log_is_narrowed_by_member_name_address_and_local_day(
    studio: Studio, container: Container
) -> None:
    ama = _member(studio, "ama@example.com", "Ama", "Mensah")
    kofi = _member(studio, "kofi@example.com", "Kofi", "Boateng")
    for member in (ama, ama, kofi):
        _message(studio, member)
    # Kofi's message was written three days ago.
    three_days_ago = utcnow() - timedelta(days=3)
    with container.uow() as uow:
        uow.db.execute(
            update(Notice)
            .where(Notice.member_id == uuid.UUID(kofi))
            .values(created_at=three_days_ago)
        )
        uow.commit()
    assert len(_log(studio)) == 3
    assert {n["to_email"] for n in _log(studio, f"member_id={ama}")} == {"ama@example.com"}
    assert len(_log(studio, f"member_id={ama}")) == 2
    assert [n["member_name"] for n in _log(studio, "search=boateng")] == ["Kofi Boateng"]
    assert [n["member_name"] for n in _log(studio, "search=KOFI%20boat")] == ["Kofi Boateng"]
    assert len(_log(studio, "search=ama@exa")) == 2
    assert _log(studio, "search=nobody") == []
    assert _log(studio, "search=%25") == []  # a wildcard is a character like any other
    today = datetime.now(ZoneInfo("Europe/London")).date()
    then = three_days_ago.astimezone(ZoneInfo("Europe/London")).date()
    assert len(_log(studio, f"from={today}&to={today}")) == 2
    assert [n["member_id"] for n in _log(studio, f"from={then}&to={then}")] == [kofi]
    assert len(_log(studio, f"from={then}")) == 3
    assert _log(studio, f"from={today + timedelta(days=1)}") == []
    client = studio.api.client
    for bad in (
        f"from={today}&to={then}",
        "from=2026-02-30",
        "member_id=ama",
        "search=" + "x" * 101,
        "status=held",
    ):
        response = client.get(f"/notices?{bad}", headers=studio.admin)
        assert response.status_code == 422, (bad, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert client.get(f"/notices?member_id={ama}", headers=studio.staff).status_code == 403
