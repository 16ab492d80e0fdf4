"""The provider overview: today's sessions with counts, and rates per group over a period."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.bookings import jobs
from server.bootstrap import Container
from shared.clock import utcnow
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, "overview-gym")


def test_today_and_attendance_rates(studio: Studio, container: Container) -> None:
    client = studio.api.client
    yoga = studio.session_type("Yoga")
    # Yesterday in the location's zone (London): a whole day that is over, whatever the hour.
    london = ZoneInfo("Europe/London")
    yesterday = utcnow().astimezone(london).date() - timedelta(days=1)

    def at(hour: int) -> datetime:
        return datetime.combine(yesterday, time(hour), tzinfo=london)

    # Starting soon: attendance can be recorded (check-in opens an hour before the start).
    done = studio.session(capacity=4, starts_in=timedelta(minutes=30))
    members = [studio.member() for _ in range(5)]
    bookings = [studio.booked(done, m) for m in members]
    assert [b["status"] for b in bookings].count("waitlisted") == 1
    client.post(f"/bookings/{bookings[0]['id']}/attendance", headers=studio.staff)
    client.post(f"/bookings/{bookings[1]['id']}/attendance", headers=studio.staff)
    studio.move_start(done, at(9))
    jobs.close_ended_sessions(make_uow=container.uow, payments=container.payments)
    studio.session(capacity=10, starts_in=at(18) - utcnow(), session_type_id=yoga)
    location = studio.desk.location["id"]
    today = client.get(
        f"/overview/today?location_id={location}&day={yesterday}", headers=studio.admin
    )
    assert today.status_code == 200, today.text
    assert today.json()["date"] == yesterday.isoformat()
    by_id = {s["session_id"]: s for s in today.json()["sessions"]}
    row = by_id[done]
    assert (row["confirmed_count"], row["waitlist_count"], row["checked_in"], row["no_shows"]) == (
        4,
        1,
        2,
        2,
    )
    assert (row["capacity"], row["fill_rate"]) == (4, 1.0)
    day = today.json()["date"]
    rates = client.get(
        f"/overview/attendance?from={day}&to={day}&group_by=session_type", headers=studio.admin
    )
    assert rates.status_code == 200, rates.text
    items = {i["label"]: i for i in rates.json()["items"]}
    assert (items["HIIT"]["attendance_rate"], items["HIIT"]["fill_rate"]) == (0.5, 1.0)
    assert items["Yoga"]["confirmed_count"] == 0 and items["Yoga"]["fill_rate"] == 0.0
    slots = client.get(
        f"/overview/attendance?from={day}&to={day}&group_by=time_slot", headers=studio.admin
    ).json()["items"]
    assert sum(i["sessions"] for i in slots) == 2 and all(":" in i["key"] for i in slots)
    bad = client.get(
        f"/overview/attendance?from={day}&to=2000-01-01&group_by=session_type",
        headers=studio.admin,
    )
    assert bad.status_code == 422
    assert (
        client.get(f"/overview/today?location_id={location}", headers=studio.staff).status_code
        == 403
    )
