"""Bookings and session check-ins made at a real kiosk core, offline, travelling through the
sync protocol to the real app: the server decides."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from desktop.app import build_core
from desktop.core.checkin.model import CheckinError
from desktop.core.kiosk import KioskCore
from server.bookings.placing import place_booking
from server.bookings.sync import IN_ROOM_WITHOUT_PLACE
from server.bootstrap import Container
from shared.enums import BookingSource, CheckinMethod
from tests.integration import chaos
from tests.integration.chaos import FaultyTransport
from tests.integration.helpers import Api
from tests.integration.plans_helpers import MONTHLY, PACK, Desk, open_desk
from tests.integration.sync_helpers import Kiosk, checkin_count, review_items


@pytest.fixture
def desk(api: Api, container: Container) -> Desk:
    return open_desk(api, container, "book-sync", timezone="Europe/London")


class Kiosks:
    """Real kiosk cores enrolled at the desk's location, each with a faulty link of its own."""

    def __init__(self, desk: Desk, root: Path) -> None:
        self.desk, self.root = desk, root
        self.opened: list[tuple[KioskCore, httpx.Client]] = []

    def open(self, name: str) -> tuple[KioskCore, FaultyTransport]:
        http, transport = chaos.kiosk_http(self.desk.api.client)
        core = build_core(chaos.kiosk_settings(self.root / name), http_client=http)
        code = self.desk.api.client.post(
            f"/locations/{self.desk.location['id']}/enrolment-codes",
            json={},
            headers=self.desk.admin,
        ).json()["code"]
        core.enrol("http://testserver", code, name)
        self.opened.append((core, http))
        return core, transport

    def close(self) -> None:
        for core, http in self.opened:
            core.close()
            http.close()


@pytest.fixture
def kiosks(desk: Desk, tmp_path: Path) -> Iterator[Kiosks]:
    made = Kiosks(desk, tmp_path)
    yield made
    made.close()


def _member(desk: Desk, first: str, plan: str) -> uuid.UUID:
    member_id = desk.member(first_name=first)
    desk.membership(member_id, plan)
    return uuid.UUID(member_id)


def _sync(core: KioskCore) -> None:
    core.sync.push()
    core.sync.pull()
    assert core.sync.status().pending_count == 0


def test_a_walk_in_booked_offline_reaches_the_server_and_comes_back(
    desk: Desk, kiosks: Kiosks
) -> None:
    monthly = desk.plan(MONTHLY)
    ama = _member(desk, "Ama", monthly)
    session_id = uuid.UUID(
        chaos.add_class(desk.container, desk.tenant.id, desk.location["id"], capacity=2)
    )
    core, link = kiosks.open("Desk A")
    # Two hours from now is today or (late in the evening) tomorrow on the location's clock.
    [view] = core.sessions.today() + core.sessions.tomorrow()
    assert (view.id, view.capacity, view.booked, view.free) == (session_id, 2, 0, 2)

    link.partitioned = True
    booked = core.sessions.book(session_id, ama)
    assert booked.session.booked == 1 and booked.session.pending == 1
    [entry] = core.sessions.roster(session_id)
    assert (entry.member_id, entry.state) == (ama, "booked (not synced yet)")
    with pytest.raises(CheckinError, match="already booked"):
        core.sessions.book(session_id, ama)

    link.heal()
    _sync(core)
    server = chaos.server_bookings(desk.container, desk.tenant.id)
    assert server[str(booked.booking_id)]["status"] == "confirmed"
    assert chaos.server_session_counts(desk.container, desk.tenant.id)[str(session_id)] == (1, 0)
    assert chaos.kiosk_bookings(core) == server
    assert chaos.local_bookings(core) == set()  # the pulled row is the truth now
    [entry] = core.sessions.roster(session_id)
    assert entry.state == "booked" and not entry.pending
    assert core.sessions.session(session_id).booked == 1


def test_a_roster_check_in_marks_an_online_booking_attended_and_takes_one_credit(
    desk: Desk, kiosks: Kiosks
) -> None:
    pack = desk.plan(PACK)
    kofi = _member(desk, "Kofi", pack)
    session_id = chaos.add_class(desk.container, desk.tenant.id, desk.location["id"], capacity=5)
    with desk.container.uow() as uow:
        booking = place_booking(
            uow=uow,
            eligibility=desk.container.eligibility,
            tenant_id=uuid.UUID(desk.tenant.id),
            session_id=uuid.UUID(session_id),
            member_id=kofi,
            source=BookingSource.MEMBER,
        )
        booking_id = booking.id
        uow.commit()
    core, link = kiosks.open("Desk A")
    [entry] = core.sessions.roster(uuid.UUID(session_id))
    assert (entry.booking_id, entry.state) == (booking_id, "booked")

    link.partitioned = True
    result = core.sessions.check_in(uuid.UUID(session_id), kofi, CheckinMethod.SEARCH)
    assert result.outcome.admitted and result.booking_id == booking_id and not result.booked_now
    assert core.sessions.roster(uuid.UUID(session_id))[0].state == "checked in (not synced yet)"
    again = core.sessions.check_in(uuid.UUID(session_id), kofi, CheckinMethod.SEARCH)
    assert again.already and again.outcome.repeated

    link.heal()
    _sync(core)
    server = chaos.server_bookings(desk.container, desk.tenant.id)
    assert server[str(booking_id)]["attendance"] == "on_time"
    assert checkin_count(desk) == 1
    assert core.sessions.roster(uuid.UUID(session_id))[0].state == "checked in"
    # The booking took the pack's credit; the check-in into it took none.
    memberships = desk.api.client.get(f"/members/{kofi}/memberships", headers=desk.desk).json()
    items = memberships["items"] if isinstance(memberships, dict) else memberships
    assert [m["credits_remaining"] for m in items] == [4]


def test_a_pack_whose_last_credit_paid_for_the_booking_still_gets_into_that_class(
    desk: Desk, kiosks: Kiosks
) -> None:
    one_class = desk.plan({**PACK, "name": "1 class", "credits": 1})
    esi = _member(desk, "Esi", one_class)
    session_id = chaos.add_class(desk.container, desk.tenant.id, desk.location["id"], capacity=5)
    other_id = chaos.add_class(desk.container, desk.tenant.id, desk.location["id"], capacity=5)
    booked = desk.api.client.post(
        f"/sessions/{session_id}/bookings", json={"member_id": str(esi)}, headers=desk.desk
    )
    assert booked.status_code == 201, booked.text
    core, link = kiosks.open("Desk A")
    link.partitioned = True
    # The booking took the only credit; checking into that class needs none.
    result = core.sessions.check_in(uuid.UUID(session_id), esi, CheckinMethod.SEARCH)
    assert result.outcome.admitted, result.outcome.reason
    assert "credit taken when booked" in result.outcome.reason
    # Any other class would need a credit she no longer has.
    with pytest.raises(CheckinError, match="no credits left"):
        core.sessions.book(uuid.UUID(other_id), esi)
    link.heal()
    _sync(core)
    server = chaos.server_bookings(desk.container, desk.tenant.id)
    assert server[booked.json()["id"]]["attendance"] == "on_time"
    assert review_items(desk) == []
    memberships = desk.api.client.get(f"/members/{esi}/memberships", headers=desk.desk).json()
    assert [m["credits_remaining"] for m in memberships["items"]] == [0]


def test_a_booked_member_checking_in_at_the_door_is_checked_into_the_class_about_to_start(
    desk: Desk, kiosks: Kiosks
) -> None:
    monthly = desk.plan(MONTHLY)
    ama, kofi = _member(desk, "Ama", monthly), _member(desk, "Kofi", monthly)
    soon = chaos.add_class(
        desk.container,
        desk.tenant.id,
        desk.location["id"],
        capacity=5,
        starts_in=timedelta(minutes=10),
        name="Spin",
    )
    later = chaos.add_class(
        desk.container,
        desk.tenant.id,
        desk.location["id"],
        capacity=5,
        starts_in=timedelta(hours=2),
        name="Yoga",
    )
    booking_ids = {}
    for session_id in (soon, later):
        response = desk.api.client.post(
            f"/sessions/{session_id}/bookings", json={"member_id": str(ama)}, headers=desk.desk
        )
        assert response.status_code == 201, response.text
        booking_ids[session_id] = response.json()["id"]
    core, link = kiosks.open("Desk A")
    link.partitioned = True
    outcome = core.checkin.check_in(ama, CheckinMethod.CARD)
    assert outcome.admitted and "into Spin" in outcome.reason, outcome.reason
    assert core.sessions.roster(uuid.UUID(soon))[0].checked_in
    assert not core.sessions.roster(uuid.UUID(later))[0].checked_in
    # A second swipe is the same check-in, not another; someone unbooked is a floor visit.
    assert core.checkin.check_in(ama, CheckinMethod.CARD).repeated
    floor = core.checkin.check_in(kofi, CheckinMethod.CARD)
    assert floor.admitted and "into" not in floor.reason
    link.heal()
    _sync(core)
    server = chaos.server_bookings(desk.container, desk.tenant.id)
    assert server[booking_ids[soon]]["attendance"] == "on_time"
    assert server[booking_ids[later]]["attendance"] is None
    assert checkin_count(desk) == 2


def test_the_last_place_booked_at_two_offline_kiosks_waitlists_the_later_and_opens_a_review(
    desk: Desk, kiosks: Kiosks
) -> None:
    monthly = desk.plan(MONTHLY)
    ama, kofi = _member(desk, "Ama", monthly), _member(desk, "Kofi", monthly)
    session_id = uuid.UUID(
        chaos.add_class(desk.container, desk.tenant.id, desk.location["id"], capacity=1)
    )
    first, first_link = kiosks.open("Desk A")
    second, second_link = kiosks.open("Desk B")
    first_link.partitioned = second_link.partitioned = True
    booked = first.sessions.book(session_id, ama)
    # The second kiosk also sees the place free: Kofi walks in and is checked into the class.
    walked_in = second.sessions.check_in(session_id, kofi, CheckinMethod.SEARCH)
    assert walked_in.booked_now and walked_in.outcome.admitted
    with pytest.raises(CheckinError, match="full"):
        second.sessions.book(session_id, ama)

    first_link.heal()
    _sync(first)
    second_link.heal()
    _sync(second)
    server = chaos.server_bookings(desk.container, desk.tenant.id)
    assert server[str(booked.booking_id)]["status"] == "confirmed"
    late = server[str(walked_in.booking_id)]
    assert (late["status"], late["position"], late["attendance"]) == ("waitlisted", 2, None)
    assert chaos.server_session_counts(desk.container, desk.tenant.id)[str(session_id)] == (1, 1)
    [item] = review_items(desk, status="open")
    assert item["kind"] == IN_ROOM_WITHOUT_PLACE and item["member_id"] == str(kofi)
    # The place in line, not the booking's number in arrival order (which counts Ama's).
    assert "waitlisted, number 1 in line" in item["summary"]
    # The check-in itself is a fact and stays.
    assert checkin_count(desk) == 1
    # Both kiosks show the outcome once synced.
    first.sync.pull()
    for core in (first, second):
        assert chaos.kiosk_bookings(core) == server
        roster = {e.member_id: e for e in core.sessions.roster(session_id)}
        assert roster[ama].state == "booked"
    assert {e.member_id: e.state for e in second.sessions.roster(session_id)}[
        kofi
    ] == "waitlisted — review"
    assert second.sync.status().open_reviews == 1
    assert second.sessions.session(session_id).booked == 1


def test_a_replayed_push_of_bookings_and_a_lost_answer_apply_once(desk: Desk) -> None:
    monthly = desk.plan(MONTHLY)
    ama = str(_member(desk, "Ama", monthly))
    session_id = chaos.add_class(desk.container, desk.tenant.id, desk.location["id"], capacity=3)
    kiosk = Kiosk.of(desk)
    booking_id = str(uuid.uuid4())
    batch = [
        kiosk.checkin(ama, booking_id=booking_id),
        kiosk.mutation(
            "booking.create.v1", {"id": booking_id, "session_id": session_id, "member_id": ama}
        ),
        kiosk.mutation(
            "booking.attend.v1",
            {"booking_id": booking_id, "session_id": session_id, "member_id": ama},
        ),
    ]
    first = kiosk.pushed(batch)
    assert [r["status"] for r in first] == ["applied"] * 3
    again = kiosk.pushed(batch)
    assert [r["status"] for r in again] == ["duplicate"] * 3
    server = chaos.server_bookings(desk.container, desk.tenant.id)
    assert len(server) == 1 and server[booking_id]["attendance"] == "on_time"
    assert chaos.server_session_counts(desk.container, desk.tenant.id)[session_id] == (1, 0)
    # The same booking under a new mutation id (the kiosk's answer was lost and its
    # database restored): still one booking.
    [result] = kiosk.pushed(
        [
            kiosk.mutation(
                "booking.create.v1", {"id": booking_id, "session_id": session_id, "member_id": ama}
            )
        ]
    )
    assert (result["status"], result["reason"]) == ("applied", "already recorded")
    assert len(chaos.server_bookings(desk.container, desk.tenant.id)) == 1


def test_bookings_for_another_location_or_unknown_sessions_are_rejected_alone(
    desk: Desk, api: Api
) -> None:
    monthly = desk.plan(MONTHLY)
    ama = str(_member(desk, "Ama", monthly))
    other = api.create_location(desk.tenant, "Elsewhere")
    there = chaos.add_class(desk.container, desk.tenant.id, other["id"], capacity=3)
    here = chaos.add_class(desk.container, desk.tenant.id, desk.location["id"], capacity=3)
    kiosk = Kiosk.of(desk)
    results = kiosk.pushed(
        [
            kiosk.mutation(
                "booking.create.v1",
                {"id": str(uuid.uuid4()), "session_id": there, "member_id": ama},
            ),
            kiosk.mutation(
                "booking.create.v1",
                {"id": str(uuid.uuid4()), "session_id": str(uuid.uuid4()), "member_id": ama},
            ),
            kiosk.mutation(
                "booking.create.v1", {"id": str(uuid.uuid4()), "session_id": here, "member_id": ama}
            ),
        ]
    )
    assert [r["status"] for r in results] == ["rejected", "rejected", "applied"]
    assert "own location" in results[0]["reason"]
    assert "not known" in results[1]["reason"]
    assert len(chaos.server_bookings(desk.container, desk.tenant.id)) == 1


def test_the_kiosk_roster_counts_places_in_line_from_one(desk: Desk, kiosks: Kiosks) -> None:
    monthly = desk.plan(MONTHLY)
    ama, kofi, esi, yaw = (_member(desk, n, monthly) for n in ("Ama", "Kofi", "Esi", "Yaw"))
    session_id = chaos.add_class(desk.container, desk.tenant.id, desk.location["id"], capacity=1)
    booked = {}
    for member_id in (ama, kofi, esi, yaw):
        answer = desk.api.client.post(
            f"/sessions/{session_id}/bookings",
            json={"member_id": str(member_id)},
            headers=desk.desk,
        )
        assert answer.status_code == 201, answer.text
        booked[member_id] = answer.json()
    # Kofi leaves the line: Esi is first in it, though she booked third.
    left = desk.api.client.post(
        f"/bookings/{booked[kofi]['id']}/cancel", json={}, headers=desk.desk
    )
    assert left.status_code == 200, left.text
    core, _ = kiosks.open("Desk A")
    roster = core.sessions.roster(uuid.UUID(session_id))
    assert [(e.member_id, e.state) for e in roster] == [
        (ama, "booked"),
        (esi, "waitlisted (#1)"),
        (yaw, "waitlisted (#2)"),
    ]
    with pytest.raises(CheckinError, match=r"#2 in line"):
        core.sessions.check_in(uuid.UUID(session_id), yaw, CheckinMethod.SEARCH)
