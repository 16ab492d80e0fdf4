"""members: who registered them and who gave them their card at a kiosk

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 05:00:00

A walk-in registered at a kiosk and a card given there carry the staff member who did it;
the member row keeps both (None for members from elsewhere and for older kiosks).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_COLUMNS = (
    ("members", sa.Column("registered_by", sa.Uuid(), nullable=True)),
    ("members", sa.Column("card_assigned_by", sa.Uuid(), nullable=True)),
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
