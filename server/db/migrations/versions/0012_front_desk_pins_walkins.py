"""walk-ins: an emergency contact and when the waiver was accepted; staff PIN indexes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 03:30:00

A walk-in registered at the desk gives an emergency contact and accepts the waiver; the
member row keeps both (date of birth and card number had columns already).
``staff_accounts.pin_index`` finds whose PIN was typed with one hash (kiosks and the PIN
uniqueness check); PINs set before stay without one until they are next set.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db.base import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_COLUMNS = (
    ("members", sa.Column("emergency_contact", sa.String(length=200), nullable=True)),
    ("members", sa.Column("waiver_accepted_at", UtcDateTime(timezone=True), nullable=True)),
    ("staff_accounts", sa.Column("pin_index", sa.String(length=200), nullable=True)),
)


def upgrade() -> None:
    """Add the columns in place (a batch rebuild on SQLite would drop tables others
    reference)."""
    for table, column in _COLUMNS:
        op.add_column(table, column)


def downgrade() -> None:
    """Drop them again (in place from SQLite 3.35; a batch rebuild before that)."""
    bind = op.get_bind()
    version = bind.dialect.server_version_info or ()
    in_place = bind.dialect.name != "sqlite" or version >= (3, 35)
    for table, column in reversed(_COLUMNS):
        if in_place:
            op.drop_column(table, column.name)
            continue
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column.name)
