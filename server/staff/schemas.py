"""API schemas of staff accounts and sign-in."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from server.signins.schemas import TokenPair
from server.tenants.schemas import TenantRead
from shared.enums import StaffRole
from shared.inputs import InputModel

Password = Annotated[str, Field(min_length=10, max_length=200)]
Pin = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{4,8}$",
        description="4 to 8 digits; owners and managers need at least 6",
    ),
]


class LoginRequest(InputModel):
    model_config = ConfigDict(extra="forbid")
    tenant: str = Field(min_length=1, max_length=63, description="The tenant's slug")
    email: EmailStr
    password: str = Field(min_length=1, max_length=200)


class StaffCreate(InputModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    role: StaffRole
    password: Password | None = Field(
        None,
        description="The first password; without it the account is emailed an invitation "
        "to choose one (valid 14 days)",
    )
    pin: Pin | None = None
    home_location_id: uuid.UUID | None = None
    location_ids: list[uuid.UUID] | None = Field(
        None,
        max_length=100,
        description="Limit the role to these locations (empty: the whole tenant; owners "
        "are always tenant-wide)",
    )


class StaffUpdate(InputModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=200)
    role: StaffRole | None = None
    active: bool | None = None
    password: Password | None = None
    pin: Pin | None = None
    home_location_id: uuid.UUID | None = None
    kiosk_pin: bool | None = Field(
        None,
        description="Owners only: whether this owner's PIN may be checked at kiosks "
        "(kiosks then hold a keyed verifier of it); off unless an owner turns it on",
    )
    location_ids: list[uuid.UUID] | None = Field(
        None,
        max_length=100,
        description="Limit the role to these locations (empty: the whole tenant; owners "
        "are always tenant-wide)",
    )


class StaffRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    email: str
    role: StaffRole
    active: bool
    has_pin: bool
    has_password: bool = Field(
        True, description="False while an invited account has not chosen its first password"
    )
    kiosk_pin: bool = False
    home_location_id: uuid.UUID | None
    location_ids: list[uuid.UUID] = Field(
        description="The locations the role is limited to; empty: the whole tenant"
    )
    created_at: datetime
    party_id: str | None = Field(
        None, description="The ZHEP party who signs in as this account (integrated mode)"
    )


class StaffPartyLink(InputModel):
    """Who signs in as this account with Zimasa (ZHEP): the party id, its OpenID Connect
    subject; null unlinks (and ends the sign-ins made with it)."""

    party_id: str | None = Field(..., min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")


class StaffPasswordResetRequest(InputModel):
    model_config = ConfigDict(extra="forbid")
    tenant: str = Field(min_length=1, max_length=63, description="The tenant's slug")
    email: EmailStr


class StaffPasswordResetConfirm(InputModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=300, description="The code from the email")
    password: Password


class StaffPasswordChanged(BaseModel):
    staff_id: uuid.UUID
    email: str


class StaffPage(BaseModel):
    items: list[StaffRead]
    next_offset: int | None


class TenantSignedUp(BaseModel):
    tenant: TenantRead
    owner: StaffRead
    tokens: TokenPair
