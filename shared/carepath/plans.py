"""A journey's plan as enrolments see it: weeks of targets, assessments and progression.

A journey version stores these as JSON (``to_json`` / ``from_json``); the rules that check
templates, roll up adherence and progress next week's targets read only these dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class WeekTarget:
    """What one week of a journey asks for; a zero target is not asked for."""

    week: int  # 1-based
    minutes: int = 0  # moderate-equivalent minutes (vigorous count twice)
    sessions: int = 0
    strength_days: int = 0
    tiles: int = 0


class ActivityKind(StrEnum):
    """What a journey lets count toward its weeks."""

    SESSION_TYPE = "session_type"  # classes of the named session types
    TILE = "tile"  # any Movement Tile (or the named ones)
    OUTDOOR = "outdoor"  # hikes, runs, rides logged by a coach or imported
    GYM_FLOOR = "gym_floor"  # an open-gym visit at the door


@dataclass(frozen=True)
class PermittedActivity:
    kind: ActivityKind
    #: Session type or Tile ids (as strings); empty means any of the kind.
    ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessment:
    """A measurement taken in week 0 and the last week, with its plausible range."""

    key: str  # e.g. "sit_to_stand_30s", "resting_heart_rate", "wellbeing_who5"
    label: str
    unit: str
    low: float
    high: float
    #: Weeks it is taken in: 0 is before the first week.
    weeks: tuple[int, ...] = (0,)


class ProgressionKind(StrEnum):
    #: Met last week: raise next week's minutes by ``percent`` (at most ``cap`` minutes).
    RAISE_ON_MET = "raise_on_met"
    #: Missed ``after`` weeks in a row: hold next week at the last met week's targets.
    HOLD_ON_MISSED = "hold_on_missed"


@dataclass(frozen=True)
class ProgressionRule:
    kind: ProgressionKind
    percent: int = 0
    cap: int = 0
    after: int = 1


@dataclass(frozen=True)
class HabitPoint:
    """The early-success signal: ``sessions`` sessions within the first ``weeks`` weeks."""

    sessions: int = 6
    weeks: int = 2


@dataclass(frozen=True)
class JourneyPlan:
    """One version of a journey template."""

    weeks: tuple[WeekTarget, ...]
    permitted: tuple[PermittedActivity, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    progression: tuple[ProgressionRule, ...] = ()
    habit_point: HabitPoint = field(default_factory=HabitPoint)

    @property
    def length(self) -> int:
        return len(self.weeks)

    def week(self, number: int) -> WeekTarget:
        return self.weeks[number - 1]


def to_json(plan: JourneyPlan) -> dict[str, Any]:
    return {
        "weeks": [
            {
                "week": w.week,
                "minutes": w.minutes,
                "sessions": w.sessions,
                "strength_days": w.strength_days,
                "tiles": w.tiles,
            }
            for w in plan.weeks
        ],
        "permitted": [{"kind": p.kind.value, "ids": list(p.ids)} for p in plan.permitted],
        "assessments": [
            {
                "key": a.key,
                "label": a.label,
                "unit": a.unit,
                "low": a.low,
                "high": a.high,
                "weeks": list(a.weeks),
            }
            for a in plan.assessments
        ],
        "progression": [
            {"kind": r.kind.value, "percent": r.percent, "cap": r.cap, "after": r.after}
            for r in plan.progression
        ],
        "habit_point": {"sessions": plan.habit_point.sessions, "weeks": plan.habit_point.weeks},
    }


def from_json(data: dict[str, Any]) -> JourneyPlan:
    return JourneyPlan(
        weeks=tuple(WeekTarget(**w) for w in data["weeks"]),
        permitted=tuple(
            PermittedActivity(ActivityKind(p["kind"]), tuple(p.get("ids", ())))
            for p in data.get("permitted", ())
        ),
        assessments=tuple(
            Assessment(
                key=a["key"],
                label=a["label"],
                unit=a["unit"],
                low=float(a["low"]),
                high=float(a["high"]),
                weeks=tuple(a.get("weeks", (0,))),
            )
            for a in data.get("assessments", ())
        ),
        progression=tuple(
            ProgressionRule(
                ProgressionKind(r["kind"]),
                percent=r.get("percent", 0),
                cap=r.get("cap", 0),
                after=r.get("after", 1),
            )
            for r in data.get("progression", ())
        ),
        habit_point=HabitPoint(**data.get("habit_point", {})),
    )
