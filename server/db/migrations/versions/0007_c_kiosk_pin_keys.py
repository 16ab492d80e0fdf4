"""kiosk staff PINs: a PIN key per device, and owners' PINs on kiosks only when asked

Revision ID: 0007_c
Revises: 0006
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
revision: str = "0007_c"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("pin_key", sa.String(length=64), nullable=True))
    with op.batch_alter_table("staff_accounts") as batch:
        batch.add_column(
            sa.Column("kiosk_pin", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_accounts") as batch:
        batch.drop_column("kiosk_pin")
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("pin_key")
