"""Door rules on the kiosk push path, on SQLite and PostgreSQL: a pushed door check-in during
a class the member booked (one the kiosk had not pulled yet) attends that booking and takes
nothing more, as the door itself does; two kiosks pushing check-ins of one member at the
same moment make one visit and one re-entry."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import select

from server.bootstrap import Container
from server.engagement.models import MovementEvent
from shared.clock import utcnow
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api
from tests.integration.sync_helpers import Kiosk
from tests.integration.test_door_rules import _checkins, _pack_member


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, "push-door-gym")


def _movements(container: Container, member_id: str) -> list[str]:
    with container.uow() as uow:
        return sorted(
            uow.db.execute(
                select(MovementEvent.kind).where(MovementEvent.member_id == uuid.UUID(member_id))
            ).scalars()
        )


def _kiosk_admits(kiosk: Kiosk, member_id: str, membership_id: str, **extra: Any) -> Any:
    """A plain door check-in, as a kiosk that knows nothing of the member's booking makes it
    (it took a credit locally, on the pack)."""
    return kiosk.checkin(
        member_id,
        at=utcnow().isoformat(),
        membership_id=membership_id,
        reason="admitted on 8 classes, 6 credits left",
        **extra,
    )


def _outcome(studio: Studio, member_id: str, membership_id: str, session_id: str) -> Any:
    (booking,) = [b for b in studio.bookings(session_id) if str(b.member_id) == member_id]
    (checkin,) = _checkins(studio.container, member_id)
    return (
        studio.credits(membership_id),
        booking.attendance,
        booking.checkin_id == checkin.id,
        _movements(studio.container, member_id),
    )


@pytest.mark.parametrize("alone", [True, False], ids=["one-mutation", "in-a-run"])
def test_pushed_checkin_during_a_booked_class_attends_it_like_the_door(
    studio: Studio, alone: bool
) -> None:
    session_id = studio.session(starts_in=timedelta(minutes=30))
    pushed, pushed_pack = _pack_member(studio)
    at_door, door_pack = _pack_member(studio)
    for member_id in (pushed, at_door):
        studio.booked(session_id, member_id)
    assert studio.credits(pushed_pack) == studio.credits(door_pack) == 7
    # Another pack member, no booking: the run's plain door check-in still takes a credit.
    walker, walker_pack = _pack_member(studio)
    kiosk = Kiosk.of(studio.desk)
    mutations = [_kiosk_admits(kiosk, pushed, pushed_pack)]
    if not alone:
        mutations.append(_kiosk_admits(kiosk, walker, walker_pack))
    results = kiosk.pushed(mutations)
    assert [r["status"] for r in results] == ["applied"] * len(mutations), results
    door = studio.desk.check_in(at_door, kiosk=True)
    assert door.status_code == 201 and door.json()["admitted"], door.text
    # The push and the door end alike: one credit (the booking's), the booking attended by
    # the check-in, the attendance the only movement.
    expected = (7, "on_time", True, ["attendance"])
    assert _outcome(studio, pushed, pushed_pack, session_id) == expected
    assert _outcome(studio, at_door, door_pack, session_id) == expected
    if not alone:
        assert studio.credits(walker_pack) == 7
        assert _movements(studio.container, walker) == ["floor_checkin"]
    # The same push again changes nothing.
    again = kiosk.pushed(list(kiosk.sent))
    assert all(r["status"] in ("applied", "duplicate") for r in again), again
    assert _outcome(studio, pushed, pushed_pack, session_id) == expected


def test_pushed_checkin_outside_the_class_window_is_a_door_checkin(studio: Studio) -> None:
    member_id, membership_id = _pack_member(studio)
    tomorrow = studio.session(starts_in=timedelta(hours=13))
    studio.booked(tomorrow, member_id)
    kiosk = Kiosk.of(studio.desk)
    (result,) = kiosk.pushed([_kiosk_admits(kiosk, member_id, membership_id)])
    assert result["status"] == "applied", result
    assert studio.credits(membership_id) == 6
    (booking,) = studio.bookings(tomorrow)
    assert (booking.attendance, booking.checkin_id) == (None, None)
    assert _movements(studio.container, member_id) == ["floor_checkin"]


def test_a_refused_pushed_checkin_does_not_attend(studio: Studio) -> None:
    member_id, membership_id = _pack_member(studio)
    session_id = studio.session(starts_in=timedelta(minutes=10))
    studio.booked(session_id, member_id)
    kiosk = Kiosk.of(studio.desk)
    refused = kiosk.checkin(member_id, admitted=False, at=utcnow().isoformat())
    (result,) = kiosk.pushed([refused])
    assert result["status"] == "applied", result
    (booking,) = studio.bookings(session_id)
    assert booking.attendance is None
    assert studio.credits(membership_id) == 7


def _at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """The calls' answers, each made in its own thread, all released at the same moment."""
    start = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        start.wait()
        answers[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_two_kiosks_pushing_one_member_at_once_make_one_visit(studio: Studio) -> None:
    kiosks = [Kiosk.of(studio.desk), Kiosk.enrol(studio.desk)]
    members = [_pack_member(studio) for _ in range(6)]
    for member_id, membership_id in members:
        at = utcnow().isoformat()
        mutations = [_kiosk_admits(k, member_id, membership_id) for k in kiosks]
        for mutation in mutations:
            mutation["device_time"] = mutation["args"]["occurred_at"] = at
        answers = _at_once([partial(k.push, [m]) for k, m in zip(kiosks, mutations, strict=True)])
        assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
        results = [a.json()["results"][0] for a in answers]
        assert [r["status"] for r in results] == ["applied", "applied"], results
        rows = _checkins(studio.container, member_id)
        assert len(rows) == 2 and all(r.admitted for r in rows)
        visits = [r for r in rows if r.repeat_of is None]
        assert len(visits) == 1, [(r.device_id, r.repeat_of) for r in rows]
        assert {r.repeat_of for r in rows} == {None, visits[0].id}
        assert studio.credits(membership_id) == 7
        assert _movements(studio.container, member_id) == ["floor_checkin"]


def test_a_push_and_the_door_at_once_make_one_visit(studio: Studio) -> None:
    kiosk = Kiosk.enrol(studio.desk)
    for _ in range(4):
        member_id, membership_id = _pack_member(studio)
        mutation = _kiosk_admits(kiosk, member_id, membership_id)
        # At the same moment: a check-in made earlier but recorded later is a visit of its own.
        at = mutation["args"]["occurred_at"]
        pushed, door = _at_once(
            [
                partial(kiosk.push, [mutation]),
                partial(studio.desk.check_in, member_id, occurred_at=at),
            ]
        )
        assert pushed.status_code == 200 and door.status_code == 201, (pushed.text, door.text)
        assert pushed.json()["results"][0]["status"] == "applied"
        rows = _checkins(studio.container, member_id)
        assert len(rows) == 2 and all(r.admitted for r in rows)
        assert sum(1 for r in rows if r.repeat_of is None) == 1
        assert studio.credits(membership_id) == 7
        assert _movements(studio.container, member_id) == ["floor_checkin"]
