"""Outbox rows, their deliveries (one per target: a webhook subscription or a sink) and the
tenants' webhook subscriptions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Index,
    Integer,
    LargeBinary,
    Sequence,
    String,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, Timestamps, UtcDateTime

#: PostgreSQL hands out event sequence numbers from this; SQLite (one writer at a time)
#: takes the tenant's highest plus one in the INSERT itself.
EVENT_SEQ = Sequence("outbox_event_seq", metadata=Base.metadata)

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
#: How a subscription's events travel: one per request (CloudEvents structured content mode),
#: or many per request (batched content mode, a JSON array).
STRUCTURED, BATCH = "structured", "batch"
CONTENT_MODES = (STRUCTURED, BATCH)


class OutboxEvent(Base):
    """One event, written in the transaction of the change it reports."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        # Small: only the rows the relay has not fanned out yet.
        Index(
            "ix_outbox_events_tenant_undispatched",
            "tenant_id",
            "seq",
            postgresql_where=text("dispatched_at IS NULL"),
            sqlite_where=text("dispatched_at IS NULL"),
        ),
        Index("ix_outbox_events_tenant_recorded", "tenant_id", "recorded_at"),
        Index("ix_outbox_events_tenant_subject", "tenant_id", "subject"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    #: Monotonic: the order events are delivered in (per member and target).
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    #: The CloudEvent id and the ``webhook-id``: the same on every retry, receivers dedupe by it.
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(String(100))
    #: The member the event is about, if any: events of one member are delivered in order.
    subject: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OutboxDelivery(Base):
    """An event's delivery to one target: ``sub:<subscription id>`` or ``sink:<name>``."""

    __tablename__ = "outbox_deliveries"
    __table_args__ = (
        Index("ix_outbox_deliveries_tenant_state", "tenant_id", "state", "event_seq"),
        Index("ix_outbox_deliveries_tenant_target", "tenant_id", "target", "recorded_at"),
        Index(
            "ix_outbox_deliveries_tenant_line",
            "tenant_id",
            "target",
            "subject",
            "event_seq",
            postgresql_where=text("state = 'pending'"),
            sqlite_where=text("state = 'pending'"),
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    target: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    subject: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: A relay that claimed the delivery owns its attempt until then.
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claim: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class WebhookSubscription(TenantScoped, Timestamps, Base):
    """Where a tenant wants its events: a URL, the event types, a signing secret (sealed)."""

    __tablename__ = "webhook_subscriptions"

    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    #: Event names, ``prefix.*`` or ``*``.
    event_types: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: ``structured`` (one event per request) or ``batch`` (up to the relay's batch size
    #: per request, ``application/cloudevents-batch+json``).
    content_mode: Mapped[str] = mapped_column(
        String(20), default=STRUCTURED, server_default=STRUCTURED
    )
    secret_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    #: The secret before the last rotation, still signing until ``previous_until``.
    previous_secret_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    previous_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
