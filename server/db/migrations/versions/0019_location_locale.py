"""locations: the locale their pages write dates, times and money in

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 09:20:00

Existing locations get ``en_GB``: 24-hour times and day-first dates, which is how the
providers so far write them; a manager changes it in the location's set-up.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "locations",
        sa.Column("locale", sa.String(length=35), nullable=False, server_default="en_GB"),
    )


def downgrade() -> None:
    """In place from SQLite 3.35 (a rebuild of ``locations`` would trip its references)."""
    bind = op.get_bind()
    version = bind.dialect.server_version_info or ()
    if bind.dialect.name != "sqlite" or version >= (3, 35):
        op.drop_column("locations", "locale")
        return
    with op.batch_alter_table("locations") as batch:
        batch.drop_column("locale")
