"""Single sessions: one-offs at local times, listing, changes, moves and cancellations."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from server.bootstrap import Container
from server.scheduling.models import ClassSession
from tests.integration.helpers import Api
from tests.integration.scheduling_helpers import local_clock, next_change, open_studio, soon


def test_a_one_off_session_at_a_local_time(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "one-off", "America/New_York")
    yoga = studio.session_type()
    made = studio.session(
        yoga["id"],
        soon(4),
        "18:15",
        capacity=8,
        duration_minutes=75,
        room="Roof",
        instructor_id=studio.coach["id"],
    )
    assert local_clock(made["starts_at"], "America/New_York") == f"{soon(4)} 18:15"
    assert local_clock(made["ends_at"], "America/New_York") == f"{soon(4)} 19:30"
    assert (made["capacity"], made["free_places"], made["room"]) == (8, 8, "Roof")
    assert (made["schedule_id"], made["detached"], made["timezone"]) == (
        None,
        False,
        "America/New_York",
    )
    # The location opens on Mondays and Saturdays only: allowed, with a warning.
    assert len(made["warnings"]) == 1
    assert "outside the location's opening hours: closed" in made["warnings"][0]
    assert studio.get_session(made["id"]) == {**made, "warnings": []}
    defaults = studio.session(yoga["id"], soon(5), "07:00")
    assert (defaults["capacity"], defaults["instructor_id"]) == (12, None)


def test_sessions_are_listed_with_filters(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "list-sessions")
    yoga = studio.session_type()
    hiit = studio.session_type(name="HIIT", category="HIIT")
    other_place = api.create_location(studio.tenant, "Labone", timezone="Europe/London")
    a = studio.session(yoga["id"], soon(2), "07:00", instructor_id=studio.coach["id"])
    b = studio.session(hiit["id"], soon(3), "12:00")
    c = studio.post(
        "/sessions",
        {
            "location_id": other_place["id"],
            "session_type_id": yoga["id"],
            "local_date": soon(4).isoformat(),
            "local_start": "09:00",
        },
    ).json()

    def ids(items: list[dict[str, Any]]) -> list[str]:
        return [s["id"] for s in items]

    assert ids(studio.sessions()) == [a["id"], b["id"], c["id"]]
    assert ids(studio.sessions(location_id=other_place["id"])) == [c["id"]]
    assert ids(studio.sessions(session_type_id=hiit["id"])) == [b["id"]]
    assert ids(studio.sessions(instructor_id=studio.coach["id"])) == [a["id"]]
    assert ids(studio.sessions(date_from=soon(3).isoformat(), date_to=soon(3).isoformat())) == [
        b["id"]
    ]
    studio.post(f"/sessions/{b['id']}/cancel", {"reason": "coach ill"})
    assert ids(studio.sessions(status="cancelled")) == [b["id"]]
    page = api.client.get("/sessions", params={"limit": 2}, headers=studio.admin).json()
    assert (len(page["items"]), page["next_offset"]) == (2, 2)
    bad = api.client.get(
        "/sessions",
        params={"date_from": soon(3).isoformat(), "date_to": soon(2).isoformat()},
        headers=studio.admin,
    )
    assert bad.status_code == 422


def test_a_time_that_does_not_exist_is_refused_naming_date_time_and_zone(
    api: Api, container: Container
) -> None:
    studio = open_studio(api, container, "no-such-time")
    yoga = studio.session_type()
    gap_day = next_change("Europe/London", spring=True)
    response = studio.post(
        "/sessions",
        {
            "location_id": studio.location["id"],
            "session_type_id": yoga["id"],
            "local_date": gap_day.isoformat(),
            "local_start": "01:30",
        },
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert gap_day.isoformat() in detail and "01:30" in detail and "Europe/London" in detail
    assert studio.sessions() == []
    # A time that happens twice is its first occurrence (still summer time).
    back_day = next_change("Europe/London", spring=False)
    twice = studio.session(yoga["id"], back_day, "01:30")
    assert twice["starts_at"].startswith(f"{back_day}T00:30:00")
    assert twice["local_start"] == "01:30:00"


def test_past_sessions_are_refused(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "past-session")
    yoga = studio.session_type()
    response = studio.post(
        "/sessions",
        {
            "location_id": studio.location["id"],
            "session_type_id": yoga["id"],
            "local_date": soon(-1).isoformat(),
            "local_start": "10:00",
        },
    )
    assert response.status_code == 422 and "in the past" in response.json()["detail"]


def test_moving_a_session_tells_the_booked_members(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "move-session")
    yoga = studio.session_type(default_capacity=1)
    made = studio.session(yoga["id"], soon(3), "18:00")
    ama, kofi = studio.member("Ama"), studio.member("Kofi")
    held, waiting = studio.book(made["id"], ama), studio.book(made["id"], kofi)
    moved = studio.post(
        f"/sessions/{made['id']}/move", {"local_date": soon(4).isoformat(), "local_start": "19:00"}
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert local_clock(body["starts_at"], studio.zone) == f"{soon(4)} 19:00"
    assert local_clock(body["ends_at"], studio.zone) == f"{soon(4)} 20:00"
    assert (body["members_told"], body["detached"], body["sequence"]) == (2, True, 1)
    for booking in (held, waiting):
        assert studio.booking(booking.id).starts_at.isoformat() == body["starts_at"].replace(
            "Z", "+00:00"
        )
    assert studio.notices_to("Ama")[-1] == "session.moved"
    assert studio.notices_to("Kofi")[-1] == "session.moved"
    gap = next_change("Europe/London", spring=True)
    missing = studio.post(
        f"/sessions/{made['id']}/move", {"local_date": gap.isoformat(), "local_start": "01:15"}
    )
    assert missing.status_code == 422 and "Europe/London" in missing.json()["detail"]
    past = studio.post(
        f"/sessions/{made['id']}/move", {"local_date": soon(-2).isoformat(), "local_start": "19:00"}
    )
    assert past.status_code == 422
    assert studio.get_session(made["id"])["starts_at"] == body["starts_at"]


def test_cancelling_a_session_releases_and_tells_everyone(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "cancel-session")
    yoga = studio.session_type(default_capacity=1)
    made = studio.session(yoga["id"], soon(2), "18:00")
    ama, kofi = studio.member("Ama"), studio.member("Kofi")
    held, waiting = studio.book(made["id"], ama), studio.book(made["id"], kofi)
    cancelled = studio.post(f"/sessions/{made['id']}/cancel", {"reason": "flooded studio"})
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert (body["status"], body["cancel_reason"], body["members_told"]) == (
        "cancelled",
        "flooded studio",
        2,
    )
    assert (body["confirmed_count"], body["waitlist_count"]) == (0, 0)
    for booking in (held, waiting):
        assert studio.booking(booking.id).status == "cancelled"
    assert studio.notices_to("Ama")[-1] == "session.cancelled"
    assert studio.notices_to("Kofi")[-1] == "session.cancelled"
    # A cancelled session can be neither cancelled again, moved nor changed.
    again = studio.post(f"/sessions/{made['id']}/cancel", {"reason": "again"})
    assert again.status_code == 409
    move = studio.post(
        f"/sessions/{made['id']}/move", {"local_date": soon(3).isoformat(), "local_start": "18:00"}
    )
    assert move.status_code == 409
    patch = api.client.patch(f"/sessions/{made['id']}", json={"room": "B"}, headers=studio.admin)
    assert patch.status_code == 409
    assert studio.get_session(made["id"])["cancel_reason"] == "flooded studio"
    assert studio.post(f"/sessions/{made['id']}/cancel", {"reason": ""}).status_code == 422


def test_a_started_session_cannot_be_moved_or_cancelled(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "started-session")
    yoga = studio.session_type()
    made = studio.session(yoga["id"], soon(1), "18:00")
    studio.backdate(made["id"])
    before = studio.get_session(made["id"])
    assert studio.post(f"/sessions/{made['id']}/cancel", {"reason": "late"}).status_code == 409
    move = studio.post(
        f"/sessions/{made['id']}/move", {"local_date": soon(3).isoformat(), "local_start": "18:00"}
    )
    assert move.status_code == 409 and "already started" in move.json()["detail"]
    assert studio.get_session(made["id"]) == before


def test_changing_one_session_detaches_it_and_guards_capacity(
    api: Api, container: Container
) -> None:
    studio = open_studio(api, container, "patch-session")
    yoga = studio.session_type(default_capacity=2)
    made = studio.session(yoga["id"], soon(2), "18:00")
    people = [studio.member(n) for n in ("Ama", "Kofi", "Efua")]
    for person in people:
        studio.book(made["id"], person)
    low = api.client.patch(
        f"/sessions/{made['id']}", json={"capacity": 1, "room": "B"}, headers=studio.admin
    )
    assert low.status_code == 409
    assert low.json()["detail"] == "capacity 1 is below the 2 places already booked"
    unchanged = studio.get_session(made["id"])
    assert (unchanged["capacity"], unchanged["room"], unchanged["detached"]) == (2, None, False)
    desk = api.create_staff(studio.tenant, "front_desk", "desk@patch-session.example")
    not_leader = api.client.patch(
        f"/sessions/{made['id']}", json={"instructor_id": desk["id"]}, headers=studio.admin
    )
    assert not_leader.status_code == 422
    raised = api.client.patch(
        f"/sessions/{made['id']}",
        json={"capacity": 3, "room": "B", "instructor_id": studio.coach["id"]},
        headers=studio.admin,
    )
    assert raised.status_code == 200, raised.text
    body = raised.json()
    assert (
        body["capacity"],
        body["confirmed_count"],
        body["waitlist_count"],
        body["free_places"],
    ) == (3, 3, 0, 0)
    assert (body["room"], body["instructor_id"], body["detached"], body["members_told"]) == (
        "B",
        studio.coach["id"],
        True,
        1,
    )
    assert "booking.promoted" in studio.notices_to("Efua")
    coach = api.token_for(studio.tenant.slug, studio.coach["email"])
    assert (
        api.client.patch(f"/sessions/{made['id']}", json={"room": "C"}, headers=coach).status_code
        == 403
    )


def test_other_tenants_sessions_are_not_found(api: Api, container: Container) -> None:
    mine = open_studio(api, container, "mine-sessions")
    theirs = open_studio(api, container, "their-sessions")
    their = theirs.session(theirs.session_type()["id"], soon(2), "18:00")
    sid = their["id"]
    cases: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", f"/sessions/{sid}", None),
        ("PATCH", f"/sessions/{sid}", {"room": "Mine"}),
        (
            "POST",
            f"/sessions/{sid}/move",
            {"local_date": soon(3).isoformat(), "local_start": "10:00"},
        ),
        ("POST", f"/sessions/{sid}/cancel", {"reason": "mine now"}),
        ("GET", f"/sessions/{uuid.uuid4()}", None),
    ]
    for method, path, body in cases:
        response = api.client.request(method, path, json=body, headers=mine.admin)
        assert response.status_code == 404, (method, path, response.text)
    assert mine.sessions() == []
    my_type = mine.session_type()
    foreign_place = mine.post(
        "/sessions",
        {
            "location_id": theirs.location["id"],
            "session_type_id": my_type["id"],
            "local_date": soon(2).isoformat(),
            "local_start": "10:00",
        },
    )
    assert foreign_place.status_code == 404
    # Unchanged. (Warnings are the creating answer's advice, e.g. a class outside the
    # opening hours on the weekdays the studio is closed: they are not read back.)
    unchanged = {k: v for k, v in theirs.get_session(sid).items() if k != "warnings"}
    assert unchanged == {k: v for k, v in their.items() if k != "warnings"}
    assert theirs.get_session(sid)["starts_at"] == their["starts_at"]


def test_sessions_written_elsewhere_get_their_local_time(api: Api, container: Container) -> None:
    """Code outside scheduling that only sets starts_at still gets local_date/local_start."""
    studio = open_studio(api, container, "elsewhere", "America/New_York")
    yoga = studio.session_type()
    tenant_id = uuid.UUID(studio.tenant.id)
    start = datetime(2030, 7, 1, 22, 30, tzinfo=UTC)  # 18:30 EDT
    session_id = uuid.uuid4()
    with container.uow() as uow:
        uow.db.add(
            ClassSession(
                tenant_id=tenant_id,
                id=session_id,
                location_id=uuid.UUID(studio.location["id"]),
                session_type_id=uuid.UUID(yoga["id"]),
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                capacity=5,
            )
        )
        uow.commit()
    made = studio.get_session(str(session_id))
    assert (made["local_date"], made["local_start"]) == ("2030-07-01", "18:30:00")
    with container.uow() as uow:
        row = uow.db.get(ClassSession, (tenant_id, session_id))
        assert row is not None
        row.starts_at = datetime(2030, 12, 2, 4, 0, tzinfo=UTC)  # 23:00 EST the day before
        uow.commit()
    moved = studio.get_session(str(session_id))
    assert (moved["local_date"], moved["local_start"]) == ("2030-12-01", "23:00:00")
