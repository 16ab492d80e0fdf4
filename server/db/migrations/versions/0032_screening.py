"""screening: questionnaires, staff clearances and risk flags (health data sealed)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-05 15:00:00

Answers, a clearance's evidence, a flag's key and its note are stored sealed
(``server.db.sealed``): the columns are binary, never readable in a copy of the database.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

# revision identifiers, used by Alembic.
revision: str = "0032"
down_revision: str | Sequence[str] | None = "0031"
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
    op.create_table(
        "screenings",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("answers", sa.LargeBinary(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("completed_at", _UTC, nullable=False),
        sa.Column("entered_by_kind", sa.String(length=10), nullable=False),
        sa.Column("entered_by", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _member_fk("screenings"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_screenings")),
    )
    op.create_index(
        "ix_screenings_tenant_member", "screenings", ["tenant_id", "member_id", "completed_at"]
    )
    op.create_table(
        "screening_clearances",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("screening_id", sa.Uuid(), nullable=False),
        sa.Column("cleared_by", sa.Uuid(), nullable=False),
        sa.Column("cleared_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("evidence", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("revoked_at", _UTC, nullable=True),
        sa.Column("revoked_by", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _member_fk("screening_clearances"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "screening_id"],
            ["screenings.tenant_id", "screenings.id"],
            name=op.f("fk_screening_clearances_tenant_id_screening_id_screenings"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_screening_clearances")),
    )
    op.create_index(
        "ix_screening_clearances_tenant_member",
        "screening_clearances",
        ["tenant_id", "member_id"],
    )
    op.create_table(
        "risk_flags",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("flag", sa.LargeBinary(), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("ended_by", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _member_fk("risk_flags"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_risk_flags")),
    )
    op.create_index("ix_risk_flags_tenant_member", "risk_flags", ["tenant_id", "member_id"])


def downgrade() -> None:
    op.drop_index("ix_risk_flags_tenant_member", table_name="risk_flags")
    op.drop_table("risk_flags")
    op.drop_index("ix_screening_clearances_tenant_member", table_name="screening_clearances")
    op.drop_table("screening_clearances")
    op.drop_index("ix_screenings_tenant_member", table_name="screenings")
    op.drop_table("screenings")
