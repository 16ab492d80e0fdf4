"""Challenge scoring: which events count, daily caps, late uploads, voids, and incremental
scoring agreeing with a rebuild from the ledger."""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.engagement.challenges import (
    Challenge,
    ChallengeScore,
    EngagementEvent,
    Exclusion,
    MemberScore,
    Metric,
    Participant,
    Provenance,
    bucket_value,
    exclusion,
)

ALICE = uuid.UUID(int=1)
BOB = uuid.UUID(int=2)
START = date(2026, 12, 1)
END = date(2026, 12, 7)
_ids = iter(range(1000, 10**9))


def event(
    member: uuid.UUID = ALICE,
    on: date = date(2026, 12, 3),
    hour: int = 9,
    *,
    minute: int = 0,
    kind: str = "attendance",
    minutes: int = 60,
    intensity: str = "moderate",
    provenance: str = Provenance.SCANNER_VERIFIED,
    recorded_at: datetime | None = None,
    voids: uuid.UUID | None = None,
    voided: bool = False,
    id: uuid.UUID | None = None,
) -> EngagementEvent:
    at = datetime(on.year, on.month, on.day, hour, minute, tzinfo=UTC)
    return EngagementEvent(
        id=id or uuid.UUID(int=next(_ids)),
        member_id=member,
        occurred_at=at,
        local_date=on,
        kind=kind,
        minutes=minutes,
        intensity=intensity,
        provenance=provenance,
        recorded_at=recorded_at,
        voids=voids,
        voided=voided,
    )


def challenge(metric: Metric = Metric.SESSIONS, **kw: Any) -> Challenge:
    return Challenge(uuid.uuid4(), metric, START, END, **kw)


LONDON = Participant(ALICE, "Europe/London", team="north")
ACCRA = Participant(BOB, "Africa/Accra", team="south")


# --- the challenge itself ------------------------------------------------------------------


def test_a_challenge_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="end before it starts"):
        Challenge(uuid.uuid4(), Metric.SESSIONS, END, START)


@pytest.mark.parametrize(
    "kw",
    [
        {"daily_cap": 0},
        {"grace": timedelta(hours=-1)},
        {"day_start_hour": 7},
        {"dose_target": 0},
        {"week_start": 7},
        {"target": 0},
    ],
)
def test_bad_settings_are_refused(kw: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        challenge(**kw)


def test_a_one_day_challenge_is_fine() -> None:
    assert Challenge(uuid.uuid4(), Metric.MINUTES, START, START).starts_on == START


def test_joining_is_open_until_the_last_local_day_ends() -> None:
    c = challenge()
    assert c.joinable(date(2026, 11, 20))  # before it starts: fine
    assert c.joinable(END)
    assert not c.joinable(date(2026, 12, 8))  # finished, even within the grace period


def test_the_window_closes_at_each_participants_own_local_midnight() -> None:
    c = challenge()
    # 8 Dec 00:00 in New York (UTC−5) is 05:00 UTC; in London (UTC+0 in winter) 00:00 UTC;
    # in Tokyo (UTC+9) 7 Dec 15:00 UTC.
    assert c.closes_at("America/New_York") == datetime(2026, 12, 8, 5, tzinfo=UTC)
    assert c.closes_at("Europe/London") == datetime(2026, 12, 8, 0, tzinfo=UTC)
    assert c.closes_at("Asia/Tokyo") == datetime(2026, 12, 7, 15, tzinfo=UTC)


def test_the_day_start_hour_moves_the_close() -> None:
    # The last local day runs until 03:00 the next morning.
    c = challenge(day_start_hour=3)
    assert c.closes_at("Europe/London") == datetime(2026, 12, 8, 3, tzinfo=UTC)


# --- which events count ---------------------------------------------------------------------


def test_a_self_report_is_excluded_then_allowed() -> None:
    tile = event(kind="tile", provenance=Provenance.SELF_REPORTED, minutes=8)
    strict = challenge(Metric.TILES)
    assert exclusion(strict, LONDON, tile) is Exclusion.PROVENANCE
    relaxed = challenge(Metric.TILES, allow_self_reports=True)
    assert exclusion(relaxed, LONDON, tile) is None
    score = ChallengeScore(relaxed, [LONDON])
    assert score.apply(tile) is None
    assert score.score(ALICE).score == 1


@pytest.mark.parametrize("provenance", [Provenance.SCANNER_VERIFIED, Provenance.STAFF_RECORDED])
def test_verified_and_staff_events_always_count(provenance: str) -> None:
    assert exclusion(challenge(), LONDON, event(provenance=provenance)) is None


def test_device_imports_need_their_own_allowance() -> None:
    run = event(kind="outdoor", provenance=Provenance.DEVICE_IMPORTED)
    assert exclusion(challenge(allow_self_reports=True), LONDON, run) is Exclusion.PROVENANCE
    assert exclusion(challenge(allow_device_imports=True), LONDON, run) is None


def test_an_unknown_provenance_never_counts() -> None:
    c = challenge(allow_self_reports=True, allow_device_imports=True)
    assert exclusion(c, LONDON, event(provenance="rumour")) is Exclusion.PROVENANCE


def test_a_voided_event_never_counts() -> None:
    assert exclusion(challenge(), LONDON, event(voided=True)) is Exclusion.VOIDED


@pytest.mark.parametrize(
    ("metric", "kind", "minutes", "intensity", "counts"),
    [
        (Metric.SESSIONS, "attendance", 60, "moderate", True),
        (Metric.SESSIONS, "floor_checkin", 0, "moderate", True),
        (Metric.SESSIONS, "tile", 8, "light", False),
        (Metric.TILES, "tile", 8, "light", True),
        (Metric.TILES, "attendance", 60, "moderate", False),
        (Metric.MINUTES, "attendance", 0, "moderate", False),
        (Metric.MINUTES, "tile", 8, "light", True),
        (Metric.DOSE_WEEKS, "tile", 8, "light", False),
        (Metric.DOSE_WEEKS, "outdoor", 30, "vigorous", True),
    ],
)
def test_what_each_metric_counts(
    metric: Metric, kind: str, minutes: int, intensity: str, counts: bool
) -> None:
    c = challenge(metric, allow_self_reports=True)
    e = event(kind=kind, minutes=minutes, intensity=intensity)
    assert (exclusion(c, LONDON, e) is None) is counts
    if not counts:
        assert exclusion(c, LONDON, e) is Exclusion.NOT_THIS_METRIC


@pytest.mark.parametrize(
    ("on", "inside"),
    [
        (date(2026, 11, 30), False),
        (START, True),
        (END, True),
        (date(2026, 12, 8), False),
    ],
)
def test_the_window_is_the_local_dates_both_included(on: date, inside: bool) -> None:
    reason = exclusion(challenge(), LONDON, event(on=on))
    assert reason is (None if inside else Exclusion.OUTSIDE_WINDOW)


def test_a_late_upload_inside_and_outside_the_grace() -> None:
    c = challenge(grace=timedelta(hours=48))
    # Alice (London) closes 8 Dec 00:00 UTC; the grace runs to 10 Dec 00:00 UTC.
    on_time = event(on=END, recorded_at=datetime(2026, 12, 9, 23, 59, tzinfo=UTC))
    at_the_edge = event(on=END, recorded_at=datetime(2026, 12, 10, 0, 0, tzinfo=UTC))
    too_late = event(on=END, recorded_at=datetime(2026, 12, 10, 0, 1, tzinfo=UTC))
    assert exclusion(c, LONDON, on_time) is None
    assert exclusion(c, LONDON, at_the_edge) is None
    assert exclusion(c, LONDON, too_late) is Exclusion.TOO_LATE
    # Bob in Accra (UTC+0) shares London's winter close; someone in Tokyo closed 9 hours
    # earlier, so the same upload is late for them.
    tokyo = Participant(uuid.uuid4(), "Asia/Tokyo")
    recorded = datetime(2026, 12, 9, 20, tzinfo=UTC)
    assert exclusion(c, LONDON, event(on=END, recorded_at=recorded)) is None
    assert exclusion(c, tokyo, event(on=END, recorded_at=recorded)) is Exclusion.TOO_LATE


def test_a_late_upload_for_a_day_outside_the_window_never_counts() -> None:
    c = challenge(grace=timedelta(days=30))
    late = event(on=date(2026, 12, 8), recorded_at=datetime(2026, 12, 8, 10, tzinfo=UTC))
    assert exclusion(c, LONDON, late) is Exclusion.OUTSIDE_WINDOW


# --- capped days and buckets ----------------------------------------------------------------


def test_a_capped_day_of_sessions() -> None:
    c = challenge(daily_cap=2)
    day = [event(hour=h) for h in (7, 12, 18)]
    other_day = event(on=date(2026, 12, 4), hour=8)
    score = ChallengeScore.rebuild(c, [LONDON], [*day, other_day])
    # 3 sessions on 3 Dec capped at 2, plus 1 on 4 Dec: 2 + 1 = 3; the cap was reached by
    # the 12:00 session, and the score at 4 Dec 08:00.
    assert score.score(ALICE).score == 3
    assert score.state()[ALICE][2] == {date(2026, 12, 3): 2, date(2026, 12, 4): 1}
    assert bucket_value(c, day) == (2, datetime(2026, 12, 3, 12, tzinfo=UTC))
    assert score.score(ALICE).reached_at == datetime(2026, 12, 4, 8, tzinfo=UTC)


def test_a_capped_day_of_minutes_counts_part_of_an_event() -> None:
    c = challenge(Metric.MINUTES, daily_cap=90)
    # 60 + 45 = 105 minutes capped at 90; the second event brought the day to 90.
    value = bucket_value(c, [event(hour=9, minutes=60), event(hour=18, minutes=45)])
    assert value == (90, datetime(2026, 12, 3, 18, tzinfo=UTC))


def test_the_cap_takes_the_earliest_events_whatever_their_arrival() -> None:
    c = challenge(daily_cap=1)
    late_in_day, early_in_day = event(hour=20), event(hour=6)
    assert bucket_value(c, [late_in_day, early_in_day]) == (
        1,
        datetime(2026, 12, 3, 6, tzinfo=UTC),
    )


def test_dose_weeks_hand_worked() -> None:
    c = challenge(Metric.DOSE_WEEKS)
    week = [
        # Mon 30 Nov is before the window: the first week is Tue 1 – Sun 6 Dec in window.
        event(on=date(2026, 12, 1), minutes=45, intensity="moderate"),  # 45
        event(on=date(2026, 12, 2), minutes=20, intensity="light"),  # light: 0
        event(on=date(2026, 12, 4), minutes=30, intensity="vigorous"),  # 60 → 105
        event(on=date(2026, 12, 6), minutes=45, intensity="moderate"),  # 45 → 150: met
        # Mon 7 Dec starts the next week: 100 < 150, not met.
        event(on=date(2026, 12, 7), minutes=50, intensity="vigorous"),
    ]
    score = ChallengeScore.rebuild(c, [LONDON], week)
    assert score.score(ALICE).score == 1
    assert score.score(ALICE).reached_at == datetime(2026, 12, 6, 9, tzinfo=UTC)
    assert score.state()[ALICE][2] == {date(2026, 11, 30): 1, date(2026, 12, 7): 0}


def test_dose_weeks_with_a_daily_cap_and_another_week_start() -> None:
    # Weeks start on Sunday (6): 6 Dec opens a new week. A 100-minute daily cap: 1 Dec's
    # 2 × 90 = 180 counts 100; 3 Dec's 60 brings the week to 160 ≥ 150.
    c = challenge(Metric.DOSE_WEEKS, daily_cap=100, week_start=6)
    events = [
        event(on=date(2026, 12, 1), minutes=90, intensity="vigorous"),
        event(on=date(2026, 12, 3), minutes=60),
        event(on=date(2026, 12, 6), minutes=200),
    ]
    score = ChallengeScore.rebuild(c, [LONDON], events)
    assert score.state()[ALICE][2] == {date(2026, 11, 29): 1, date(2026, 12, 6): 0}
    assert score.score(ALICE).reached_at == datetime(2026, 12, 3, 9, tzinfo=UTC)


# --- the incremental state ------------------------------------------------------------------


def test_a_correction_voids_the_event_it_names() -> None:
    c = challenge(Metric.MINUTES)
    score = ChallengeScore(c, [LONDON])
    original = event(minutes=60)
    score.apply(original)
    assert score.score(ALICE).score == 60
    score.apply(event(minutes=40, voids=original.id, provenance=Provenance.STAFF_RECORDED))
    assert score.score(ALICE).score == 40
    # The corrected event applied again stays voided.
    assert score.apply(original) is Exclusion.DUPLICATE
    assert score.score(ALICE).score == 40


def test_a_void_arriving_before_its_event_still_voids_it() -> None:
    score = ChallengeScore(challenge(), [LONDON])
    original = event()
    score.void(original.id)
    assert score.apply(original) is Exclusion.VOIDED
    assert score.score(ALICE).score == 0
    assert score.score(ALICE).reached_at is None


def test_voiding_the_event_that_filled_the_cap_lets_the_next_one_count() -> None:
    c = challenge(daily_cap=1)
    first, second = event(hour=7), event(hour=19)
    score = ChallengeScore.rebuild(c, [LONDON], [first, second])
    assert score.score(ALICE).reached_at == datetime(2026, 12, 3, 7, tzinfo=UTC)
    score.void(first.id)
    assert score.score(ALICE).score == 1
    assert score.score(ALICE).reached_at == datetime(2026, 12, 3, 19, tzinfo=UTC)


def test_the_same_event_twice_counts_once() -> None:
    score = ChallengeScore(challenge(), [LONDON])
    once = event()
    assert score.apply(once) is None
    assert score.apply(once) is Exclusion.DUPLICATE
    assert score.score(ALICE).score == 1


def test_other_members_events_are_ignored_until_they_join() -> None:
    score = ChallengeScore(challenge(), [LONDON])
    bobs = [event(BOB), event(BOB, hour=10)]
    assert score.apply(bobs[0]) is Exclusion.NOT_A_PARTICIPANT
    score.join(ACCRA, bobs)
    assert score.score(BOB) == MemberScore(BOB, "south", 2, bobs[1].occurred_at)
    with pytest.raises(ValueError, match="already takes part"):
        score.join(ACCRA)


def test_completion_is_reported_once_when_the_target_is_crossed() -> None:
    score = ChallengeScore(challenge(target=2), [LONDON])
    first = score.change(event(hour=7))
    second = score.change(event(hour=8))
    third = score.change(event(hour=9))
    assert first is not None and not first.completed
    assert second is not None and second.completed and (second.before, second.after) == (1, 2)
    assert third is not None and not third.completed
    assert score.completed(ALICE)
    assert score.change(event(BOB)) is None


def test_no_target_means_nothing_completes() -> None:
    score = ChallengeScore.rebuild(challenge(), [LONDON], [event()])
    assert not score.completed(ALICE)


def test_scores_list_every_participant_with_their_team() -> None:
    score = ChallengeScore.rebuild(challenge(), [LONDON, ACCRA], [event()])
    assert [(s.member_id, s.team, s.score) for s in score.scores()] == [
        (ALICE, "north", 1),
        (BOB, "south", 0),
    ]


# --- incremental == rebuild -----------------------------------------------------------------

_days = st.dates(min_value=date(2026, 11, 28), max_value=date(2026, 12, 10))
_event = st.builds(
    event,
    member=st.sampled_from([ALICE, BOB]),
    on=_days,
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 30]),
    kind=st.sampled_from(["attendance", "floor_checkin", "outdoor", "tile"]),
    minutes=st.integers(0, 120),
    intensity=st.sampled_from(["light", "moderate", "vigorous"]),
    provenance=st.sampled_from(list(Provenance)),
    recorded_at=st.none()
    | st.datetimes(
        min_value=datetime(2026, 12, 1), max_value=datetime(2026, 12, 12), timezones=st.just(UTC)
    ),
    # Mostly live events, now and then one the ledger has voided.
    voided=st.sampled_from([False, False, False, False, True]),
)
_challenge = st.builds(
    challenge,
    metric=st.sampled_from(list(Metric)),
    daily_cap=st.none() | st.integers(1, 3) | st.integers(30, 120),
    allow_self_reports=st.booleans(),
    grace=st.sampled_from([timedelta(0), timedelta(hours=48)]),
)


@st.composite
def _histories(draw: st.DrawFn) -> tuple[Challenge, list[EngagementEvent]]:
    events = draw(st.lists(_event, max_size=25))
    # Corrections: new events that void some of the others.
    targets = draw(st.lists(st.sampled_from(events), max_size=4)) if events else []
    corrections = [replace(draw(_event), voids=target.id) for target in targets]
    return draw(_challenge), events + corrections


@settings(max_examples=150, deadline=None)
@given(_histories(), st.randoms(use_true_random=False))
def test_incremental_in_any_order_equals_rebuild(
    history: tuple[Challenge, list[EngagementEvent]], rnd: random.Random
) -> None:
    c, events = history
    rebuilt = ChallengeScore.rebuild(c, [LONDON, ACCRA], events)
    shuffled = list(events) + list(events[:3])  # some redelivered
    rnd.shuffle(shuffled)
    incremental = ChallengeScore(c, [LONDON, ACCRA])
    for e in shuffled:
        incremental.apply(e)
    assert incremental.state() == rebuilt.state()


@settings(max_examples=100, deadline=None)
@given(_histories())
def test_the_score_is_the_capped_sum_of_counted_events(
    history: tuple[Challenge, list[EngagementEvent]],
) -> None:
    # An oracle written independently: filter, group by bucket, cap, sum.
    c, events = history
    voided = {e.voids for e in events if e.voids} | {e.id for e in events if e.voided}
    score = ChallengeScore.rebuild(c, [LONDON, ACCRA], events)
    for p in (LONDON, ACCRA):
        mine = {
            e.id: e
            for e in events
            if e.member_id == p.member_id and e.id not in voided and exclusion(c, p, e) is None
        }
        buckets: dict[date, list[EngagementEvent]] = {}
        for e in mine.values():
            buckets.setdefault(c.bucket_of(e.local_date), []).append(e)
        expected = sum(bucket_value(c, b)[0] for b in buckets.values())
        assert score.score(p.member_id).score == expected
        assert expected >= 0
        if c.daily_cap is not None and c.metric is not Metric.DOSE_WEEKS:
            assert all(bucket_value(c, b)[0] <= c.daily_cap for b in buckets.values())
