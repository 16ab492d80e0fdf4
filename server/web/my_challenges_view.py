"""What the member app's Challenges pages show: challenges open to join and those joined
with the member's score and rank, and a challenge's board (paged, the member's own line
marked) with its team board per capita, in the member's home location's formats."""

from __future__ import annotations

import uuid
from typing import Any

from server.api.deps import Services
from server.challenges import service as challenges
from server.challenges.schemas import ChallengeRead
from server.ports.identity import AccessClaims
from server.web.account_view import places
from server.web.formatting import Formats

#: Challenges on one page of the list, lines on one page of a board.
PER_PAGE = 20
METRIC_WORDS = {
    "sessions": "Sessions",
    "minutes": "Active minutes",
    "tiles": "Movement Tiles",
    "dose_weeks": "Weeks of 150 active minutes",
}
STATUS_WORDS = {
    "active": "On now",
    "upcoming": "Starting soon",
    "finished": "Finished",
    "cancelled": "Cancelled",
}
TEAM_WORDS = {"location": "Teams by home location", "circle": "Teams by circle"}


def _rules(c: ChallengeRead, fmt: Formats) -> list[str]:
    metric = METRIC_WORDS.get(c.metric, c.metric)
    said = [f"Counts: {metric.lower()}"]
    said.append("Self-reports count" if c.allow_self_reports else "Self-reports do not count")
    if c.daily_cap is not None:
        said.append(f"At most {fmt.number(c.daily_cap)} a day")
    if c.target is not None:
        said.append(f"Finish at {fmt.number(c.target)}")
    if c.team_by is not None:
        said.append(TEAM_WORDS.get(c.team_by, "Teams"))
    if c.grace_days:
        said.append(f"Late uploads count for {c.grace_days} days after the end")
    return said


def _challenge(c: ChallengeRead, fmt: Formats) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "description": c.description,
        "dates": f"{fmt.day(c.starts_on)} – {fmt.day(c.ends_on)}",
        "status": STATUS_WORDS.get(c.status, c.status),
        "open": c.status in ("active", "upcoming"),
        "rules": _rules(c, fmt),
        "team": c.team_by is not None,
        "participants": c.participants,
    }


def _page(page: int) -> int:
    return max(1, page)


def list_view(container: Services, claims: AccessClaims, page: int = 1) -> dict[str, Any]:
    fmt = places(container, claims).home
    page = _page(page)
    found = challenges.my_challenges(
        uow=container.read_uow(), claims=claims, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
    )
    mine: list[dict[str, Any]] = []
    open_: list[dict[str, Any]] = []
    for item in found.items:
        row = {
            **_challenge(item.challenge, fmt),
            "score": item.score,
            "rank": item.rank,
            "completed": fmt.date(item.completed_on) if item.completed_on else None,
        }
        (mine if item.joined else open_).append(row)
    return {"mine": mine, "open": open_, "page": page, "more": found.next_offset is not None}


def board_view(
    container: Services, claims: AccessClaims, challenge_id: uuid.UUID, page: int = 1
) -> dict[str, Any]:
    fmt = places(container, claims).home
    page = _page(page)
    board = challenges.leaderboard(
        uow=container.read_uow(),
        claims=claims,
        challenge_id=challenge_id,
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
    )
    read = challenges.get_challenge(
        uow=container.read_uow(), claims=claims, challenge_id=challenge_id
    )
    teams = None
    if read.team_by is not None:
        teams = challenges.teams(uow=container.read_uow(), claims=claims, challenge_id=challenge_id)
    lines = [
        {"rank": b.rank, "name": b.name, "score": fmt.number(b.score), "me": b.me}
        for b in board.items
    ]
    mine = board.mine
    return {
        "challenge": _challenge(read, fmt),
        "metric": METRIC_WORDS.get(read.metric, read.metric),
        "lines": lines,
        "participants": board.participants,
        "mine": None
        if mine is None
        else {"rank": mine.rank, "name": mine.name, "score": fmt.number(mine.score)},
        "mine_shown": any(line["me"] for line in lines),
        "teams": None
        if teams is None
        else {
            "min_size": teams.min_team_size,
            "ranked": [
                {
                    "rank": t.rank,
                    "name": t.name,
                    "size": t.size,
                    "per_capita": fmt.number(t.per_capita),
                }
                for t in teams.teams
            ],
            "too_small": [{"name": t.name, "size": t.size} for t in teams.too_small],
        },
        "page": page,
        "pages": max(1, -(-board.participants // PER_PAGE)),
    }


def join(container: Services, claims: AccessClaims, challenge_id: uuid.UUID) -> None:
    challenges.join(uow=container.uow(), claims=claims, challenge_id=challenge_id)


def leave(container: Services, claims: AccessClaims, challenge_id: uuid.UUID) -> None:
    challenges.leave(uow=container.uow(), claims=claims, challenge_id=challenge_id)
