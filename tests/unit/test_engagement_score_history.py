"""The score after each past week, recovered from the current score and the weekly doses,
equals the score the rules computed week by week."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.engagement.progress import scores_after
from shared.engagement.adherence import multiplier


def _forward(start: float, doses: list[float], m: float) -> list[float]:
    scores, score = [], start
    for dose in doses:
        score = score * m + dose * (1 - m)
        scores.append(score)
    return scores


def test_three_full_weeks_from_nothing() -> None:
    m = multiplier(3)  # 0.911785
    # After 1, 2, 3 full weeks: 1 − m, 1 − m², 1 − m³ = 0.088215, 0.168648, 0.242004.
    latest = 1 - m**3
    assert scores_after(latest, [1.0, 1.0, 1.0], m) == pytest.approx(
        [1 - m, 1 - m**2, 1 - m**3], abs=1e-9
    )


@given(
    start=st.floats(min_value=0, max_value=1),
    doses=st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=13),
    frequency=st.floats(min_value=1, max_value=7),
)
def test_recovered_scores_equal_the_forward_ones(
    start: float, doses: list[float], frequency: float
) -> None:
    m = multiplier(frequency)
    forward = _forward(start, doses, m)
    recovered = scores_after(forward[-1], doses, m)
    assert recovered == pytest.approx(forward, abs=1e-6)
    assert all(0 <= s <= 1 for s in recovered)
