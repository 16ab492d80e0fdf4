"""What a coach may do: their own classes' rosters and members, never waivers, passes or
everyone's personal data."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from server.bootstrap import Container
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api
from tests.integration.members_helpers import image_bytes


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, "coach-gym")


def _coach(studio: Studio, email: str = "coach@coach-gym.example") -> tuple[str, dict[str, str]]:
    staff = studio.api.create_staff(studio.desk.tenant, "coach", email)
    return staff["id"], studio.api.token_for(studio.desk.tenant.slug, email)


def _penalties(studio: Studio, member_id: str) -> list[dict[str, Any]]:
    response = studio.api.client.get(f"/members/{member_id}/penalties", headers=studio.admin)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_a_coach_cannot_waive_a_late_cancellation(studio: Studio) -> None:
    response = studio.api.client.patch(
        "/booking-policy",
        json={"grace_allowance": 0, "late_cancel_fee": "9.00", "currency": "GBP"},
        headers=studio.admin,
    )
    assert response.status_code == 200, response.text
    coach_id, coach = _coach(studio)
    member = studio.member()
    session = studio.session(starts_in=timedelta(hours=1), instructor_id=coach_id)
    booking = studio.booked(session, member)
    refused = studio.api.client.post(
        f"/bookings/{booking['id']}/cancel", json={"waiver_reason": "my class"}, headers=coach
    )
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    # Nothing changed: the place is still held and no penalty was recorded.
    assert studio.counts(session) == (1, 0)
    assert _penalties(studio, member) == []
    # Cancelled late without a waiver, the penalty stands, and the coach cannot waive it.
    assert (
        studio.api.client.post(
            f"/bookings/{booking['id']}/cancel", headers=studio.staff
        ).status_code
        == 200
    )
    [fee] = _penalties(studio, member)
    assert fee["outcome"] == "fee"
    waive = studio.api.client.post(
        f"/penalties/{fee['id']}/waive", json={"reason": "nice"}, headers=coach
    )
    assert waive.status_code == 403
    assert _penalties(studio, member)[0]["outcome"] == "fee"
    # Front desk staff may waive, either way.
    other = studio.booked(studio.session(starts_in=timedelta(hours=2)), member)
    waived = studio.cancel(other["id"], waiver_reason="family emergency")
    assert waived.status_code == 200, waived.text
    assert _penalties(studio, member)[0]["outcome"] == "waived"


def test_a_coach_books_cancels_and_reads_only_their_own_classes(studio: Studio) -> None:
    client = studio.api.client
    coach_id, coach = _coach(studio)
    member = studio.member()
    mine = studio.session(starts_in=timedelta(days=2), instructor_id=coach_id)
    theirs = studio.session(starts_in=timedelta(days=3))
    # Booking in: into their own class only; nothing is booked into another's.
    booked = client.post(f"/sessions/{mine}/bookings", json={"member_id": member}, headers=coach)
    assert booked.status_code == 201, booked.text
    refused = client.post(f"/sessions/{theirs}/bookings", json={"member_id": member}, headers=coach)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "not_your_class"
    assert studio.counts(theirs) == (0, 0)
    missing = client.post(
        f"/sessions/{studio.desk.tenant.id}/bookings", json={"member_id": member}, headers=coach
    )
    assert missing.status_code == 404
    # Rosters and bookings: their own class's, not another's.
    other = studio.booked(theirs, member)
    assert client.get(f"/sessions/{mine}/roster", headers=coach).status_code == 200
    assert client.get(f"/sessions/{theirs}/roster", headers=coach).status_code == 403
    assert client.get(f"/bookings/{booked.json()['id']}", headers=coach).status_code == 200
    assert client.get(f"/bookings/{other['id']}", headers=coach).status_code == 403
    # Cancelling and attendance: another's class is refused and left as it was.
    assert client.post(f"/bookings/{other['id']}/cancel", headers=coach).status_code == 403
    assert client.post(f"/bookings/{other['id']}/attendance", headers=coach).status_code == 403
    assert studio.counts(theirs) == (1, 0)
    [row] = studio.bookings(theirs)
    assert (row.status, row.attendance) == ("confirmed", None)
    cancelled = client.post(f"/bookings/{booked.json()['id']}/cancel", headers=coach)
    assert cancelled.status_code == 200, cancelled.text
    # Front desk staff act on every class.
    assert client.get(f"/sessions/{theirs}/roster", headers=studio.staff).status_code == 200
    assert studio.cancel(other["id"]).status_code == 200


def test_a_coach_sees_their_members_without_personal_data(studio: Studio) -> None:
    client = studio.api.client
    coach_id, coach = _coach(studio)
    theirs = studio.member(
        email="ama@coach-gym.example",
        phone="+233200000001",
        date_of_birth=date(1990, 1, 2),
        barcode="B-1",
    )
    stranger = studio.member(email="kofi@coach-gym.example", phone="+233200000002")
    studio.booked(studio.session(instructor_id=coach_id), theirs)
    studio.booked(studio.session(), stranger)
    # Listing members (with their email, phone and birth date) needs the front desk.
    listed = client.get("/members", headers=coach)
    assert listed.status_code == 403
    assert listed.headers["content-type"] == "application/problem+json"
    assert client.get("/members", params={"q": "ama"}, headers=coach).status_code == 403
    assert client.get("/members", headers=studio.staff).status_code == 200
    # One of their class's members: the name, not the contact details or credentials.
    read = client.get(f"/members/{theirs}", headers=coach)
    assert read.status_code == 200, read.text
    body = read.json()
    assert (body["first_name"], body["id"]) == ("Ama", theirs)
    assert [body[k] for k in ("email", "phone", "date_of_birth", "barcode", "card_number")] == [
        None
    ] * 5
    full = client.get(f"/members/{theirs}", headers=studio.staff).json()
    assert (full["email"], full["date_of_birth"]) == ("ama@coach-gym.example", "1990-01-02")
    # Someone in another coach's class: refused.
    refused = client.get(f"/members/{stranger}", headers=coach)
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_your_member"
    # Photos likewise: their class's members, not anyone's.
    png = {**studio.staff, "content-type": "image/png"}
    for member in (theirs, stranger):
        put = client.put(f"/members/{member}/photo", content=image_bytes(".png"), headers=png)
        assert put.status_code == 200, put.text
    assert client.get(f"/members/{theirs}/photo", headers=coach).status_code == 200
    assert client.get(f"/members/{stranger}/photo", headers=coach).status_code == 403
    assert client.get(f"/members/{stranger}/photo", headers=studio.staff).status_code == 200


def test_passes_need_the_front_desk(studio: Studio) -> None:
    client = studio.api.client
    coach_id, coach = _coach(studio)
    member = studio.member()
    studio.booked(studio.session(instructor_id=coach_id), member)
    issued = client.post(f"/members/{member}/passes", headers=studio.admin)
    assert issued.status_code == 201, issued.text
    pass_id = issued.json()["id"]
    for url in (
        f"/members/{member}/passes",
        f"/passes/{pass_id}",
        f"/passes/{pass_id}/qr.png",
        f"/passes/{pass_id}/qr.svg",
    ):
        assert client.get(url, headers=coach).status_code == 403, url
        assert client.get(url, headers=studio.staff).status_code == 200, url
