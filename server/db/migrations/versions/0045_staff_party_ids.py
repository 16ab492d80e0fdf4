"""integrated identity: staff linked to a ZHEP party (the OpenID Connect subject); members
got theirs with 0044

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-05 21:00:00.000000

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0045"
down_revision: Union[str, Sequence[str], None] = "0044"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_TABLES = ("staff_accounts",)


# A column and a unique index, not a constraint: on SQLite a constraint would rebuild the
# table, which the rows referring to it (foreign keys on) refuse.


def upgrade() -> None:
    for table in _TABLES:
        op.add_column(table, sa.Column("party_id", sa.String(200), nullable=True))
        op.create_index(
            f"uq_{table}_tenant_id_party_id", table, ["tenant_id", "party_id"], unique=True
        )


def downgrade() -> None:
    for table in _TABLES:
        op.drop_index(f"uq_{table}_tenant_id_party_id", table_name=table)
        op.drop_column(table, "party_id")
