"""The movement ledger through the API and its service: what each event records, idempotency
(the same id twice, and at once from two threads), voids and corrections, the member's local
date (zones, daylight saving, the tenant's day-start hour), bad input, roles and tenants."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from server.bootstrap import Container
from server.engagement import service
from server.engagement.models import MovementEvent, SessionRating
from server.errors import Conflict, InvalidInput
from shared.clock import utcnow
from shared.enums import MovementKind
from shared.movement import MovementIntensity, Provenance
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api
from tests.integration.outbox_helpers import recorded
from tests.integration.sync_helpers import Kiosk

HOUR_AGO = datetime.now(UTC) - timedelta(hours=1)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, "ledger-gym")


def _entry(member_id: str, **changes: Any) -> dict[str, Any]:
    body = {
        "member_id": member_id,
        "kind": "outdoor",
        "minutes": 45,
        "intensity": "vigorous",
        "occurred_at": HOUR_AGO.isoformat(),
    }
    return {**body, **changes}


def _post(studio: Studio, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return studio.api.client.post("/movement-events", json=body, headers=headers or studio.staff)


def _rows(studio: Studio, member_id: str | None = None) -> list[MovementEvent]:
    with studio.container.uow() as uow:
        query = select(MovementEvent).where(MovementEvent.tenant_id == uuid.UUID(studio.tenant_id))
        if member_id is not None:
            query = query.where(MovementEvent.member_id == uuid.UUID(member_id))
        order = (MovementEvent.occurred_at, MovementEvent.id)
        rows = list(uow.db.execute(query.order_by(*order)).scalars())
        uow.db.expunge_all()
        return rows


def _published(studio: Studio) -> list[Any]:
    return recorded(studio.container, "movement.")


def _problem(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_a_staff_entry_records_every_fact_and_is_published(studio: Studio) -> None:
    member = studio.member(plan="")
    response = _post(studio, _entry(member, location_id=studio.desk.location["id"]))
    assert response.status_code == 201, response.text
    event = response.json()
    assert (event["kind"], event["minutes"], event["intensity"]) == ("outdoor", 45, "vigorous")
    assert (event["provenance"], event["source"]) == ("staff_recorded", "desk")
    assert event["zone"] == "Europe/London"  # no home location: the event's location
    assert event["local_date"] == HOUR_AGO.astimezone(LONDON).date().isoformat()
    assert (event["voids"], event["is_void"], event["voided"]) == (None, False, False)
    (row,) = _rows(studio, member)
    assert row.recorded_by == uuid.UUID(studio.desk.desk_staff_id)
    (published,) = _published(studio)
    assert published.name == "movement.outdoor"
    assert published.data["movement_event_id"] == event["id"]
    assert (published.data["minutes"], published.data["provenance"]) == (45, "staff_recorded")
    assert published.data["local_date"] == event["local_date"]


def test_a_coachs_entry_says_it_came_from_a_coach(studio: Studio, api: Api) -> None:
    api.create_staff(studio.desk.tenant, "coach", "coach@ledger-gym.example")
    coach = api.token_for("ledger-gym", "coach@ledger-gym.example")
    member = studio.member(plan="")
    response = _post(studio, _entry(member, kind="staff_entry"), coach)
    assert response.status_code == 201, response.text
    assert (response.json()["kind"], response.json()["source"]) == ("staff_entry", "coach")


def test_the_same_id_twice_is_the_first_event_and_other_facts_under_it_a_409(
    studio: Studio,
) -> None:
    member = studio.member(plan="")
    body = _entry(member, id=str(uuid.uuid4()))
    first = _post(studio, body)
    assert first.status_code == 201, first.text
    again = _post(studio, body)
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    _problem(_post(studio, {**body, "minutes": 50}), 409)
    (row,) = _rows(studio, member)
    assert row.minutes == 45
    assert len(_published(studio)) == 1  # published once


def test_the_same_id_from_two_threads_at_once_is_one_row(
    studio: Studio, container: Container
) -> None:
    member = uuid.UUID(studio.member(plan=""))
    event_id = uuid.uuid4()
    facts = service.MovementFacts(
        member_id=member,
        kind=MovementKind.OUTDOOR,
        occurred_at=HOUR_AGO,
        minutes=30,
        intensity=MovementIntensity.MODERATE,
        provenance=Provenance.STAFF_RECORDED,
    )
    start = threading.Barrier(2)
    answers: list[service.Entered] = []
    failures: list[BaseException] = []

    def enter() -> None:
        start.wait()
        try:
            answers.append(
                service.enter_movement(
                    uow=container.uow(),
                    tenant_id=uuid.UUID(studio.tenant_id),
                    facts=facts,
                    event_id=event_id,
                )
            )
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=enter) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    assert sorted(a.created for a in answers) == [False, True]
    assert {a.entry.id for a in answers} == {event_id}
    assert [row.id for row in _rows(studio, str(member))] == [event_id]


def _two_at_once(
    studio: Studio, container: Container, member: uuid.UUID, at: datetime, minutes: int
) -> tuple[list[service.Entered], list[InvalidInput]]:
    """The same entry made by two threads at the same moment."""
    start = threading.Barrier(2)
    answers: list[service.Entered] = []
    refusals: list[InvalidInput] = []
    failures: list[BaseException] = []
    facts = service.MovementFacts(
        member_id=member,
        kind=MovementKind.OUTDOOR,
        occurred_at=at,
        minutes=minutes,
        intensity=MovementIntensity.MODERATE,
        provenance=Provenance.STAFF_RECORDED,
    )

    def enter() -> None:
        start.wait()
        try:
            answers.append(
                service.enter_movement(
                    uow=container.uow(), tenant_id=uuid.UUID(studio.tenant_id), facts=facts
                )
            )
        except InvalidInput as refused:
            refusals.append(refused)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=enter) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    return answers, refusals


def test_two_entries_at_once_cannot_both_fit_under_the_days_total(
    studio: Studio, container: Container
) -> None:
    # 400 + 400 > 600: whichever comes second, seeing the first or not, is refused. Without
    # the lock (PostgreSQL) or the count after the insert (SQLite) both were stored.
    member = uuid.UUID(studio.member(plan=""))
    for attempt in range(3):
        at = HOUR_AGO - timedelta(days=attempt + 1)
        answers, refusals = _two_at_once(studio, container, member, at, 400)
        assert len(answers) == 1 and len(refusals) == 1, (answers, refusals)
        assert "600" in str(refusals[0].detail)
    assert sorted(row.minutes for row in _rows(studio, str(member))) == [400, 400, 400]


def test_bad_input_is_a_clear_4xx_and_stores_nothing(studio: Studio, api: Api) -> None:
    member = studio.member(plan="")
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    _problem(_post(studio, _entry(member, occurred_at=future)), 422)
    _problem(_post(studio, _entry(member, minutes=-5)), 422)
    _problem(_post(studio, _entry(member, intensity="extreme")), 422)
    _problem(_post(studio, _entry(member, kind="attendance")), 422)  # the door's, not staff's
    _problem(_post(studio, _entry(str(uuid.uuid4()))), 404)
    other = api.sign_up("other-ledger-gym")
    _problem(_post(studio, _entry(member), other.headers), 404)  # another tenant's member
    assert _rows(studio, member) == []
    # 400 + 200 = 600: the most one local day holds; one minute more is refused.
    assert _post(studio, _entry(member, minutes=400)).status_code == 201
    assert _post(studio, _entry(member, minutes=200)).status_code == 201
    too_many = _post(studio, _entry(member, minutes=1))
    _problem(too_many, 422)
    assert "600" in too_many.json()["detail"]
    assert sum(row.minutes for row in _rows(studio, member)) == 600


def test_a_void_cancels_an_event_with_a_new_one_and_is_not_voided_itself(
    studio: Studio,
) -> None:
    member = studio.member(plan="")
    first = _post(studio, _entry(member, minutes=600)).json()
    _problem(_post(studio, _entry(member, minutes=10)), 422)  # the day is full
    void = studio.api.client.post(
        f"/movement-events/{first['id']}/void",
        json={"reason": "entered twice"},
        headers=studio.staff,
    )
    assert void.status_code == 201, void.text
    assert (void.json()["voids"], void.json()["is_void"], void.json()["minutes"]) == (
        first["id"],
        True,
        0,
    )
    assert void.json()["local_date"] == first["local_date"]
    # A void happens when its event did: tell them apart by id, not by time.
    rows = {row.id: row for row in _rows(studio, member)}
    old, cancel = rows[uuid.UUID(first["id"])], rows[uuid.UUID(void.json()["id"])]
    # The old event keeps its facts; it only learns what replaced it.
    assert (old.id, old.minutes, old.voided_by) == (uuid.UUID(first["id"]), 600, cancel.id)
    assert cancel.reason == "entered twice"
    # Its minutes no longer count: the day has room again.
    assert _post(studio, _entry(member, minutes=10)).status_code == 201
    again = studio.api.client.post(
        f"/movement-events/{first['id']}/void", json={"reason": "once more"}, headers=studio.staff
    )
    _problem(again, 409)
    of_void = studio.api.client.post(
        f"/movement-events/{void.json()['id']}/void", json={"reason": "undo"}, headers=studio.staff
    )
    _problem(of_void, 409)
    assert len(_rows(studio, member)) == 3
    assert [e.name for e in _published(studio)][-2:] == ["movement.voided", "movement.outdoor"]


def test_a_correction_is_a_new_event_voiding_the_old(studio: Studio) -> None:
    member = studio.member(plan="")
    first = _post(studio, _entry(member, minutes=500)).json()
    # The old 500 minutes are replaced, not added: 590 fits in the day.
    corrected = studio.api.client.post(
        f"/movement-events/{first['id']}/correction",
        json={"minutes": 590, "intensity": "moderate", "reason": "the whole day out"},
        headers=studio.staff,
    )
    assert corrected.status_code == 201, corrected.text
    body = corrected.json()
    assert (body["voids"], body["minutes"], body["intensity"], body["is_void"]) == (
        first["id"],
        590,
        "moderate",
        False,
    )
    assert body["kind"] == "outdoor" and body["occurred_at"] == first["occurred_at"]
    listed = studio.api.client.get(f"/members/{member}/movement", headers=studio.staff).json()
    old = next(item for item in listed["items"] if item["id"] == first["id"])
    assert (old["minutes"], old["voided"]) == (500, True)
    _problem(
        studio.api.client.post(
            f"/movement-events/{first['id']}/correction",
            json={"minutes": 20, "reason": "again"},
            headers=studio.staff,
        ),
        409,
    )
    over = studio.api.client.post(
        f"/movement-events/{body['id']}/correction",
        json={"minutes": 601, "reason": "too much"},
        headers=studio.staff,
    )
    _problem(over, 422)
    assert len(_rows(studio, member)) == 2


def test_a_correction_and_a_void_cannot_both_replace_an_event(
    studio: Studio, container: Container
) -> None:
    member = studio.member(plan="")
    first = uuid.UUID(_post(studio, _entry(member)).json()["id"])
    tenant = uuid.UUID(studio.tenant_id)
    service.void_movement(
        uow=container.uow(), tenant_id=tenant, event_id=first, reason="gone", recorded_by=None
    )
    with pytest.raises(Conflict):
        service.correct_movement(uow=container.uow(), tenant_id=tenant, event_id=first, minutes=5)


def test_local_dates_use_the_tenants_day_start_and_the_members_home_zone(
    studio: Studio, api: Api
) -> None:
    patched = api.client.patch("/tenant", json={"day_start_hour": 3}, headers=studio.admin)
    assert patched.status_code == 200 and patched.json()["day_start_hour"] == 3
    _problem(api.client.patch("/tenant", json={"day_start_hour": 7}, headers=studio.admin), 422)
    london = studio.member(plan="")
    # 2026-07-10 00:30 UTC is 01:30 BST: before the day starts at 03:00, so the 9th.
    late = _post(studio, _entry(london, occurred_at="2026-07-10T00:30:00+00:00")).json()
    assert (late["zone"], late["local_date"]) == ("Europe/London", "2026-07-09")
    # 02:30 UTC is 03:30 BST: the 10th.
    early = _post(studio, _entry(london, occurred_at="2026-07-10T02:30:00+00:00")).json()
    assert early["local_date"] == "2026-07-10"
    # Across the spring change (01:00 UTC, 29 March): 02:30 UTC on the 29th is 03:30 BST,
    # the 29th; 02:30 UTC the day before is 02:30 GMT, before 03:00, so the 27th.
    spring = _post(studio, _entry(london, occurred_at="2026-03-29T02:30:00+00:00")).json()
    before = _post(studio, _entry(london, occurred_at="2026-03-28T02:30:00+00:00")).json()
    assert (before["local_date"], spring["local_date"]) == ("2026-03-27", "2026-03-29")
    # A member at home in Accra (UTC all year) logged at the London studio: Accra's date.
    accra = api.create_location(studio.desk.tenant, "Accra", timezone="Africa/Accra")
    flyer = studio.member(plan="", home_location_id=uuid.UUID(accra["id"]))
    logged = _post(
        studio,
        _entry(
            flyer, occurred_at="2026-07-10T02:30:00+00:00", location_id=studio.desk.location["id"]
        ),
    ).json()
    # 02:30 in Accra, before 03:00: the 9th (in London, 03:30 BST, it would be the 10th).
    assert (logged["zone"], logged["local_date"]) == ("Africa/Accra", "2026-07-09")


def test_check_ins_and_attendance_fill_minutes_intensity_and_provenance(studio: Studio) -> None:
    member = studio.member()
    assert studio.desk.check_in(member).status_code == 201
    (floor,) = _rows(studio, member)
    assert (floor.kind, floor.minutes, floor.intensity) == ("floor_checkin", 60, "moderate")
    assert (floor.provenance, floor.source, floor.zone) == (
        "scanner_verified",
        "desk",
        "Europe/London",
    )
    assert floor.local_date == utcnow().astimezone(LONDON).date()
    # A 45-minute class of a "high" session type: 45 vigorous minutes, the session named.
    session = studio.session(starts_in=timedelta(minutes=10), minutes=45)
    booking = studio.booked(session, member)
    attended = studio.api.client.post(
        f"/bookings/{booking['id']}/attendance", json={}, headers=studio.staff
    )
    assert attended.status_code == 200, attended.text
    attendance = next(r for r in _rows(studio, member) if r.kind == "attendance")
    assert (attendance.minutes, attendance.intensity) == (45, "vigorous")
    assert attendance.session_id == uuid.UUID(session)
    assert (attendance.provenance, attendance.source) == ("scanner_verified", "desk")
    names = [e.name for e in _published(studio)]
    assert names == ["movement.floor_checkin", "movement.attendance"]
    assert _published(studio)[-1].data["minutes"] == 45


def test_members_report_their_own_movement_and_read_only_their_own(studio: Studio) -> None:
    member, other = studio.member(plan=""), studio.member(plan="")
    mine = studio.member_headers(member)
    body = {"minutes": 25, "intensity": "light", "occurred_at": HOUR_AGO.isoformat()}
    reported = studio.api.client.post("/me/movement-events", json=body, headers=mine)
    assert reported.status_code == 201, reported.text
    event = reported.json()
    assert (event["kind"], event["provenance"], event["source"]) == (
        "self_report",
        "self_reported",
        "app",
    )
    assert event["member_id"] == member
    # A member names no one else: member_id is not a field.
    _problem(
        studio.api.client.post(
            "/me/movement-events", json={**body, "member_id": other}, headers=mine
        ),
        422,
    )
    _post(studio, _entry(other))
    items = studio.api.client.get("/me/movement", headers=mine).json()["items"]
    assert [i["id"] for i in items] == [event["id"]]
    theirs = studio.api.client.get("/me/movement", headers=studio.member_headers(other)).json()
    assert [i["member_id"] for i in theirs["items"]] == [other]


def test_a_members_movement_pages_and_filters_by_date_and_kind(studio: Studio) -> None:
    member = studio.member(plan="")
    days = ["2026-06-01T10:00:00+00:00", "2026-06-02T10:00:00+00:00", "2026-06-03T10:00:00+00:00"]
    for at in days:
        assert _post(studio, _entry(member, occurred_at=at)).status_code == 201
    _post(studio, _entry(member, kind="staff_entry", occurred_at=days[1]))
    path = f"/members/{member}/movement"
    page = studio.api.client.get(path, params={"limit": 2}, headers=studio.staff).json()
    assert len(page["items"]) == 2 and page["next_offset"] == 2
    rest = studio.api.client.get(path, params={"offset": 2}, headers=studio.staff).json()
    assert len(rest["items"]) == 2 and rest["next_offset"] is None
    ranged = studio.api.client.get(
        path, params={"since": "2026-06-02", "until": "2026-06-02"}, headers=studio.staff
    ).json()
    assert {i["local_date"] for i in ranged["items"]} == {"2026-06-02"}
    assert len(ranged["items"]) == 2
    kinds = studio.api.client.get(path, params={"kind": "staff_entry"}, headers=studio.staff)
    assert [i["kind"] for i in kinds.json()["items"]] == ["staff_entry"]
    _problem(studio.api.client.get(path, params={"kind": "nap"}, headers=studio.staff), 422)
    _problem(studio.api.client.get(f"/members/{uuid.uuid4()}/movement", headers=studio.staff), 404)


def test_who_may_record_what(studio: Studio, api: Api) -> None:
    member = studio.member(plan="")
    as_member = studio.member_headers(member)
    _problem(_post(studio, _entry(member), as_member), 403)
    _problem(_post(studio, _entry(member), studio.desk.kiosk), 403)
    body = {"minutes": 25, "intensity": "light", "occurred_at": HOUR_AGO.isoformat()}
    for headers in (studio.staff, studio.desk.kiosk):
        _problem(studio.api.client.post("/me/movement-events", json=body, headers=headers), 403)
    _problem(studio.api.client.get(f"/members/{member}/movement", headers=as_member), 403)
    event = _post(studio, _entry(member)).json()
    void = studio.api.client.post(
        f"/movement-events/{event['id']}/void", json={"reason": "mine"}, headers=as_member
    )
    _problem(void, 403)
    assert len(_rows(studio, member)) == 1


def test_staff_limited_to_a_location_reach_its_members_only(studio: Studio, api: Api) -> None:
    tenant = studio.desk.tenant
    accra = api.create_location(tenant, "Accra", timezone="Africa/Accra")
    api.create_staff(tenant, "manager", "accra@ledger-gym.example", location_ids=[accra["id"]])
    manager = api.token_for("ledger-gym", "accra@ledger-gym.example")
    london_member = studio.member(plan="", home_location_id=uuid.UUID(studio.desk.location["id"]))
    accra_member = studio.member(plan="", home_location_id=uuid.UUID(accra["id"]))
    _problem(_post(studio, _entry(london_member), manager), 404)
    _problem(
        _post(studio, _entry(accra_member, location_id=studio.desk.location["id"]), manager), 404
    )
    assert _post(studio, _entry(accra_member), manager).status_code == 201
    london_event = _post(studio, _entry(london_member)).json()
    _problem(
        api.client.post(
            f"/movement-events/{london_event['id']}/void", json={"reason": "no"}, headers=manager
        ),
        404,
    )
    _problem(api.client.get(f"/members/{london_member}/movement", headers=manager), 404)
    assert len(_rows(studio, london_member)) == 1


def test_another_tenants_events_are_not_found(studio: Studio, api: Api) -> None:
    member = studio.member(plan="")
    event = _post(studio, _entry(member)).json()
    other = api.sign_up("ledger-other")
    for path, body in (
        (f"/movement-events/{event['id']}/void", {"reason": "not yours"}),
        (f"/movement-events/{event['id']}/correction", {"reason": "not yours", "minutes": 1}),
    ):
        _problem(api.client.post(path, json=body, headers=other.headers), 404)
    _problem(api.client.get(f"/members/{member}/movement", headers=other.headers), 404)
    with studio.container.uow() as uow:
        count = uow.db.execute(select(func.count()).select_from(MovementEvent)).scalar_one()
    assert count == 1


def _attend(studio: Studio, member: str, minutes: int = 45, **session: Any) -> tuple[str, str]:
    """A class starting in 10 minutes, booked and attended: (session id, booking id)."""
    session_id = studio.session(starts_in=timedelta(minutes=10), minutes=minutes, **session)
    booking = studio.booked(session_id, member)
    attended = studio.api.client.post(
        f"/bookings/{booking['id']}/attendance", json={}, headers=studio.staff
    )
    assert attended.status_code == 200, attended.text
    return session_id, booking["id"]


def test_checking_out_of_a_visit_corrects_its_minutes_by_a_new_event(studio: Studio) -> None:
    member = studio.member()
    checkin = studio.desk.check_in(member).json()
    mine = studio.member_headers(member)
    path = f"/me/checkins/{checkin['id']}/checkout"
    out = studio.api.client.post(path, json={"minutes": 75}, headers=mine)
    assert out.status_code == 201, out.text
    door = next(r for r in _rows(studio, member) if r.voids is None)
    assert (out.json()["voids"], out.json()["minutes"]) == (str(door.id), 75)
    assert (out.json()["provenance"], out.json()["source"]) == ("scanner_verified", "app")
    assert (door.minutes, door.voided_by) == (60, uuid.UUID(out.json()["id"]))
    # Again: the latest confirmation replaces the last.
    again = studio.api.client.post(path, json={"minutes": 70}, headers=mine).json()
    assert again["voids"] == out.json()["id"]
    # Not completed after all: the visit's movement is voided.
    gone = studio.api.client.post(path, json={"minutes": 0, "completed": False}, headers=mine)
    assert gone.status_code == 201 and gone.json()["is_void"] is True
    _problem(studio.api.client.post(path, json={"minutes": 10}, headers=mine), 404)
    # Another member's check-in is not found, nor is nothing; minutes out of range a 422.
    other = studio.member()
    theirs = studio.desk.check_in(other).json()["id"]
    _problem(
        studio.api.client.post(
            f"/me/checkins/{theirs}/checkout", json={"minutes": 10}, headers=mine
        ),
        404,
    )
    _problem(
        studio.api.client.post(
            f"/me/checkins/{theirs}/checkout",
            json={"minutes": 601},
            headers=studio.member_headers(other),
        ),
        422,
    )


def test_checking_out_of_a_class_one_attended(studio: Studio) -> None:
    member = studio.member()
    session_id, _ = _attend(studio, member)
    mine = studio.member_headers(member)
    out = studio.api.client.post(
        f"/me/sessions/{session_id}/checkout", json={"minutes": 40}, headers=mine
    )
    assert out.status_code == 201, out.text
    assert (out.json()["kind"], out.json()["minutes"], out.json()["session_id"]) == (
        "attendance",
        40,
        session_id,
    )
    unattended = studio.session(starts_in=timedelta(hours=5))
    _problem(
        studio.api.client.post(
            f"/me/sessions/{unattended}/checkout", json={"minutes": 40}, headers=mine
        ),
        409,
    )


def test_a_member_rates_an_attended_class_once_and_may_change_it(studio: Studio) -> None:
    member = studio.member()
    session_id, _ = _attend(studio, member)
    mine = studio.member_headers(member)
    path = f"/me/sessions/{session_id}/rating"
    first = studio.api.client.post(path, json={"score": 4, "comment": "great"}, headers=mine)
    assert first.status_code == 200, first.text
    assert (first.json()["score"], first.json()["comment"]) == (4, "great")
    changed = studio.api.client.post(path, json={"score": 5}, headers=mine).json()
    assert (changed["score"], changed["comment"]) == (5, None)
    with studio.container.uow() as uow:
        assert uow.db.execute(select(func.count()).select_from(SessionRating)).scalar_one() == 1
    _problem(studio.api.client.post(path, json={"score": 6}, headers=mine), 422)
    _problem(studio.api.client.post(path, json={"score": 0}, headers=mine), 422)
    # Someone who did not attend, a class not held here: 409 and 404.
    other = studio.member_headers(studio.member())
    _problem(studio.api.client.post(path, json={"score": 1}, headers=other), 409)
    _problem(
        studio.api.client.post(
            f"/me/sessions/{uuid.uuid4()}/rating", json={"score": 3}, headers=mine
        ),
        404,
    )
    _problem(studio.api.client.post(path, json={"score": 3}, headers=studio.staff), 403)


def test_the_ratings_report_averages_per_class_type_and_instructor(
    studio: Studio, api: Api
) -> None:
    coach = api.create_staff(studio.desk.tenant, "coach", "kofi@ledger-gym.example")
    yoga = studio.session_type("Yoga")
    scores = {"Ama": 5, "Kojo": 4, "Esi": 2}
    one_class = studio.session(
        starts_in=timedelta(minutes=10), session_type_id=yoga, instructor_id=coach["id"]
    )
    for name, score in scores.items():
        member = studio.member(first_name=name)
        booking = studio.booked(one_class, member)
        assert (
            studio.api.client.post(
                f"/bookings/{booking['id']}/attendance", json={}, headers=studio.staff
            ).status_code
            == 200
        )
        rated = studio.api.client.post(
            f"/me/sessions/{one_class}/rating",
            json={"score": score},
            headers=studio.member_headers(member),
        )
        assert rated.status_code == 200, rated.text
    hiit_member = studio.member()
    hiit, _ = _attend(studio, hiit_member)
    studio.api.client.post(
        f"/me/sessions/{hiit}/rating", json={"score": 3}, headers=studio.member_headers(hiit_member)
    )
    today = datetime.now(LONDON).date()
    span = {
        "from": (today - timedelta(days=1)).isoformat(),
        "to": (today + timedelta(days=1)).isoformat(),
    }
    report = api.client.get("/reports/ratings", params=span, headers=studio.admin)
    assert report.status_code == 200, report.text
    lines = report.json()["items"]
    # (5 + 4 + 2) / 3 = 3.67 for Kofi's yoga; one HIIT rating of 3 with no instructor.
    assert [(x["session_type"], x["instructor"], x["ratings"], x["average"]) for x in lines] == [
        ("Yoga", "coach person", 3, 3.67),
        ("HIIT", None, 1, 3.0),
    ]
    later = {
        "from": (today + timedelta(days=2)).isoformat(),
        "to": (today + timedelta(days=3)).isoformat(),
    }
    assert api.client.get("/reports/ratings", params=later, headers=studio.admin).json() == {
        "items": []
    }
    _problem(api.client.get("/reports/ratings", params=span, headers=studio.staff), 403)


def test_a_kiosks_pushed_check_in_is_dated_in_the_members_home_zone(
    studio: Studio, api: Api
) -> None:
    accra = api.create_location(studio.desk.tenant, "Accra", timezone="Africa/Accra")
    member = studio.member(home_location_id=uuid.UUID(accra["id"]))
    # 23:30 UTC on 1 June is 23:30 in Accra (the 1st) and 00:30 BST in London (the 2nd):
    # the member's home decides. Pushed late, by a London kiosk.
    at = "2026-06-01T23:30:00+00:00"
    (result,) = Kiosk.of(studio.desk).pushed([Kiosk.of(studio.desk).checkin(member, at=at)])
    assert result["status"] == "applied", result
    (row,) = _rows(studio, member)
    assert (row.kind, row.minutes, row.intensity, row.provenance) == (
        "floor_checkin",
        60,
        "moderate",
        "scanner_verified",
    )
    assert (row.zone, row.local_date) == ("Africa/Accra", date(2026, 6, 1))
    (published,) = _published(studio)
    assert (published.data["local_date"], published.data["zone"]) == ("2026-06-01", "Africa/Accra")
