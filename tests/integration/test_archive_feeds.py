"""The analytics feeds: attendance and movement as CSV and NDJSON, by member id only,
formula-looking text neutralised, staff limited to locations seeing theirs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqlalchemy import select, update

from server.bookings.models import Booking
from server.bootstrap import Container
from server.checkin.models import Checkin
from server.engagement.models import MovementEvent
from server.members.models import Member
from tests.integration.archive_helpers import seed_demo
from tests.integration.helpers import PASSWORD, Api
from zmos import demo_data

_SPAN = "from=2000-01-01&to=2100-12-31"


def _headers(api: Api, email: str, password: str = demo_data.PASSWORD) -> dict[str, str]:
    signed_in = api.login(demo_data.TENANT_SLUG, email, password)
    assert signed_in.status_code == 200, signed_in.text
    return {"Authorization": f"Bearer {signed_in.json()['access_token']}"}


def _csv(api: Api, path: str, headers: dict[str, str]) -> list[dict[str, str]]:
    response = api.client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_attendance_and_movement_feeds(api: Api, container: Container, tmp_path: Path) -> None:
    demo = seed_demo(container, tmp_path / "passes")
    owner = _headers(api, demo_data.STAFF[0].email)
    with container.uow() as uow:
        members = uow.db.execute(
            select(Member.first_name, Member.last_name, Member.email).where(
                Member.tenant_id == demo.tenant_id
            )
        ).all()
        uow.db.execute(
            update(MovementEvent)
            .where(MovementEvent.tenant_id == demo.tenant_id)
            .values(source="=SUM(A1:A9)")
        )
        # The demo's classes are ahead; one booking marked attended, one a no-show (left out).
        first, second = (
            uow.db.execute(
                select(Booking.id).where(Booking.tenant_id == demo.tenant_id).order_by(Booking.id)
            )
            .scalars()
            .all()[:2]
        )
        for booking_id, mark in ((first, "on_time"), (second, "no_show")):
            uow.db.execute(
                update(Booking)
                .where(Booking.tenant_id == demo.tenant_id, Booking.id == booking_id)
                .values(attendance=mark)
            )
        uow.commit()

    attendance = _csv(api, f"/feeds/attendance?{_SPAN}", owner)
    booked = [row for row in attendance if row["kind"] == "booking"]
    assert [row["id"] for row in booked] == [str(first)]
    assert booked[0]["attendance"] == "on_time" and booked[0]["session_id"]
    movement = _csv(api, f"/feeds/movement?{_SPAN}&format=csv", owner)
    assert movement and all(row["source"] == "'=SUM(A1:A9)" for row in movement)
    assert set(movement[0]) == {
        "id", "member_id", "kind", "occurred_at", "local_date", "location_id", "session_id",
        "minutes", "intensity", "source", "provenance", "is_void", "voids",
    }  # fmt: skip

    ndjson = api.client.get(f"/feeds/movement?{_SPAN}&format=ndjson", headers=owner)
    assert ndjson.headers["content-type"] == "application/x-ndjson"
    events = [json.loads(line) for line in ndjson.text.splitlines()]
    assert len(events) == len(movement)
    # NDJSON is no spreadsheet: the value stays as it is.
    assert events[0]["source"] == "=SUM(A1:A9)" and events[0]["occurred_at"].endswith("Z")

    # No names or emails: members by id only.
    everything = api.client.get(f"/feeds/attendance?{_SPAN}", headers=owner).text + ndjson.text
    for first_name, last_name, email in members:
        assert f"{first_name} {last_name}" not in everything
        assert not email or email not in everything

    # A day without events gives the header only; 'to' before 'from' is a 422.
    empty = _csv(api, "/feeds/attendance?from=2001-01-01&to=2001-01-01", owner)
    assert empty == []
    backwards = api.client.get("/feeds/movement?from=2026-02-02&to=2026-02-01", headers=owner)
    assert backwards.status_code == 422
    assert backwards.headers["content-type"] == "application/problem+json"


def test_staff_limited_to_a_location_see_its_rows(
    api: Api, container: Container, tmp_path: Path
) -> None:
    demo = seed_demo(container, tmp_path / "passes")
    owner = _headers(api, demo_data.STAFF[0].email)
    here, there = sorted(demo.locations.values())
    with container.uow() as uow:
        # Check-ins at both locations: the first one moved to the other.
        moved = (
            uow.db.execute(
                select(Checkin.id).where(Checkin.tenant_id == demo.tenant_id).order_by(Checkin.id)
            )
            .scalars()
            .first()
        )
        uow.db.execute(
            update(Checkin).where(Checkin.tenant_id == demo.tenant_id).values(location_id=here)
        )
        uow.db.execute(
            update(Checkin)
            .where(Checkin.tenant_id == demo.tenant_id, Checkin.id == moved)
            .values(location_id=there)
        )
        uow.commit()
    osu = str(here)
    made = api.client.post(
        "/staff",
        json={
            "name": "Scoped Manager",
            "email": "scoped@demo-fitness.example",
            "role": "manager",
            "password": PASSWORD,
            "location_ids": [osu],
        },
        headers=owner,
    )
    assert made.status_code == 201, made.text
    scoped = _headers(api, "scoped@demo-fitness.example", PASSWORD)
    every = _csv(api, f"/feeds/attendance?{_SPAN}", owner)
    theirs = _csv(api, f"/feeds/attendance?{_SPAN}", scoped)
    assert {row["location_id"] for row in every} == {osu, str(there)}
    assert theirs and {row["location_id"] for row in theirs} == {osu}
    assert len(theirs) == len(every) - 1 and str(moved) not in {row["id"] for row in theirs}
    moves = _csv(api, f"/feeds/movement?{_SPAN}", scoped)
    assert {row["location_id"] for row in moves} <= {osu}

    desk = _headers(api, demo_data.STAFF[2].email)
    assert api.client.get(f"/feeds/movement?{_SPAN}", headers=desk).status_code == 403
    assert api.client.get(f"/feeds/attendance?{_SPAN}", headers=desk).status_code == 403
