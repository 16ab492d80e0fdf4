"""Booking policies: the window, late cancellations, no-shows, grace, fees, credits, waivers,
and the no-show job that two processes can run at once — on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from server.bookings import jobs
from server.bookings.models import Penalty
from server.bootstrap import Container
from server.ports.payments import PaymentRequest, PaymentResult, RefundRequest
from shared.clock import utcnow
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api


class RecordingPayments:
    """The desk adapter's behaviour, remembering every charge (idempotent by key)."""

    def __init__(self) -> None:
        self.charges: dict[str, PaymentRequest] = {}

    def charge(self, request: PaymentRequest) -> PaymentResult:
        self.charges[str(request.idempotency_key)] = request
        return PaymentResult(payment_id=request.idempotency_key, succeeded=True)

    def refund(self, request: RefundRequest) -> PaymentResult:
        return PaymentResult(payment_id=request.idempotency_key, succeeded=True)


@pytest.fixture
def payments(container: Container) -> RecordingPayments:
    recorder = RecordingPayments()
    container.payments = recorder
    return recorder


@pytest.fixture
def studio(api: Api, container: Container, payments: RecordingPayments) -> Studio:
    return open_studio(api, container, "policy-gym")


def _policy(studio: Studio, **changes: Any) -> dict[str, Any]:
    client = studio.api.client
    current = client.get("/booking-policy", headers=studio.admin).json()
    current.pop("updated_at")
    response = client.put("/booking-policy", json={**current, **changes}, headers=studio.admin)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _penalties(studio: Studio, member_id: str) -> list[dict[str, Any]]:
    response = studio.api.client.get(f"/members/{member_id}/penalties", headers=studio.staff)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_policy_defaults_update_and_admin_only(studio: Studio) -> None:
    client = studio.api.client
    defaults = client.get("/booking-policy", headers=studio.admin).json()
    assert (defaults["opens_days_before"], defaults["late_cancel_minutes"]) == (14, 120)
    saved = _policy(studio, opens_days_before=2, closes_minutes_before=60, no_show_fee="7.50")
    assert (saved["opens_days_before"], saved["no_show_fee"]) == (2, "7.50")
    assert client.get("/booking-policy", headers=studio.staff).status_code == 403
    bad = client.put("/booking-policy", json={"opens_days_before": -1}, headers=studio.admin)
    assert bad.status_code == 422
    # The new window applies to members: 3 days ahead is not open yet; 30 minutes ahead
    # has closed. (Staff may book outside it: test_bookings.)
    member = studio.member()
    early = _book_myself(studio, studio.session(starts_in=timedelta(days=3)), member)
    assert early.status_code == 409 and "opens 2 days before" in early.json()["detail"]
    closed = _book_myself(studio, studio.session(starts_in=timedelta(minutes=30)), member)
    assert closed.status_code == 409 and "closed 60 minutes before" in closed.json()["detail"]


def _book_myself(studio: Studio, session_id: str, member_id: str) -> Any:
    return studio.api.client.post(
        "/me/bookings", json={"session_id": session_id}, headers=studio.member_headers(member_id)
    )


def test_late_cancel_grace_then_forfeited_credit_then_waiver(studio: Studio) -> None:
    _policy(studio, late_cancel_minutes=180, grace_allowance=1)
    member = studio.desk.member()
    pack = studio.desk.membership(member, studio.pack_plan)
    outcomes = []
    for hours in (1, 2):
        booking = studio.booked(studio.session(starts_in=timedelta(hours=hours)), member)
        response = studio.cancel(booking["id"])
        assert response.status_code == 200 and response.json()["cancel_kind"] == "late"
        outcomes.append(_penalties(studio, member)[0]["outcome"])
    assert outcomes == ["grace", "credit_forfeited"]
    # Grace gave the credit back; the forfeited one stays used: 5 - 1.
    assert studio.credits(pack["id"]) == 4
    forfeited = _penalties(studio, member)[0]
    waived = studio.api.client.post(
        f"/penalties/{forfeited['id']}/waive",
        json={"reason": "car broke down"},
        headers=studio.staff,
    )
    assert waived.status_code == 200, waived.text
    assert (waived.json()["outcome"], waived.json()["waived_reason"]) == (
        "waived",
        "car broke down",
    )
    assert waived.json()["waived_by"] == studio.desk.desk_staff_id
    assert studio.credits(pack["id"]) == 5
    again = studio.api.client.post(
        f"/penalties/{forfeited['id']}/waive", json={"reason": "twice"}, headers=studio.staff
    )
    assert again.status_code == 409
    # An in-time cancellation costs nothing.
    booking = studio.booked(studio.session(starts_in=timedelta(days=2)), member)
    assert studio.cancel(booking["id"]).json()["cancel_kind"] == "in_time"
    assert len(_penalties(studio, member)) == 2


def test_late_cancel_fee_through_payments_and_staff_waiver(
    studio: Studio, payments: RecordingPayments
) -> None:
    _policy(studio, grace_allowance=0, late_cancel_fee="12.00", currency="GBP")
    member = studio.member()
    booking = studio.booked(studio.session(starts_in=timedelta(hours=1)), member)
    assert studio.cancel(booking["id"]).status_code == 200
    [fee] = _penalties(studio, member)
    assert (fee["outcome"], fee["amount"], fee["currency"]) == ("fee", "12.00", "GBP")
    assert fee["payment_id"] == fee["id"]
    assert payments.charges[fee["id"]].amount == Decimal("12.00")
    # Staff cancelling with a waiver reason: recorded as waived, nothing charged.
    other = studio.booked(studio.session(starts_in=timedelta(hours=1, minutes=30)), member)
    waived = studio.cancel(other["id"], waiver_reason="family emergency")
    assert waived.status_code == 200, waived.text
    latest = _penalties(studio, member)[0]
    assert (latest["outcome"], latest["waived_reason"]) == ("waived", "family emergency")
    assert len(payments.charges) == 1
    # Members cannot waive their own penalties.
    mine = studio.booked(studio.session(starts_in=timedelta(hours=1, minutes=10)), member)
    refused = studio.api.client.post(
        f"/me/bookings/{mine['id']}/cancel",
        json={"waiver_reason": "please"},
        headers=studio.member_headers(member),
    )
    # The member route takes no body: the booking is cancelled late, a fee recorded.
    assert refused.status_code == 200
    assert _penalties(studio, member)[0]["outcome"] == "fee"


def test_no_show_job_penalises_once_even_when_two_processes_run_it(
    studio: Studio, container: Container, payments: RecordingPayments
) -> None:
    _policy(studio, grace_allowance=0, no_show_fee="5.00")
    session_id = studio.session(starts_in=timedelta(hours=1))
    came, missed, waiting = studio.member(), studio.member(), studio.member()
    studio.booked(session_id, came)
    missed_booking = studio.booked(session_id, missed)
    came_booking = next(b for b in studio.bookings(session_id) if str(b.member_id) == came)
    client = studio.api.client
    attended = client.post(f"/bookings/{came_booking.id}/attendance", headers=studio.staff)
    assert attended.status_code == 200
    # The session ends (moved into the past, as if time had passed).
    studio.move_start(session_id, utcnow() - timedelta(hours=2))
    del waiting
    barrier = threading.Barrier(2)
    closed: list[int] = []

    def sweep() -> None:
        barrier.wait()
        closed.append(
            jobs.close_ended_sessions(make_uow=container.uow, payments=container.payments)
        )

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with container.uow() as uow:
        count = uow.db.execute(select(func.count()).select_from(Penalty)).scalar_one()
    assert count == 1
    [penalty] = _penalties(studio, missed)
    assert (penalty["kind"], penalty["outcome"], penalty["amount"]) == ("no_show", "fee", "5.00")
    assert penalty["payment_id"] is not None and len(payments.charges) == 1
    rows = {str(b.member_id): b for b in studio.bookings(session_id)}
    assert rows[missed].attendance == "no_show"
    assert rows[came].attendance == "on_time"
    # Sweeping again changes nothing.
    jobs.close_ended_sessions(make_uow=container.uow, payments=container.payments)
    assert len(_penalties(studio, missed)) == 1
    assert missed_booking["id"] == penalty["booking_id"]


def test_no_show_forfeits_credit_and_late_checkin_forgives(studio: Studio) -> None:
    _policy(studio, grace_allowance=0)
    member = studio.desk.member()
    pack = studio.desk.membership(member, studio.pack_plan)
    session_id = studio.session(starts_in=timedelta(hours=1))
    booking = studio.booked(session_id, member)
    studio.move_start(session_id, utcnow() - timedelta(hours=2))
    jobs.close_ended_sessions(make_uow=studio.container.uow, payments=studio.container.payments)
    [penalty] = _penalties(studio, member)
    assert penalty["outcome"] == "credit_forfeited"
    assert studio.credits(pack["id"]) == 4
    # A kiosk check-in that arrives later through sync: the member was there after all.
    late = studio.api.client.post(
        f"/bookings/{booking['id']}/attendance",
        json={"checked_in_at": (utcnow() - timedelta(hours=2)).isoformat()},
        headers=studio.staff,
    )
    assert late.status_code == 200 and late.json()["attendance"] == "on_time"
    assert _penalties(studio, member)[0]["outcome"] == "waived"
