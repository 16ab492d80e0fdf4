"""The pure rules of circles: who runs one, and who belonged when."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.circles import rules
from server.circles.rules import Stay
from shared.enums import StaffRole

ME, OTHER = uuid.uuid4(), uuid.uuid4()
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("role", "leader", "expected"),
    [
        (StaffRole.OWNER, None, True),
        (StaffRole.MANAGER, OTHER, True),
        (StaffRole.COACH, ME, True),
        (StaffRole.COACH, OTHER, False),
        (StaffRole.COACH, None, False),
        (StaffRole.FRONT_DESK, ME, False),
        (None, ME, False),
    ],
)
def test_who_manages_a_circle(
    role: StaffRole | None, leader: uuid.UUID | None, expected: bool
) -> None:
    assert rules.manages(role, ME, leader) is expected
    assert rules.may_create(role, ME, leader) is expected


@pytest.mark.parametrize(
    ("role", "leader", "expected"),
    [
        (StaffRole.OWNER, None, True),
        (StaffRole.MANAGER, OTHER, True),
        (StaffRole.FRONT_DESK, OTHER, True),
        (StaffRole.COACH, ME, True),
        (StaffRole.COACH, OTHER, False),
        (None, ME, False),
    ],
)
def test_who_sees_a_circles_members(
    role: StaffRole | None, leader: uuid.UUID | None, expected: bool
) -> None:
    assert rules.sees_members(role, ME, leader) is expected


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_local_day_is_23_or_25_hours_when_the_clocks_change() -> None:
    # 29 March 2026: London moves from GMT to BST at 01:00 UTC, so the day runs from
    # 00:00 UTC to 23:00 UTC (23 hours); 25 October runs 23:00 UTC the 24th to 00:00 UTC
    # the 26th (25 hours).
    assert rules.day_span(date(2026, 3, 29), LONDON) == (
        _at("2026-03-29T00:00"),
        _at("2026-03-29T23:00"),
    )
    start, end = rules.day_span(date(2026, 10, 25), LONDON)
    assert (start, end - start) == (_at("2026-10-24T23:00"), timedelta(hours=25))


def test_members_at_a_moment_and_on_a_day() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    stays = [
        Stay(a, _at("2026-03-01T10:00"), _at("2026-03-03T09:00")),
        Stay(b, _at("2026-03-02T23:30"), None),
        Stay(a, _at("2026-03-05T12:00"), None),
    ]
    assert rules.members_at(stays, _at("2026-03-03T08:59")) == [a, b]
    assert rules.members_at(stays, _at("2026-03-03T09:00")) == [b]  # leaving is exclusive
    assert rules.members_on(stays, date(2026, 3, 3), LONDON) == [a, b]
    assert rules.members_on(stays, date(2026, 3, 4), LONDON) == [b]
    assert rules.members_on(stays, date(2026, 3, 5), LONDON) == [b, a]  # one entry each


_moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)


@st.composite
def _stays(draw: st.DrawFn) -> list[Stay]:
    people = [uuid.UUID(int=n) for n in range(1, 4)]
    found = []
    for _ in range(draw(st.integers(0, 6))):
        joined = draw(_moments)
        hours = draw(st.none() | st.integers(0, 24 * 20))
        left = None if hours is None else joined + timedelta(hours=hours)
        found.append(Stay(draw(st.sampled_from(people)), joined, left))
    return found


@given(_stays(), _moments, st.sampled_from(["Europe/London", "Africa/Accra", "Pacific/Apia"]))
def test_whoever_was_in_at_a_moment_was_in_on_that_local_day(
    stays: list[Stay], moment: datetime, zone_name: str
) -> None:
    zone = ZoneInfo(zone_name)
    day = moment.astimezone(zone).date()
    start, end = rules.day_span(day, zone)
    assert start <= moment < end
    on_day = rules.members_on(stays, day, zone)
    assert set(rules.members_at(stays, moment)) <= set(on_day)
    assert len(on_day) == len(set(on_day))
    # Everyone of the day was in at the day's start or joined during it.
    for member in on_day:
        assert any(
            s.member_id == member and (rules.member_at(s, start) or start <= s.joined_at < end)
            for s in stays
        )
