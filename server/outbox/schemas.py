"""API schemas of webhook subscriptions and their deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from server.api.bodies import Patching
from shared.inputs import InputModel

Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=2000)]
EventType = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
EventTypes = Annotated[
    list[EventType],
    Field(
        min_length=1,
        max_length=50,
        description="Event names (checkin.recorded), prefixes (checkin.*) or * for all",
    ),
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
DeliveryState = Literal["pending", "delivered", "dead"]
ContentMode = Annotated[
    Literal["structured", "batch"],
    Field(
        description="structured: one CloudEvent per request (application/cloudevents+json); "
        "batch: up to 100 per request, a JSON array (application/cloudevents-batch+json)"
    ),
]


class SubscriptionCreate(InputModel):
    url: Url = Field(description="https://…; plain http only to localhost")
    event_types: EventTypes
    description: Description = ""
    active: bool = True
    content_mode: ContentMode = "structured"


class SubscriptionUpdate(Patching, InputModel):
    url: Url | None = None
    event_types: EventTypes | None = None
    description: Description | None = None
    active: bool | None = Field(None, description="false pauses delivery; events queue up")
    content_mode: ContentMode | None = None


class SecretRotate(InputModel):
    grace_hours: int = Field(
        24, ge=0, le=168, description="How long the old secret keeps signing beside the new one"
    )


class ReplayRequest(InputModel):
    since: datetime = Field(description="Events recorded at or after this time are sent again")
    only_dead: bool = Field(False, description="Only the dead-lettered ones")


class SubscriptionRead(BaseModel):
    id: uuid.UUID
    url: str
    event_types: list[str]
    description: str
    active: bool
    content_mode: ContentMode
    #: Until when the previous secret still signs, after a rotation.
    previous_secret_until: datetime | None
    created_at: datetime
    updated_at: datetime


class SubscriptionSecret(SubscriptionRead):
    """Answered once, when the secret is made (creation, rotation): it is not shown again."""

    secret: str = Field(description="The Standard Webhooks signing secret (whsec_…)")


class SubscriptionPage(BaseModel):
    items: list[SubscriptionRead]
    next_offset: int | None


class DeliveryRead(BaseModel):
    event_id: uuid.UUID
    event_type: str
    subject: uuid.UUID | None
    recorded_at: datetime
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    delivered_at: datetime | None


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    next_offset: int | None


class ReplayRead(BaseModel):
    requeued: int = Field(description="Deliveries queued again (or for the first time)")
