"""Answers that say what the system did on its own: a no-show fee waived because the
attendance came in late says it was the system and why; a schedule says how many of its
days were skipped because they had passed (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

from server.bookings import jobs
from server.bootstrap import Container
from shared.clock import utcnow
from tests.integration.bookings_helpers import open_studio as open_booking_studio
from tests.integration.helpers import Api
from tests.integration.scheduling_helpers import open_studio


def test_a_no_show_waived_by_late_attendance_says_the_system_did_it(
    api: Api, container: Container
) -> None:
    studio = open_booking_studio(api, container, "waived-late")
    client = studio.api.client
    changed = client.patch(
        "/booking-policy", json={"grace_allowance": 0, "no_show_fee": "5.00"}, headers=studio.admin
    )
    assert changed.status_code == 200, changed.text
    member = studio.member()
    session_id = studio.session(starts_in=timedelta(hours=1))
    booking = studio.booked(session_id, member)
    studio.move_start(session_id, utcnow() - timedelta(hours=2))
    jobs.close_ended_sessions(make_uow=container.uow, payments=container.payments)
    [charged] = client.get(f"/members/{member}/penalties", headers=studio.staff).json()["items"]
    assert (charged["outcome"], charged["waived_by"]) == ("fee", None)
    late = client.post(
        f"/bookings/{booking['id']}/attendance",
        json={"checked_in_at": (utcnow() - timedelta(hours=2)).isoformat()},
        headers=studio.staff,
    )
    assert late.status_code == 200, late.text
    [waived] = client.get(f"/members/{member}/penalties", headers=studio.staff).json()["items"]
    assert (waived["outcome"], waived["waived_by"]) == ("waived", "system")
    assert "attendance recorded late" in waived["waived_reason"]
    assert waived["waived_at"] is not None


def test_a_schedule_says_how_many_days_it_skipped_because_they_had_passed(
    api: Api, container: Container
) -> None:
    studio = open_studio(api, container, "skipped-past")
    yoga = studio.session_type()
    today = date.today()
    made = studio.schedule(
        yoga["id"],
        weekdays=[1, 2, 3, 4, 5, 6, 7],
        local_start="00:30",
        starts_on=(today - timedelta(days=5)).isoformat(),
        ends_on=(today + timedelta(days=4)).isoformat(),
    )
    changes = made["changes"]
    # Five past days, and today's 00:30 in London unless London's clock is not there yet
    # (or already tomorrow's): every day of the ten is created or skipped, never both.
    assert 5 <= changes["skipped_past"] <= 7
    assert changes["created"] + changes["skipped_past"] == 10
    # An edit that reaches further back skips those days as well, and says so.
    edited = api.client.patch(
        f"/schedules/{made['schedule']['id']}",
        json={"starts_on": (today - timedelta(days=8)).isoformat()},
        headers=studio.admin,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["changes"]["skipped_past"] == changes["skipped_past"] + 3
    assert edited.json()["changes"]["created"] == 0
    # A series wholly ahead skips nothing.
    ahead = studio.schedule(
        yoga["id"],
        weekdays=[1],
        local_start="09:00",
        starts_on=(today + timedelta(days=1)).isoformat(),
        ends_on=(today + timedelta(days=14)).isoformat(),
    )
    assert ahead["changes"]["skipped_past"] == 0 and ahead["changes"]["created"] == 2
