"""activity imports: the activity files members uploaded and each record's outcome

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 11:55:00

One row per distinct file (by SHA-256) per member, so the same file sent again answers with
the first import; the activities themselves live in the movement ledger.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

# revision identifiers, used by Alembic.
revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = server.db.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "activity_imports",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", _UTC, nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=False),
        sa.Column("kept", sa.Integer(), nullable=False),
        sa.Column("merged", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_activity_imports_tenant_id_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_activity_imports")),
        sa.UniqueConstraint(
            "tenant_id",
            "member_id",
            "sha256",
            name=op.f("uq_activity_imports_tenant_id_member_id_sha256"),
        ),
    )
    op.create_index(
        "ix_activity_imports_tenant_member_time",
        "activity_imports",
        ["tenant_id", "member_id", "uploaded_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_activity_imports_tenant_member_time", table_name="activity_imports")
    op.drop_table("activity_imports")
