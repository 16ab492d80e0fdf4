"""The provider overview: today's sessions with counts, and rates per group over a period."""

from __future__ import annotations

import uuid
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


@pytest.mark.usefixtures("midday")  # classes 90 and 30 minutes back are today's
def test_today_for_every_branch_with_door_visits_and_ended_sessions(
    studio: Studio, container: Container
) -> None:
    client = studio.api.client
    london = studio.desk.location
    accra = studio.api.create_location(studio.desk.tenant, "Accra", timezone="Africa/Accra")
    ended = studio.session(starts_in=timedelta(minutes=-90))  # 60 minutes long: over
    running = studio.session(starts_in=timedelta(minutes=-30))
    accra_class = studio.session(starts_in=timedelta(minutes=1), location_id=accra["id"])
    member, other = studio.member(), studio.member()
    for who, where in ((member, london["id"]), (member, london["id"]), (other, accra["id"])):
        came = client.post(
            "/checkins",
            json={"member_id": who, "location_id": where, "method": "manual"},
            headers=studio.staff,
        )
        assert came.status_code == 201 and came.json()["admitted"], came.text
    booking = studio.booked(accra_class, other)
    attended = client.post(f"/bookings/{booking['id']}/attendance", headers=studio.staff)
    assert attended.status_code == 200, attended.text

    everywhere = client.get("/overview/today", headers=studio.admin)
    assert everywhere.status_code == 200, everywhere.text
    body = everywhere.json()
    assert (body["location_id"], body["timezone"]) == (None, None)
    days = {d["location"]: d for d in body["locations"]}
    # The second London admission is a re-entry: one visit.
    assert (days[london["name"]]["door_visits"], days[london["name"]]["class_checkins"]) == (1, 0)
    assert (days["Accra"]["door_visits"], days["Accra"]["class_checkins"]) == (1, 1)
    assert days["Accra"]["timezone"] == "Africa/Accra"
    by_id = {s["session_id"]: s for s in body["sessions"]}
    assert set(by_id) >= {ended, running, accra_class}
    assert (by_id[ended]["status"], by_id[ended]["ended"]) == ("ended", True)
    assert (by_id[running]["status"], by_id[running]["ended"]) == ("scheduled", False)
    assert by_id[accra_class]["location"] == "Accra"
    assert by_id[accra_class]["checked_in"] == 1

    narrowed = client.get(f"/overview/today?location_id={accra['id']}", headers=studio.admin)
    assert narrowed.status_code == 200, narrowed.text
    assert [s["session_id"] for s in narrowed.json()["sessions"]] == [accra_class]
    assert [d["location"] for d in narrowed.json()["locations"]] == ["Accra"]
    assert narrowed.json()["timezone"] == "Africa/Accra"
    unknown = client.get(f"/overview/today?location_id={uuid.uuid4()}", headers=studio.admin)
    assert unknown.status_code == 404


def test_attendance_by_instructor_names_them_and_leaves_future_bookings_out(
    studio: Studio, container: Container
) -> None:
    client = studio.api.client
    coach = studio.api.create_staff(studio.desk.tenant, "coach", "efua@overview.example")
    coach_name = coach["name"]
    past = studio.session(starts_in=timedelta(minutes=30), instructor_id=coach["id"])
    future = studio.session(starts_in=timedelta(hours=3), instructor_id=coach["id"])
    came, missed = studio.member(), studio.member()
    for member in (came, missed):
        studio.booked(past, member)
    studio.booked(future, studio.member())
    first = next(b for b in studio.bookings(past) if str(b.member_id) == came)
    assert client.post(f"/bookings/{first.id}/attendance", headers=studio.staff).status_code == 200
    # The first class has ended since (and its no-show was recorded); the second is to come.
    studio.move_start(past, utcnow() - timedelta(hours=2))
    jobs.close_ended_sessions(make_uow=container.uow, payments=container.payments)
    studio.session(starts_in=timedelta(hours=4))  # no instructor
    start = (utcnow() - timedelta(days=1)).date().isoformat()
    end = (utcnow() + timedelta(days=1)).date().isoformat()
    rates = client.get(
        f"/overview/attendance?from={start}&to={end}&group_by=instructor", headers=studio.admin
    )
    assert rates.status_code == 200, rates.text
    items = {i["label"]: i for i in rates.json()["items"]}
    mine = items[coach_name]
    assert mine["key"] == coach["id"]
    assert (mine["sessions"], mine["confirmed_count"], mine["ended_booked"]) == (2, 3, 2)
    assert (mine["attended"], mine["no_shows"], mine["attendance_rate"]) == (1, 1, 0.5)
    assert items["No instructor"]["key"] == "none"
