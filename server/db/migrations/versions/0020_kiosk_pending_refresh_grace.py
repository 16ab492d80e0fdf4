"""devices: what each kiosk last reported of its outbox; refresh tokens: their successor

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 09:30:00

A kiosk sends its pending count and the age of its oldest pending change with each pull;
the console's Today shows them. A rotated refresh token remembers the one that replaced it,
so that two requests renewing the same cookie at once both succeed while that successor
lives, instead of the second being taken for a leaked token.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

# revision identifiers, used by Alembic.
revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("devices", sa.Column("pending_count", sa.Integer(), nullable=True))
    op.add_column(
        "devices",
        sa.Column("oldest_pending_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
    )
    op.add_column("refresh_tokens", sa.Column("replaced_by", sa.Uuid(), nullable=True))


def downgrade() -> None:
    """In place from SQLite 3.35 (a rebuild would trip the tables' references)."""
    bind = op.get_bind()
    version = bind.dialect.server_version_info or ()
    columns = (
        ("refresh_tokens", "replaced_by"),
        ("devices", "oldest_pending_at"),
        ("devices", "pending_count"),
    )
    if bind.dialect.name != "sqlite" or version >= (3, 35):
        for table, column in columns:
            op.drop_column(table, column)
        return
    for table, column in columns:
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
