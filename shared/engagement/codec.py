"""The engagement rules' states as JSON (plain dicts of str, int, float, lists), and back:
what the server keeps per member. ``decode(encode(x)) == x`` for every state.

Dates are ISO strings; a rule is stored with its state so that a tenant's rule can change
without old states being misread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from typing import Any

from shared.engagement.adherence import AdherenceState
from shared.engagement.badges import MemberTally
from shared.engagement.streaks import DAILY, WEEKLY, Pause, StreakRule, StreakState, StreakUnit

Json = dict[str, Any]
#: Weeks of weighted minutes and sessions kept for the dose history and goals.
HISTORY_WEEKS = 13


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


# Rules are few and frozen, states are frozen: the projector encodes and decodes each
# member's streaks on every batch (and the kiosks' rows again), so equal values are made once.
# Callers must not change what these return.


@cache
def encode_rule(rule: StreakRule) -> Json:
    return {
        "unit": rule.unit.value,
        "target": rule.target_minutes,
        "freeze_every": rule.freeze_every,
        "first_weekday": rule.first_weekday,
    }


@cache
def _rule(unit: str, target: int, freeze_every: int, first_weekday: int) -> StreakRule:
    return StreakRule(StreakUnit(unit), target, freeze_every, first_weekday)


def decode_rule(data: Json) -> StreakRule:
    return _rule(data["unit"], data["target"], data["freeze_every"], data["first_weekday"])


@lru_cache(maxsize=4096)
def encode_streak(state: StreakState) -> Json:
    return {
        "rule": encode_rule(state.rule),
        "current": state.current,
        "longest": state.longest,
        "freezes": state.freezes,
        "toward_freeze": state.toward_freeze,
        "latest": _iso(state.latest),
        "next_period": state.next_period,
        "pending": [[d.isoformat(), m] for d, m in state.pending],
        "pauses": [
            [p.starts_on.isoformat(), p.ends_on.isoformat(), p.reason] for p in state.pauses
        ],
    }


def decode_streak(data: Json) -> StreakState:
    return StreakState(
        rule=decode_rule(data["rule"]),
        current=data["current"],
        longest=data["longest"],
        freezes=data["freezes"],
        toward_freeze=data["toward_freeze"],
        latest=_day(data["latest"]),
        next_period=data["next_period"],
        pending=tuple((date.fromisoformat(d), m) for d, m in data["pending"]),
        pauses=tuple(
            Pause(date.fromisoformat(s), date.fromisoformat(e), r) for s, e, r in data["pauses"]
        ),
    )


def encode_adherence(state: AdherenceState) -> Json:
    return {
        "frequency": state.frequency,
        "target": state.target,
        "first_weekday": state.first_weekday,
        "week": _iso(state.week),
        "week_minutes": state.week_minutes,
        "previous_minutes": state.previous_minutes,
        "settled": state.settled,
    }


def decode_adherence(data: Json) -> AdherenceState:
    return AdherenceState(
        frequency=float(data["frequency"]),
        target=data["target"],
        first_weekday=data["first_weekday"],
        week=_day(data["week"]),
        week_minutes=data["week_minutes"],
        previous_minutes=data["previous_minutes"],
        settled=float(data["settled"]),
    )


def encode_tally(tally: MemberTally) -> Json:
    return {
        "sessions": tally.sessions,
        "classes": tally.classes,
        "last_active_on": _iso(tally.last_active_on),
    }


def decode_tally(data: Json) -> MemberTally:
    return MemberTally(data["sessions"], data["classes"], _day(data["last_active_on"]))


@dataclass(frozen=True)
class WeekTotal:
    """One week's moderate-equivalent minutes and sessions (from its first date)."""

    week: date
    minutes: int = 0
    sessions: int = 0


@dataclass(frozen=True)
class MemberState:
    """Everything the projector keeps for one member."""

    daily: StreakState = field(default_factory=lambda: StreakState(DAILY))
    weekly: StreakState = field(default_factory=lambda: StreakState(WEEKLY))
    adherence: AdherenceState = field(default_factory=AdherenceState)
    tally: MemberTally = field(default_factory=MemberTally)
    #: The latest weeks' totals, oldest first, at most ``HISTORY_WEEKS``.
    weeks: tuple[WeekTotal, ...] = ()
    points: int = 0
    #: The zone of the member's latest movement: where "today" is for them.
    zone: str = "UTC"

    def add_week(self, week: date, minutes: int, sessions: int) -> tuple[WeekTotal, ...]:
        """The week totals with one more movement: weeks older than the history are dropped."""
        totals = {w.week: w for w in self.weeks}
        old = totals.get(week, WeekTotal(week))
        totals[week] = WeekTotal(week, old.minutes + minutes, old.sessions + sessions)
        ordered = sorted(totals.values(), key=lambda w: w.week)
        latest = ordered[-1].week
        return tuple(w for w in ordered if (latest - w.week).days < 7 * HISTORY_WEEKS)


def encode(state: MemberState) -> Json:
    return {
        "daily": encode_streak(state.daily),
        "weekly": encode_streak(state.weekly),
        "adherence": encode_adherence(state.adherence),
        "tally": encode_tally(state.tally),
        "weeks": [[w.week.isoformat(), w.minutes, w.sessions] for w in state.weeks],
        "points": state.points,
        "zone": state.zone,
    }


def decode(data: Json) -> MemberState:
    if not data:
        return MemberState()
    return MemberState(
        daily=decode_streak(data["daily"]),
        weekly=decode_streak(data["weekly"]),
        adherence=decode_adherence(data["adherence"]),
        tally=decode_tally(data["tally"]),
        weeks=tuple(WeekTotal(date.fromisoformat(w), m, s) for w, m, s in data["weeks"]),
        points=data["points"],
        zone=data["zone"],
    )
