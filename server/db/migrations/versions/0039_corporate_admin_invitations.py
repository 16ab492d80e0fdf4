"""corporate admins: the one-time link of their invitation

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-05 18:00:00

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import server.db.base


# revision identifiers, used by Alembic.
revision: str = "0039"
down_revision: Union[str, Sequence[str], None] = "0038"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column(
        "corporate_admins", sa.Column("invitation_hash", sa.String(length=64), nullable=True)
    )
    op.add_column(
        "corporate_admins",
        sa.Column("invitation_expires_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("corporate_admins", "invitation_expires_at")
    op.drop_column("corporate_admins", "invitation_hash")
