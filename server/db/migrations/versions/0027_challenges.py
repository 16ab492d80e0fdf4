"""challenges: challenges, their participants' scores, and when the ledger stored an event

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 11:50:00

``movement_events.recorded_at`` is when the ledger stored an event: a challenge's grace for
late uploads is decided by it, so a replay decides exactly as the first pass did. Events
stored before this revision keep NULL, read as their ``occurred_at`` (they were on time).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

# revision identifiers, used by Alembic.
revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = server.db.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.add_column("movement_events", sa.Column("recorded_at", _UTC, nullable=True))
    op.create_table(
        "challenges",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=True),
        sa.Column("metric", sa.String(length=20), nullable=False),
        sa.Column("team_by", sa.String(length=20), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("daily_cap", sa.Integer(), nullable=True),
        sa.Column("allow_self_reports", sa.Boolean(), nullable=False),
        sa.Column("target", sa.Integer(), nullable=True),
        sa.Column("circle_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("cancelled_at", _UTC, nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("updated_at", _UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "circle_id"],
            ["circles.tenant_id", "circles.id"],
            name=op.f("fk_challenges_tenant_id_circle_id_circles"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_challenges")),
    )
    op.create_index(
        "ix_challenges_tenant_dates", "challenges", ["tenant_id", "ends_on", "starts_on"]
    )
    op.create_table(
        "challenge_participants",
        sa.Column("challenge_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("joined_at", _UTC, nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reached_at", _UTC, nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("buckets", sa.JSON(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "challenge_id"],
            ["challenges.tenant_id", "challenges.id"],
            name=op.f("fk_challenge_participants_tenant_id_challenge_id_challenges"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_challenge_participants_tenant_id_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_challenge_participants")),
        sa.UniqueConstraint(
            "tenant_id",
            "challenge_id",
            "member_id",
            name=op.f("uq_challenge_participants_tenant_id_challenge_id_member_id"),
        ),
    )
    op.create_index(
        "ix_challenge_participants_board",
        "challenge_participants",
        ["tenant_id", "challenge_id", "score", "reached_at"],
    )
    op.create_index(
        "ix_challenge_participants_member", "challenge_participants", ["tenant_id", "member_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_challenge_participants_member", table_name="challenge_participants")
    op.drop_index("ix_challenge_participants_board", table_name="challenge_participants")
    op.drop_table("challenge_participants")
    op.drop_index("ix_challenges_tenant_dates", table_name="challenges")
    op.drop_table("challenges")
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        with op.batch_alter_table("movement_events") as batch:
            batch.drop_column("recorded_at")
    else:
        op.drop_column("movement_events", "recorded_at")
