"""Pure nudge rules: quiet hours on the member's own clock (across daylight-saving
changes), the order of the decisions, the weekly cap, and the why sentences."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.nudges import rules
from server.nudges.rules import (
    Action,
    Candidate,
    NudgeKind,
    Preferences,
    QuietHours,
    Skip,
    decide,
)

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _reminder(starts_at: datetime, done: bool = False) -> Candidate:
    return Candidate(
        NudgeKind.CLASS_REMINDER,
        f"booking:{uuid.uuid4()}",
        due_at=starts_at - timedelta(hours=2),
        why="booked Yoga",
        done=done,
        deadline=starts_at,
    )


def _lapse(due_at: datetime) -> Candidate:
    return Candidate(NudgeKind.LAPSED, "lapse:x", due_at=due_at, why="no movement")


def test_quiet_hours_over_midnight_and_by_day_and_off() -> None:
    night = QuietHours(time(21), time(8))
    assert night.contains(time(22, 30)) and night.contains(time(7, 59))
    assert not night.contains(time(8)) and not night.contains(time(20, 59))
    assert night.contains(time(21))
    siesta = QuietHours(time(13), time(14))
    assert siesta.contains(time(13, 30)) and not siesta.contains(time(14))
    assert not QuietHours(time(9), time(9)).contains(time(9))


def test_quiet_hours_end_on_the_members_clock_across_spring_forward() -> None:
    # London's clocks go forward at 01:00 UTC on Sunday 29 March 2026. At 22:00 UTC on
    # Saturday it is 22:00 GMT: quiet. Quiet hours end at 08:00 on the member's clock on
    # Sunday, which is 08:00 BST = 07:00 UTC; adding 10 hours would say 08:00 UTC.
    at = _utc(2026, 3, 28, 22)
    quiet = QuietHours()
    assert quiet.quiet_at(at, LONDON)
    assert quiet.next_end(at, LONDON) == _utc(2026, 3, 29, 7)


def test_quiet_hours_end_on_the_members_clock_across_fall_back() -> None:
    # Clocks go back at 01:00 UTC on Sunday 25 October 2026. 21:30 UTC on Saturday is
    # 22:30 BST: quiet; 08:00 GMT on Sunday is 08:00 UTC (a 25-hour night).
    at = _utc(2026, 10, 24, 21, 30)
    assert QuietHours().quiet_at(at, LONDON)
    assert QuietHours().next_end(at, LONDON) == _utc(2026, 10, 25, 8)


def test_a_member_in_another_zone_is_quiet_by_their_clock_not_the_servers() -> None:
    # 13:00 UTC is 22:00 in Tokyo (UTC+9): quiet for a Tokyo member, until 08:00 JST =
    # 23:00 UTC; a London member at 13:00 GMT is not quiet.
    at = _utc(2026, 12, 5, 13)
    prefs = Preferences()
    wait = decide(_lapse(at), prefs, TOKYO, at, sent_in_window=0, weekly_cap=3)
    assert wait.action is Action.WAIT and wait.retry_at == _utc(2026, 12, 5, 23)
    assert decide(_lapse(at), prefs, LONDON, at, sent_in_window=0, weekly_cap=3).action is (
        Action.SEND
    )


def test_a_class_reminder_waits_for_the_end_of_quiet_hours_unless_then_too_late() -> None:
    # Winter in London (GMT = UTC). Quiet until 08:00; a reminder needs 30 minutes' lead.
    now = _utc(2026, 12, 5, 7, 0)
    prefs = Preferences()
    # Class at 09:00: due 07:00, quiet ends 08:00 = 60 min before: it waits.
    at_nine = decide(
        _reminder(_utc(2026, 12, 5, 9)), prefs, LONDON, now, sent_in_window=0, weekly_cap=3
    )
    assert at_nine.action is Action.WAIT and at_nine.retry_at == _utc(2026, 12, 5, 8)
    # Class at 08:30: 08:00 is exactly 30 min before, still in time.
    now_early = _utc(2026, 12, 5, 6, 30)
    at_half = decide(
        _reminder(_utc(2026, 12, 5, 8, 30)),
        prefs,
        LONDON,
        now_early,
        sent_in_window=0,
        weekly_cap=3,
    )
    assert at_half.action is Action.WAIT
    # Class at 08:20: 08:00 is 20 min before: dropped for quiet hours.
    now_earlier = _utc(2026, 12, 5, 6, 20)
    dropped = decide(
        _reminder(_utc(2026, 12, 5, 8, 20)),
        prefs,
        LONDON,
        now_earlier,
        sent_in_window=0,
        weekly_cap=3,
    )
    assert dropped == rules.Decision(Action.SKIP, Skip.QUIET_HOURS)


def test_the_order_done_then_opt_out_then_due_then_quiet_then_cap() -> None:
    day = _utc(2026, 12, 5, 12)  # noon GMT: not quiet
    opted = Preferences(opted_out=frozenset({NudgeKind.CLASS_REMINDER}))
    done = _reminder(day + timedelta(hours=1), done=True)
    assert (
        decide(done, opted, LONDON, day, sent_in_window=9, weekly_cap=3).reason is Skip.DONE_ALREADY
    )
    fresh = _reminder(day + timedelta(hours=1))
    assert (
        decide(fresh, opted, LONDON, day, sent_in_window=9, weekly_cap=3).reason is Skip.OPTED_OUT
    )
    # Opting out of one kind leaves the others.
    assert (
        decide(_lapse(day), opted, LONDON, day, sent_in_window=0, weekly_cap=3).action
        is Action.SEND
    )
    later = _reminder(day + timedelta(hours=5))  # due at 15:00
    assert decide(later, Preferences(), LONDON, day, sent_in_window=9, weekly_cap=3) == (
        rules.Decision(Action.WAIT, retry_at=day + timedelta(hours=3))
    )
    # Cap 3: with 3 sent in the last 7 days the fourth is skipped, with 2 it goes.
    assert (
        decide(fresh, Preferences(), LONDON, day, sent_in_window=3, weekly_cap=3).reason is Skip.CAP
    )
    assert (
        decide(fresh, Preferences(), LONDON, day, sent_in_window=2, weekly_cap=3).action
        is Action.SEND
    )
    # Quiet hours come before the cap: a capped member at night is told nothing yet.
    night = _utc(2026, 12, 5, 23)
    assert (
        decide(_lapse(night), Preferences(), LONDON, night, sent_in_window=3, weekly_cap=3).action
        is Action.WAIT
    )


@pytest.mark.parametrize("text", ["24:00", "7:00", "07:60", "ab:cd", "07:00:00", "", "-1:00"])
def test_clock_times_that_are_not_hh_mm_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        rules.parse_clock(text)


def test_clock_times_parse() -> None:
    assert rules.parse_clock("00:00") == time(0)
    assert rules.parse_clock("23:59") == time(23, 59)


def test_why_sentences_name_the_facts_in_the_members_zone() -> None:
    # 18:00 UTC on 5 Dec is 18:00 GMT in London and 03:00 on 6 Dec in Tokyo.
    starts = _utc(2026, 12, 5, 18)
    assert rules.reminder_why("Yoga", starts, timedelta(hours=2), LONDON) == (
        "booked Yoga at 18:00 on 5 Dec; reminder 2 h before"
    )
    assert rules.reminder_why("Yoga", starts, timedelta(minutes=90), TOKYO) == (
        "booked Yoga at 03:00 on 6 Dec; reminder 90 min before"
    )
    assert rules.streak_why("week", 6, 40, date(2026, 12, 6)) == (
        "6-week streak; 40 more minutes by 6 Dec keep it"
    )
    assert rules.lapsed_why(_utc(2026, 11, 28, 23, 30), 7, TOKYO) == (
        "no movement since 29 Nov; nudge after 7 days"
    )


@given(
    at=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    start=st.times(),
    end=st.times(),
    zone=st.sampled_from(
        [LONDON, TOKYO, ZoneInfo("America/New_York"), ZoneInfo("Australia/Lord_Howe")]
    ),
)
def test_quiet_hours_end_after_now_within_two_days_on_the_end_time(
    at: datetime, start: time, end: time, zone: ZoneInfo
) -> None:
    quiet = QuietHours(start.replace(microsecond=0), end.replace(microsecond=0))
    ends = quiet.next_end(at, zone)
    assert at < ends <= at + timedelta(days=2)
    local = ends.astimezone(zone).time()
    # The member's clock shows the end time, except when it falls in a spring-forward gap.
    assert (
        local == quiet.end
        or ends.astimezone(zone).utcoffset()
        != (ends - timedelta(hours=1)).astimezone(zone).utcoffset()
    )
