"""Screenings, clearances and risk flags. Every health value is sealed
(``server.db.sealed``): the answers, the evidence of a clearance, a flag's key and note."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKeyConstraint, Index, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, UtcDateTime
from shared.clock import utcnow


class Screening(TenantScoped, Base):
    """One completed questionnaire; the latest one is the member's."""

    __tablename__ = "screenings"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        Index("ix_screenings_tenant_member", "tenant_id", "member_id", "completed_at"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: Sealed JSON of shared.carepath.screening.normalise(answers).
    answers: Mapped[bytes] = mapped_column(LargeBinary)
    #: shared.carepath.screening.Outcome
    outcome: Mapped[str] = mapped_column(String(20))
    completed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: "member" (they answered in the app) or "staff" (entered from paper).
    entered_by_kind: Mapped[str] = mapped_column(String(10))
    entered_by: Mapped[uuid.UUID] = mapped_column(Uuid)


class ScreeningClearance(TenantScoped, Base):
    """Staff's record that a screening needing one is cleared: who, when, on what evidence."""

    __tablename__ = "screening_clearances"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        ForeignKeyConstraint(
            ["tenant_id", "screening_id"], ["screenings.tenant_id", "screenings.id"]
        ),
        Index("ix_screening_clearances_tenant_member", "tenant_id", "member_id"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    screening_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    cleared_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    cleared_on: Mapped[date] = mapped_column(Date)
    #: The last day it holds (shared.carepath.screening.clearance_expires).
    expires_on: Mapped[date] = mapped_column(Date)
    #: Sealed text ("GP letter 3 Dec").
    evidence: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class RiskFlagRecord(TenantScoped, Base):
    """A risk flag of a member, from staff, the integration port or a screening."""

    __tablename__ = "risk_flags"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        Index("ix_risk_flags_tenant_member", "tenant_id", "member_id"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: Sealed shared.carepath.vocabulary.RiskFlag key: which risk a member has is health data.
    flag: Mapped[bytes] = mapped_column(LargeBinary)
    #: shared.carepath.screening.FlagSource: staff, integration or screening.
    source: Mapped[str] = mapped_column(String(12))
    noted_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: Sealed free text, or None.
    note: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_on: Mapped[date | None] = mapped_column(Date)
    ended_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
