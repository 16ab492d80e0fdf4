"""Who coaches whom, what changed hands when, coaches' contacts with members, and the
tenant's coaching settings."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    Numeric,
    String,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, UtcDateTime


class CoachAssignment(Base):
    """A member's lead coach: one per member, replaced in place; what it was before lives
    in ``coach_assignment_changes``."""

    __tablename__ = "coach_assignments"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        ForeignKeyConstraint(
            ["tenant_id", "coach_id"], ["staff_accounts.tenant_id", "staff_accounts.id"]
        ),
        Index("ix_coach_assignments_coach", "tenant_id", "coach_id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    coach_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    since: Mapped[datetime] = mapped_column(UtcDateTime)
    assigned_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class CoachAssignmentChange(TenantScoped, Base):
    """One change of a member's lead coach (append-only): None for no coach."""

    __tablename__ = "coach_assignment_changes"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        Index("ix_coach_assignment_changes_member", "tenant_id", "member_id", "at"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    coach_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    previous_coach_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class CoachContact(TenantScoped, Base):
    """A note, call, referral or message of a coach about a member (append-only). The text
    is health data: sealed under the server's key, bound to this row."""

    __tablename__ = "coach_contacts"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        Index("ix_coach_contacts_member", "tenant_id", "member_id", "at"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    coach_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: server.coaching.rules.ContactKind
    kind: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: Calls: CallOutcome; messages: what became of the nudge (sent, held, skipped).
    outcome: Mapped[str | None] = mapped_column(String(20))
    #: Referrals: server.coaching.rules.ReferralTarget.
    referred_to: Mapped[str | None] = mapped_column(String(20))
    #: FieldSealer.seal of the text, context ``contact_context``.
    sealed_text: Mapped[bytes] = mapped_column(LargeBinary)
    #: A message's nudge.
    nudge_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class CoachingPolicy(Base):
    """A tenant's coaching settings; no row means the defaults."""

    __tablename__ = "coaching_policies"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    #: A member whose adherence score is below this is slipping (0..1).
    slipping_below: Mapped[float] = mapped_column(Numeric(4, 3, asdecimal=False))
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


def contact_context(tenant_id: uuid.UUID, contact_id: uuid.UUID) -> str:
    """What a contact's sealed text is bound to: moved to another row, it no longer opens."""
    return f"coach_contacts:{tenant_id}:{contact_id}"
