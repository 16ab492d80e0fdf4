"""journey assessments and closed weeks

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-05 14:55:00

One live enrolment per member and journey is kept by a partial unique index. A plan's
assessments (week 0 and the last week) are recorded per enrolment and week; a
week remembers when a roll-up first found it ended, so its closing is published once.
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import server.db.base


# revision identifiers, used by Alembic.
revision: str = "0034"
down_revision: Union[str, Sequence[str], None] = "0033"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "journey_assessment_results",
        sa.Column("enrolment_id", sa.Uuid(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Numeric(precision=10, scale=2, asdecimal=False), nullable=False),
        sa.Column("recorded_by_kind", sa.String(length=10), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "enrolment_id"],
            ["journey_enrolments.tenant_id", "journey_enrolments.id"],
            name=op.f("fk_journey_assessment_results_tenant_id_enrolment_id_journey_enrolments"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_journey_assessment_results")),
        sa.UniqueConstraint(
            "tenant_id",
            "enrolment_id",
            "week",
            "key",
            name=op.f("uq_journey_assessment_results_tenant_id_enrolment_id_week_key"),
        ),
    )
    live = sa.text("status IN ('enrolled', 'active', 'paused')")
    with op.batch_alter_table("journey_enrolments", schema=None) as batch_op:
        batch_op.create_index(
            "uq_journey_enrolments_live",
            ["tenant_id", "member_id", "template_id"],
            unique=True,
            sqlite_where=live,
            postgresql_where=live,
        )
    with op.batch_alter_table("journey_enrolment_weeks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("closed_at", server.db.base.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("journey_enrolments", schema=None) as batch_op:
        batch_op.drop_index("uq_journey_enrolments_live")
    with op.batch_alter_table("journey_enrolment_weeks", schema=None) as batch_op:
        batch_op.drop_column("closed_at")
    op.drop_table("journey_assessment_results")
