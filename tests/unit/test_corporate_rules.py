"""The corporate rules and the roster's plan, without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.corporate import roster
from server.corporate.rules import covered_until, reminder_due, seat_left, still_covered

FINANCE = uuid.uuid4()
GOLD = uuid.uuid4()
NAMES = roster.Names(departments={"finance": FINANCE}, locations={}, packages={"gold": GOLD})


@pytest.mark.parametrize(
    ("ended", "until"),
    [
        (date(2026, 3, 14), date(2026, 3, 31)),
        # February of a leap year: 29 days.
        (date(2028, 2, 1), date(2028, 2, 29)),
        (date(2026, 2, 28), date(2026, 2, 28)),
        (date(2026, 12, 31), date(2026, 12, 31)),
    ],
)
def test_an_ended_employee_is_covered_to_the_end_of_the_month(ended: date, until: date) -> None:
    assert covered_until(ended) == until


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_cover_ends_in_the_same_month_and_on_its_last_day(day: date) -> None:
    until = covered_until(day)
    assert (until.year, until.month) == (day.year, day.month) and until >= day
    assert (until + timedelta(days=1)).day == 1


def test_who_is_covered() -> None:
    today = date(2026, 3, 14)
    assert still_covered("active", None, today)
    assert not still_covered("suspended", None, today)
    assert still_covered("ended", date(2026, 3, 31), date(2026, 3, 31))
    assert not still_covered("ended", date(2026, 3, 31), date(2026, 4, 1))


def test_reminders_after_three_and_seven_days_at_most_twice() -> None:
    sent = datetime(2026, 3, 1, 9, tzinfo=UTC)
    expires = sent + timedelta(days=21)
    # Day 2: not yet; day 3: the first; the second waits for day 7; none after two.
    assert not reminder_due(sent, 0, expires, sent + timedelta(days=2))
    assert reminder_due(sent, 0, expires, sent + timedelta(days=3))
    assert not reminder_due(sent, 1, expires, sent + timedelta(days=6))
    assert reminder_due(sent, 1, expires, sent + timedelta(days=7))
    assert not reminder_due(sent, 2, expires, sent + timedelta(days=20))
    # Expired: no reminder.
    assert not reminder_due(sent, 0, sent + timedelta(days=2), sent + timedelta(days=3))


def test_seats() -> None:
    assert seat_left(None, 10_000)
    assert seat_left(2, 1) and not seat_left(2, 2)


def _existing(ref: str, status: str = "active") -> roster.Existing:
    return roster.Existing(
        uuid.uuid4(), ref, f"{ref.lower()}@acme.example", None, None, None, None, None, status
    )


def test_a_full_plan_ends_who_it_leaves_out_and_a_delta_does_not() -> None:
    stored = [_existing("E1"), _existing("E2"), _existing("E3", "ended")]
    rows = roster.read_rows(b"employee_id,department\nE1,Finance\nE4,finance\n")
    full = roster.plan(rows, stored, NAMES, full=True)
    # E1 changes department, E4 is new, E2 ends; E3 was ended already: left alone.
    assert [(s.key, s.action) for s in full.steps] == [
        ("E1", "update"),
        ("E4", "add"),
        ("E2", "end"),
    ]
    delta = roster.plan(rows, stored, NAMES, full=False)
    assert [s.action for s in delta.steps] == ["update", "add"]


def test_a_listed_row_with_an_error_is_not_ended_by_a_full_file() -> None:
    stored = [_existing("E1")]
    rows = roster.read_rows(b"employee_id,status\nE1,retired\n")
    plan = roster.plan(rows, stored, NAMES, full=True)
    assert [(s.line, s.action) for s in plan.steps] == [(2, "error")]


def test_a_work_email_of_another_employee_is_an_error() -> None:
    stored = [_existing("E1"), _existing("E2")]
    rows = roster.read_rows(b"employee_id,work_email\nE1,e2@acme.example\n")
    (step,) = roster.plan(rows, stored, NAMES, full=False).steps
    assert step.action == "error" and "another employee" in step.detail


@given(st.lists(st.sampled_from(["E1", "E2", "E3", "E4"]), max_size=6))
def test_every_line_gets_one_report_row_and_every_person_at_most_one_end(refs: list[str]) -> None:
    text = "employee_id\n" + "".join(f"{r}\n" for r in refs)
    stored = [_existing("E1"), _existing("E2")]
    plan = roster.plan(roster.read_rows(text.encode()), stored, NAMES, full=True)
    lines = [s.line for s in plan.steps if s.line is not None]
    assert lines == list(range(2, 2 + len(refs)))
    ended = [s.key for s in plan.steps if s.action == "end"]
    assert sorted(ended) == sorted({"E1", "E2"} - set(refs))
