"""Holiday closures and special hours of a location: managed by managers and owners, shown
to the public, flagging the classes they catch (cancelled with notice in one call), and
warnings on classes outside the opening hours."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from server.bootstrap import Container
from tests.integration.helpers import Api
from tests.integration.scheduling_helpers import Studio, open_studio, soon


def _next(weekday: int, after: int = 2) -> date:
    """The first ``weekday`` (0 = Monday) at least ``after`` days ahead."""
    day = soon(after)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _closures(studio: Studio, **params: Any) -> Any:
    path = f"/locations/{studio.location['id']}/closures"
    return studio.api.client.get(path, params=params, headers=studio.admin)


def _close(studio: Studio, **body: Any) -> Any:
    body = {k: v.isoformat() if isinstance(v, date) else v for k, v in body.items()}
    return studio.post(f"/locations/{studio.location['id']}/closures", body)


def test_a_closure_flags_its_classes_and_cancels_them_with_notice(
    api: Api, container: Container
) -> None:
    studio = open_studio(api, container, "closing-gym")
    yoga = studio.session_type(default_capacity=1)
    monday = _next(0)
    evening = studio.session(yoga["id"], monday, "18:00")
    assert evening["warnings"] == []  # Monday 06:00–22:00: inside
    next_week = studio.session(yoga["id"], monday + timedelta(days=7), "18:00")
    ama, kofi = studio.member("Ama"), studio.member("Kofi")
    studio.book(evening["id"], ama)
    studio.book(evening["id"], kofi)  # waitlisted

    made = _close(studio, name="Staff training", starts_on=monday)
    assert made.status_code == 201, made.text
    closure = made.json()
    assert (closure["starts_on"], closure["ends_on"]) == (monday.isoformat(), monday.isoformat())
    assert (closure["closed"], closure["hours"], closure["affected_sessions"]) == (True, [], 1)
    path = f"/locations/{studio.location['id']}/closures/{closure['id']}"
    assert api.client.get(path, headers=studio.admin).json() == closure
    assert [c["id"] for c in _closures(studio).json()["items"]] == [closure["id"]]
    caught = api.client.get(f"{path}/sessions", headers=studio.admin).json()["items"]
    assert [s["id"] for s in caught] == [evening["id"]]

    # A class added on the closed day is allowed, with a warning.
    extra = studio.session(yoga["id"], monday, "09:00")
    assert len(extra["warnings"]) == 1
    assert "the location is closed on Monday" in extra["warnings"][0]
    assert "(Staff training)" in extra["warnings"][0]

    # Special hours a week later catch the evening class, not a morning one.
    half = _close(
        studio,
        name="Half day",
        starts_on=monday + timedelta(days=7),
        hours=[{"opens": "06:00", "closes": "12:00"}],
    ).json()
    assert (half["closed"], half["affected_sessions"]) == (False, 1)
    half_caught = api.client.get(
        f"/locations/{studio.location['id']}/closures/{half['id']}/sessions", headers=studio.admin
    ).json()["items"]
    assert [s["id"] for s in half_caught] == [next_week["id"]]

    cancelled = studio.post(f"{path}/cancel-sessions", {})
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert (body["cancelled"], body["members_told"]) == (2, 2)
    assert {s["id"] for s in body["items"]} == {evening["id"], extra["id"]}
    after = studio.get_session(evening["id"])
    assert (after["status"], after["cancel_reason"]) == (
        "cancelled",
        "Osu Studio is closed: Staff training",
    )
    assert studio.notices_to("Ama")[-1] == "session.cancelled"
    assert studio.notices_to("Kofi")[-1] == "session.cancelled"
    assert studio.get_session(next_week["id"])["status"] == "scheduled"  # another closure's
    assert api.client.get(path, headers=studio.admin).json()["affected_sessions"] == 0
    again = studio.post(f"{path}/cancel-sessions", {"reason": "still closed"}).json()
    assert (again["cancelled"], again["members_told"]) == (0, 0)

    assert api.client.delete(path, headers=studio.admin).status_code == 204
    assert api.client.get(path, headers=studio.admin).status_code == 404
    assert api.client.delete(path, headers=studio.admin).status_code == 404
    assert [c["id"] for c in _closures(studio).json()["items"]] == [half["id"]]


def test_bad_closures_are_refused_and_change_nothing(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "bad-closures")
    day = soon(3)
    for body in (
        {"name": "Backwards", "starts_on": day, "ends_on": day - timedelta(days=1)},
        {"name": "Too long", "starts_on": day, "ends_on": day + timedelta(days=400)},
        {"name": "", "starts_on": day},
        {"name": "No day"},
        {"name": "Odd", "starts_on": day, "colour": "red"},
        {
            "name": "Overlap",
            "starts_on": day,
            "hours": [{"opens": "08:00", "closes": "12:00"}, {"opens": "11:00", "closes": "14:00"}],
        },
        {"name": "Reversed", "starts_on": day, "hours": [{"opens": "14:00", "closes": "10:00"}]},
    ):
        refused = _close(studio, **body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
    assert _closures(studio, include_past=True).json()["items"] == []
    missing = f"/locations/{studio.location['id']}/closures/{studio.location['id']}"
    assert api.client.get(missing, headers=studio.admin).status_code == 404


def test_only_managers_and_owners_change_closures_and_other_tenants_see_nothing(
    api: Api, container: Container
) -> None:
    studio = open_studio(api, container, "closure-roles")
    closure = _close(studio, name="Christmas", starts_on=soon(5)).json()
    path = f"/locations/{studio.location['id']}/closures"
    api.create_staff(studio.tenant, "front_desk", "desk@closure-roles.example")
    desk = api.token_for("closure-roles", "desk@closure-roles.example")
    assert (
        api.client.post(
            path, json={"name": "X", "starts_on": soon(6).isoformat()}, headers=desk
        ).status_code
        == 403
    )
    assert api.client.delete(f"{path}/{closure['id']}", headers=desk).status_code == 403
    assert (
        api.client.post(
            f"{path}/{closure['id']}/cancel-sessions", json={}, headers=desk
        ).status_code
        == 403
    )
    assert api.client.get(path, headers=desk).status_code == 200  # the desk may read them
    api.create_staff(studio.tenant, "manager", "boss@closure-roles.example")
    manager = api.token_for("closure-roles", "boss@closure-roles.example")
    assert (
        api.client.post(
            path, json={"name": "Y", "starts_on": soon(7).isoformat()}, headers=manager
        ).status_code
        == 201
    )

    other = api.sign_up("closure-rival")
    theirs = api.create_location(other, "Rival")
    for method, url in (
        ("GET", path),
        ("GET", f"{path}/{closure['id']}"),
        ("GET", f"{path}/{closure['id']}/sessions"),
        ("DELETE", f"{path}/{closure['id']}"),
        ("POST", path),
    ):
        answer = api.client.request(
            method, url, headers=other.headers, json={"name": "Z", "starts_on": soon(4).isoformat()}
        )
        assert answer.status_code == 404, (method, url, answer.text)
    # Their own location, my closure id: not found either.
    crossed = f"/locations/{theirs['id']}/closures/{closure['id']}"
    assert api.client.get(crossed, headers=other.headers).status_code == 404
    assert api.client.get(f"{path}/{closure['id']}", headers=studio.admin).status_code == 200


def test_classes_outside_the_opening_hours_are_allowed_with_a_warning(
    api: Api, container: Container
) -> None:
    """Osu Studio opens Monday 06:00–22:00 and Saturday 08:00–12:00 (London)."""
    studio = open_studio(api, container, "early-birds")
    yoga = studio.session_type(duration_minutes=60)
    monday = _next(0)
    dawn = studio.session(yoga["id"], monday, "05:30")
    assert dawn["warnings"] == [
        f"05:30–06:30 on Monday {monday.day} {monday:%B} is outside the location's "
        "opening hours: 06:00–22:00"
    ]
    moved = studio.post(
        f"/sessions/{dawn['id']}/move", {"local_date": monday.isoformat(), "local_start": "07:00"}
    )
    assert moved.status_code == 200 and moved.json()["warnings"] == []
    late = studio.post(
        f"/sessions/{dawn['id']}/move", {"local_date": monday.isoformat(), "local_start": "21:30"}
    ).json()
    assert "21:30–22:30" in late["warnings"][0]
    # A weekly series on Sundays (closed): each instance warns; past five, a count.
    series = studio.schedule(
        yoga["id"],
        weekdays=[7],
        local_start="10:00",
        starts_on=soon(1).isoformat(),
        ends_on=(soon(1) + timedelta(days=70)).isoformat(),
    )
    created = series["changes"]["created"]
    assert created >= 9
    assert len(series["warnings"]) == 6
    assert series["warnings"][-1] == (
        f"and {created - 5} more of the {created} classes are outside the location's hours"
    )
    # Moved to Mondays, inside the hours: no warnings.
    edited = api.client.patch(
        f"/schedules/{series['schedule']['id']}", json={"weekdays": [1]}, headers=studio.admin
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["warnings"] == []


def test_public_browsing_shows_hours_and_closures(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "open-doors")
    christmas = _close(studio, name="Christmas", starts_on=soon(10), ends_on=soon(11)).json()
    short = _close(
        studio, name="Short day", starts_on=soon(12), hours=[{"opens": "09:00", "closes": "13:00"}]
    ).json()
    # Long over: not shown to the public.
    _close(studio, name="Last year", starts_on=date.today() - timedelta(days=300))
    url = f"/public/open-doors/locations/{studio.location['id']}"
    one = api.client.get(url)
    assert one.status_code == 200, one.text
    body = one.json()
    assert body["opening_hours"]["mon"] == [{"opens": "06:00", "closes": "22:00"}]
    assert body["closures"] == [
        {
            "name": "Christmas",
            "starts_on": christmas["starts_on"],
            "ends_on": christmas["ends_on"],
            "closed": True,
            "hours": [],
        },
        {
            "name": "Short day",
            "starts_on": short["starts_on"],
            "ends_on": short["ends_on"],
            "closed": False,
            "hours": [{"opens": "09:00", "closes": "13:00"}],
        },
    ]
    listed = api.client.get("/public/open-doors/locations").json()["items"]
    assert listed == [body]
    other = api.sign_up("closed-doors")
    assert (
        api.client.get(f"/public/closed-doors/locations/{studio.location['id']}").status_code == 404
    )
    assert api.client.get(f"/public/no-such/locations/{studio.location['id']}").status_code == 404
    assert other.slug == "closed-doors"
