"""Each week's targets for one member: the plan's week, changed by the plan's progression
rules from what was logged, then by the coach's mix and per-week adjustments.

For week k (k > 1), with *last* = the most recent earlier week that was counted (closed and
not paused; paused weeks are skipped, neither met nor missed):

- ``raise_on_met`` (percent p, cap c): if *last* was met, week k's minutes are
  ``max(plan_k.minutes, min(c, ceil(last.minutes × (100 + p) / 100)))`` (no cap when c is 0);
  a week whose plan asks for no minutes stays without them.
- ``hold_on_missed`` (after K): if the last K counted weeks were all missed, week k is held
  at the last met week's targets (the first week's if none was met yet), never above the
  plan's week k: each field is ``min(held, plan_k)``.

Then the coach's mix, from the week it was set: ``more_tiles`` swaps one session for two
Tiles (in weeks that ask for a session), ``more_classes`` swaps two Tiles for one session (in
weeks that ask for two Tiles or more). Last, a coach's explicit targets for a week replace
the fields they name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from shared.carepath.adherence import WeekCounts, WeekResult, week_dose, week_met
from shared.carepath.plans import JourneyPlan, ProgressionKind, WeekTarget

TARGET_FIELDS = ("minutes", "sessions", "strength_days", "tiles")


class Mix(StrEnum):
    """A coach's choice of what a member's weeks lean on."""

    AS_PLANNED = "as_planned"
    MORE_TILES = "more_tiles"
    MORE_CLASSES = "more_classes"


@dataclass(frozen=True)
class Adjustments:
    """Coach adjustments in force on an enrolment."""

    mix: Mix = Mix.AS_PLANNED
    mix_from_week: int = 1
    #: Week number → the target fields the coach set for it.
    targets: Mapping[int, Mapping[str, int]] | None = None


@dataclass(frozen=True)
class RolledWeek:
    week: int
    target: WeekTarget
    counts: WeekCounts
    result: WeekResult


def _counted(history: Sequence[RolledWeek]) -> list[RolledWeek]:
    return [w for w in history if w.result.closed and not w.result.paused]


def progressed(
    plan: JourneyPlan,
    week: int,
    history: Sequence[RolledWeek],
    counted: Sequence[RolledWeek] | None = None,
) -> WeekTarget:
    """Week ``week``'s target from the plan and its rules, given the weeks before it
    (``counted``: those of them that count, when the caller keeps them already)."""
    base = plan.week(week)
    if counted is None:
        counted = _counted(history)
    if not counted:
        return base
    last = counted[-1]
    target = base
    for rule in plan.progression:
        if rule.kind is ProgressionKind.RAISE_ON_MET and last.result.met and base.minutes > 0:
            raised = math.ceil(last.target.minutes * (100 + rule.percent) / 100)
            if rule.cap > 0:
                raised = min(rule.cap, raised)
            if raised > target.minutes:
                target = WeekTarget(
                    week, raised, target.sessions, target.strength_days, target.tiles
                )
        elif rule.kind is ProgressionKind.HOLD_ON_MISSED:
            after = max(1, rule.after)
            recent = counted[-after:]
            if len(recent) == after and not any(w.result.met for w in recent):
                met = [w for w in counted if w.result.met]
                held = met[-1].target if met else history[0].target
                target = WeekTarget(
                    week,
                    min(held.minutes, base.minutes),
                    min(held.sessions, base.sessions),
                    min(held.strength_days, base.strength_days),
                    min(held.tiles, base.tiles),
                )
    return target


def with_mix(target: WeekTarget, mix: Mix) -> WeekTarget:
    if mix is Mix.MORE_TILES and target.sessions >= 1:
        return replace(target, sessions=target.sessions - 1, tiles=target.tiles + 2)
    if mix is Mix.MORE_CLASSES and target.tiles >= 2:
        return replace(target, sessions=target.sessions + 1, tiles=target.tiles - 2)
    return target


def adjusted(target: WeekTarget, adjustments: Adjustments) -> WeekTarget:
    if adjustments.mix is Mix.AS_PLANNED and not adjustments.targets:
        return target
    if target.week >= adjustments.mix_from_week:
        target = with_mix(target, adjustments.mix)
    chosen = (adjustments.targets or {}).get(target.week)
    if chosen:
        target = replace(target, **{f: int(v) for f, v in chosen.items() if f in TARGET_FIELDS})
    return target


def roll_weeks(
    plan: JourneyPlan,
    counts: Mapping[int, WeekCounts],
    *,
    paused: Mapping[int, bool],
    closed: Mapping[int, bool],
    adjustments: Adjustments = Adjustments(),
    through: int | None = None,
) -> list[RolledWeek]:
    """Weeks 1..``through`` (default: the whole plan), each with its target, counts and
    result; a week's target depends on the weeks before it, so they are rolled in order."""
    last = plan.length if through is None else min(plan.length, through)
    history: list[RolledWeek] = []
    counted: list[RolledWeek] = []
    for week in range(1, last + 1):
        target = adjusted(progressed(plan, week, history, counted), adjustments)
        done = counts.get(week, WeekCounts())
        result = WeekResult(
            dose=week_dose(done, target),
            met=week_met(done, target),
            paused=paused.get(week, False),
            closed=closed.get(week, False),
        )
        rolled = RolledWeek(week, target, done, result)
        history.append(rolled)
        if result.closed and not result.paused:
            counted.append(rolled)
    return history
