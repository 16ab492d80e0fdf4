"""engagement revision: a new random number on every write of a member's engagement row

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05 15:30:00

The projector keeps decoded states between batches and reads a state again only when its
row's revision moved (another process, a rebuild, or the member's goal wrote it).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0030"
down_revision: str | Sequence[str] | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member_engagement") as batch_op:
        batch_op.add_column(
            sa.Column("revision", sa.BigInteger(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("member_engagement") as batch_op:
        batch_op.drop_column("revision")
