"""Deciding on a payer benefit's last-known answer, and saying its age (shared.benefits)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desktop.core.checkin.card import CardFacts, build_card
from shared.benefits import KnownBenefit, age_text, from_last_known

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _known(**changes: object) -> KnownBenefit:
    values: dict[str, object] = {
        "eligible": True,
        "reason": "employer wellness",
        "benefit_id": "ben-1",
        "valid_until": NOW + timedelta(hours=20),
        "checked_at": NOW - timedelta(hours=3),
    }
    values.update(changes)
    return KnownBenefit(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("age", "text"),
    [
        (timedelta(seconds=-5), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(minutes=12, seconds=40), "12 min ago"),
        (timedelta(hours=3, minutes=59), "3 h ago"),
        (timedelta(hours=47), "47 h ago"),
        (timedelta(days=3, hours=5), "3 d ago"),
    ],
)
def test_age_text(age: timedelta, text: str) -> None:
    assert age_text(age) == text


def test_a_valid_benefit_admits_and_says_its_age() -> None:
    outcome = from_last_known(_known(), NOW, now=NOW)
    assert outcome.admitted
    assert outcome.reason == "ZPS benefit ben-1: employer wellness"
    assert outcome.warning == "ZPS benefit checked 3 h ago"


def test_an_expired_benefit_refuses() -> None:
    outcome = from_last_known(_known(valid_until=NOW), NOW, now=NOW)
    assert not outcome.admitted
    assert outcome.reason == "the last ZPS benefit check has expired"
    assert outcome.warning == "ZPS benefit checked 3 h ago"


def test_a_refusal_or_no_benefit_refuses() -> None:
    refused = from_last_known(_known(eligible=False, reason="wallet empty"), NOW, now=NOW)
    assert not refused.admitted and refused.reason == "ZPS: wallet empty"
    assert refused.warning == "ZPS benefit checked 3 h ago"
    # Eligible but with no benefit to report the visit against: not admitted.
    assert not from_last_known(_known(benefit_id=None), NOW, now=NOW).admitted
    assert from_last_known(None, NOW, now=NOW).reason == "no ZPS benefit check is known"


def test_the_admission_card_gives_the_age_to_the_desk_only() -> None:
    card = build_card(
        CardFacts(
            name="Ama Owusu",
            admitted=True,
            reason="ZPS benefit ben-1: employer wellness",
            today=NOW.date(),
            staff_note="ZPS benefit checked 3 h ago",
        )
    )
    assert card.staff_notes == ("ZPS benefit checked 3 h ago",)
    assert "ZPS benefit checked 3 h ago" not in card.lines
