"""engagement projection: movement_events.projected_seq (NULL: still to project) with a
partial index on the pending ones; engagement_cursors, member_engagement, badge_awards,
streak_pauses

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 11:55:00

Existing events stay unprojected, so the first run of the projector projects history.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

# revision identifiers, used by Alembic.
revision: str = "0028"
down_revision: str | Sequence[str] | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = server.db.base.UtcDateTime(timezone=True)


def _member_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", "member_id"],
        ["members.tenant_id", "members.id"],
        name=op.f(f"fk_{table}_tenant_id_member_id_members"),
    )


def upgrade() -> None:
    op.add_column("movement_events", sa.Column("projected_seq", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_movement_events_tenant_pending",
        "movement_events",
        ["tenant_id", "id"],
        sqlite_where=sa.text("projected_seq IS NULL"),
        postgresql_where=sa.text("projected_seq IS NULL"),
    )
    op.create_table(
        "engagement_cursors",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_engagement_cursors")),
    )
    op.create_table(
        "member_engagement",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("daily_current", sa.Integer(), server_default="0", nullable=False),
        sa.Column("daily_longest", sa.Integer(), server_default="0", nullable=False),
        sa.Column("weekly_current", sa.Integer(), server_default="0", nullable=False),
        sa.Column("weekly_longest", sa.Integer(), server_default="0", nullable=False),
        sa.Column("score", sa.Numeric(8, 6), server_default="0", nullable=False),
        sa.Column("points", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_active_on", sa.Date(), nullable=True),
        sa.Column("goal_kind", sa.String(length=10), nullable=True),
        sa.Column("goal_target", sa.Integer(), nullable=True),
        sa.Column("updated_at", _UTC, nullable=False),
        _member_fk("member_engagement"),
        sa.PrimaryKeyConstraint("tenant_id", "member_id", name=op.f("pk_member_engagement")),
    )
    op.create_index(
        "ix_member_engagement_tenant_weekly",
        "member_engagement",
        ["tenant_id", "weekly_current"],
    )
    op.create_table(
        "badge_awards",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("badge", sa.String(length=50), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("explanation", sa.String(length=300), nullable=False),
        sa.Column("earned_on", sa.Date(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _member_fk("badge_awards"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_badge_awards")),
        sa.UniqueConstraint(
            "tenant_id", "member_id", "key", name=op.f("uq_badge_awards_tenant_id_member_id_key")
        ),
    )
    op.create_table(
        "streak_pauses",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("projected_seq", sa.BigInteger(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("updated_at", _UTC, nullable=False),
        _member_fk("streak_pauses"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_streak_pauses")),
    )
    op.create_index("ix_streak_pauses_tenant_member", "streak_pauses", ["tenant_id", "member_id"])


def downgrade() -> None:
    op.drop_index("ix_streak_pauses_tenant_member", table_name="streak_pauses")
    op.drop_table("streak_pauses")
    op.drop_table("badge_awards")
    op.drop_index("ix_member_engagement_tenant_weekly", table_name="member_engagement")
    op.drop_table("member_engagement")
    op.drop_table("engagement_cursors")
    op.drop_index("ix_movement_events_tenant_pending", table_name="movement_events")
    with op.batch_alter_table("movement_events") as batch:
        batch.drop_column("projected_seq")
