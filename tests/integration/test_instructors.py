"""Who teaches a class: only staff linked to its session type, and never two overlapping
classes at once, whichever locations they are at."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from server.bootstrap import Container
from tests.integration.helpers import Api
from tests.integration.scheduling_helpers import Studio, open_studio, soon


def _count(studio: Studio) -> int:
    return len(studio.sessions(date_from=soon(0).isoformat()))


def _refused(response: Any, code: str) -> dict[str, Any]:
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def test_only_a_linked_instructor_teaches_a_type(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "linked-only")
    yoga = studio.session_type()  # the studio's coach is linked to it
    other = api.create_staff(studio.tenant, "coach", "ama@linked-only.example", name="Ama Coach")
    base = {
        "location_id": studio.location["id"],
        "session_type_id": yoga["id"],
        "local_date": soon(3).isoformat(),
        "local_start": "09:00",
    }
    before = _count(studio)
    body = _refused(
        studio.post("/sessions", {**base, "instructor_id": other["id"]}), "instructor_not_linked"
    )
    assert "Ama Coach is not an instructor of Sunrise yoga" in body["detail"]
    series = {
        **base,
        "weekdays": [1, 3],
        "starts_on": soon(1).isoformat(),
        "ends_on": soon(20).isoformat(),
    }
    del series["local_date"]
    _refused(
        studio.post("/schedules", {**series, "instructor_id": other["id"]}),
        "instructor_not_linked",
    )
    assert _count(studio) == before
    made = studio.session(yoga["id"], soon(3), "09:00")
    change = api.client.patch(
        f"/sessions/{made['id']}", json={"instructor_id": other["id"]}, headers=studio.admin
    )
    _refused(change, "instructor_not_linked")
    assert studio.get_session(made["id"])["instructor_id"] is None
    # Once linked, the same change is accepted.
    linked = api.client.put(
        f"/session-types/{yoga['id']}/instructors",
        json={"staff_ids": [studio.coach["id"], other["id"]]},
        headers=studio.admin,
    )
    assert linked.status_code == 200, linked.text
    change = api.client.patch(
        f"/sessions/{made['id']}", json={"instructor_id": other["id"]}, headers=studio.admin
    )
    assert change.status_code == 200 and change.json()["instructor_id"] == other["id"]


def test_one_instructor_is_never_in_two_overlapping_classes(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "one-coach")
    yoga = studio.session_type()
    accra = api.create_location(studio.tenant, "Accra Studio", timezone="Africa/Accra")
    coach = studio.coach["id"]
    # 18:00-19:00 London; in winter Accra (UTC) is London's hour, in summer an hour behind.
    london = studio.session(yoga["id"], soon(3), "18:00", instructor_id=coach)
    london_start = datetime.fromisoformat(london["starts_at"])

    def in_accra(instant: datetime) -> dict[str, str]:
        local = instant.astimezone(ZoneInfo("Africa/Accra"))
        return {"local_date": local.date().isoformat(), "local_start": local.strftime("%H:%M")}

    # Half an hour after the London class starts, in Accra's wall clock: overlaps.
    overlapping = in_accra(london_start + timedelta(minutes=30))
    clash_body = {
        "location_id": accra["id"],
        "session_type_id": yoga["id"],
        "instructor_id": coach,
        **overlapping,
    }
    before = _count(studio)
    body = _refused(studio.post("/sessions", clash_body), "instructor_busy")
    assert "Kofi Coach already teaches Sunrise yoga at Osu Studio" in body["detail"]
    assert f"{soon(3).isoformat()} at 18:00 (Europe/London)" in body["detail"]
    assert _count(studio) == before
    # Back to back is not a clash; then moving it onto the London class is.
    later = studio.post("/sessions", {**clash_body, **in_accra(london_start + timedelta(hours=1))})
    assert later.status_code == 201, later.text
    moved = api.client.post(
        f"/sessions/{later.json()['id']}/move", json=overlapping, headers=studio.admin
    )
    _refused(moved, "instructor_busy")
    assert studio.get_session(later.json()["id"])["starts_at"] == later.json()["starts_at"]
    # A free session given the busy coach: refused; a series over the London class: refused.
    free = studio.session(yoga["id"], soon(3), "18:30")
    _refused(
        api.client.patch(
            f"/sessions/{free['id']}", json={"instructor_id": coach}, headers=studio.admin
        ),
        "instructor_busy",
    )
    series_body = {
        "location_id": studio.location["id"],
        "session_type_id": yoga["id"],
        "weekdays": [soon(3).isoweekday()],
        "local_start": "18:15",
        "starts_on": soon(1).isoformat(),
        "ends_on": soon(8).isoformat(),
    }
    _refused(studio.post("/schedules", {**series_body, "instructor_id": coach}), "instructor_busy")
    # A series made without an instructor, then given the busy coach: refused, unchanged.
    series = studio.schedule(
        yoga["id"],
        **{k: v for k, v in series_body.items() if k not in ("location_id", "session_type_id")},
    )
    given = api.client.patch(
        f"/schedules/{series['schedule']['id']}",
        json={"instructor_id": coach},
        headers=studio.admin,
    )
    _refused(given, "instructor_busy")
    instances = studio.sessions(schedule_id=series["schedule"]["id"])
    assert instances and all(s["instructor_id"] is None for s in instances)
    # A cancelled class frees its instructor.
    cancelled = api.client.post(
        f"/sessions/{london['id']}/cancel", json={"reason": "ill"}, headers=studio.admin
    )
    assert cancelled.status_code == 200, cancelled.text
    again = studio.session(yoga["id"], soon(3), "17:30", instructor_id=coach)
    assert again["instructor_id"] == coach
