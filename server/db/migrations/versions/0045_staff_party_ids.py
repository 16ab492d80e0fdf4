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


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("party_id", sa.String(200), nullable=True))
            batch.create_unique_constraint(f"uq_{table}_tenant_id_party_id", ["tenant_id", "party_id"])


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"uq_{table}_tenant_id_party_id", type_="unique")
            batch.drop_column("party_id")
