"""Bookings through the API: instant confirmation, waitlist and promotion, refusals, credits,
approval, rosters and attendance — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.bootstrap import Container
from shared.clock import utcnow
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, "book-gym")


def test_member_books_and_waitlist_is_promoted_in_order(studio: Studio) -> None:
    session_id = studio.session(capacity=2)
    members = [studio.member() for _ in range(4)]
    results = []
    for member_id in members:
        response = studio.api.client.post(
            "/me/bookings",
            json={"session_id": session_id},
            headers=studio.member_headers(member_id),
        )
        assert response.status_code == 201, response.text
        results.append(response.json())
    assert [r["status"] for r in results] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [r["position"] for r in results] == [1, 2, 3, 4]
    assert studio.counts(session_id) == (2, 2)
    # The member cancels their own booking; the first in line moves up at once.
    cancelled = studio.api.client.post(
        f"/me/bookings/{results[0]['id']}/cancel", headers=studio.member_headers(members[0])
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["cancel_kind"] == "in_time"
    roster = studio.api.client.get(f"/sessions/{session_id}/roster", headers=studio.staff).json()
    assert [(e["member_id"], e["status"], e["waitlist_place"]) for e in roster["items"]] == [
        (members[1], "confirmed", None),
        (members[2], "confirmed", None),
        (members[3], "waitlisted", 1),
    ]
    assert roster["items"][0]["first_name"] == "Ama"
    assert (roster["confirmed_count"], roster["waitlist_count"]) == (2, 1)
    promoted = next(b for b in studio.bookings(session_id) if str(b.member_id) == members[2])
    assert promoted.promoted_at is not None
    # Another member's booking is not theirs to cancel.
    other = studio.api.client.post(
        f"/me/bookings/{results[3]['id']}/cancel", headers=studio.member_headers(members[1])
    )
    assert other.status_code == 404
    mine = studio.api.client.get("/me/bookings", headers=studio.member_headers(members[2]))
    assert [b["status"] for b in mine.json()["items"]] == ["confirmed"]


def test_refusals_are_clear_and_change_nothing(studio: Studio, api: Api) -> None:
    member = studio.member()
    session_id = studio.session()
    studio.booked(session_id, member)
    again = studio.book(session_id, member)
    assert again.status_code == 409 and again.json()["code"] == "already_booked"
    # Overlapping in time (another session half an hour later).
    overlapping = studio.session(starts_in=timedelta(days=1, minutes=30))
    clash = studio.book(overlapping, member)
    assert clash.status_code == 409 and clash.json()["code"] == "overlapping_booking"
    # Back to back is not an overlap.
    studio.booked(studio.session(starts_in=timedelta(days=1, minutes=60)), member)
    # Window: too early for a member booking themself (staff may: see below).
    far = studio.session(starts_in=timedelta(days=30))
    early_member = studio.member()
    early = studio.api.client.post(
        "/me/bookings", json={"session_id": far}, headers=studio.member_headers(early_member)
    )
    assert early.status_code == 409 and "opens 14 days before" in early.json()["detail"]
    past = studio.session(starts_in=timedelta(hours=-2))
    started = studio.book(past, studio.member())
    assert started.status_code == 409 and "already started" in started.json()["detail"]
    # Not eligible: no membership.
    nobody = studio.member(plan="")
    refused = studio.book(studio.session(), nobody)
    assert refused.status_code == 409 and refused.json()["code"] == "not_eligible"
    assert "no active membership" in refused.json()["detail"]
    # Another tenant's session is simply not found.
    other = open_studio(api, studio.container, "other-gym")
    foreign_session = other.session()
    foreign = studio.book(foreign_session, member)
    assert foreign.status_code == 404
    # Nothing of the refusals was written.
    for session in (overlapping, far, past):
        assert studio.counts(session) == (0, 0)
    assert other.counts(foreign_session) == (0, 0)
    assert studio.bookings(far) == [] and studio.bookings(past) == []


def test_cancelled_session_refuses_and_releases(studio: Studio) -> None:
    from server.bookings.session_changes import release_cancelled_session

    session_id = studio.session(capacity=1)
    first, second = studio.member(), studio.member()
    studio.booked(session_id, first)
    studio.booked(session_id, second)
    import uuid

    from server.scheduling.models import ClassSession

    with studio.container.uow() as uow:
        row = uow.db.get(ClassSession, (uuid.UUID(studio.tenant_id), uuid.UUID(session_id)))
        assert row is not None
        row.status = "cancelled"
        uow.db.flush()
        changed = release_cancelled_session(uow=uow, session=row, reason="instructor ill")
        uow.commit()
    assert changed == 2
    assert studio.counts(session_id) == (0, 0)
    assert {b.status for b in studio.bookings(session_id)} == {"cancelled"}
    refused = studio.book(session_id, studio.member())
    assert refused.status_code == 409 and refused.json()["code"] == "session_cancelled"


def test_class_pack_credit_taken_and_given_back(studio: Studio) -> None:
    member = studio.desk.member()
    membership = studio.desk.membership(member, studio.pack_plan)
    assert membership["credits_remaining"] == 5
    session_id = studio.session()
    booking = studio.booked(session_id, member)
    assert booking["credit_taken"] is True
    assert studio.credits(membership["id"]) == 4
    assert studio.cancel(booking["id"]).status_code == 200
    assert studio.credits(membership["id"]) == 5


def test_approval_pending_holds_a_place_and_decline_promotes(studio: Studio) -> None:
    boutique = studio.session_type("Reformer", requires_approval=True)
    session_id = studio.session(capacity=1, session_type_id=boutique)
    first, second = studio.member(), studio.member()
    pending = studio.booked(session_id, first)
    assert pending["status"] == "pending"
    waiting = studio.booked(session_id, second)
    assert waiting["status"] == "waitlisted"
    client = studio.api.client
    declined = client.post(
        f"/bookings/{pending['id']}/decline", json={"reason": "full"}, headers=studio.staff
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    now_pending = client.get(f"/bookings/{waiting['id']}", headers=studio.staff).json()
    assert now_pending["status"] == "pending"
    approved = client.post(f"/bookings/{waiting['id']}/approve", headers=studio.staff)
    assert approved.status_code == 200 and approved.json()["status"] == "confirmed"
    twice = client.post(f"/bookings/{waiting['id']}/approve", headers=studio.staff)
    assert twice.status_code == 409
    assert studio.counts(session_id) == (1, 0)


def test_attendance_on_time_late_once_with_one_movement_event(studio: Studio) -> None:
    session_id = studio.session(starts_in=timedelta(minutes=30))
    on_time, late, waiting = studio.member(), studio.member(), studio.member()
    a = studio.booked(session_id, on_time)
    b = studio.booked(session_id, late)
    start = utcnow() + timedelta(minutes=30)
    client = studio.api.client
    first = client.post(
        f"/bookings/{a['id']}/attendance",
        json={"checked_in_at": (start - timedelta(minutes=5)).isoformat()},
        headers=studio.staff,
    )
    assert first.status_code == 200 and first.json()["attendance"] == "on_time"
    again = client.post(
        f"/bookings/{a['id']}/attendance",
        json={"checked_in_at": (start + timedelta(minutes=40)).isoformat()},
        headers=studio.staff,
    )
    assert again.status_code == 200 and again.json()["attendance"] == "on_time"
    tardy = client.post(
        f"/bookings/{b['id']}/attendance",
        json={"checked_in_at": (start + timedelta(minutes=15)).isoformat()},
        headers=studio.staff,
    )
    assert tardy.json()["attendance"] == "late"
    cancelled = studio.booked(studio.session(starts_in=timedelta(days=2)), waiting)
    studio.cancel(cancelled["id"])
    refused = client.post(f"/bookings/{cancelled['id']}/attendance", headers=studio.staff)
    assert refused.status_code == 409
    from sqlalchemy import select

    from server.engagement.models import MovementEvent

    with studio.container.uow() as uow:
        kinds = list(uow.db.execute(select(MovementEvent.kind)).scalars())
    assert kinds.count("attendance") == 2


def test_staff_book_outside_the_window_members_may_not(studio: Studio) -> None:
    """Before the window opens and after it closes, a staff booking is placed and says
    who made it; the member alone is refused; a started session refuses everyone."""
    client = studio.api.client
    policy = client.patch(
        "/booking-policy", json={"closes_minutes_before": 60}, headers=studio.admin
    )
    assert policy.status_code == 200, policy.text
    for starts_in in (timedelta(days=30), timedelta(minutes=5)):
        session_id = studio.session(starts_in=starts_in)
        member = studio.member()
        alone = client.post(
            "/me/bookings", json={"session_id": session_id}, headers=studio.member_headers(member)
        )
        assert alone.status_code == 409 and alone.json()["code"] == "booking_window"
        assert studio.counts(session_id) == (0, 0)
        booked = studio.booked(session_id, member)
        assert (booked["status"], booked["source"]) == ("confirmed", "staff")
        assert booked["booked_by"] is not None
    started = studio.book(studio.session(starts_in=timedelta(minutes=-5)), studio.member())
    assert started.status_code == 409 and "already started" in started.json()["detail"]
