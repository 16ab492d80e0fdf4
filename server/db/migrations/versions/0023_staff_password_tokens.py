"""staff: one-time links to set a password (resets and invitations)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 10:20:00

``staff_password_tokens`` holds the hashes of staff password-reset and invitation links.
An invited account's ``password_hash`` is empty until its first password is chosen, so
the column itself does not change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

# revision identifiers, used by Alembic.
revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_password_tokens",
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("used_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "staff_id"],
            ["staff_accounts.tenant_id", "staff_accounts.id"],
            name=op.f("fk_staff_password_tokens_tenant_id_staff_id_staff_accounts"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_staff_password_tokens")),
    )
    op.create_index(
        "ix_staff_password_tokens_tenant_staff",
        "staff_password_tokens",
        ["tenant_id", "staff_id", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_staff_password_tokens_tenant_staff", table_name="staff_password_tokens")
    op.drop_table("staff_password_tokens")
