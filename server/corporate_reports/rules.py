"""The pure rules of corporate reports: periods of whole months, who counts as eligible,
the figures and the adherence bands, and the scopes of consent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shared.engagement.dose import WHO_WEEKLY_MINUTES

#: The longest period one report covers (its trend is always the 12 months to its end).
MAX_MONTHS = 24
TREND_MONTHS = 12

#: Journey adherence bands (mean weekly dose met, 0..1): (key, label, from, below).
BANDS: tuple[tuple[str, str, float, float | None], ...] = (
    ("low", "< 25 %", 0.0, 0.25),
    ("some", "25–50 %", 0.25, 0.5),
    ("most", "50–75 %", 0.5, 0.75),
    ("adhered", "≥ 75 %", 0.75, None),
)
BAND_KEYS = tuple(key for key, *_ in BANDS)
#: A journey counts as adhered to from this mean adherence (the top band).
ADHERED = 0.75

#: What an employee may let their employer see of them, one consent each.
SCOPES = ("participation", "journeys")
SCOPE_LABELS = {
    "participation": "Whether and how often I take part (visits, active months, the weekly "
    "dose met, challenges joined)",
    "journeys": "My journeys: started, completed and how closely I follow them",
}

#: The figures of a report, in the order shown: (key, label, of which figure a share).
FIGURES: tuple[tuple[str, str, str | None], ...] = (
    ("eligible", "Eligible", None),
    ("activated", "Activated", "eligible"),
    ("active", "Active in the period", "activated"),
    ("meeting_dose", "Meeting the WHO weekly dose", "active"),
    ("journeys_started", "Journeys started", "activated"),
    ("journeys_adhered", "Journeys adhered to (≥ 75 %)", "journeys_started"),
    ("journeys_completed", "Journeys completed", "journeys_started"),
    ("challenge_participants", "Took part in a challenge", "activated"),
)


def band_of(adherence: float) -> str:
    for key, _label, low, below in BANDS:
        if adherence >= low and (below is None or adherence < below):
            return key
    return BANDS[0][0]


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_end(month: date) -> date:
    return next_month(month) - timedelta(days=1)


def months(first: date, last: date) -> list[date]:
    """The first days of the months from ``first``'s to ``last``'s, both included."""
    found, month = [], month_start(first)
    while month <= last:
        found.append(month)
        month = next_month(month)
    return found


def trend_months(last: date) -> list[date]:
    """The 12 months ending with ``last``'s."""
    month = month_start(last)
    found = [month]
    while len(found) < TREND_MONTHS:
        month = month_start(month - timedelta(days=1))
        found.append(month)
    return found[::-1]


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date

    @property
    def weeks(self) -> float:
        return ((self.last - self.first).days + 1) / 7


def meets_dose(weighted_minutes: int, period: Period) -> bool:
    """The WHO dose over a period: on average 150 moderate-equivalent minutes a week."""
    return weighted_minutes >= WHO_WEEKLY_MINUTES * period.weeks


def eligible_in(
    status: str, listed_on: date, covered_until: date | None, first: date, last: date
) -> bool:
    """On the roster at some time in ``first``..``last``: listed by its end, and active,
    or (ended or suspended) with access lasting into it. The roster keeps only the current
    status, so a suspended row without ``covered_until`` is not counted."""
    if listed_on > last:
        return False
    if status == "active":
        return True
    return covered_until is not None and covered_until >= first
