"""integrated eligibility: members' ZHEP party, the last-known ZPS benefit per member, and
utilisation reports waiting for ZPS to acknowledge them

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-05 20:45:00.000000

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import server.db.base


# revision identifiers, used by Alembic.
revision: str = "0044"
down_revision: Union[str, Sequence[str], None] = "0043"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # A column and a unique index, not a constraint: on SQLite a constraint would rebuild
    # the members table, which the rows referring to it (foreign keys on) refuse.
    op.add_column("members", sa.Column("party_id", sa.String(length=200), nullable=True))
    op.create_index(
        "uq_members_tenant_id_party_id", "members", ["tenant_id", "party_id"], unique=True
    )
    op.create_table(
        "benefit_snapshots",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("party_id", sa.String(length=200), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("benefit_id", sa.String(length=64), nullable=True),
        sa.Column("wallet_balance", sa.String(length=40), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("visits_left", sa.Integer(), nullable=True),
        sa.Column("valid_until", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("checked_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "member_id", name=op.f("pk_benefit_snapshots")),
    )
    op.create_table(
        "benefit_utilisations",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("party_id", sa.String(length=200), nullable=False),
        sa.Column("benefit_id", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("occurred_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("checkin_id", sa.Uuid(), nullable=True),
        sa.Column("receipt", sa.String(length=64), nullable=True),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("reported_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_benefit_utilisations")),
        sa.UniqueConstraint(
            "tenant_id",
            "member_id",
            "location_id",
            "occurred_at",
            name=op.f("uq_benefit_utilisations_tenant_id_member_id_location_id_occurred_at"),
        ),
    )
    op.create_index(
        "ix_benefit_utilisations_tenant_due",
        "benefit_utilisations",
        ["tenant_id", "state", "next_attempt_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_benefit_utilisations_tenant_due", table_name="benefit_utilisations")
    op.drop_table("benefit_utilisations")
    op.drop_table("benefit_snapshots")
    op.drop_index("uq_members_tenant_id_party_id", table_name="members")
    op.drop_column("members", "party_id")
