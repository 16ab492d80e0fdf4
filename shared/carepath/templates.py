"""What makes a journey plan acceptable: the checks a template's version passes before it
is stored, each refusal naming the week and the field so staff can find what to fix."""

from __future__ import annotations

from collections.abc import Iterable

from shared.carepath.plans import JourneyPlan, ProgressionKind, ProgressionRule, WeekTarget
from shared.carepath.vocabulary import Goal, RiskFlag
from shared.enums import Intensity

MIN_WEEKS = 1
MAX_WEEKS = 52
#: A week of more than 25 hours of moderate movement is a typing slip, not a plan.
MAX_MINUTES = 1500
#: Two sessions a day, every day.
MAX_SESSIONS = 14
MAX_DAYS = 7
MAX_TILES = 21
MIN_PERCENT = 1
MAX_PERCENT = 50

_FLAGS = frozenset(f.value for f in RiskFlag)
_GOALS = frozenset(g.value for g in Goal)
_CEILINGS = frozenset(i.value for i in Intensity)


def plan_problems(plan: JourneyPlan) -> list[str]:
    """Every reason the plan cannot be stored (empty: it can)."""
    n = plan.length
    problems: list[str] = []
    if not MIN_WEEKS <= n <= MAX_WEEKS:
        problems.append(f"a journey has {MIN_WEEKS} to {MAX_WEEKS} weeks, not {n}")
    for index, w in enumerate(plan.weeks, start=1):
        problems += _week_problems(index, n, w)
    for a in plan.assessments:
        if not a.low < a.high:
            problems.append(f"assessment {a.key}: low ({a.low:g}) must be below high ({a.high:g})")
        problems += [
            f"assessment {a.key}: week {week} is outside 0 to {n}"
            for week in a.weeks
            if not 0 <= week <= n
        ]
    for r in plan.progression:
        problems += _rule_problems(r)
    hp = plan.habit_point
    if hp.sessions < 1:
        problems.append(f"habit point: sessions must be at least 1, not {hp.sessions}")
    if not 1 <= hp.weeks <= max(n, 1):
        problems.append(f"habit point: weeks must be 1 to {n}, not {hp.weeks}")
    return problems


def _week_problems(index: int, n: int, w: WeekTarget) -> list[str]:
    if w.week != index:
        return [f"week {index}: numbered {w.week}, but weeks run 1 to {n} in order"]
    limits = {
        "minutes": (w.minutes, MAX_MINUTES),
        "sessions": (w.sessions, MAX_SESSIONS),
        "strength_days": (w.strength_days, MAX_DAYS),
        "tiles": (w.tiles, MAX_TILES),
    }
    problems = [
        f"week {index}: {name} must be 0 to {most}, not {value}"
        for name, (value, most) in limits.items()
        if not 0 <= value <= most
    ]
    if w.minutes == w.sessions == w.strength_days == w.tiles == 0:
        problems.append(
            f"week {index}: asks for nothing (minutes, sessions, strength days and Tiles are all 0)"
        )
    return problems


def _rule_problems(r: ProgressionRule) -> list[str]:
    name = f"progression {r.kind.value}"
    problems: list[str] = []
    if r.kind is ProgressionKind.RAISE_ON_MET:
        if not MIN_PERCENT <= r.percent <= MAX_PERCENT:
            problems.append(
                f"{name}: percent must be {MIN_PERCENT} to {MAX_PERCENT}, not {r.percent}"
            )
        if not 0 <= r.cap <= MAX_MINUTES:
            problems.append(f"{name}: cap must be 0 to {MAX_MINUTES} minutes, not {r.cap}")
    if r.after < 1:
        problems.append(f"{name}: after must be at least 1, not {r.after}")
    return problems


def label_problems(
    *, ceiling: str, indications: Iterable[str], contraindications: Iterable[str]
) -> list[str]:
    """Unknown words: indications are risk flags or goals, contra-indications risk flags."""
    problems: list[str] = []
    if ceiling not in _CEILINGS:
        problems.append(
            f"intensity ceiling {ceiling!r} is unknown (one of {', '.join(sorted(_CEILINGS))})"
        )
    for key in indications:
        if key not in _FLAGS and key not in _GOALS:
            problems.append(f"indication {key!r} is neither a risk flag nor a goal")
    for key in contraindications:
        if key not in _FLAGS:
            problems.append(f"contra-indication {key!r} is not a risk flag")
    return problems
