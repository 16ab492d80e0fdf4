"""API schemas of coaching: a coach's members, a member's timeline, contacts, messages,
lead coaches and the tenant's coaching settings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from server.coaching.rules import CallOutcome, ContactKind, MessageOutcome, ReferralTarget
from shared.inputs import InputModel


class Standing(StrEnum):
    SLIPPING = "slipping"
    STEADY = "steady"


class JourneyBrief(BaseModel):
    enrolment_id: uuid.UUID
    name: str
    status: str
    #: The enrolment's adherence, 0..1.
    adherence: float


class CoachingMemberRead(BaseModel):
    member_id: uuid.UUID
    first_name: str
    last_name: str
    #: The Movement Adherence Score, 0..100 (a percentage).
    score_percent: int
    weekly_streak: int
    daily_streak: int
    #: None: never active.
    days_inactive: int | None
    slipping: bool
    lead_coach_id: uuid.UUID | None
    lead_coach_name: str | None
    journeys: list[JourneyBrief]
    last_contact_at: datetime | None
    #: From the risk flags (None: none known).
    risk_category: str | None


class CoachingMemberPage(BaseModel):
    items: list[CoachingMemberRead]
    total: int
    next_offset: int | None
    #: The tenant's threshold, 0..1.
    slipping_below: float
    #: The date "days inactive" is counted to, in the tenant's zone.
    today: date


class TimelineEntry(BaseModel):
    at: datetime
    #: movement, attendance, no_show, journey, nudge, contact, assignment
    source: str
    title: str
    detail: str = ""
    #: The member of staff behind it, if any.
    by_name: str | None = None


class TimelinePage(BaseModel):
    items: list[TimelineEntry]
    #: Pass as ``offset`` (with the same ``before``) for the next page; None at the end.
    next_offset: int | None
    #: Or pass this as ``before`` (offset 0): entries stored meanwhile do not shift the
    #: pages. None at the end.
    next_before: datetime | None


class ContactCreate(InputModel):
    kind: ContactKind
    text: str = Field("", max_length=4000)
    outcome: CallOutcome | None = None
    referred_to: ReferralTarget | None = None


class ContactRead(BaseModel):
    id: uuid.UUID
    member_id: uuid.UUID
    coach_id: uuid.UUID
    kind: ContactKind
    at: datetime
    outcome: str | None
    referred_to: str | None
    text: str


class CoachMessageCreate(InputModel):
    text: str = Field(min_length=1, max_length=1000)


class CoachMessageRead(BaseModel):
    contact_id: uuid.UUID
    nudge_id: uuid.UUID
    outcome: MessageOutcome
    #: Why it was not sent (opted_out); None otherwise.
    skipped: str | None
    #: When it goes (now, or when the member's quiet hours end); None if skipped.
    goes_at: datetime | None
    why: str


class LeadCoachWrite(InputModel):
    #: None: no lead coach.
    coach_id: uuid.UUID | None


class LeadCoachRead(BaseModel):
    member_id: uuid.UUID
    coach_id: uuid.UUID | None
    coach_name: str | None
    since: datetime | None


class CoachingPolicyBody(InputModel):
    #: Members whose adherence score is below this are slipping (0..1).
    slipping_below: float = Field(ge=0, le=1)


class CoachingPolicyRead(BaseModel):
    slipping_below: float
