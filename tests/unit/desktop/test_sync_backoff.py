"""Exponential backoff with full jitter: grows, is capped, is random below its ceiling, and
starts again after a success."""

from __future__ import annotations

import pytest

from desktop.core.sync.backoff import Backoff


def test_ceiling_doubles_up_to_the_cap_and_success_resets_it() -> None:
    backoff = Backoff(base=0.5, cap=60.0, rng=lambda: 1.0)
    waits = [backoff.failure() for _ in range(10)]
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    backoff.success()
    assert backoff.ceiling() == 0.0
    assert backoff.failure() == 0.5


def test_full_jitter_scales_the_ceiling_by_the_random_draw() -> None:
    draws = iter([0.0, 0.25, 0.5])
    backoff = Backoff(base=1.0, cap=10.0, rng=lambda: next(draws))
    assert [backoff.failure() for _ in range(3)] == [0.0, 0.5, 2.0]


def test_thousands_of_failures_never_overflow() -> None:
    backoff = Backoff(rng=lambda: 1.0)
    for _ in range(5000):
        wait = backoff.failure()
    assert wait == 60.0


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError):
        Backoff(base=0)
    with pytest.raises(ValueError):
        Backoff(base=2, cap=1)
