"""Points and badges from rules: each rule looks at what one ledger event (or a streak or a
challenge completion reported with it) brought a member to, and may award something.

Rules are data: a tenant's list of rule objects, any of which it can switch off by leaving
it out (``active_rules``). Every award has a key naming exactly what it is for
(``sessions:10``, ``comeback:2026-12-04``, ``challenge:<id>``), and ``award`` never gives a
key that is already in the member's awarded set, nor the same key twice in one call, so
awarding is idempotent. Each award explains itself from the event that triggered it:
"because: 10th class on 4 Dec 2026".

Awards are permanent: voiding an event later lowers the counts (``MemberTally.void``) but
takes back nothing already awarded; the next milestone is reached again by the counts.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from shared.engagement.challenges import TILE_KINDS, EngagementEvent
from shared.evolve import evolve

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: The kind a class attendance has in the ledger.
CLASS_KIND = "attendance"


def day_text(day: date) -> str:
    """'4 Dec 2026'."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def ordinal(n: int) -> str:
    """'1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '101st'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class CompletedChallenge:
    challenge_id: uuid.UUID
    name: str
    completed_on: date


@dataclass(frozen=True)
class Trigger:
    """What one event brought a member to: the facts rules look at.

    ``sessions`` and ``classes`` include the event; ``lapse_days`` is how many whole local
    days without any activity came just before it (None: it is the member's first).
    Streak lengths come from the streak rules, already updated with this event.
    """

    on: date
    event: EngagementEvent | None = None
    sessions: int = 0
    classes: int = 0
    lapse_days: int | None = None
    daily_streak: int = 0
    weekly_streak: int = 0
    completed: tuple[CompletedChallenge, ...] = ()


@dataclass(frozen=True)
class Award:
    #: What the award is for; the member's awarded set holds these.
    key: str
    #: The badge it shows (None: points only).
    badge: str | None
    points: int
    explanation: str
    earned_on: date


class Rule(Protocol):
    @property
    def code(self) -> str:
        """The rule's name, for a tenant to switch it off."""

    def awards(self, trigger: Trigger) -> Iterable[Award]: ...


@dataclass(frozen=True)
class FirstClassRule:
    code: str = "first_class"
    points: int = 50

    def awards(self, trigger: Trigger) -> Iterable[Award]:
        event = trigger.event
        if event is not None and event.kind == CLASS_KIND and trigger.classes == 1:
            yield Award(
                "first_class",
                "first_class",
                self.points,
                f"because: 1st class on {day_text(trigger.on)}",
                trigger.on,
            )


@dataclass(frozen=True)
class MilestoneRule:
    """A badge at the Nth session (or class): awarded when the count reaches N exactly, so
    a later void and redo of the Nth does not matter (the key is already held)."""

    count: int
    points: int
    #: "sessions" (every event but Tiles) or "classes" (class attendance).
    of: str = "sessions"
    code: str = "milestones"

    def awards(self, trigger: Trigger) -> Iterable[Award]:
        if trigger.event is None:
            return
        reached = trigger.sessions if self.of == "sessions" else trigger.classes
        noun = "session" if self.of == "sessions" else "class"
        if reached == self.count:
            key = f"{self.of}:{self.count}"
            yield Award(
                key,
                key,
                self.points,
                f"because: {ordinal(self.count)} {noun} on {day_text(trigger.on)}",
                trigger.on,
            )


@dataclass(frozen=True)
class StreakRule:
    """A badge when a daily (or weekly) streak reaches ``length``: once per length."""

    length: int
    points: int
    period: str = "daily"
    code: str = "streaks"

    def awards(self, trigger: Trigger) -> Iterable[Award]:
        current = trigger.daily_streak if self.period == "daily" else trigger.weekly_streak
        unit = "day" if self.period == "daily" else "week"
        if current >= self.length:
            key = f"streak:{self.period}:{self.length}"
            yield Award(
                key,
                key,
                self.points,
                f"because: {self.length}-{unit} streak on {day_text(trigger.on)}",
                trigger.on,
            )


@dataclass(frozen=True)
class ChallengeCompletionRule:
    """A badge for each challenge completed, once per challenge."""

    points: int = 100
    code: str = "challenge_completion"

    def awards(self, trigger: Trigger) -> Iterable[Award]:
        for done in trigger.completed:
            yield Award(
                f"challenge:{done.challenge_id}",
                "challenge_completed",
                self.points,
                f"because: completed {done.name or 'a challenge'} on {day_text(done.completed_on)}",
                done.completed_on,
            )


@dataclass(frozen=True)
class ComebackRule:
    """Points (and a bonus) for coming back after ``lapse_days`` or more days without any
    activity: once per comeback day, so each lapse can earn one."""

    lapse_days: int = 14
    points: int = 20
    bonus: int = 30
    code: str = "comeback"

    def awards(self, trigger: Trigger) -> Iterable[Award]:
        lapse = trigger.lapse_days
        if trigger.event is not None and lapse is not None and lapse >= self.lapse_days:
            yield Award(
                f"comeback:{trigger.on.isoformat()}",
                "comeback",
                self.points + self.bonus,
                f"because: back on {day_text(trigger.on)} after {lapse} days away",
                trigger.on,
            )


@dataclass(frozen=True)
class SessionPointsRule:
    """Points for every session (Tiles included), once per event."""

    points: int = 10
    code: str = "session_points"

    def awards(self, trigger: Trigger) -> Iterable[Award]:
        event = trigger.event
        if event is not None:
            yield Award(
                f"event:{event.id}",
                None,
                self.points,
                f"because: {event.kind.replace('_', ' ')} on {day_text(trigger.on)}",
                trigger.on,
            )


DEFAULT_RULES: tuple[Rule, ...] = (
    SessionPointsRule(),
    FirstClassRule(),
    MilestoneRule(10, 100),
    MilestoneRule(50, 250),
    MilestoneRule(100, 500),
    StreakRule(7, 70, "daily"),
    StreakRule(4, 80, "weekly"),
    StreakRule(12, 200, "weekly"),
    ChallengeCompletionRule(),
    ComebackRule(),
)


def active_rules(rules: Iterable[Rule], switched_off: Iterable[str]) -> list[Rule]:
    """The rules a tenant keeps: all but those whose code it switched off."""
    off = set(switched_off)
    return [rule for rule in rules if rule.code not in off]


def award(rules: Sequence[Rule], trigger: Trigger, awarded: Iterable[str]) -> list[Award]:
    """What ``trigger`` earns that the member does not hold yet, each key at most once."""
    held = set(awarded)
    earned: list[Award] = []
    for rule in rules:
        for item in rule.awards(trigger):
            if item.key not in held:
                held.add(item.key)
                earned.append(item)
    return earned


@dataclass(frozen=True)
class MemberTally:
    """The counts badge rules need, kept per member one event at a time (O(1) each).

    Give it each ledger event once (the ledger is idempotent by id), in the order the ledger
    recorded them, so that a rebuild replays the same order: "the 10th class" is the 10th
    to be recorded, which differs from the 10th by date only when an upload came late.
    Voided events are ignored. A late event (before the latest active day) counts but is no
    comeback.
    """

    sessions: int = 0
    classes: int = 0
    last_active_on: date | None = None

    def observe(
        self,
        event: EngagementEvent,
        *,
        daily_streak: int = 0,
        weekly_streak: int = 0,
        completed: tuple[CompletedChallenge, ...] = (),
    ) -> tuple[MemberTally, Trigger]:
        if event.voided:
            return self, Trigger(
                event.local_date,
                daily_streak=daily_streak,
                weekly_streak=weekly_streak,
                completed=completed,
            )
        sessions = self.sessions + (0 if event.kind in TILE_KINDS else 1)
        classes = self.classes + (1 if event.kind == CLASS_KIND else 0)
        last = self.last_active_on
        lapse = None if last is None else max((event.local_date - last).days - 1, 0)
        latest = event.local_date if last is None or event.local_date > last else last
        tally = evolve(self, sessions=sessions, classes=classes, last_active_on=latest)
        trigger = Trigger(
            event.local_date,
            event,
            sessions,
            classes,
            lapse,
            daily_streak,
            weekly_streak,
            completed,
        )
        return tally, trigger

    def void(self, event: EngagementEvent) -> MemberTally:
        """Take back a voided event's counts (its awards stay)."""
        return evolve(
            self,
            sessions=self.sessions - (0 if event.kind in TILE_KINDS else 1),
            classes=self.classes - (1 if event.kind == CLASS_KIND else 0),
        )


@dataclass
class AwardLog:
    """A member's awards so far, replayable: the incremental path and a rebuild both go
    through ``take``."""

    rules: Sequence[Rule]
    #: Keys the member already held (from the database) when this log started.
    already: frozenset[str] = frozenset()
    tally: MemberTally = field(default_factory=MemberTally)
    #: What this log awarded.
    awards: list[Award] = field(default_factory=list)

    @property
    def keys(self) -> frozenset[str]:
        return self.already | {a.key for a in self.awards}

    @property
    def points(self) -> int:
        return sum(a.points for a in self.awards)

    def take(
        self,
        event: EngagementEvent,
        *,
        daily_streak: int = 0,
        weekly_streak: int = 0,
        completed: tuple[CompletedChallenge, ...] = (),
    ) -> list[Award]:
        self.tally, trigger = self.tally.observe(
            event, daily_streak=daily_streak, weekly_streak=weekly_streak, completed=completed
        )
        new = award(self.rules, trigger, self.keys)
        self.awards.extend(new)
        return new


#: Badges whose key is not a count or a streak, in words.
BADGE_WORDS = {
    "first_class": "First class",
    "challenge_completed": "Challenge completed",
    "comeback": "Welcome back",
}


def badge_title(badge: str) -> str:
    """A badge's name in words, as the member app and the kiosk show it: "sessions:10" is
    "10 sessions", "streak:weekly:4" is "4-week streak", "first_class" is "First class"."""
    parts = badge.split(":")
    if len(parts) == 2 and parts[0] in ("classes", "sessions") and parts[1].isdigit():
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and parts[0] == "streak" and parts[2].isdigit():
        return f"{parts[2]}-{'day' if parts[1] == 'daily' else 'week'} streak"
    if badge in BADGE_WORDS:
        return BADGE_WORDS[badge]
    words = " ".join(parts).replace("_", " ").strip()
    return words[:1].upper() + words[1:]
