"""Points and badges from rules: each awarded once, each explained by what triggered it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.engagement.badges import (
    DEFAULT_RULES,
    AwardLog,
    ChallengeCompletionRule,
    ComebackRule,
    CompletedChallenge,
    FirstClassRule,
    MemberTally,
    MilestoneRule,
    SessionPointsRule,
    StreakRule,
    Trigger,
    active_rules,
    award,
    badge_title,
    day_text,
    ordinal,
)
from shared.engagement.challenges import EngagementEvent, Provenance

ALICE = uuid.UUID(int=1)
_ids = iter(range(1000, 10**9))


def event(on: date, kind: str = "attendance", *, voided: bool = False) -> EngagementEvent:
    return EngagementEvent(
        id=uuid.UUID(int=next(_ids)),
        member_id=ALICE,
        occurred_at=datetime(on.year, on.month, on.day, 9, tzinfo=UTC),
        local_date=on,
        kind=kind,
        minutes=45,
        intensity="moderate",
        provenance=Provenance.SCANNER_VERIFIED,
        voided=voided,
    )


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (100, "100th"),
        (101, "101st"),
        (111, "111th"),
    ],
)
def test_ordinals(n: int, text: str) -> None:
    assert ordinal(n) == text


def test_day_text() -> None:
    assert day_text(date(2026, 12, 4)) == "4 Dec 2026"


def test_the_10th_class_explains_itself() -> None:
    rules = [MilestoneRule(10, 100, of="classes")]
    log = AwardLog(rules)
    days = [date(2026, 11, 20) + timedelta(days=i) for i in range(14)]
    earned = [a for day in days for a in log.take(event(day))]
    # The 10th class is the one on 20 Nov + 9 days = 29 Nov.
    assert [(a.key, a.explanation, a.points) for a in earned] == [
        ("classes:10", "because: 10th class on 29 Nov 2026", 100)
    ]


def test_the_example_10th_class_on_4_december() -> None:
    trigger = Trigger(date(2026, 12, 4), event(date(2026, 12, 4)), sessions=10, classes=10)
    (item,) = award([MilestoneRule(10, 100, of="classes")], trigger, set())
    assert item.explanation == "because: 10th class on 4 Dec 2026"


def test_10_50_100_sessions_tiles_aside() -> None:
    log = AwardLog([MilestoneRule(n, n, of="sessions") for n in (10, 50, 100)])
    start = date(2026, 1, 1)
    for i in range(120):
        log.take(event(start + timedelta(days=i), kind="floor_checkin"))
        log.take(event(start + timedelta(days=i), kind="tile"))  # never a session
    assert sorted(log.keys) == ["sessions:10", "sessions:100", "sessions:50"]
    by_key = {a.key: a for a in log.awards}
    # The 50th session is 1 Jan + 49 days = 19 Feb.
    assert by_key["sessions:50"].explanation == "because: 50th session on 19 Feb 2026"
    assert log.points == 160


def test_a_milestone_passed_before_the_rule_was_on_is_not_awarded_late() -> None:
    # The 11th session cannot be explained as "10th session", so it earns nothing.
    trigger = Trigger(date(2026, 12, 4), event(date(2026, 12, 4)), sessions=11, classes=11)
    assert award([MilestoneRule(10, 100)], trigger, set()) == []


def test_first_class_only_for_a_class() -> None:
    log = AwardLog([FirstClassRule(points=50)])
    assert log.take(event(date(2026, 12, 1), kind="floor_checkin")) == []
    (first,) = log.take(event(date(2026, 12, 2)))
    assert first.explanation == "because: 1st class on 2 Dec 2026"
    assert log.take(event(date(2026, 12, 3))) == []


def test_streak_badges_from_streak_lengths_given() -> None:
    rules = [StreakRule(7, 70, "daily"), StreakRule(4, 80, "weekly")]
    log = AwardLog(rules)
    assert log.take(event(date(2026, 12, 3)), daily_streak=6, weekly_streak=3) == []
    got = log.take(event(date(2026, 12, 4)), daily_streak=7, weekly_streak=4)
    assert [a.explanation for a in got] == [
        "because: 7-day streak on 4 Dec 2026",
        "because: 4-week streak on 4 Dec 2026",
    ]
    # A longer streak later, or the same again after a break, gives nothing new.
    assert log.take(event(date(2026, 12, 5)), daily_streak=8, weekly_streak=4) == []


def test_challenge_completion_once_per_challenge() -> None:
    winter = CompletedChallenge(uuid.UUID(int=7), "Winter Steps", date(2026, 12, 20))
    spring = CompletedChallenge(uuid.UUID(int=8), "", date(2027, 3, 1))
    log = AwardLog([ChallengeCompletionRule(points=100)])
    (won,) = log.take(event(date(2026, 12, 20)), completed=(winter,))
    assert won.explanation == "because: completed Winter Steps on 20 Dec 2026"
    assert log.take(event(date(2026, 12, 21)), completed=(winter,)) == []
    (other,) = log.take(event(date(2027, 3, 1)), completed=(spring,))
    assert other.explanation == "because: completed a challenge on 1 Mar 2027"
    assert log.points == 200


def test_a_comeback_after_a_lapse_earns_a_bonus() -> None:
    log = AwardLog([ComebackRule(lapse_days=14, points=20, bonus=30)])
    log.take(event(date(2026, 11, 1)))
    # 2 Nov … 14 Nov is 13 days away: not yet a lapse.
    assert log.take(event(date(2026, 11, 15))) == []
    # 16 Nov … 29 Nov is 14 days away: a comeback, 20 + 30 bonus.
    (back,) = log.take(event(date(2026, 11, 30)))
    assert (back.key, back.points) == ("comeback:2026-11-30", 50)
    assert back.explanation == "because: back on 30 Nov 2026 after 14 days away"
    # A late upload for a day inside the lapse is no comeback.
    assert log.take(event(date(2026, 11, 20))) == []
    assert log.tally.last_active_on == date(2026, 11, 30)


def test_the_first_ever_event_is_no_comeback() -> None:
    assert AwardLog([ComebackRule(lapse_days=1)]).take(event(date(2026, 1, 1))) == []


def test_session_points_once_per_event() -> None:
    rule = SessionPointsRule(points=10)
    one = event(date(2026, 12, 4), kind="floor_checkin")
    trigger = Trigger(one.local_date, one)
    (points,) = award([rule], trigger, set())
    assert points.badge is None
    assert points.explanation == "because: floor checkin on 4 Dec 2026"
    assert award([rule], trigger, {points.key}) == []


def test_a_tenant_switches_rules_off() -> None:
    kept = active_rules(DEFAULT_RULES, ["comeback", "session_points"])
    codes = {rule.code for rule in kept}
    assert "comeback" not in codes and "session_points" not in codes
    assert "first_class" in codes and "milestones" in codes
    log = AwardLog(kept)
    log.take(event(date(2026, 1, 1)))
    assert [a.key for a in log.awards] == ["first_class"]


def test_a_voided_event_counts_for_nothing_and_a_void_lowers_the_counts() -> None:
    tally, trigger = MemberTally().observe(event(date(2026, 1, 1), voided=True))
    assert tally == MemberTally() and trigger.event is None
    assert award(DEFAULT_RULES, trigger, set()) == []
    one = event(date(2026, 1, 2))
    tally, _ = tally.observe(one)
    assert (tally.sessions, tally.classes) == (1, 1)
    tally = tally.void(one)
    assert (tally.sessions, tally.classes) == (0, 0)


def test_one_rule_cannot_give_a_key_twice_in_one_call() -> None:
    twice = [FirstClassRule(), FirstClassRule(points=999)]
    trigger = Trigger(date(2026, 1, 1), event(date(2026, 1, 1)), sessions=1, classes=1)
    assert [a.points for a in award(twice, trigger, set())] == [50]


# --- properties ----------------------------------------------------------------------------

_histories = st.lists(
    st.tuples(
        st.integers(0, 60),  # day offset
        st.sampled_from(["attendance", "floor_checkin", "outdoor", "tile"]),
        st.integers(0, 10),  # daily streak
        st.integers(0, 5),  # weekly streak
        st.booleans(),  # completes a challenge
    ),
    max_size=40,
)


Step = tuple[EngagementEvent, int, int, tuple[CompletedChallenge, ...]]


def _replay(history: list[tuple[int, str, int, int, bool]]) -> list[Step]:
    start = date(2026, 1, 1)
    challenge = CompletedChallenge(uuid.UUID(int=9), "Move More", start)
    return [
        (event(start + timedelta(days=offset), kind), d, w, (challenge,) if done else ())
        for offset, kind, d, w, done in history
    ]


@settings(max_examples=150, deadline=None)
@given(_histories)
def test_awarding_twice_never_gives_a_badge_twice(
    history: list[tuple[int, str, int, int, bool]],
) -> None:
    log = AwardLog(DEFAULT_RULES)
    for item, d, w, done in _replay(history):
        tally_before = log.tally
        first = log.take(item, daily_streak=d, weekly_streak=w, completed=done)
        # The same trigger again, against the set that now holds the first awards.
        _, trigger = tally_before.observe(item, daily_streak=d, weekly_streak=w, completed=done)
        assert award(DEFAULT_RULES, trigger, log.keys) == []
        assert {a.key for a in first} <= log.keys
    keys = [a.key for a in log.awards]
    assert len(keys) == len(set(keys))


@settings(max_examples=100, deadline=None)
@given(_histories)
def test_a_rebuild_over_the_awarded_set_awards_nothing_new(
    history: list[tuple[int, str, int, int, bool]],
) -> None:
    steps = _replay(history)
    first = AwardLog(DEFAULT_RULES)
    for item, d, w, done in steps:
        first.take(item, daily_streak=d, weekly_streak=w, completed=done)
    again = AwardLog(DEFAULT_RULES, already=first.keys)
    for item, d, w, done in steps:
        assert again.take(item, daily_streak=d, weekly_streak=w, completed=done) == []
    assert again.tally == first.tally
    assert again.keys == first.keys


def test_badges_in_words_for_the_member_app_and_the_kiosk() -> None:
    assert badge_title("sessions:10") == "10 sessions"
    assert badge_title("classes:25") == "25 classes"
    assert badge_title("streak:daily:7") == "7-day streak"
    assert badge_title("streak:weekly:4") == "4-week streak"
    assert badge_title("first_class") == "First class"
    assert badge_title("challenge_completed") == "Challenge completed"
    assert badge_title("comeback") == "Welcome back"
    assert badge_title("something_new") == "Something new"
