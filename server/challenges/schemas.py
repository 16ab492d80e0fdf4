"""API schemas of challenges, participation and boards."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from server.api.bodies import Patching
from server.challenges.rules import MAX_GRACE_DAYS
from shared.inputs import InputModel

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
MetricName = Literal["sessions", "minutes", "tiles", "dose_weeks"]
#: Company and department teams are named so that the refusal can say why.
TeamByName = Literal["location", "circle", "company", "department"]
Grace = Annotated[int, Field(ge=0, le=MAX_GRACE_DAYS)]
Cap = Annotated[int, Field(ge=1, le=100_000)]
Target = Annotated[int, Field(ge=1, le=10_000_000)]
Status = Literal["active", "upcoming", "finished", "cancelled"]


class ChallengeCreate(InputModel):
    name: Name
    description: Description | None = None
    metric: MetricName
    #: Leave out for an individual challenge.
    team_by: TeamByName | None = None
    starts_on: date
    ends_on: date
    #: Days after a participant's window closes that late uploads still count.
    grace_days: Grace = 2
    #: At most this many units of the metric count per local day.
    daily_cap: Cap | None = None
    allow_self_reports: bool = False
    #: A score at or above this completes the challenge.
    target: Target | None = None
    #: Only this circle's members may join; a circle team challenge needs one.
    circle_id: uuid.UUID | None = None


class ChallengeUpdate(Patching, InputModel):
    """Only the fields sent change; a change to the scoring rescores every participant."""

    name: Name | None = None
    description: Description | None = None
    ends_on: date | None = None
    grace_days: Grace | None = None
    daily_cap: Cap | None = None
    allow_self_reports: bool | None = None
    target: Target | None = None


class ChallengeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    description: str | None
    metric: str
    team_by: str | None
    starts_on: date
    ends_on: date
    grace_days: int
    daily_cap: int | None
    allow_self_reports: bool
    target: int | None
    circle_id: uuid.UUID | None
    cancelled_at: datetime | None
    created_at: datetime
    status: Status
    participants: int = 0


class ChallengePage(BaseModel):
    items: list[ChallengeRead]
    next_offset: int | None


class MyChallengeRead(BaseModel):
    """A challenge as a member sees it: open to join, or joined with their standing."""

    challenge: ChallengeRead
    joined: bool
    score: int | None = None
    rank: int | None = None
    completed_on: date | None = None


class MyChallengePage(BaseModel):
    items: list[MyChallengeRead]
    next_offset: int | None


class BoardLine(BaseModel):
    rank: int
    #: First name and last initial.
    name: str
    score: int
    reached_at: datetime | None
    #: The caller's own line.
    me: bool = False
    #: Staff only: whose line it is.
    member_id: uuid.UUID | None = None


class Leaderboard(BaseModel):
    challenge_id: uuid.UUID
    participants: int
    items: list[BoardLine]
    next_offset: int | None
    #: A member's own line, wherever it is on the board (None: not taking part).
    mine: BoardLine | None = None


class TeamLine(BaseModel):
    rank: int | None
    team: str
    name: str
    size: int
    total: int
    #: The total over the team's participants, to 2 decimals.
    per_capita: float


class TeamBoardRead(BaseModel):
    challenge_id: uuid.UUID
    min_team_size: int
    #: Every team, whole: a board of a few teams is never paged.
    teams: list[TeamLine]
    #: Teams below the minimum size: shown apart, unranked.
    too_small: list[TeamLine]


class BandRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    band: str
    members: int


class ChallengeUptakeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    challenge_id: uuid.UUID
    name: str
    starts_on: date
    ends_on: date
    joined: int
    active_this_week: int = Field(description="Participants with movement this week")
    completed: int


class RetentionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    session_type_id: uuid.UUID
    session_type: str
    attendees: int = Field(description="Members who attended it in the period (5 or more)")
    returned: int = Field(description="Of those, who moved again within 14 days")
    share: float = Field(description="returned / attendees, to 4 decimals")


class RatingsLineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    session_type_id: uuid.UUID
    session_type: str
    instructor_id: uuid.UUID | None
    instructor: str | None
    ratings: int
    average: float


class EngagementReportRead(BaseModel):
    """Streaks and scores as they stand now; the rest over the period."""

    model_config = ConfigDict(from_attributes=True)
    from_day: date
    to_day: date
    week_start: date = Field(description="Monday of the current week (active this week)")
    location_id: uuid.UUID | None
    streaks: list[BandRead] = Field(description="Members by current weekly streak")
    scores: list[BandRead] = Field(description="Members by Movement Adherence Score")
    challenges: list[ChallengeUptakeRead]
    retention: list[RetentionRead]
    ratings: list[RatingsLineRead]
