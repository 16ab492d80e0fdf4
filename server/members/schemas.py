"""API schemas of members, their sign-up, sign-in and bulk import."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from server.api.bodies import Accepted as Accepted
from server.members import rules
from shared.clock import utcnow
from shared.enums import MemberSource
from shared.inputs import InputModel


def _dob(value: date) -> date:
    return rules.check_date_of_birth(value, utcnow().date())


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Phone = Annotated[str, Field(max_length=40), AfterValidator(rules.normalise_phone)]
BirthDate = Annotated[date, AfterValidator(_dob)]
Goals = Annotated[
    list[str], Field(max_length=100, examples=[["run 5k"]]), AfterValidator(rules.clean_goals)
]
Preferences = Annotated[dict[str, Any], AfterValidator(rules.check_preferences)]
Code = Annotated[str, Field(pattern=rules.CODE_PATTERN, description="Printable, no spaces")]
Password = Annotated[str, Field(min_length=10, max_length=200)]
Slug = Annotated[str, Field(min_length=1, max_length=63, description="The tenant's slug")]


class MemberCreate(InputModel):
    model_config = ConfigDict(extra="forbid")
    first_name: Name
    last_name: Name
    email: EmailStr | None = None
    phone: Phone | None = None
    date_of_birth: BirthDate | None = None
    fitness_goals: Goals = Field(default_factory=list)
    preferences: Preferences = Field(default_factory=dict)
    barcode: Code | None = None
    card_number: Code | None = None
    home_location_id: uuid.UUID | None = None
    guest_of_id: uuid.UUID | None = None
    source: MemberSource = MemberSource.DESK


class MemberUpdate(InputModel):
    """Only the fields sent change; null clears an optional field."""

    model_config = ConfigDict(extra="forbid")
    first_name: Name | None = None
    last_name: Name | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    date_of_birth: BirthDate | None = None
    fitness_goals: Goals | None = None
    preferences: Preferences | None = None
    barcode: Code | None = None
    card_number: Code | None = None
    home_location_id: uuid.UUID | None = None
    guest_of_id: uuid.UUID | None = None


class MemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    first_name: str
    last_name: str
    email: str | None
    email_verified: bool
    phone: str | None
    date_of_birth: date | None
    fitness_goals: list[str]
    preferences: dict[str, Any]
    barcode: str | None
    card_number: str | None
    home_location_id: uuid.UUID | None
    guest_of_id: uuid.UUID | None
    emergency_contact: str | None = None
    waiver_accepted_at: datetime | None = None
    source: MemberSource
    has_photo: bool
    created_at: datetime
    updated_at: datetime
    party_id: str | None = Field(
        None, description="The ZHEP party who signs in as this member (integrated mode)"
    )


class MemberPartyLink(InputModel):
    """Who signs in as this member with Zimasa (ZHEP): the party id, its OpenID Connect
    subject; null unlinks (and ends the sign-ins made with it)."""

    party_id: str | None = Field(..., min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")


Contact = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class MemberProfile(BaseModel):
    """What a member sees and keeps of themselves: name, contact, goals and preferences."""

    id: uuid.UUID
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    date_of_birth: date | None
    fitness_goals: list[str]
    preferences: dict[str, Any]
    emergency_contact: str | None
    home_location_id: uuid.UUID | None


class MemberProfileUpdate(InputModel):
    """Only the fields sent change; null clears an optional one (goals and preferences
    become empty). The email is changed by staff, as it is the member's sign-in."""

    model_config = ConfigDict(extra="forbid")
    first_name: Name | None = None
    last_name: Name | None = None
    phone: Phone | None = None
    date_of_birth: BirthDate | None = None
    fitness_goals: Goals | None = None
    preferences: Preferences | None = Field(
        None, examples=[{"class_reminders": True, "preferred_times": ["morning"]}]
    )
    emergency_contact: Contact | None = None


class MemberPage(BaseModel):
    items: list[MemberRead]
    next_offset: int | None


class MemberSignup(InputModel):
    model_config = ConfigDict(extra="forbid")
    tenant: Slug
    first_name: Name
    last_name: Name
    email: EmailStr
    password: Password
    phone: Phone | None = None
    fitness_goals: Goals = Field(default_factory=list)
    preferences: Preferences = Field(default_factory=dict)


class VerifyEmailRequest(InputModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=300)


class EmailVerified(BaseModel):
    member_id: uuid.UUID
    email: str
    email_verified_at: datetime


class MemberLoginRequest(InputModel):
    model_config = ConfigDict(extra="forbid")
    tenant: Slug
    email: EmailStr
    password: str = Field(min_length=1, max_length=200)


class ResendVerificationRequest(InputModel):
    model_config = ConfigDict(extra="forbid")
    tenant: Slug
    email: EmailStr


class PasswordResetRequest(InputModel):
    model_config = ConfigDict(extra="forbid")
    tenant: Slug
    email: EmailStr


class PasswordResetConfirm(InputModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=300, description="The code from the email")
    password: Password


class PasswordChange(InputModel):
    """A signed-in member's new password, given with the one they have now."""

    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(min_length=1, max_length=200)
    password: Password


class PasswordChanged(BaseModel):
    member_id: uuid.UUID
    email: str


class RejectedRow(BaseModel):
    line: int = Field(description="Line number in the CSV file; the header is line 1")
    reason: str


class ImportResult(BaseModel):
    created: int
    rejected: list[RejectedRow]
    member_ids: list[uuid.UUID]


AlertText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class MemberAlertCreate(InputModel):
    model_config = ConfigDict(extra="forbid")
    text: AlertText = Field(examples=["waiver missing"])


class MemberAlertRead(BaseModel):
    """A note for the desk about a member, open until staff resolve it."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    member_id: uuid.UUID
    text: str
    created_by: uuid.UUID | None
    created_at: datetime
    resolved_by: uuid.UUID | None
    resolved_at: datetime | None


class MemberAlertPage(BaseModel):
    items: list[MemberAlertRead]
    next_offset: int | None
