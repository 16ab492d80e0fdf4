"""kiosk staff PINs: a PIN key per device, and owners' PINs on kiosks only when asked

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 02:00:00

Kiosks no longer download argon2 hashes of staff PINs, but verifiers keyed with a key only
the device and the server know. ``devices.pin_key`` holds it; devices enrolled before this
get it the next time they ask for a token. ``staff_accounts.kiosk_pin`` says whether an
owner's PIN goes to kiosks at all (no, until the owner asks).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_COLUMNS = (
    ("devices", sa.Column("pin_key", sa.String(length=64), nullable=True)),
    (
        "staff_accounts",
        sa.Column("kiosk_pin", sa.Boolean(), nullable=False, server_default=sa.false()),
    ),
)


def upgrade() -> None:
    """Add the columns in place (a batch rebuild on SQLite would drop tables others
    reference)."""
    for table, column in _COLUMNS:
        op.add_column(table, column)
        if op.get_bind().dialect.name != "sqlite" and column.server_default is not None:
            op.alter_column(table, column.name, server_default=None)


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
