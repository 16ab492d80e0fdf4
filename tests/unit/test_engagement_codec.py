"""The engagement states survive JSON: decode(encode(state)) is the state, for states the
rules reach from random movements and pauses (so every field is exercised)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.engagement import codec
from shared.engagement.adherence import AdherenceState
from shared.engagement.badges import MemberTally
from shared.engagement.dose import DayDose
from shared.engagement.streaks import DAILY, WEEKLY, Pause, StreakState

START = date(2026, 1, 5)

doses = st.builds(
    lambda day, moderate, vigorous: DayDose(START + timedelta(days=day), moderate, vigorous, 1),
    st.integers(0, 120),
    st.integers(0, 90),
    st.integers(0, 60),
)
pauses = st.builds(
    lambda day, length, reason: Pause(
        START + timedelta(days=day), START + timedelta(days=day + length), reason
    ),
    st.integers(0, 120),
    st.integers(0, 30),
    st.sampled_from(["illness", "travel", "rest"]),
)


def _through_json(data: codec.Json) -> codec.Json:
    loaded: codec.Json = json.loads(json.dumps(data))
    return loaded


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(doses, pauses), max_size=40), st.floats(0.5, 7.0))
def test_every_reachable_state_round_trips(events: list[DayDose | Pause], frequency: float) -> None:
    daily, weekly = StreakState(DAILY), StreakState(WEEKLY)
    adherence = AdherenceState(frequency=frequency)
    tally = MemberTally()
    state = codec.MemberState()
    for event in events:
        daily, weekly = daily.apply(event), weekly.apply(event)
        if isinstance(event, DayDose):
            adherence = adherence.apply(event)
            tally = MemberTally(tally.sessions + 1, tally.classes, event.local_date)
            state = codec.MemberState(
                weeks=state.add_week(event.local_date, event.weighted_minutes, 1)
            )
    full = codec.MemberState(daily, weekly, adherence, tally, state.weeks, 340, "Africa/Accra")
    assert codec.decode(_through_json(codec.encode(full))) == full


def test_an_empty_row_is_the_initial_state() -> None:
    assert codec.decode({}) == codec.MemberState()
    assert codec.decode(_through_json(codec.encode(codec.MemberState()))) == codec.MemberState()


def test_the_week_history_keeps_the_latest_13_weeks() -> None:
    state = codec.MemberState()
    for n in range(15):
        state = codec.MemberState(weeks=state.add_week(START + timedelta(weeks=n), 10, 1))
    # 15 weeks added, the oldest 2 (START and START + 1 week) fall out: 13 remain.
    assert len(state.weeks) == 13
    assert state.weeks[0].week == START + timedelta(weeks=2)
    # A second movement in the latest week adds to it.
    again = state.add_week(START + timedelta(weeks=14), 5, 1)
    assert (again[-1].minutes, again[-1].sessions) == (15, 2)
