"""A yes to a follow-up that names a condition records the matching risk flag (source:
screening, noted today) unless the member has it already; a later questionnaire without
the yes removes none."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.bootstrap import Container
from server.notices.models import Notice
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api
from tests.integration.test_screening import UNRESOLVED, _all_no, _answer, _today


def _flags(studio: Studio, member_id: str) -> list[dict[str, Any]]:
    got = studio.api.client.get(f"/members/{member_id}/risk-flags", headers=studio.admin)
    assert got.status_code == 200, got.text
    items: list[dict[str, Any]] = got.json()["items"]
    return items


def test_named_conditions_become_risk_flags_once(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "flag-gym")
    member_id = studio.member()
    # Staff know of the back pain already.
    staff = api.client.post(
        f"/members/{member_id}/risk-flags",
        json={"flag": "low_back_pain", "note": "physio letter"},
        headers=studio.admin,
    )
    assert staff.status_code == 201, staff.text
    answers = _all_no() | {
        "heart_condition": True,
        "heart_condition.controlled": True,
        "heart_condition.symptoms": False,
        "heart_condition.high_blood_pressure": True,
        "heart_condition.heart": False,
        "bone_joint": True,
        "bone_joint.controlled": True,
        "bone_joint.recent": True,  # an injury in the last 6 months: recent_injury
        "bone_joint.back": True,  # low back pain: staff recorded it already
    }
    done = _answer(studio, member_id, answers)
    assert done.status_code == 201, done.text
    flags = _flags(studio, member_id)
    by_source = sorted((f["flag"], f["source"]) for f in flags)
    assert by_source == [
        ("high_blood_pressure", "screening"),
        ("low_back_pain", "staff"),
        ("recent_injury", "screening"),
    ]
    today = _today(studio).isoformat()
    assert {f["noted_on"] for f in flags if f["source"] == "screening"} == {today}
    # The same answers again: nothing new.
    assert _answer(studio, member_id, answers).status_code == 201
    assert len(_flags(studio, member_id)) == 3
    # Withdrawn: every yes now a no. No flag is deleted, staff's or the screening's.
    assert _answer(studio, member_id, _all_no()).status_code == 201
    after = _flags(studio, member_id)
    assert sorted(f["flag"] for f in after) == [
        "high_blood_pressure",
        "low_back_pain",
        "recent_injury",
    ]
    assert all(f["ended_on"] is None for f in after)


def test_a_condition_under_a_no_names_nothing(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "flag-no-gym")
    member_id = studio.member()
    # A condition follow-up sent with its question answered no is dropped, as follow-ups are.
    answers = _all_no() | {"chronic_condition.type_2_diabetes": True}
    assert _answer(studio, member_id, answers).status_code == 201
    assert _flags(studio, member_id) == []
    # And it may be left out under a yes: which condition it is is optional.
    answers = _all_no() | {
        "chronic_condition": True,
        "chronic_condition.controlled": True,
        "chronic_condition.limits": False,
        "chronic_condition.type_2_diabetes": True,
    }
    done = _answer(studio, member_id, answers)
    assert done.status_code == 201, done.text
    assert done.json()["outcome"] == "clear"  # naming a condition decides no clearance
    assert [f["flag"] for f in _flags(studio, member_id)] == ["type_2_diabetes"]
    # Not a yes or no: refused, nothing stored.
    bad = _answer(studio, member_id, answers | {"chronic_condition.pre_diabetes": "maybe"})
    assert bad.status_code == 422
    assert [f["flag"] for f in _flags(studio, member_id)] == ["type_2_diabetes"]


def test_a_member_held_back_from_the_waitlist_is_told_once(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "held-once-gym")
    hiit = studio.session(capacity=2)
    a, b, held, next_1, next_2 = (studio.member(email=f"h{i}@example.com") for i in range(5))
    first, second = studio.booked(hiit, a), studio.booked(hiit, b)
    for member_id in (held, next_1, next_2):
        assert studio.booked(hiit, member_id)["status"] == "waitlisted"
    assert _answer(studio, held, UNRESOLVED).json()["awaiting_clearance"] is True
    # Two places free, one after the other: each passes the held member over to the next
    # in line, but the held member hears of it once.
    assert studio.cancel(first["id"]).status_code == 200
    assert studio.cancel(second["id"]).status_code == 200
    status = {str(bk.member_id): bk.status for bk in studio.bookings(hiit)}
    assert status[held] == "waitlisted"
    assert (status[next_1], status[next_2]) == ("confirmed", "confirmed")
    with container.uow() as uow:
        told = uow.db.scalars(
            select(Notice.to_email).where(Notice.topic == "booking.held_back")
        ).all()
    assert told == ["h2@example.com"]
