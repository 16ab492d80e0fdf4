"""Which journeys are recommended to a member, and which a member may be on."""

from __future__ import annotations

import uuid

from shared.carepath.matching import Candidate, allowed, recommend

METABOLIC = Candidate(
    uuid.UUID(int=1),
    "8-week Metabolic Reset",
    "moderate",
    ("pre_diabetes", "type_2_diabetes", "overweight", "sedentary"),
)
BACK = Candidate(
    uuid.UUID(int=2),
    "6-week Back & Core Rescue",
    "moderate",
    ("low_back_pain", "mobility"),
    ("recent_injury", "pregnancy"),
)
STRESS = Candidate(uuid.UUID(int=3), "4-week Stress & Sleep Reset", "low", ("stress", "poor_sleep"))
GENERAL = Candidate(uuid.UUID(int=4), "Get Moving", "moderate", ("general_fitness",))
GENTLE = Candidate(uuid.UUID(int=5), "Gentle Start", "low", ())
ALL = (METABOLIC, BACK, STRESS, GENERAL, GENTLE)


def _ids(recs: list) -> list[int]:  # type: ignore[type-arg]
    return [r.template_id.int for r in recs]


def test_ranked_by_how_many_flags_match_with_reasons() -> None:
    # Metabolic indicates pre_diabetes and overweight (2); Stress indicates stress (1);
    # Back indicates none of them; then the general ones by name (Gentle Start, Get Moving).
    recs = recommend(ALL, ["stress", "overweight", "pre_diabetes"], False)
    assert _ids(recs) == [1, 3, 5, 4]
    assert recs[0].reasons == ("Suits: pre-diabetes, overweight",)
    assert recs[1].reasons == ("Suits: stress",)
    assert recs[2].reasons == ("For anyone",)


def test_a_contraindicated_template_is_never_recommended() -> None:
    # Back pain matches Back, but pregnancy rules it out however well it matches.
    recs = recommend(ALL, ["low_back_pain", "pregnancy"], False)
    assert 2 not in _ids(recs)
    assert _ids(recs) == [5, 4]


def test_awaiting_clearance_leaves_only_low_ceiling_templates() -> None:
    recs = recommend(ALL, ["stress", "overweight"], True)
    # Metabolic matches overweight but is moderate; Stress is low; Gentle is low and general.
    assert _ids(recs) == [3, 5]
    assert recs[0].reasons == (
        "Suits: stress",
        "Low intensity while screening clearance is pending",
    )


def test_no_flags_gets_the_general_ones() -> None:
    assert _ids(recommend(ALL, [], False)) == [5, 4]
    assert _ids(recommend(ALL, [], True)) == [5]


def test_goals_count_as_matches_too() -> None:
    recs = recommend(ALL, ["mobility"], False)
    assert _ids(recs)[0] == 2
    assert recs[0].reasons == ("Suits: mobility",)


def test_allowed_says_why_not() -> None:
    assert allowed(BACK, ["low_back_pain"], False) == (True, "")
    assert allowed(BACK, ["pregnancy", "recent_injury"], False) == (
        False,
        "Not for members with recent injury, pregnancy",
    )
    ok, why = allowed(METABOLIC, [], True)
    assert not ok and "low-intensity" in why
    assert allowed(STRESS, [], True) == (True, "")
