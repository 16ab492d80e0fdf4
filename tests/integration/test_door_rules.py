"""Door rules on the server, on SQLite and PostgreSQL: a member already in (re-entry) takes
no second credit or visit; a door check-in during a booked class attends that booking and
takes nothing more; a class is checked into only from its window before the start."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from server.bootstrap import Container
from server.checkin.models import Checkin
from server.engagement.models import MovementEvent
from server.members.models import Member
from shared.clock import utcnow
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api
from tests.integration.plans_helpers import PACK
from tests.integration.sync_helpers import Kiosk

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, "door-gym")


def _pack_member(studio: Studio, credits: int = 8) -> tuple[str, str]:
    plan = studio.desk.plan(PACK, name=f"{credits} classes", credits=credits)
    member_id = studio.member(plan="")
    membership = studio.desk.membership(member_id, plan)
    return member_id, membership["id"]


def _at(when: datetime) -> dict[str, Any]:
    return {"occurred_at": when.isoformat()}


def _checkins(container: Container, member_id: str) -> list[Checkin]:
    with container.uow() as uow:
        return list(
            uow.db.execute(
                select(Checkin)
                .where(Checkin.member_id == uuid.UUID(member_id))
                .order_by(Checkin.occurred_at)
            ).scalars()
        )


def _movements(container: Container, member_id: str) -> list[str]:
    with container.uow() as uow:
        return list(
            uow.db.execute(
                select(MovementEvent.kind).where(MovementEvent.member_id == uuid.UUID(member_id))
            ).scalars()
        )


def test_repeat_scans_take_one_credit_and_say_when(studio: Studio) -> None:
    """Scanned at 19:54, found by search at 19:57 and scanned twice more: one credit."""
    member_id, membership_id = _pack_member(studio)
    first = (utcnow() - timedelta(hours=1)).replace(second=0, microsecond=0)
    times = [first, first + timedelta(minutes=3), first + timedelta(minutes=3, seconds=5)]
    times.append(times[-1] + timedelta(seconds=1))
    answers = []
    for index, when in enumerate(times):
        response = studio.desk.check_in(member_id, kiosk=index % 2 == 1, **_at(when))
        assert response.status_code == 201, response.text
        answers.append(response.json())
    assert all(a["admitted"] for a in answers)
    local = first.astimezone(LONDON).strftime("%H:%M")
    assert answers[0]["reason"] == "admitted on 8 classes, 7 credits left"
    assert [a["reason"] for a in answers[1:]] == [f"already checked in at {local}"] * 3
    assert studio.credits(membership_id) == 7
    rows = _checkins(studio.container, member_id)
    assert [r.repeat_of for r in rows] == [None] + [rows[0].id] * 3
    assert [r.membership_id for r in rows[1:]] == [None] * 3
    assert _movements(studio.container, member_id) == ["floor_checkin"]


def test_nine_scans_in_a_second_use_one_visit(studio: Studio) -> None:
    plan = studio.desk.plan(
        {
            "name": "Off-peak 8",
            "kind": "recurring",
            "billing_period": "month",
            "price": "20.00",
            "currency": "GBP",
            "visit_limit": 8,
            "visit_limit_period": "month",
            "visit_limit_mode": "block",
        }
    )
    member_id = studio.member(plan=plan)
    start = utcnow() - timedelta(hours=5)
    for n in range(9):
        response = studio.desk.check_in(member_id, **_at(start + timedelta(milliseconds=100 * n)))
        assert response.status_code == 201 and response.json()["admitted"], response.text
    counted = [r for r in _checkins(studio.container, member_id) if r.membership_id is not None]
    assert len(counted) == 1
    # A visit hours later counts as the second of eight, not the tenth.
    later = studio.desk.check_in(member_id)
    assert later.status_code == 201, later.text
    assert later.json()["warning"] is None and later.json()["reason"].startswith("admitted on")


def test_window_edge_and_other_location(studio: Studio, api: Api) -> None:
    member_id, membership_id = _pack_member(studio)
    first = utcnow() - timedelta(hours=4)
    studio.desk.check_in(member_id, **_at(first))
    just_inside = studio.desk.check_in(
        member_id, **_at(first + timedelta(minutes=180) - timedelta(seconds=1))
    ).json()
    assert just_inside["reason"].startswith("already checked in at")
    assert studio.credits(membership_id) == 7
    # Exactly the window later is a new visit.
    edge = studio.desk.check_in(member_id, **_at(first + timedelta(minutes=180))).json()
    assert edge["reason"] == "admitted on 8 classes, 6 credits left"
    # Another location of the tenant: not a repeat of this one's visit.
    there = api.create_location(studio.desk.tenant, "Labadi")
    elsewhere = studio.api.client.post(
        "/checkins",
        json={
            "member_id": member_id,
            "location_id": there["id"],
            "method": "card",
            **_at(first + timedelta(minutes=181)),
        },
        headers=studio.desk.desk,
    ).json()
    assert elsewhere["reason"] == "admitted on 8 classes, 5 credits left"
    assert studio.credits(membership_id) == 5


def test_dst_day_window_is_real_time_and_the_time_is_local(studio: Studio) -> None:
    """29 March 2026, London: 01:00 GMT becomes 02:00 BST."""
    member_id = studio.member(plan="")
    studio.desk.membership(member_id, studio.monthly_plan, starts_on="2026-01-01")
    before = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 00:30 GMT
    studio.desk.check_in(member_id, **_at(before))
    # 02:45 BST on the wall, 2h15 later by the clock: still in.
    again = studio.desk.check_in(member_id, **_at(datetime(2026, 3, 29, 1, 45, tzinfo=UTC)))
    assert again.json()["reason"] == "already checked in at 00:30"
    # 03:31 UTC is 04:31 BST: 3h01 after, a new visit.
    later = studio.desk.check_in(member_id, **_at(datetime(2026, 3, 29, 3, 31, tzinfo=UTC)))
    assert later.json()["reason"].startswith("admitted on")


def test_policy_is_set_by_managers_with_validation(studio: Studio) -> None:
    client = studio.api.client
    got = client.get("/checkin-policy", headers=studio.admin)
    assert got.status_code == 200, got.text
    assert (got.json()["reentry_window_minutes"], got.json()["class_checkin_opens_minutes"]) == (
        180,
        60,
    )
    for bad in ({"reentry_window_minutes": -1}, {"class_checkin_opens_minutes": 1441}):
        refused = client.patch("/checkin-policy", json=bad, headers=studio.admin)
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("application/problem+json")
    desk = client.patch("/checkin-policy", json={"reentry_window_minutes": 0}, headers=studio.staff)
    assert desk.status_code == 403
    assert client.get("/checkin-policy", headers=studio.admin).json()["updated_at"] is None
    # Off: every admission is a visit.
    put = client.patch("/checkin-policy", json={"reentry_window_minutes": 0}, headers=studio.admin)
    assert put.status_code == 200 and put.json()["reentry_window_minutes"] == 0
    member_id, membership_id = _pack_member(studio)
    studio.desk.check_in(member_id)
    studio.desk.check_in(member_id)
    assert studio.credits(membership_id) == 6


def test_door_checkin_during_booked_class_attends_it_and_takes_nothing(studio: Studio) -> None:
    member_id, membership_id = _pack_member(studio)
    session_id = studio.session(starts_in=timedelta(minutes=30))
    booking = studio.booked(session_id, member_id)
    assert studio.credits(membership_id) == 7
    door = studio.desk.check_in(member_id, kiosk=True)
    assert door.status_code == 201, door.text
    assert door.json()["admitted"]
    assert "credit taken when booked" in door.json()["reason"]
    assert studio.credits(membership_id) == 7
    (row,) = studio.bookings(session_id)
    assert (row.attendance, row.checkin_id) == ("on_time", uuid.UUID(door.json()["id"]))
    # Attendance recorded against that check-in afterwards: nothing given or taken twice.
    again = studio.api.client.post(
        f"/bookings/{booking['id']}/attendance",
        json={"checkin_id": door.json()["id"]},
        headers=studio.staff,
    )
    assert again.status_code == 200 and again.json()["attendance"] == "on_time"
    assert studio.credits(membership_id) == 7
    assert _movements(studio.container, member_id) == ["attendance"]


def test_class_checkin_only_from_its_window(studio: Studio) -> None:
    member_id, _ = _pack_member(studio)
    tomorrow = studio.session(starts_in=timedelta(hours=13))
    booking = studio.booked(tomorrow, member_id)
    client = studio.api.client
    early = client.post(f"/bookings/{booking['id']}/attendance", headers=studio.staff)
    assert early.status_code == 409, early.text
    opens = (utcnow() + timedelta(hours=12)).astimezone(LONDON)
    assert early.json()["detail"].startswith(f"Check-in for HIIT opens at {opens:%H:%M}")
    (row,) = studio.bookings(tomorrow)
    assert row.attendance is None
    # A door check-in 13 hours early is a plain door check-in: the booking is untouched.
    door = studio.desk.check_in(member_id).json()
    assert door["reason"] == "admitted on 8 classes, 6 credits left"
    (row,) = studio.bookings(tomorrow)
    assert row.attendance is None
    soon = studio.session(starts_in=timedelta(minutes=59))
    soon_booking = studio.booked(soon, studio.member())
    ok = client.post(f"/bookings/{soon_booking['id']}/attendance", headers=studio.staff)
    assert ok.status_code == 200 and ok.json()["attendance"] == "on_time"


def test_a_kiosk_attendance_outside_the_window_is_rejected(studio: Studio) -> None:
    member_id, _ = _pack_member(studio)
    tomorrow = studio.session(starts_in=timedelta(hours=13))
    booking = studio.booked(tomorrow, member_id)
    kiosk = Kiosk.of(studio.desk)
    attend = {"booking_id": booking["id"], "session_id": tomorrow, "member_id": member_id}
    (result,) = kiosk.pushed([kiosk.mutation("booking.attend.v1", attend)])
    assert result["status"] == "rejected"
    assert result["reason"].startswith("Check-in for HIIT opens at")
    (row,) = studio.bookings(tomorrow)
    assert row.attendance is None


def test_ten_scans_at_once_take_one_credit(studio: Studio) -> None:
    member_id, membership_id = _pack_member(studio)
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda _: studio.desk.check_in(member_id), range(10)))
    assert [a.status_code for a in answers] == [201] * 10, [a.text for a in answers]
    assert all(a.json()["admitted"] for a in answers)
    assert studio.credits(membership_id) == 7
    rows = _checkins(studio.container, member_id)
    assert sum(1 for r in rows if r.repeat_of is None) == 1


def test_a_scan_is_stamped_when_its_turn_comes_so_scans_at_once_keep_their_order(
    studio: Studio,
) -> None:
    """A scan that waits for the member (another check-in holds them) takes its time when
    its turn comes, not when it arrived: stamped before the wait, a scan decided second
    could carry the earlier time and miss the visit decided first (a second credit)."""
    member_id, membership_id = _pack_member(studio)
    container = studio.container
    with container.engine.connect() as holder:
        if holder.dialect.name == "sqlite":
            holder.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            holder.begin()
            holder.execute(
                select(Member.id).where(Member.id == uuid.UUID(member_id)).with_for_update()
            )
        with ThreadPoolExecutor(max_workers=1) as pool:
            scan = pool.submit(studio.desk.check_in, member_id)
            time.sleep(0.5)
            released = utcnow()
            holder.rollback()
            answer = scan.result(timeout=30)
    assert answer.status_code == 201, answer.text
    assert datetime.fromisoformat(answer.json()["occurred_at"]) >= released
    assert studio.credits(membership_id) == 7
