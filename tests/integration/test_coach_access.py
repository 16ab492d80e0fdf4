"""What a coach may do: their own classes' rosters and members, never waivers, passes or
everyone's personal data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from server.bootstrap import Container
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api


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
    response = studio.api.client.put(
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
