"""What the member app's Progress page shows: streaks, the Movement Adherence Score with
the weekly doses behind it, this week's goal, points and badges, and movement history by
kind and time of day with the latest events, in the member's home location's formats."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from server.api.deps import Services
from server.engagement import history, progress
from server.engagement.projection import Projector
from server.errors import InvalidInput
from server.ports.identity import AccessClaims
from server.web.account_view import places
from shared.clock import utcnow
from shared.engagement.badges import badge_title
from shared.engagement.goals import GoalKind
from shared.movement import Provenance

#: Events on one page of the recent list.
RECENT = 10
KIND_WORDS = {
    "attendance": "Classes",
    "floor_checkin": "Gym floor",
    "outdoor": "Outdoors",
    "tile": "Movement Tiles",
    "staff_entry": "Entered by staff",
    "self_report": "Reported by you",
}
PROVENANCE_WORDS = {
    Provenance.SCANNER_VERIFIED: "Checked in at the door",
    Provenance.STAFF_RECORDED: "Recorded by staff",
    Provenance.SELF_REPORTED: "Reported by you",
    Provenance.DEVICE_IMPORTED: "Imported from a device",
}
PART_WORDS = {
    "morning": "Morning (5–12)",
    "afternoon": "Afternoon (12–17)",
    "evening": "Evening (17–22)",
    "night": "Night (22–5)",
}
GOAL_KINDS = (("sessions", "Sessions a week"), ("minutes", "Minutes a week"))


class GoalRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _projector(container: Services) -> Projector:
    # The container bootstrap builds has the projector with its observers plugged in.
    projector: Projector = cast(Any, container).projector()
    return projector


def progress_view(
    container: Services, claims: AccessClaims, page: int = 1, hidden_hint: str = ""
) -> dict[str, Any]:
    fmt = places(container, claims).home
    read = progress.engagement_of(
        make_uow=container.uow,
        projector=_projector(container),
        tenant_id=claims.tenant_id,
        member_id=claims.subject_id,
        now=utcnow(),
    )
    weeks = [d.week for d in read.doses]
    moved = history.movement_history(
        uow=container.read_uow(),
        tenant_id=claims.tenant_id,
        member_id=claims.subject_id,
        first=weeks[0],
        today=read.today,
        weeks=len(weeks),
    )
    page = max(1, page)
    events, total = history.recent_movement(
        uow=container.read_uow(),
        tenant_id=claims.tenant_id,
        member_id=claims.subject_id,
        limit=RECENT,
        offset=(page - 1) * RECENT,
    )
    week_end = weeks[-1] + timedelta(days=6)
    labels = [fmt.short_day(w) for w in weeks]
    goal = read.goal
    suggestion = None
    if goal is not None and goal.suggestion is not None:
        key = hint_key(goal.kind, goal.target, goal.suggestion.target)
        if key != hidden_hint:
            suggestion = {
                "target": goal.suggestion.target,
                "reason": goal.suggestion.reason,
                "key": key,
            }
    return {
        "today": fmt.day(read.today),
        "daily": read.daily,
        "weekly": read.weekly,
        "week_ends": fmt.day(week_end),
        "score": round(read.score * 100),
        "score_chart": {
            "type": "bar",
            "percent": True,
            "labels": labels,
            "datasets": [
                {
                    "label": "Score after the week",
                    "type": "line",
                    "data": [round(d.score * 100) for d in read.doses],
                },
                {
                    "label": "Weekly dose (share of 150 minutes)",
                    "data": [round(d.dose * 100) for d in read.doses],
                },
            ],
        },
        "doses": [
            {
                "week": fmt.date(d.week),
                "minutes": d.minutes,
                "dose": fmt.percent(d.dose),
                "score": round(d.score * 100),
            }
            for d in read.doses
        ],
        "goal": goal,
        "goal_kind": goal.kind if goal else "sessions",
        "goal_target": goal.target if goal else 3,
        "goal_kinds": GOAL_KINDS,
        "suggestion": suggestion,
        "points": read.points,
        "badges": [
            {
                "name": badge_title(b.badge or b.key),
                # The rules write "because: …"; the page says "Because …".
                "because": b.explanation.removeprefix("because: "),
                "on": fmt.date(b.earned_on),
            }
            for b in reversed(read.badges)
        ],
        "kinds_chart": {
            "type": "bar",
            "stacked": True,
            "labels": labels,
            "datasets": [
                {"label": KIND_WORDS.get(k.kind, k.kind), "data": k.minutes} for k in moved.by_kind
            ],
        },
        "kinds": [
            {"kind": KIND_WORDS.get(k.kind, k.kind), "minutes": sum(k.minutes)}
            for k in moved.by_kind
        ],
        "parts": [
            {"part": PART_WORDS[name], "times": n, "minutes": m}
            for name, (n, m) in moved.by_part.items()
        ],
        "parts_chart": {
            "type": "bar",
            "labels": [PART_WORDS[name] for name in moved.by_part],
            "datasets": [{"label": "Minutes", "data": [m for _, m in moved.by_part.values()]}],
        },
        "events": [
            {
                "when": fmt.datetime(e.occurred_at),
                "kind": KIND_WORDS.get(e.kind, e.kind),
                "minutes": e.minutes,
                "intensity": e.intensity.value,
                "how": PROVENANCE_WORDS.get(e.provenance, e.provenance.value),
                "void": e.is_void,
                "voided": e.voided,
            }
            for e in events
        ],
        "page": page,
        "pages": max(1, -(-total // RECENT)),
        "total": total,
    }


def hint_key(kind: str, target: int, suggested: int) -> str:
    """Names one suggestion, so that dismissing it hides only it, not the next one."""
    return f"{kind}-{target}-{suggested}"


def save_goal(container: Services, claims: AccessClaims, fields: dict[str, str]) -> None:
    kind_text = fields.get("kind", "")
    target_text = fields.get("target", "").strip()
    if kind_text not in {k for k, _ in GOAL_KINDS}:
        raise GoalRefused("Choose sessions or minutes for your goal.")
    kind = GoalKind(kind_text)
    low, high = progress.GOAL_RANGE[kind]
    if not target_text.isdigit() or not low <= int(target_text) <= high:
        raise GoalRefused(f"A weekly goal of {kind.value} is a whole number from {low} to {high}.")
    try:
        progress.set_goal(
            uow=container.uow(),
            tenant_id=claims.tenant_id,
            member_id=claims.subject_id,
            kind=kind,
            target=int(target_text),
        )
    except InvalidInput as exc:
        raise GoalRefused(exc.detail) from None


def accept_suggestion(container: Services, claims: AccessClaims, key: str) -> None:
    """Takes the suggested target if ``key`` still names the current suggestion (a page
    left open while the week turned is refused rather than applying a stale one)."""
    read = progress.engagement_of(
        make_uow=container.uow,
        projector=_projector(container),
        tenant_id=claims.tenant_id,
        member_id=claims.subject_id,
        now=utcnow(),
    )
    goal = read.goal
    if (
        goal is None
        or goal.suggestion is None
        or hint_key(goal.kind, goal.target, goal.suggestion.target) != key
    ):
        raise GoalRefused("That suggestion has changed: here is the latest.")
    progress.set_goal(
        uow=container.uow(),
        tenant_id=claims.tenant_id,
        member_id=claims.subject_id,
        kind=GoalKind(goal.kind),
        target=goal.suggestion.target,
    )
