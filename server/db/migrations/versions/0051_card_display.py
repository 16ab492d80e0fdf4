"""Cards on file: what staff see of the card (brand, last four digits, expiry)

Revision ID: 0051
Revises: 0050
Create Date: 2026-12-06 03:30:00.000000

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0051"
down_revision: Union[str, Sequence[str], None] = "0050"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("payment_cards") as batch:
        batch.add_column(sa.Column("brand", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("last4", sa.String(length=4), nullable=True))
        batch.add_column(sa.Column("exp_month", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("exp_year", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payment_cards") as batch:
        batch.drop_column("exp_year")
        batch.drop_column("exp_month")
        batch.drop_column("last4")
        batch.drop_column("brand")
