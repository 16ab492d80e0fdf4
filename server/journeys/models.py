"""Journey templates and their versions, enrolments, and each enrolment's weeks."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, Timestamps, UtcDateTime
from shared.clock import utcnow

_LIVE_WHERE = "status IN ('enrolled', 'active', 'paused')"


class JourneyTemplate(TenantScoped, Timestamps, Base):
    """A tenant's journey ("6-week Back & Core Rescue"); its plan lives in versions."""

    __tablename__ = "journey_templates"
    __table_args__ = (
        # A shipped template is loaded once per tenant, however often the library is read.
        Index("uq_journey_templates_tenant_starter", "tenant_id", "starter_key", unique=True),
    )

    name: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(2000), default="")
    #: Which shipped template this is (None: the tenant's own).
    starter_key: Mapped[str | None] = mapped_column(String(50))
    #: The version new enrolments get.
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class JourneyVersion(TenantScoped, Base):
    """One immutable-once-used version of a template: editing a template that has live
    enrolments makes a new version, and enrolments keep theirs."""

    __tablename__ = "journey_versions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "template_id"], ["journey_templates.tenant_id", "journey_templates.id"]
        ),
        UniqueConstraint("tenant_id", "template_id", "version"),
    )

    template_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer)
    #: The movement prescription profile the journey follows (None: none named).
    profile_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: shared.enums.Intensity: nothing above it is offered inside the journey.
    intensity_ceiling: Mapped[str] = mapped_column(String(10))
    #: shared.carepath.vocabulary.RiskFlag / Goal keys the journey suits.
    indications: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: RiskFlag keys of members it must never be recommended to.
    contraindications: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: shared.carepath.plans.to_json(JourneyPlan)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class JourneyEnrolment(TenantScoped, Timestamps, Base):
    """A member on one version of a journey: enrolled → active → paused → completed or
    dropped (shared.carepath.enrolment.EnrolmentStatus)."""

    __tablename__ = "journey_enrolments"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        ForeignKeyConstraint(
            ["tenant_id", "version_id"], ["journey_versions.tenant_id", "journey_versions.id"]
        ),
        Index("ix_journey_enrolments_member", "tenant_id", "member_id", "status"),
        Index("ix_journey_enrolments_coach", "tenant_id", "coach_id", "status"),
        # One live enrolment per member and journey, even for two requests at once.
        Index(
            "uq_journey_enrolments_live",
            "tenant_id",
            "member_id",
            "template_id",
            unique=True,
            sqlite_where=text(_LIVE_WHERE),
            postgresql_where=text(_LIVE_WHERE),
        ),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    template_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    version_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(String(12))
    #: The Monday-or-chosen local date week 1 starts on, in the member's zone.
    starts_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    #: The coach looking after the member on this journey (a staff account).
    coach_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: "member" (self-enrolled) or "staff".
    enrolled_by_kind: Mapped[str] = mapped_column(String(10))
    enrolled_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: Mean of the counted weeks' capped dose, 0..1 (paused weeks excluded).
    adherence: Mapped[float] = mapped_column(
        Numeric(6, 4, asdecimal=False), default=0.0, server_default="0"
    )
    weeks_met: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    habit_point_on: Mapped[date | None] = mapped_column(Date)
    #: Coach adjustments in force (intensity, the mix of Tiles and classes), as JSON.
    adjustments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class JourneyEnrolmentWeek(Base):
    """One week of an enrolment: its targets after progression and adjustment, what was
    logged, and whether the dose was met."""

    __tablename__ = "journey_enrolment_weeks"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "enrolment_id"],
            ["journey_enrolments.tenant_id", "journey_enrolments.id"],
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    enrolment_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    week: Mapped[int] = mapped_column(Integer, primary_key=True)
    starts_on: Mapped[date] = mapped_column(Date)
    #: shared.carepath.plans WeekTarget fields for this member's week.
    target: Mapped[dict[str, int]] = mapped_column(JSON)
    minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sessions: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    strength_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    tiles: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    dose: Mapped[float] = mapped_column(
        Numeric(6, 4, asdecimal=False), default=0.0, server_default="0"
    )
    met: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    #: When a roll-up first found the week ended (its ``journey.week_closed`` was published
    #: then, once, whichever process got there first).
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class JourneyEnrolmentEvent(TenantScoped, Base):
    """The enrolment's history: each status change and coach adjustment, with who and why."""

    __tablename__ = "journey_enrolment_events"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "enrolment_id"],
            ["journey_enrolments.tenant_id", "journey_enrolments.id"],
        ),
        Index("ix_journey_enrolment_events_enrolment", "tenant_id", "enrolment_id", "at"),
    )

    enrolment_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: enrolled, started, paused, resumed, completed, dropped, adjusted
    kind: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    by_kind: Mapped[str] = mapped_column(String(10))  # member, staff, system
    by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    reason: Mapped[str] = mapped_column(String(500), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class JourneyAssessmentResult(TenantScoped, Base):
    """One measurement of a plan's assessment (a sit-to-stand count, a resting heart rate)
    in one week of an enrolment, by the member or by staff. The value is health data:
    sealed (``server.db.sealed``), bound to its row by :func:`assessment_context`."""

    __tablename__ = "journey_assessment_results"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "enrolment_id"],
            ["journey_enrolments.tenant_id", "journey_enrolments.id"],
        ),
        UniqueConstraint("tenant_id", "enrolment_id", "week", "key"),
    )

    enrolment_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    week: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(50))
    #: The measured number as text, sealed.
    sealed_value: Mapped[bytes] = mapped_column(LargeBinary)
    recorded_by_kind: Mapped[str] = mapped_column(String(10))  # member, staff
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


def assessment_context(tenant_id: uuid.UUID, result_id: uuid.UUID) -> str:
    """What a sealed assessment value is bound to: moved to another row, it no longer opens."""
    return f"journey_assessment_results.value:{tenant_id}:{result_id}"
