"""The starter library of prescription profiles (every key known, every dose consistent,
the sources named) and the pure rules: keys, dose, version bumps, what followers take."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from server.prescriptions import rules
from server.prescriptions.schemas import ProfileContent
from server.prescriptions.starter import LIBRARY, description, starter_profiles
from shared.carepath.vocabulary import Goal, RiskFlag, intensity_rank
from shared.enums import Intensity

BASE: dict[str, Any] = {
    "name": "Test",
    "indications": ["strength"],
    "contraindications": [],
    "intensity_ceiling": "moderate",
    "frequency_min": 2,
    "frequency_max": 3,
    "intensity": "moderate",
    "minutes_per_session": 30,
    "minutes_per_week": 60,
}


def test_the_starter_file_uses_only_known_keys_and_consistent_doses() -> None:
    raw = json.loads(LIBRARY.read_text(encoding="utf-8"))
    assert 8 <= len(raw["profiles"]) <= 14
    flags = {flag.value for flag in RiskFlag}
    goals = {goal.value for goal in Goal}
    for key, item in raw["profiles"].items():
        assert set(item["indications"]) <= flags | goals, key
        assert set(item["contraindications"]) <= flags, key
        assert item["indications"], key
        assert item["sources"], key
    # Validating as a tenant's profile would be checks the dose too (min ≤ max, ceiling).
    assert len(starter_profiles()) == len(raw["profiles"])


def test_the_starter_file_names_its_sources() -> None:
    text = description()
    for source in ("978-92-4-001512-8", "ACSM", "11th", "Riebe", "2015", "2020"):
        assert source in text


def test_the_starter_doses_follow_the_who_weekly_aerobic_and_strength_minimums() -> None:
    profiles = starter_profiles()
    aerobic = profiles["general-aerobic"]
    # WHO 2020: 150 minutes of moderate activity a week at least.
    assert (aerobic.intensity, aerobic.minutes_per_week) == (Intensity.MODERATE, 150)
    # Muscle strengthening on 2 or more days; balance for older adults on 3 or more.
    assert profiles["strength-foundations"].frequency_min >= 2
    assert profiles["balance-falls"].frequency_min >= 3
    # ACSM: with a known condition start light-to-moderate: no ceiling above moderate.
    for key in ("blood-pressure", "pregnancy-safe", "back-care-core", "balance-falls"):
        assert intensity_rank(profiles[key].intensity_ceiling) <= 1, key


def test_unknown_keys_are_found_and_goals_are_no_contraindications() -> None:
    assert rules.unknown_indications(["strength", "low_back_pain", "bad_knees"]) == ["bad_knees"]
    assert rules.unknown_contraindications(["pregnancy", "strength"]) == ["strength"]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"frequency_min": 4, "frequency_max": 3}, "cannot be more than"),
        ({"intensity": "high", "intensity_ceiling": "moderate"}, "above the profile"),
        ({"minutes_per_session": 0}, "greater than or equal to 1"),
        ({"minutes_per_week": 0}, "greater than or equal to 1"),
        ({"minutes_per_session": 90, "minutes_per_week": 60}, "more than 60 minutes a week"),
        ({"indications": ["flying"]}, "unknown risk flag or goal flying"),
        ({"contraindications": ["sleep"]}, "unknown risk flag sleep"),
    ],
)
def test_a_profile_that_contradicts_itself_is_refused(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        ProfileContent.model_validate(BASE | changes)


def test_keys_named_twice_count_once_and_types_are_lower_case() -> None:
    content = ProfileContent.model_validate(
        BASE | {"indications": ["strength", "strength"], "types": ["Strength", "strength"]}
    )
    assert (content.indications, content.types) == (["strength"], ["strength"])


def test_an_edit_bumps_the_version_only_when_something_changed() -> None:
    assert rules.next_version(1, changed=True) == 2
    assert rules.next_version(4, changed=True) == 5
    assert rules.next_version(4, changed=False) == 4


def test_the_primary_goal_is_the_first_goal_among_the_indications() -> None:
    assert rules.primary_goal(["low_back_pain", "mobility", "strength"]) == "mobility"
    assert rules.primary_goal(["low_back_pain"]) is None


def test_a_session_type_suggests_the_lower_frequency_within_its_bounds() -> None:
    assert rules.suggested_per_week(3) == 3
    assert rules.suggested_per_week(20) == rules.MAX_PER_WEEK


@given(st.sampled_from(list(Intensity)))
def test_a_tile_is_never_gentler_than_its_profile(intensity: Intensity) -> None:
    # The Tile's step ranks at least as high as the profile's (light 0, moderate 1,
    # vigorous 3 against low 0, moderate 1, high 2, vigorous 3).
    assert intensity_rank(rules.tile_intensity(intensity)) >= intensity_rank(intensity)
