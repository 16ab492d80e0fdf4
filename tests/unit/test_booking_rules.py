"""Pure booking rules: window, late cancellation, overlap, attendance, penalties, waitlist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.bookings import rules
from shared.enums import BookingStatus, PenaltyOutcome
from tests.session_line import SessionLine

START = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)


def test_window() -> None:
    window = rules.Window(opens_days_before=7, closes_minutes_before=30)
    assert rules.window_refusal(window, START, START - timedelta(days=8)) == (
        "booking opens 7 days before the session"
    )
    assert rules.window_refusal(window, START, START - timedelta(days=7)) is None
    assert rules.window_refusal(window, START, START - timedelta(minutes=31)) is None
    assert rules.window_refusal(window, START, START - timedelta(minutes=30)) == (
        "booking closed 30 minutes before the session"
    )
    assert rules.window_refusal(window, START, START) == "the session has already started"


def test_staff_book_outside_the_window_but_never_a_started_session() -> None:
    window = rules.Window(opens_days_before=7, closes_minutes_before=30)
    for before in (timedelta(days=30), timedelta(minutes=5)):
        assert rules.window_refusal(window, START, START - before) is not None
        assert rules.window_refusal(window, START, START - before, by_staff=True) is None
    started = rules.window_refusal(window, START, START, by_staff=True)
    assert started == "the session has already started"


def test_late_cancel_overlap_and_attendance() -> None:
    assert not rules.is_late_cancel(START, START - timedelta(hours=3), 120)
    assert rules.is_late_cancel(START, START - timedelta(minutes=119), 120)
    hour = timedelta(hours=1)
    assert rules.overlaps(START, START + hour, START + hour / 2, START + 2 * hour)
    assert not rules.overlaps(START, START + hour, START + hour, START + 2 * hour)
    assert rules.attendance_of(START, START + timedelta(minutes=10), 10) == "on_time"
    assert rules.attendance_of(START, START + timedelta(minutes=11), 10) == "late"


@pytest.mark.parametrize(
    ("fee", "forfeits", "graces", "credit", "expected"),
    [
        (None, True, 0, True, PenaltyOutcome.GRACE),
        (Decimal("5"), True, 1, True, PenaltyOutcome.FEE),
        (None, True, 1, True, PenaltyOutcome.CREDIT_FORFEITED),
        (None, True, 1, False, None),
        (None, False, 1, True, None),
    ],
)
def test_penalty_outcome(
    fee: Decimal | None, forfeits: bool, graces: int, credit: bool, expected: PenaltyOutcome | None
) -> None:
    terms = rules.PenaltyTerms(fee=fee, forfeits_credit=forfeits, grace_allowance=1)
    assert rules.penalty_outcome(terms, graces_used=graces, credit_taken=credit) is expected


def test_credit_returned() -> None:
    assert rules.credit_returned(None, late=False)
    assert rules.credit_returned(PenaltyOutcome.GRACE, late=True)
    assert not rules.credit_returned(PenaltyOutcome.CREDIT_FORFEITED, late=True)


_ops = st.lists(
    st.one_of(
        st.tuples(st.just("book"), st.integers(0, 0)),
        st.tuples(st.just("cancel"), st.integers(0, 50)),
        st.tuples(st.just("capacity"), st.integers(0, 8)),
    ),
    max_size=60,
)


@given(capacity=st.integers(0, 5), ops=_ops)
def test_line_keeps_capacity_order_and_conservation(
    capacity: int, ops: list[tuple[str, int]]
) -> None:
    line = SessionLine(capacity=capacity)
    booked = cancelled = 0
    for kind, arg in ops:
        if kind == "book":
            _, status = line.book()
            booked += 1
            assert status in (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)
        elif kind == "cancel":
            live = line.confirmed + line.waitlist
            if live:
                line.cancel(sorted(live)[arg % len(live)])
                cancelled += 1
        elif arg >= len(line.confirmed):
            line.set_capacity(arg)
        else:
            with pytest.raises(ValueError):
                line.set_capacity(arg)
        assert len(line.confirmed) <= line.capacity
        # Nobody waits while a place is free, and the line is in arrival order.
        assert not line.waitlist or len(line.confirmed) == line.capacity
        assert line.waitlist == sorted(line.waitlist)
        assert len(line.confirmed) + len(line.waitlist) == booked - cancelled
        # Everyone confirmed arrived before everyone still waiting... unless they joined
        # after a cancellation freed a place while nobody waited.
        if line.waitlist and line.confirmed:
            assert min(line.waitlist) > min(line.confirmed)
