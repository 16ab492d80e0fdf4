"""Recurring schedules: materialising, DST, future-only edits, capacity, ending early."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from server.bootstrap import Container
from tests.integration.helpers import Api
from tests.integration.scheduling_helpers import local_clock, next_change, open_studio, soon


def _monday_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7 or 7)


def test_a_series_makes_every_instance_in_local_time(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "series-gym")
    yoga = studio.session_type()
    start = _monday_after(date.today())
    skipped = start + timedelta(days=9)  # the second Wednesday
    made = studio.schedule(
        yoga["id"],
        instructor_id=studio.coach["id"],
        weekdays=[5, 1, 3, 3],
        local_start="07:00",
        starts_on=start.isoformat(),
        ends_on=(start + timedelta(days=27)).isoformat(),
        except_dates=[skipped.isoformat()],
        room="Studio 2",
    )
    schedule = made["schedule"]
    assert made["changes"]["created"] == 11  # 4 weeks × Mon/Wed/Fri, less one
    assert schedule["weekdays"] == [1, 3, 5]
    assert (schedule["duration_minutes"], schedule["capacity"]) == (60, 12)  # from the type
    assert (schedule["timezone"], schedule["on_missing_time"]) == ("Europe/London", "shift")
    items = studio.sessions(schedule_id=schedule["id"], limit=200)
    assert len(items) == 11
    assert skipped.isoformat() not in {s["local_date"] for s in items}
    for s in items:
        assert s["local_start"] == "07:00:00"
        assert local_clock(s["starts_at"], "Europe/London")[11:] == "07:00"
        assert date.fromisoformat(s["local_date"]).isoweekday() in (1, 3, 5)
        assert (s["capacity"], s["room"], s["instructor_id"]) == (
            12,
            "Studio 2",
            studio.coach["id"],
        )
        assert s["occurrence_date"] == s["local_date"] and s["status"] == "scheduled"
    read = api.client.get(f"/schedules/{schedule['id']}", headers=studio.admin)
    assert read.json() == schedule
    listed = api.client.get(
        "/schedules", params={"location_id": studio.location["id"]}, headers=studio.admin
    )
    assert [s["id"] for s in listed.json()["items"]] == [schedule["id"]]


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York"])
def test_a_seven_oclock_series_stays_at_seven_across_both_changes(
    api: Api, container: Container, zone: str
) -> None:
    studio = open_studio(api, container, "dst-" + zone.split("/")[1].lower().replace("_", ""), zone)
    yoga = studio.session_type()
    spring = next_change(zone, spring=True)
    autumn = next_change(zone, spring=False)
    for change in (spring, autumn):
        made = studio.schedule(
            yoga["id"],
            weekdays=[1, 2, 3, 4, 5, 6, 7],
            local_start="07:00",
            starts_on=(change - timedelta(days=2)).isoformat(),
            ends_on=(change + timedelta(days=2)).isoformat(),
        )
        items = studio.sessions(schedule_id=made["schedule"]["id"])
        assert len(items) == 5
        assert {local_clock(s["starts_at"], zone)[11:] for s in items} == {"07:00"}
        offsets = {s["starts_at"][11:16] for s in items}
        assert len(offsets) == 2  # the UTC time changes with the clocks


def test_a_start_inside_the_spring_gap_is_shifted_or_skipped(
    api: Api, container: Container
) -> None:
    studio = open_studio(api, container, "gap-gym", "America/New_York")
    yoga = studio.session_type(duration_minutes=30)
    gap_day = next_change("America/New_York", spring=True)
    days = {
        "starts_on": (gap_day - timedelta(days=1)).isoformat(),
        "ends_on": (gap_day + timedelta(days=1)).isoformat(),
    }
    shifted = studio.schedule(
        yoga["id"], weekdays=[1, 2, 3, 4, 5, 6, 7], local_start="02:30", **days
    )
    clocks = [
        local_clock(s["starts_at"], "America/New_York")
        for s in studio.sessions(schedule_id=shifted["schedule"]["id"])
    ]
    assert clocks == [
        f"{gap_day - timedelta(days=1)} 02:30",
        f"{gap_day} 03:00",  # the first minute after the gap
        f"{gap_day + timedelta(days=1)} 02:30",
    ]
    skipped = studio.schedule(
        yoga["id"],
        weekdays=[1, 2, 3, 4, 5, 6, 7],
        local_start="02:30",
        on_missing_time="skip",
        **days,
    )
    assert skipped["changes"]["created"] == 2
    dates = [s["local_date"] for s in studio.sessions(schedule_id=skipped["schedule"]["id"])]
    assert gap_day.isoformat() not in dates


# Each refusal and its wording is unit-tested (tests/unit/test_scheduling_requests.py).
# Here: that the route applies the schema and the series rule, and changes nothing.
# SQLite only: the database plays no part in it.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_bad_series_are_refused_and_change_nothing(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "bad-series")
    yoga = studio.session_type()
    start = soon(3)
    for change, status, message in (
        ({"ends_on": "PREV"}, 422, "before it starts"),
        ({"ends_on": "FAR"}, 422, "at most 366 days"),
        ({"weekdays": []}, 422, "weekdays"),
        ({"capacity": 0}, 422, "capacity"),
    ):
        body: dict[str, Any] = {
            "location_id": studio.location["id"],
            "session_type_id": yoga["id"],
            "weekdays": [1],
            "local_start": "07:00",
            "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=30)).isoformat(),
            **change,
        }
        if body["ends_on"] == "PREV":
            body["ends_on"] = (start - timedelta(days=1)).isoformat()
        if body["ends_on"] == "FAR":
            body["ends_on"] = (start + timedelta(days=366)).isoformat()
        response = studio.post("/schedules", body)
        assert response.status_code == status, response.text
        assert message in response.json()["detail"]
    assert api.client.get("/schedules", headers=studio.admin).json()["items"] == []
    assert studio.sessions() == []


def test_a_series_instructor_must_lead_and_ids_must_be_ours(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "who-leads")
    other = open_studio(api, container, "who-else")
    yoga = studio.session_type()
    desk = api.create_staff(studio.tenant, "front_desk", "desk@who-leads.example")
    base = {
        "location_id": studio.location["id"],
        "session_type_id": yoga["id"],
        "weekdays": [2],
        "local_start": "09:00",
        "starts_on": soon(1).isoformat(),
        "ends_on": soon(20).isoformat(),
    }
    assert studio.post("/schedules", {**base, "instructor_id": desk["id"]}).status_code == 422
    assert (
        studio.post("/schedules", {**base, "instructor_id": other.coach["id"]}).status_code == 404
    )
    assert (
        studio.post("/schedules", {**base, "location_id": other.location["id"]}).status_code == 404
    )
    their_type = other.session_type()
    assert (
        studio.post("/schedules", {**base, "session_type_id": their_type["id"]}).status_code == 404
    )
    theirs = other.schedule(
        their_type["id"],
        **{k: v for k, v in base.items() if k not in ("location_id", "session_type_id")},
    )
    sid = theirs["schedule"]["id"]
    assert api.client.get(f"/schedules/{sid}", headers=studio.admin).status_code == 404
    assert (
        api.client.patch(
            f"/schedules/{sid}", json={"capacity": 3}, headers=studio.admin
        ).status_code
        == 404
    )
    assert (
        studio.post(f"/schedules/{sid}/end", {"last_day": soon(5).isoformat()}).status_code == 404
    )
    assert other.sessions(schedule_id=sid)[0]["capacity"] == 12


def _weekly(
    studio: Any, yoga: dict[str, Any], weeks: int = 3, **extra: Any
) -> tuple[str, list[dict[str, Any]]]:
    first = soon(2)
    made = studio.schedule(
        yoga["id"],
        weekdays=[first.isoweekday()],
        local_start="18:00",
        starts_on=first.isoformat(),
        ends_on=(first + timedelta(days=7 * (weeks - 1))).isoformat(),
        **extra,
    )
    return made["schedule"]["id"], studio.sessions(schedule_id=made["schedule"]["id"])


def test_editing_a_series_changes_only_future_attached_instances(
    api: Api, container: Container
) -> None:
    studio = open_studio(api, container, "edit-series")
    yoga = studio.session_type()
    schedule_id, (started, moved_alone, plain) = _weekly(studio, yoga)
    ama, kwame = studio.member("Ama"), studio.member("Kwame")
    booking = studio.book(plain["id"], ama)
    studio.book(started["id"], kwame)
    studio.backdate(started["id"])
    alone = studio.post(
        f"/sessions/{moved_alone['id']}/move",
        {"local_date": moved_alone["local_date"], "local_start": "19:30"},
    )
    assert alone.status_code == 200 and alone.json()["detached"] is True
    edited = api.client.patch(
        f"/schedules/{schedule_id}",
        json={"local_start": "06:30", "room": "Hall", "duration_minutes": 45},
        headers=studio.admin,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["changes"] == {
        "created": 0,
        "moved": 1,
        "cancelled": 0,
        "updated": 0,
        "members_told": 1,
        "skipped_past": 0,
    }
    now = {s["id"]: s for s in studio.sessions(schedule_id=schedule_id)}
    assert local_clock(now[plain["id"]]["starts_at"], studio.zone)[11:] == "06:30"
    assert now[plain["id"]]["room"] == "Hall" and now[plain["id"]]["sequence"] == 1
    end = local_clock(now[plain["id"]]["ends_at"], studio.zone)[11:]
    assert end == "07:15"
    # The started one and the one moved by itself keep their times.
    assert now[started["id"]]["starts_at"] == studio.get_session(started["id"])["starts_at"]
    assert now[started["id"]]["room"] is None
    assert local_clock(now[moved_alone["id"]]["starts_at"], studio.zone)[11:] == "19:30"
    # The booking moved with its session and Ama was told; Kwame (started session) was not.
    assert studio.booking(booking.id).starts_at.isoformat() == now[plain["id"]][
        "starts_at"
    ].replace("Z", "+00:00")
    assert studio.notices_to("Ama")[-1] == "session.moved"
    assert "session.moved" not in studio.notices_to("Kwame")


def test_capacity_below_booked_refuses_the_whole_edit(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "cap-series")
    yoga = studio.session_type(default_capacity=3)
    schedule_id, (first, second, _third) = _weekly(studio, yoga)
    people = [studio.member(n) for n in ("Ama", "Kofi", "Efua", "Yaw")]
    for person in people[:3]:
        studio.book(second["id"], person)
    waiting = studio.book(second["id"], people[3])
    assert waiting.status == "waitlisted"
    refused = api.client.patch(
        f"/schedules/{schedule_id}",
        json={"capacity": 2, "local_start": "08:00"},
        headers=studio.admin,
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["detail"] == "capacity 2 is below the 3 places already booked"
    after = {s["id"]: s for s in studio.sessions(schedule_id=schedule_id)}
    assert {s["capacity"] for s in after.values()} == {3}
    assert local_clock(after[first["id"]]["starts_at"], studio.zone)[11:] == "18:00"
    assert api.client.get(f"/schedules/{schedule_id}", headers=studio.admin).json()["capacity"] == 3
    # Raising it lets the line in, in order, and tells the promoted member.
    raised = api.client.patch(
        f"/schedules/{schedule_id}", json={"capacity": 5}, headers=studio.admin
    )
    assert raised.status_code == 200, raised.text
    assert studio.booking(waiting.id).status == "confirmed"
    assert "booking.promoted" in studio.notices_to("Yaw")
    grown = studio.get_session(second["id"])
    assert (grown["capacity"], grown["confirmed_count"], grown["waitlist_count"]) == (5, 4, 0)


def test_dates_removed_are_cancelled_and_dates_added_are_made(
    api: Api, container: Container
) -> None:
    studio = open_studio(api, container, "dates-series")
    yoga = studio.session_type()
    schedule_id, (first, second, third) = _weekly(studio, yoga)
    ama = studio.member("Ama")
    booking = studio.book(second["id"], ama)
    day = date.fromisoformat(second["local_date"])
    removed = api.client.patch(
        f"/schedules/{schedule_id}",
        json={"except_dates": [day.isoformat()], "ends_on": second["local_date"]},
        headers=studio.admin,
    )
    assert removed.status_code == 200, removed.text
    assert removed.json()["changes"]["cancelled"] == 2
    assert removed.json()["changes"]["members_told"] == 1
    assert studio.get_session(second["id"])["status"] == "cancelled"
    assert studio.get_session(third["id"])["status"] == "cancelled"
    assert studio.booking(booking.id).status == "cancelled"
    assert studio.booking(booking.id).cancel_kind == "session_cancelled"
    assert studio.notices_to("Ama")[-1] == "session.cancelled"
    # Back again, plus a second weekday: the dropped days return, new ones are made.
    extra_day = (day.isoweekday() % 7) + 1
    restored = api.client.patch(
        f"/schedules/{schedule_id}",
        json={
            "except_dates": [],
            "ends_on": third["local_date"],
            "weekdays": [day.isoweekday(), extra_day],
        },
        headers=studio.admin,
    )
    assert restored.status_code == 200, restored.text
    assert restored.json()["changes"]["created"] >= 4
    live = studio.sessions(schedule_id=schedule_id, status="scheduled")
    assert {second["id"], third["id"], first["id"]} <= {s["id"] for s in live}
    assert {date.fromisoformat(s["local_date"]).isoweekday() for s in live} == {
        day.isoweekday(),
        extra_day,
    }
    back = studio.get_session(second["id"])
    assert (back["confirmed_count"], back["sequence"]) == (0, 2)


def test_ending_a_series_early(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "end-series")
    yoga = studio.session_type()
    schedule_id, (first, second, third) = _weekly(studio, yoga)
    kofi = studio.member("Kofi")
    studio.book(third["id"], kofi)
    late = studio.post(
        f"/schedules/{schedule_id}/end",
        {"last_day": (date.fromisoformat(third["local_date"]) + timedelta(days=1)).isoformat()},
    )
    assert late.status_code == 422
    ended = studio.post(
        f"/schedules/{schedule_id}/end",
        {"last_day": first["local_date"], "reason": "studio refurbishment"},
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["changes"]["cancelled"] == 2
    assert ended.json()["schedule"]["ends_on"] == first["local_date"]
    assert ended.json()["schedule"]["ended_at"] is not None
    statuses = {s["id"]: s["status"] for s in studio.sessions(schedule_id=schedule_id)}
    assert statuses == {
        first["id"]: "scheduled",
        second["id"]: "cancelled",
        third["id"]: "cancelled",
    }
    assert studio.get_session(third["id"])["cancel_reason"] == "studio refurbishment"
    assert studio.notices_to("Kofi")[-1] == "session.cancelled"
    again = studio.post(f"/schedules/{schedule_id}/end", {"last_day": first["local_date"]})
    assert again.status_code == 409
    edit = api.client.patch(f"/schedules/{schedule_id}", json={"capacity": 4}, headers=studio.admin)
    assert edit.status_code == 409
