"""scheduling: local date and time of sessions, iCal sequence, missing-time rule of schedules

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 01:55:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db.migrations.session_local_times import fill_local_times

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite cannot add a NOT NULL column without a server default. The defaults of
# on_missing_time and sequence are what the application writes for a new schedule or
# session; the local date and time are only placeholders, replaced by the backfill below
# (the application always writes both itself).
_COLUMNS = (
    (
        "schedules",
        sa.Column("on_missing_time", sa.String(length=5), nullable=False, server_default="shift"),
    ),
    (
        "class_sessions",
        sa.Column("local_date", sa.Date(), nullable=False, server_default="1970-01-01"),
    ),
    (
        "class_sessions",
        sa.Column("local_start", sa.Time(), nullable=False, server_default="00:00:00"),
    ),
    ("class_sessions", sa.Column("sequence", sa.Integer(), nullable=False, server_default="0")),
)


def upgrade() -> None:
    """Upgrade schema."""
    for table, column in _COLUMNS:
        op.add_column(table, column)
        if op.get_bind().dialect.name != "sqlite":
            op.alter_column(table, column.name, server_default=None)
    fill_local_times(op.get_bind(), only_placeholders=False)
    op.create_index(
        "ix_class_sessions_tenant_local_date",
        "class_sessions",
        ["tenant_id", "local_date"],
        unique=False,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_class_sessions_tenant_local_date", table_name="class_sessions")
    # SQLite's batch mode rebuilds the table, dropping class_sessions under the bookings that
    # reference it: with foreign keys on, that fails as soon as a booking exists. SQLite 3.35
    # drops a column in place.
    bind = op.get_bind()
    version = bind.dialect.server_version_info or ()
    in_place = bind.dialect.name != "sqlite" or version >= (3, 35)
    for table, column in reversed(_COLUMNS):
        if in_place:
            op.drop_column(table, column.name)
            continue
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column.name)
