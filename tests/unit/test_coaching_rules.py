"""Pure rules of coaching: what a contact must say, who is slipping, the list's order."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from server.coaching.rules import (
    CallOutcome,
    ContactKind,
    ReferralTarget,
    Standing,
    contact_problem,
    days_inactive,
    order_key,
    slipping,
)


def test_each_kind_of_contact_needs_its_own_fields() -> None:
    assert contact_problem(ContactKind.CALL, "", CallOutcome.REACHED, None) is None
    assert contact_problem(ContactKind.CALL, "x", None, None) is not None
    assert contact_problem(ContactKind.CALL, "", CallOutcome.REACHED, ReferralTarget.GP)
    assert contact_problem(ContactKind.NOTE, "knee", None, None) is None
    assert contact_problem(ContactKind.NOTE, "   ", None, None) is not None
    assert contact_problem(ContactKind.NOTE, "x", CallOutcome.VOICEMAIL, None) is not None
    assert contact_problem(ContactKind.NOTE, "x", None, ReferralTarget.GP) is not None
    assert contact_problem(ContactKind.REFERRAL, "", None, ReferralTarget.GP) is None
    assert contact_problem(ContactKind.REFERRAL, "x", None, None) is not None
    assert contact_problem(ContactKind.REFERRAL, "", None, ReferralTarget.OTHER) is not None
    assert contact_problem(ContactKind.REFERRAL, "osteopath", None, ReferralTarget.OTHER) is None
    assert contact_problem(ContactKind.MESSAGE, "hello", None, None) is not None


def test_slipping_is_a_low_score_or_two_weeks_idle() -> None:
    # 0.49 < 0.5; 0.5 is not below it; 14 idle days is slipping, 13 is not; never is.
    assert slipping(0.49, 0, 0.5)
    assert not slipping(0.5, 13, 0.5)
    assert slipping(0.9, 14, 0.5)
    assert slipping(0.9, None, 0.5)
    assert days_inactive(date(2026, 11, 20), date(2026, 12, 4)) == 14
    assert days_inactive(None, date(2026, 12, 4)) is None


def test_the_order_of_a_hand_worked_list() -> None:
    people = {
        "never": Standing(0.0, None, "Never", "Abena"),
        "low": Standing(0.2, 2, "Low", "Kofi"),
        "tie": Standing(0.2, 10, "Tie", "Zed"),
        "idle": Standing(0.9, 20, "Idle", "Yaw"),
        "also": Standing(0.7, 0, "Also", "Bea"),
        "steady": Standing(0.8, 1, "Steady", "Adwoa"),
    }
    ordered = sorted(people, key=lambda k: order_key(people[k], 0.5))
    # Slipping by score (0.0, 0.2 idle 10 before 0.2 idle 2, 0.9), then the rest by name.
    assert ordered == ["never", "tie", "low", "idle", "also", "steady"]


standings = st.builds(
    Standing,
    st.floats(0, 1),
    st.one_of(st.none(), st.integers(0, 400)),
    st.text(max_size=5),
    st.text(max_size=5),
)


@given(st.lists(standings, max_size=20), st.floats(0, 1))
def test_every_slipping_member_comes_before_every_steady_one(
    people: list[Standing], threshold: float
) -> None:
    ordered = sorted(people, key=lambda s: order_key(s, threshold))
    flags = [slipping(s.score, s.inactive, threshold) for s in ordered]
    assert flags == sorted(flags, reverse=True)
    scores = [s.score for s in ordered if slipping(s.score, s.inactive, threshold)]
    assert scores == sorted(scores)
