"""What the console's challenge pages show: the list by state, the form's fields, and a
challenge with its board and team board. Built from the challenges' and circles'
services with the account's own claims."""

from __future__ import annotations

import uuid
from typing import Any

from server.api.deps import Services
from server.challenges import service as challenges
from server.challenges.schemas import ChallengeRead
from server.circles import service as circles
from server.ports.identity import AccessClaims
from server.tenants import service as tenants
from server.web.formatting import Formats
from server.web.setup_forms import CHECKBOX, DATE, NUMBER, SELECT, TEXTAREA, Field
from shared.enums import StaffRole

#: Who may create, change and cancel; coaches only read.
RUNNERS = frozenset({StaffRole.OWNER, StaffRole.MANAGER})
#: The list's groups, in the order shown.
GROUPS = (
    ("active", "Running now"),
    ("upcoming", "Coming up"),
    ("finished", "Finished"),
    ("cancelled", "Cancelled"),
)
METRICS = (
    ("sessions", "Sessions (classes and visits)"),
    ("minutes", "Minutes of movement"),
    ("tiles", "Movement Tiles done"),
    ("dose_weeks", "Weeks with the dose met"),
)
METRIC_NAMES = dict(METRICS)
TEAMS = (
    ("", "Individual"),
    ("location", "Teams by home location"),
    ("circle", "A circle's team (choose it below)"),
)
TEAM_NAMES = {"": "Individual", "location": "Teams by location", "circle": "Circle team"}
_LIST = 200
_BOARD = 50


def runs(claims: AccessClaims) -> bool:
    return claims.role in RUNNERS


def _common() -> list[Field]:
    return [
        Field("name", "Name", required=True),
        Field("description", "Description", TEXTAREA, hint="What members are asked to do"),
    ]


def _scoring() -> list[Field]:
    return [
        Field(
            "grace_days",
            "Grace days",
            NUMBER,
            required=True,
            hint="Days after the end that late uploads still count (0 to 7)",
        ),
        Field("daily_cap", "Daily cap", NUMBER, hint="At most this much counts per day"),
        Field(
            "allow_self_reports",
            "Count self-reported movement (needed for Movement Tiles)",
            CHECKBOX,
        ),
        Field("target", "Target", NUMBER, hint="Reaching it completes the challenge"),
    ]


def create_fields(circle_options: list[tuple[str, str]]) -> list[Field]:
    return [
        *_common(),
        Field("metric", "What counts", SELECT, METRICS, required=True),
        Field("team_by", "Teams", SELECT, TEAMS),
        Field(
            "circle_id",
            "Circle",
            SELECT,
            [("", "Anyone may join"), *circle_options],
            hint="Only its members may join",
        ),
        Field("starts_on", "First day", DATE, required=True),
        Field("ends_on", "Last day", DATE, required=True, hint="Both days count"),
        *_scoring(),
    ]


def edit_fields() -> list[Field]:
    return [
        *_common(),
        Field("ends_on", "Last day", DATE, required=True, hint="Both days count"),
        *_scoring(),
    ]


def edit_values(c: ChallengeRead) -> dict[str, Any]:
    return {
        "name": c.name,
        "description": c.description or "",
        "ends_on": c.ends_on.isoformat(),
        "grace_days": str(c.grace_days),
        "daily_cap": "" if c.daily_cap is None else str(c.daily_cap),
        "allow_self_reports": c.allow_self_reports,
        "target": "" if c.target is None else str(c.target),
    }


def _formats(container: Services, claims: AccessClaims) -> Formats:
    tenant = tenants.get_tenant(uow=container.read_uow(), claims=claims)
    page = tenants.list_locations(uow=container.read_uow(), claims=claims, limit=1, offset=0)
    return Formats.of(page.items[0], tenant.currency) if page.items else Formats()


def circle_options(container: Services, claims: AccessClaims) -> list[tuple[str, str]]:
    page = circles.list_circles(
        uow=container.read_uow(),
        claims=claims,
        interest=None,
        location_id=None,
        include_archived=False,
        limit=_LIST,
        offset=0,
    )
    return [(str(c.id), c.name) for c in page.items]


def form_view(container: Services, claims: AccessClaims) -> dict[str, Any]:
    """Worker thread: what the new-challenge form needs."""
    return {"fmt": _formats(container, claims), "circles": circle_options(container, claims)}


def list_view(container: Services, claims: AccessClaims) -> dict[str, Any]:
    """Worker thread: every challenge, grouped by its state today."""
    page = challenges.list_challenges(
        uow=container.read_uow(), claims=claims, status=None, limit=_LIST, offset=0
    )
    grouped: dict[str, list[ChallengeRead]] = {key: [] for key, _ in GROUPS}
    for item in page.items:
        grouped[item.status].append(item)
    return {
        "fmt": _formats(container, claims),
        "groups": [(key, label, grouped[key]) for key, label in GROUPS],
        "more": page.next_offset is not None,
    }


def detail_view(
    container: Services, claims: AccessClaims, challenge_id: uuid.UUID
) -> dict[str, Any]:
    """Worker thread: a challenge, its board's first lines and, for teams, its team board."""
    found = challenges.get_challenge(
        uow=container.read_uow(), claims=claims, challenge_id=challenge_id
    )
    board = challenges.leaderboard(
        uow=container.read_uow(),
        claims=claims,
        challenge_id=challenge_id,
        limit=_BOARD,
        offset=0,
    )
    teams = None
    if found.team_by is not None:
        teams = challenges.teams(uow=container.read_uow(), claims=claims, challenge_id=challenge_id)
    names = dict(circle_options(container, claims)) if found.circle_id else {}
    return {
        "fmt": _formats(container, claims),
        "challenge": found,
        "board": board,
        "teams": teams,
        "circle": names.get(str(found.circle_id)) if found.circle_id else None,
    }
