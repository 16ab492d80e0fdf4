"""nudges: what was sent to whom and why, members' nudge settings, tenants' nudge policy

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 11:40:00

One row per nudge and subject, unique, so that background jobs in several processes send
each nudge once: the first insert wins and queues its notice in the same transaction.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

# revision identifiers, used by Alembic.
revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = server.db.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "nudges",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject_key", sa.String(length=100), nullable=False),
        sa.Column("why", sa.String(length=300), nullable=False),
        sa.Column("due_at", _UTC, nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("sent_at", _UTC, nullable=True),
        sa.Column("skipped", sa.String(length=20), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_nudges_tenant_id_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_nudges")),
        sa.UniqueConstraint(
            "tenant_id", "member_id", "kind", "subject_key", name=op.f("uq_nudges_subject")
        ),
    )
    op.create_index(
        "ix_nudges_tenant_member_created", "nudges", ["tenant_id", "member_id", "created_at"]
    )
    op.create_table(
        "nudge_settings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("opted_out", sa.JSON(), nullable=False),
        sa.Column("quiet_start_minute", sa.Integer(), nullable=False),
        sa.Column("quiet_end_minute", sa.Integer(), nullable=False),
        sa.Column("updated_at", _UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_nudge_settings_tenant_id_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "member_id", name=op.f("pk_nudge_settings")),
    )
    op.create_table(
        "nudge_policies",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("weekly_cap", sa.Integer(), nullable=False),
        sa.Column("reminder_minutes", sa.Integer(), nullable=False),
        sa.Column("lapse_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", _UTC, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_nudge_policies")),
    )


def downgrade() -> None:
    op.drop_table("nudge_policies")
    op.drop_table("nudge_settings")
    op.drop_index("ix_nudges_tenant_member_created", table_name="nudges")
    op.drop_table("nudges")
