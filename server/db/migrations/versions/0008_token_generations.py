"""token generations of staff and members

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 02:00:00

Each account gets a token generation, carried in its access tokens: a change of role,
location or activation, archiving and signing out move it on, so tokens issued before
stop working on the next request. Existing accounts start at 0, as do tokens without one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("staff_accounts", "members")


def upgrade() -> None:
    """Add the columns; SQLite adds a NOT NULL column with a default in place."""
    for table in _TABLES:
        op.add_column(
            table, sa.Column("token_generation", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    """Drop the columns. SQLite's batch mode would rebuild the tables under the rows that
    reference them (failing with foreign keys on); SQLite 3.35 drops a column in place."""
    bind = op.get_bind()
    version = bind.dialect.server_version_info or ()
    in_place = bind.dialect.name != "sqlite" or version >= (3, 35)
    for table in _TABLES:
        if in_place:
            op.drop_column(table, "token_generation")
            continue
        with op.batch_alter_table(table) as batch:
            batch.drop_column("token_generation")
