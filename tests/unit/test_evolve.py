"""``evolve`` copies a frozen state as ``dataclasses.replace`` does, and refuses what it
cannot copy faithfully."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pytest

from shared.engagement.dose import DayDose
from shared.engagement.streaks import DAILY, StreakState
from shared.evolve import evolve


def test_it_gives_what_replace_gives_and_leaves_the_original() -> None:
    state = StreakState(DAILY, current=3, longest=5, pending=((date(2026, 12, 1), 20),))
    changed = evolve(state, current=4, freezes=1)
    assert changed == replace(state, current=4, freezes=1)
    assert state.current == 3 and changed.pending is state.pending


def test_it_refuses_unknown_fields_and_classes_that_validate_themselves() -> None:
    state = StreakState(DAILY)
    with pytest.raises(TypeError, match="no field 'currnet'"):
        evolve(state, currnet=1)
    with pytest.raises(TypeError, match="validates itself"):
        evolve(DayDose(date(2026, 12, 1), 10), moderate_minutes=-5)


@dataclass(frozen=True)
class _Plain:
    a: int
    b: str = "x"


def test_it_copies_plain_frozen_dataclasses() -> None:
    assert evolve(_Plain(1), b="y") == _Plain(1, "y")
