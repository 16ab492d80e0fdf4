"""Nudges end to end (SQLite and PostgreSQL): each kind sent once at its time and never in
the member's quiet hours (members here live in New York, the server in UTC), opt-outs, the
weekly cap, nothing for what is done already, the mail on the loopback SMTP server, two
jobs at once, and quiet hours across London's clock change."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from time import monotonic, sleep
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from server.bookings.models import Booking
from server.bootstrap import Container
from server.config import Settings
from server.engagement.models import MovementEvent
from server.engagement.projection import project_pending, streaks_at_risk
from server.members.models import Member
from server.notices import service as notices
from server.notices.models import Notice
from server.nudges.models import Nudge
from server.nudges.service import run_nudges
from shared.clock import utcnow
from shared.ids import new_id
from tests.integration.bookings_helpers import Studio
from tests.integration.helpers import Api
from tests.integration.members_helpers import SmtpSink, mailing_to
from tests.integration.plans_helpers import MONTHLY, PACK, open_desk

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def settings(settings: Settings, smtp: tuple[SmtpSink, int]) -> Settings:
    return mailing_to(settings, smtp, background_jobs=False)


def _studio(api: Api, container: Container, slug: str, zone: str) -> Studio:
    desk = open_desk(api, container, slug, timezone=zone)
    studio = Studio(desk=desk, session_type_id="", monthly_plan="", pack_plan="")
    studio.session_type_id = studio.session_type()
    studio.monthly_plan = desk.plan(MONTHLY)
    studio.pack_plan = desk.plan(PACK)
    return studio


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return _studio(api, container, "nudge-gym", "America/New_York")


def _day_ahead(days: int, hour: int, minute: int = 0) -> datetime:
    """A moment some days from now at a New York wall-clock time, in UTC."""
    base = (utcnow() + timedelta(days=days)).date()
    return datetime.combine(base, time(hour, minute), tzinfo=NEW_YORK).astimezone(UTC)


def _run(studio: Studio, now: datetime) -> int:
    # The projector's own job keeps engagement current in a server; here it runs first.
    container = studio.container
    project_pending(
        container.uow,
        uuid.UUID(studio.tenant_id),
        projector=container.projector(),
    )
    return run_nudges(container.uow, now, streaks_at_risk=streaks_at_risk)


def _nudges(studio: Studio, member_id: str | None = None) -> list[Nudge]:
    with studio.container.uow() as uow:
        query = select(Nudge).where(Nudge.tenant_id == uuid.UUID(studio.tenant_id))
        if member_id:
            query = query.where(Nudge.member_id == uuid.UUID(member_id))
        return list(uow.db.execute(query.order_by(Nudge.created_at)).scalars())


def _class_at(studio: Studio, starts_at: datetime, member_id: str) -> dict[str, Any]:
    session_id = studio.session(starts_in=timedelta(days=1))
    booking = studio.booked(session_id, member_id)
    studio.move_start(session_id, starts_at)
    return booking


def _set_booking(studio: Studio, booking_id: str, **values: Any) -> None:
    with studio.container.uow() as uow:
        row = uow.db.get(Booking, (uuid.UUID(studio.tenant_id), uuid.UUID(booking_id)))
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        uow.commit()


def _moved(studio: Studio, member_id: str, at: datetime, minutes: int = 60) -> None:
    with studio.container.uow() as uow:
        uow.db.add(
            MovementEvent(
                tenant_id=uuid.UUID(studio.tenant_id),
                id=new_id(),
                member_id=uuid.UUID(member_id),
                kind="floor_checkin",
                occurred_at=at,
                data={},
                minutes=minutes,
                intensity="moderate",
                provenance="scanner_verified",
                source="kiosk",
                local_date=at.date(),
                zone="UTC",
                is_void=False,
            )
        )
        uow.commit()


def _short(day: datetime) -> str:
    return f"{day.day} {day:%b}"


def _reminders(mailbox: SmtpSink, address: str) -> list[EmailMessage]:
    return [m for m in mailbox.to(address) if "Reminder" in str(m["Subject"])]


def test_a_class_reminder_goes_once_two_hours_before_and_reaches_the_mailbox(
    studio: Studio, container: Container, smtp: tuple[SmtpSink, int]
) -> None:
    member = studio.member(email="ama@example.com")
    starts = _day_ahead(3, 18)
    _class_at(studio, starts, member)
    assert _run(studio, starts - timedelta(hours=2, minutes=1)) == 0
    assert _nudges(studio) == []
    # 16:00 in New York; the server's UTC clock says 21:00 (20:00 in summer), which would be
    # quiet hours in London.
    assert _run(studio, starts - timedelta(hours=2)) == 1
    assert _run(studio, starts - timedelta(hours=1)) == 0
    [nudge] = _nudges(studio)
    local = starts.astimezone(NEW_YORK)
    assert nudge.kind == "class_reminder" and nudge.skipped is None
    assert nudge.why == f"booked HIIT at 18:00 on {_short(local)}; reminder 2 h before"
    # Delivered at the run's time too: the notice was queued on the real clock, and at night
    # the member's quiet hours hold it till morning.
    notices.deliver(
        make_uow=container.uow,
        notifications=container.notifications,
        now=starts - timedelta(hours=2),
    )
    # The server's own notices job may have taken the notice first and be sending it now.
    deadline = monotonic() + 10
    while not (mails := _reminders(smtp[0], "ama@example.com")) and monotonic() < deadline:
        sleep(0.05)
    [mail] = mails
    assert str(mail["Subject"]) == "Reminder: HIIT at 18:00"
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None and "reminder 2 h before" in body.get_content()
    # The member reads what was sent and why.
    mine = studio.api.client.get("/me/nudges", headers=studio.member_headers(member))
    assert mine.status_code == 200, mine.text
    assert [n["why"] for n in mine.json()["items"]] == [nudge.why]


def test_a_reminder_due_in_quiet_hours_waits_or_is_dropped_when_too_late(studio: Studio) -> None:
    waits, dropped = studio.member(email="w@example.com"), studio.member(email="d@example.com")
    # Classes at 08:30 and 08:20 in New York: due 06:30 and 06:20, in quiet hours.
    at_half = _day_ahead(3, 8, 30)
    _class_at(studio, at_half, waits)
    _class_at(studio, _day_ahead(3, 8, 20), dropped)
    assert _run(studio, _day_ahead(3, 6, 30)) == 0
    [skip] = _nudges(studio)
    assert str(skip.member_id) == dropped and skip.skipped == "quiet_hours"
    assert _run(studio, _day_ahead(3, 7, 59)) == 0
    assert _run(studio, _day_ahead(3, 8, 0)) == 1  # quiet hours are over
    assert [n.sent_at is not None for n in _nudges(studio, waits)] == [True]


def test_no_reminder_for_a_class_checked_in_or_cancelled(studio: Studio) -> None:
    checked, cancelled = studio.member(email="c@example.com"), studio.member(email="x@example.com")
    starts = _day_ahead(3, 18)
    booking = _class_at(studio, starts, checked)
    _set_booking(studio, booking["id"], checked_in_at=starts - timedelta(hours=3))
    gone = _class_at(studio, starts, cancelled)
    assert studio.cancel(gone["id"]).status_code == 200
    assert _run(studio, starts - timedelta(hours=2)) == 0
    [done] = _nudges(studio)
    assert str(done.member_id) == checked and done.skipped == "done_already"


def test_an_opt_out_and_the_weekly_cap(studio: Studio) -> None:
    member = studio.member(email="o@example.com")
    headers = studio.member_headers(member)
    put = studio.api.client.put(
        "/me/nudge-settings",
        json={"opted_out": ["class_reminder"], "quiet_start": "22:00", "quiet_end": "07:00"},
        headers=headers,
    )
    assert put.status_code == 200, put.text
    read = studio.api.client.get("/me/nudge-settings", headers=headers).json()
    assert read == {"opted_out": ["class_reminder"], "quiet_start": "22:00", "quiet_end": "07:00"}
    starts = _day_ahead(3, 18)
    _class_at(studio, starts, member)
    assert _run(studio, starts - timedelta(hours=2)) == 0
    assert [n.skipped for n in _nudges(studio, member)] == ["opted_out"]
    # A cap of 1 a week: the second reminder of the week is skipped.
    policy = studio.api.client.put(
        "/nudge-policy",
        json={"weekly_cap": 1, "reminder_minutes": 120, "lapse_days": 7},
        headers=studio.admin,
    )
    assert policy.status_code == 200, policy.text
    other = studio.member(email="p@example.com")
    first, second = _day_ahead(3, 18), _day_ahead(4, 18)
    _class_at(studio, first, other)
    _class_at(studio, second, other)
    assert _run(studio, first - timedelta(hours=2)) == 1
    assert _run(studio, second - timedelta(hours=2)) == 0
    assert [n.skipped for n in _nudges(studio, other)] == [None, "cap"]
    # A week later the window has room again.
    third = _day_ahead(11, 18)
    _class_at(studio, third, other)
    assert _run(studio, third - timedelta(hours=2)) == 1


def test_the_profiles_class_reminders_unticked_is_an_opt_out(studio: Studio) -> None:
    member = studio.member(email="u@example.com")
    with studio.container.uow() as uow:
        row = uow.db.get(Member, (uuid.UUID(studio.tenant_id), uuid.UUID(member)))
        assert row is not None
        row.preferences = {"class_reminders": False}
        uow.commit()
    starts = _day_ahead(3, 18)
    _class_at(studio, starts, member)
    assert _run(studio, starts - timedelta(hours=2)) == 0
    assert [n.skipped for n in _nudges(studio, member)] == ["opted_out"]


@pytest.mark.parametrize(
    "body",
    [
        {"quiet_start": "25:00"},
        {"quiet_end": "7:00"},
        {"quiet_start": "07:60"},
        {"opted_out": ["spam"]},
    ],
)
def test_bad_settings_are_a_422_and_change_nothing(studio: Studio, body: dict[str, Any]) -> None:
    member = studio.member(email="b@example.com")
    headers = studio.member_headers(member)
    response = studio.api.client.put("/me/nudge-settings", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    read = studio.api.client.get("/me/nudge-settings", headers=headers).json()
    assert read == {"opted_out": [], "quiet_start": "21:00", "quiet_end": "08:00"}


def test_a_lapse_is_nudged_once_and_again_only_after_moving(studio: Studio) -> None:
    member, active = studio.member(email="l@example.com"), studio.member(email="a@example.com")
    last = datetime(2026, 11, 2, 17, tzinfo=UTC)  # 12:00 in New York
    _moved(studio, member, last)
    _moved(studio, active, last)
    _moved(studio, active, last + timedelta(days=6))  # moved again: nothing to nudge
    assert _run(studio, last + timedelta(days=6, hours=23)) == 0
    assert _run(studio, last + timedelta(days=7)) == 1
    assert _run(studio, last + timedelta(days=8)) == 0
    [nudge] = _nudges(studio)
    assert str(nudge.member_id) == member
    assert nudge.why == "no movement since 2 Nov; nudge after 7 days"
    again = last + timedelta(days=9)
    _moved(studio, member, again)
    _moved(studio, active, again + timedelta(days=3))
    assert _run(studio, again + timedelta(days=7)) == 1
    assert len(_nudges(studio, member)) == 2


def test_a_no_show_is_followed_up_once_unless_booked_again(studio: Studio) -> None:
    missed, rebooked = studio.member(email="n@example.com"), studio.member(email="r@example.com")
    starts = _day_ahead(3, 18)
    for member in (missed, rebooked):
        booking = _class_at(studio, starts, member)
        _set_booking(studio, booking["id"], attendance="no_show")
    later = _class_at(studio, _day_ahead(6, 18), rebooked)
    _set_booking(studio, later["id"], booked_at=starts + timedelta(minutes=30))
    assert _run(studio, starts + timedelta(hours=1)) == 1
    assert _run(studio, starts + timedelta(hours=2)) == 0
    by_member = {str(n.member_id): n for n in _nudges(studio) if n.kind == "no_show"}
    assert by_member[missed].skipped is None
    assert by_member[rebooked].skipped == "done_already"


def test_streak_protection_on_the_last_days_of_an_unmet_week(studio: Studio) -> None:
    keeps, done = studio.member(email="s@example.com"), studio.member(email="t@example.com")
    # Three met weeks (Mon 2, 9 and 16 Nov 2026, 150 moderate minutes each), then nothing
    # in the week of Mon 23 Nov; on Fri 27 Nov at noon in New York it is at risk.
    for member in (keeps, done):
        for week in range(3):
            _moved(studio, member, datetime(2026, 11, 2 + 7 * week, 15, tzinfo=UTC), 150)
    _moved(studio, done, datetime(2026, 11, 24, 15, tzinfo=UTC), 150)
    friday = datetime(2026, 11, 27, 17, tzinfo=UTC)
    # They have lapsed too (a week without movement): only the streak nudges count here.
    _run(studio, friday - timedelta(days=1))  # Thursday: too early to warn
    assert [n for n in _nudges(studio) if n.kind == "streak_protection"] == []
    _run(studio, friday)
    _run(studio, friday + timedelta(days=1))
    [nudge] = [n for n in _nudges(studio) if n.kind == "streak_protection"]
    assert str(nudge.member_id) == keeps
    assert nudge.why == "3-week streak; 150 more minutes by 29 Nov keep it"


def test_staff_read_a_members_nudges_and_another_tenants_member_is_404(
    studio: Studio, api: Api, container: Container
) -> None:
    member = studio.member(email="q@example.com")
    last = datetime(2026, 11, 2, 17, tzinfo=UTC)
    _moved(studio, member, last)
    _run(studio, last + timedelta(days=7))
    read = api.client.get(f"/members/{member}/nudges", headers=studio.staff)
    assert read.status_code == 200, read.text
    assert [n["kind"] for n in read.json()["items"]] == ["lapsed"]
    other = _studio(api, container, "other-nudge-gym", "Europe/London")
    assert api.client.get(f"/members/{member}/nudges", headers=other.staff).status_code == 404
    assert (
        api.client.get(f"/members/{uuid.uuid4()}/nudges", headers=studio.staff).status_code == 404
    )


def test_quiet_hours_across_londons_clock_change(api: Api, container: Container) -> None:
    london = _studio(api, container, "london-nudges", "Europe/London")
    member = london.member(email="uk@example.com")
    # Last move 21 Mar 2026 22:00 UTC; 7 days later, 28 Mar 22:00 GMT, is quiet. Clocks
    # go forward that night, so quiet hours end at 08:00 BST = 07:00 UTC on 29 Mar.
    _moved(london, member, datetime(2026, 3, 21, 22, tzinfo=UTC))
    assert _run(london, datetime(2026, 3, 28, 22, tzinfo=UTC)) == 0
    assert _run(london, datetime(2026, 3, 29, 6, 59, tzinfo=UTC)) == 0
    assert _run(london, datetime(2026, 3, 29, 7, tzinfo=UTC)) == 1


def test_two_jobs_at_once_send_each_nudge_once(studio: Studio) -> None:
    members = [studio.member(email=f"m{i}@example.com") for i in range(4)]
    starts = _day_ahead(3, 18)
    for member in members:
        _class_at(studio, starts, member)
    barrier = threading.Barrier(2)
    sent: list[int] = []

    def run() -> None:
        barrier.wait()
        sent.append(_run(studio, starts - timedelta(hours=2)))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(sent) == 4
    assert len(_nudges(studio)) == 4
    with studio.container.uow() as uow:
        queued = uow.db.execute(
            select(func.count())
            .select_from(Notice)
            .where(
                Notice.tenant_id == uuid.UUID(studio.tenant_id),
                Notice.topic == "nudge.class_reminder",
            )
        ).scalar_one()
    assert queued == 4


def test_tenants_are_walked_in_batches(
    studio: Studio, api: Api, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.nudges import service

    monkeypatch.setattr(service, "TENANT_BATCH", 1)
    other = _studio(api, container, "batch-two", "America/New_York")
    last = datetime(2026, 11, 2, 17, tzinfo=UTC)
    for place in (studio, other):
        _moved(place, place.member(email=f"x@{uuid.uuid4().hex[:6]}.example"), last)
    assert _run(studio, last + timedelta(days=7)) == 2


def test_the_policy_is_for_owners_and_managers_and_bad_values_are_422(studio: Studio) -> None:
    client = studio.api.client
    assert client.get("/nudge-policy", headers=studio.admin).json() == {
        "weekly_cap": 3,
        "reminder_minutes": 120,
        "lapse_days": 7,
    }
    assert (
        client.put("/nudge-policy", json={"weekly_cap": 2}, headers=studio.staff).status_code == 403
    )
    for bad in ({"weekly_cap": -1}, {"reminder_minutes": 5}, {"lapse_days": 400}):
        refused = client.put("/nudge-policy", json=bad, headers=studio.admin)
        assert refused.status_code == 422, refused.text
    assert client.get("/nudge-policy", headers=studio.admin).json()["weekly_cap"] == 3


def test_a_subject_recorded_by_another_process_meanwhile_is_not_sent_again(
    studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.nudges import repository

    member = studio.member(email="race@example.com")
    starts = _day_ahead(3, 18)
    _class_at(studio, starts, member)
    assert _run(studio, starts - timedelta(hours=2)) == 1
    # As if another process inserted it between this one's reading and its insert: the
    # unique subject refuses the second row, and its notice goes with it.
    monkeypatch.setattr(repository, "recorded", lambda *args: set())
    assert _run(studio, starts - timedelta(hours=2)) == 0
    assert len(_nudges(studio, member)) == 1
    with studio.container.uow() as uow:
        queued = uow.db.execute(
            select(func.count())
            .select_from(Notice)
            .where(
                Notice.tenant_id == uuid.UUID(studio.tenant_id),
                Notice.topic == "nudge.class_reminder",
            )
        ).scalar_one()
    assert queued == 1


def test_the_cap_is_counted_again_when_sending(
    studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.nudges import repository

    member = studio.member(email="cap@example.com")
    starts = _day_ahead(3, 18)
    _class_at(studio, starts, member)
    assert (
        studio.api.client.put(
            "/nudge-policy",
            json={"weekly_cap": 1, "reminder_minutes": 120, "lapse_days": 7},
            headers=studio.admin,
        ).status_code
        == 200
    )
    # Another process sends this member a nudge after this one read the counts.
    with studio.container.uow() as uow:
        uow.db.add(
            Nudge(
                tenant_id=uuid.UUID(studio.tenant_id),
                id=new_id(),
                member_id=uuid.UUID(member),
                kind="lapsed",
                subject_key="lapse:elsewhere",
                why="sent by another process",
                due_at=starts - timedelta(hours=3),
                created_at=starts - timedelta(hours=3),
                sent_at=starts - timedelta(hours=3),
            )
        )
        uow.commit()
    real = repository.sent_since
    calls: list[int] = []

    def stale_first(*args: Any) -> dict[uuid.UUID, int]:
        calls.append(1)
        return {} if len(calls) == 1 else real(*args)

    monkeypatch.setattr(repository, "sent_since", stale_first)
    assert _run(studio, starts - timedelta(hours=2)) == 0
    reminder = [n for n in _nudges(studio, member) if n.kind == "class_reminder"]
    assert [(n.sent_at, n.skipped) for n in reminder] == [(None, "cap")]
