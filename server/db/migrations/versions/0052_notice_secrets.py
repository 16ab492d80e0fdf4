"""Notice secrets and attachments: a notice that carries a one-time secret (a password
reset or an invitation link) is marked, and its body is wiped once it is sent or failed for
good; an email may carry one attachment (a receipt's PDF), dropped once sent

Revision ID: 0052
Revises: 0051
Create Date: 2026-12-06 00:00:00.000000

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0052"
down_revision: Union[str, Sequence[str], None] = "0051"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases (no batch copy of a busy table on SQLite).
    op.add_column(
        "notices",
        sa.Column("secret", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("notices", sa.Column("attachment_name", sa.String(length=100), nullable=True))
    op.add_column("notices", sa.Column("attachment", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    # SQLite >= 3.35 drops columns
    op.drop_column("notices", "attachment")
    op.drop_column("notices", "attachment_name")
    op.drop_column("notices", "secret")
