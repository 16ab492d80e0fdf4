"""scheduling and bookings: session types, schedules, sessions, bookings, policies, notices

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 01:35:47.925249

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "booking_policies",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("opens_days_before", sa.Integer(), nullable=False),
        sa.Column("closes_minutes_before", sa.Integer(), nullable=False),
        sa.Column("late_cancel_minutes", sa.Integer(), nullable=False),
        sa.Column("late_cancel_fee", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("late_cancel_forfeits_credit", sa.Boolean(), nullable=False),
        sa.Column("no_show_fee", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("no_show_forfeits_credit", sa.Boolean(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("grace_allowance", sa.Integer(), nullable=False),
        sa.Column("grace_period_days", sa.Integer(), nullable=False),
        sa.Column("late_after_minutes", sa.Integer(), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_booking_policies")),
    )
    op.create_table(
        "notices",
        sa.Column("to_email", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(length=50), nullable=False),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_notices")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notices_tenant_unsent", ["tenant_id", "sent_at", "next_attempt_at"], unique=False
        )

    op.create_table(
        "session_types",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("default_capacity", sa.Integer(), nullable=False),
        sa.Column("requires_approval", sa.Boolean(), nullable=False),
        sa.Column("intensity", sa.String(length=10), nullable=False),
        sa.Column("primary_goal", sa.String(length=100), nullable=True),
        sa.Column("contraindications", sa.JSON(), nullable=False),
        sa.Column("suggested_per_week", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_session_types")),
    )
    op.create_table(
        "class_sessions",
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("session_type_id", sa.Uuid(), nullable=False),
        sa.Column("schedule_id", sa.Uuid(), nullable=True),
        sa.Column("occurrence_date", sa.Date(), nullable=True),
        sa.Column("instructor_id", sa.Uuid(), nullable=True),
        sa.Column("starts_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("confirmed_count", sa.Integer(), nullable=False),
        sa.Column("waitlist_count", sa.Integer(), nullable=False),
        sa.Column("next_position", sa.Integer(), nullable=False),
        sa.Column("room", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("cancel_reason", sa.String(length=300), nullable=True),
        sa.Column("detached", sa.Boolean(), nullable=False),
        sa.Column("closed_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "location_id"],
            ["locations.tenant_id", "locations.id"],
            name=op.f("fk_class_sessions_tenant_id_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "session_type_id"],
            ["session_types.tenant_id", "session_types.id"],
            name=op.f("fk_class_sessions_tenant_id_session_type_id_session_types"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_class_sessions")),
        sa.UniqueConstraint(
            "tenant_id",
            "schedule_id",
            "occurrence_date",
            name=op.f("uq_class_sessions_tenant_id_schedule_id_occurrence_date"),
        ),
    )
    with op.batch_alter_table("class_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_class_sessions_tenant_location_start",
            ["tenant_id", "location_id", "starts_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_class_sessions_tenant_start", ["tenant_id", "starts_at"], unique=False
        )

    op.create_table(
        "schedules",
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("session_type_id", sa.Uuid(), nullable=False),
        sa.Column("instructor_id", sa.Uuid(), nullable=True),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("local_start", sa.Time(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("except_dates", sa.JSON(), nullable=False),
        sa.Column("room", sa.String(length=100), nullable=True),
        sa.Column("ended_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "location_id"],
            ["locations.tenant_id", "locations.id"],
            name=op.f("fk_schedules_tenant_id_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "session_type_id"],
            ["session_types.tenant_id", "session_types.id"],
            name=op.f("fk_schedules_tenant_id_session_type_id_session_types"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_schedules")),
    )
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.create_index(
            "ix_schedules_tenant_location", ["tenant_id", "location_id"], unique=False
        )

    op.create_table(
        "bookings",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("starts_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("booked_by", sa.Uuid(), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("booked_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("promoted_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("membership_id", sa.Uuid(), nullable=True),
        sa.Column("credit_taken", sa.Boolean(), nullable=False),
        sa.Column("cancelled_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancel_kind", sa.String(length=20), nullable=True),
        sa.Column("attendance", sa.String(length=10), nullable=True),
        sa.Column("checked_in_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("checkin_id", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_bookings_tenant_id_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "session_id"],
            ["class_sessions.tenant_id", "class_sessions.id"],
            name=op.f("fk_bookings_tenant_id_session_id_class_sessions"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_bookings")),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bookings_tenant_member_start", ["tenant_id", "member_id", "starts_at"], unique=False
        )
        batch_op.create_index(
            "ix_bookings_tenant_session_position",
            ["tenant_id", "session_id", "position"],
            unique=False,
        )

    op.create_table(
        "session_type_instructors",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("session_type_id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "session_type_id"],
            ["session_types.tenant_id", "session_types.id"],
            name=op.f("fk_session_type_instructors_tenant_id_session_type_id_session_types"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "staff_id"],
            ["staff_accounts.tenant_id", "staff_accounts.id"],
            name=op.f("fk_session_type_instructors_tenant_id_staff_id_staff_accounts"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "session_type_id", "staff_id", name=op.f("pk_session_type_instructors")
        ),
    )
    op.create_table(
        "booking_penalties",
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("waived_by", sa.Uuid(), nullable=True),
        sa.Column("waived_reason", sa.String(length=300), nullable=True),
        sa.Column("waived_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "booking_id"],
            ["bookings.tenant_id", "bookings.id"],
            name=op.f("fk_booking_penalties_tenant_id_booking_id_bookings"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_booking_penalties")),
    )
    with op.batch_alter_table("booking_penalties", schema=None) as batch_op:
        batch_op.create_index(
            "ix_booking_penalties_tenant_member",
            ["tenant_id", "member_id", "created_at"],
            unique=False,
        )

    # ### end Alembic commands ###


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("booking_penalties", schema=None) as batch_op:
        batch_op.drop_index("ix_booking_penalties_tenant_member")

    op.drop_table("booking_penalties")
    op.drop_table("session_type_instructors")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index("ix_bookings_tenant_session_position")
        batch_op.drop_index("ix_bookings_tenant_member_start")

    op.drop_table("bookings")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_index("ix_schedules_tenant_location")

    op.drop_table("schedules")
    with op.batch_alter_table("class_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_class_sessions_tenant_start")
        batch_op.drop_index("ix_class_sessions_tenant_location_start")

    op.drop_table("class_sessions")
    op.drop_table("session_types")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index("ix_notices_tenant_unsent")

    op.drop_table("notices")
    op.drop_table("booking_policies")
    # ### end Alembic commands ###
