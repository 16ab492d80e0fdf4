"""Circles, who belonged to them when, and staff announcements in them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKeyConstraint, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, Timestamps, UtcDateTime


class Circle(TenantScoped, Timestamps, Base):
    """An interest group of a tenant, optionally tied to one location."""

    __tablename__ = "circles"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "location_id"], ["locations.tenant_id", "locations.id"]),
        ForeignKeyConstraint(
            ["tenant_id", "leader_id"], ["staff_accounts.tenant_id", "staff_accounts.id"]
        ),
        Index("ix_circles_tenant_name", "tenant_id", "name"),
    )

    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(2000))
    #: What brings its members together ("runners", "back-care"): a tenant's own words.
    interest: Mapped[str] = mapped_column(String(50))
    location_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: Invite-only circles take members only from staff; open ones from the members too.
    invite_only: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The coach (or other staff) who runs it; a coach manages only the circles they lead.
    leader_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CircleMembership(TenantScoped, Base):
    """One stay of a member in a circle: leaving ends it, joining again starts another, so
    who belonged at any past moment stays answerable."""

    __tablename__ = "circle_memberships"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "circle_id"], ["circles.tenant_id", "circles.id"]),
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        Index("ix_circle_memberships_tenant_circle", "tenant_id", "circle_id", "joined_at"),
        Index("ix_circle_memberships_tenant_member", "tenant_id", "member_id"),
        # At most one open stay per member and circle, whatever the concurrency: a second
        # join at the same moment fails here and is answered as the first.
        Index(
            "uq_circle_memberships_open",
            "tenant_id",
            "circle_id",
            "member_id",
            unique=True,
            sqlite_where=text("left_at IS NULL"),
            postgresql_where=text("left_at IS NULL"),
        ),
    )

    circle_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: The member of staff who added (or removed) them; None: the member themselves.
    added_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    removed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class CircleAnnouncement(TenantScoped, Base):
    """A message from staff to a circle's members, optionally about a challenge."""

    __tablename__ = "circle_announcements"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "circle_id"], ["circles.tenant_id", "circles.id"]),
        Index("ix_circle_announcements_tenant_circle", "tenant_id", "circle_id", "created_at"),
    )

    circle_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(5000))
    #: A challenge it is about; opaque here (challenges are their own domain).
    challenge_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
