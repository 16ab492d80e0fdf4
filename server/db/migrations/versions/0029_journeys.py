"""journeys: templates and their versions, enrolments, their weeks and their history

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 14:40:26

An enrolment points at the version it was enrolled on, so editing a template with live
enrolments (a new version) never changes what those members were asked to do.
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import server.db.base


# revision identifiers, used by Alembic.
revision: str = "0029"
down_revision: Union[str, Sequence[str], None] = "0028"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "journey_templates",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=2000), nullable=False),
        sa.Column("starter_key", sa.String(length=50), nullable=True),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("archived_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_journey_templates")),
    )
    with op.batch_alter_table("journey_templates", schema=None) as batch_op:
        batch_op.create_index(
            "uq_journey_templates_tenant_starter", ["tenant_id", "starter_key"], unique=True
        )

    op.create_table(
        "journey_versions",
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Uuid(), nullable=True),
        sa.Column("intensity_ceiling", sa.String(length=10), nullable=False),
        sa.Column("indications", sa.JSON(), nullable=False),
        sa.Column("contraindications", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "template_id"],
            ["journey_templates.tenant_id", "journey_templates.id"],
            name=op.f("fk_journey_versions_tenant_id_template_id_journey_templates"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_journey_versions")),
        sa.UniqueConstraint(
            "tenant_id",
            "template_id",
            "version",
            name=op.f("uq_journey_versions_tenant_id_template_id_version"),
        ),
    )
    op.create_table(
        "journey_enrolments",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("coach_id", sa.Uuid(), nullable=True),
        sa.Column("enrolled_by_kind", sa.String(length=10), nullable=False),
        sa.Column("enrolled_by", sa.Uuid(), nullable=True),
        sa.Column(
            "adherence",
            sa.Numeric(precision=6, scale=4, asdecimal=False),
            server_default="0",
            nullable=False,
        ),
        sa.Column("weeks_met", sa.Integer(), server_default="0", nullable=False),
        sa.Column("habit_point_on", sa.Date(), nullable=True),
        sa.Column("adjustments", sa.JSON(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_journey_enrolments_tenant_id_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "version_id"],
            ["journey_versions.tenant_id", "journey_versions.id"],
            name=op.f("fk_journey_enrolments_tenant_id_version_id_journey_versions"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_journey_enrolments")),
    )
    with op.batch_alter_table("journey_enrolments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_journey_enrolments_coach", ["tenant_id", "coach_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_journey_enrolments_member", ["tenant_id", "member_id", "status"], unique=False
        )

    op.create_table(
        "journey_enrolment_events",
        sa.Column("enrolment_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("by_kind", sa.String(length=10), nullable=False),
        sa.Column("by", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "enrolment_id"],
            ["journey_enrolments.tenant_id", "journey_enrolments.id"],
            name=op.f("fk_journey_enrolment_events_tenant_id_enrolment_id_journey_enrolments"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_journey_enrolment_events")),
    )
    with op.batch_alter_table("journey_enrolment_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_journey_enrolment_events_enrolment",
            ["tenant_id", "enrolment_id", "at"],
            unique=False,
        )

    op.create_table(
        "journey_enrolment_weeks",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("enrolment_id", sa.Uuid(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("target", sa.JSON(), nullable=False),
        sa.Column("minutes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("sessions", sa.Integer(), server_default="0", nullable=False),
        sa.Column("strength_days", sa.Integer(), server_default="0", nullable=False),
        sa.Column("tiles", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "dose",
            sa.Numeric(precision=6, scale=4, asdecimal=False),
            server_default="0",
            nullable=False,
        ),
        sa.Column("met", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("paused", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "enrolment_id"],
            ["journey_enrolments.tenant_id", "journey_enrolments.id"],
            name=op.f("fk_journey_enrolment_weeks_tenant_id_enrolment_id_journey_enrolments"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "enrolment_id", "week", name=op.f("pk_journey_enrolment_weeks")
        ),
    )


def downgrade() -> None:
    op.drop_table("journey_enrolment_weeks")
    with op.batch_alter_table("journey_enrolment_events", schema=None) as batch_op:
        batch_op.drop_index("ix_journey_enrolment_events_enrolment")

    op.drop_table("journey_enrolment_events")
    with op.batch_alter_table("journey_enrolments", schema=None) as batch_op:
        batch_op.drop_index("ix_journey_enrolments_member")
        batch_op.drop_index("ix_journey_enrolments_coach")

    op.drop_table("journey_enrolments")
    op.drop_table("journey_versions")
    with op.batch_alter_table("journey_templates", schema=None) as batch_op:
        batch_op.drop_index("uq_journey_templates_tenant_starter")

    op.drop_table("journey_templates")
