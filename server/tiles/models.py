"""Movement Tiles and their completions."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKeyConstraint, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, Timestamps, UtcDateTime


class Tile(TenantScoped, Timestamps, Base):
    """A 5–10 minute guided activity of a tenant's library."""

    __tablename__ = "tiles"
    __table_args__ = (
        Index("ix_tiles_tenant_title", "tenant_id", "title"),
        # A starter Tile is loaded once per tenant, however often the library is asked for.
        Index("uq_tiles_tenant_starter", "tenant_id", "starter_key", unique=True),
    )

    title: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(String(500))
    #: The steps in order, each a short text.
    steps: Mapped[list[str]] = mapped_column(JSON, default=list)
    minutes: Mapped[int] = mapped_column(Integer)
    #: shared.movement.MovementIntensity
    intensity: Mapped[str] = mapped_column(String(10))
    #: Who should not do it ("pregnancy", "acute back pain"), each a short text.
    contraindications: Mapped[list[str]] = mapped_column(JSON, default=list)
    video_url: Mapped[str | None] = mapped_column(String(500))
    #: The prescription profile whose contra-indications and intensity the Tile takes.
    profile_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: Which starter Tile this is (None: the tenant's own).
    starter_key: Mapped[str | None] = mapped_column(String(50))
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TileCompletion(TenantScoped, Base):
    """A member's "done" on a Tile: its id is the client's (and the ledger event's), and
    ``slot`` (1 to the daily cap) is unique per member and local date, so two completions
    at once cannot both take the last slot."""

    __tablename__ = "tile_completions"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "tile_id"], ["tiles.tenant_id", "tiles.id"]),
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        Index(
            "uq_tile_completions_slot",
            "tenant_id",
            "member_id",
            "local_date",
            "slot",
            unique=True,
        ),
    )

    tile_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: The member's date as the ledger counts it (zone and the tenant's day-start hour).
    local_date: Mapped[date] = mapped_column(Date)
    slot: Mapped[int] = mapped_column(Integer)
    completed_at: Mapped[datetime] = mapped_column(UtcDateTime)
