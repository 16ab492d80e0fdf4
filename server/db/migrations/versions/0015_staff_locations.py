"""staff: roles limited to locations

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 07:00:00

A staff member's role may be limited to some of the tenant's locations (a London manager
manages London, not Accra): the ids of those locations, as JSON; None or empty for the
whole tenant, as every account was before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """In place (a batch rebuild on SQLite would drop tables others reference)."""
    op.add_column("staff_accounts", sa.Column("location_ids", sa.JSON(), nullable=True))


def downgrade() -> None:
    """In place from SQLite 3.35; a batch rebuild before that."""
    bind = op.get_bind()
    version = bind.dialect.server_version_info or ()
    if bind.dialect.name != "sqlite" or version >= (3, 35):
        op.drop_column("staff_accounts", "location_ids")
        return
    with op.batch_alter_table("staff_accounts") as batch:
        batch.drop_column("location_ids")
