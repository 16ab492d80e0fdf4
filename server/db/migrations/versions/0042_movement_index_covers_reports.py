"""movement by member and date: the index also carries what a sum over a member's months
reads (voids, intensity, minutes), so corporate reports scan it alone

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-05 19:15:00.000000

"""

from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "0042"
down_revision: Union[str, Sequence[str], None] = "0041"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_NAME = "ix_movement_events_tenant_member_date"
_KEY = ["tenant_id", "member_id", "local_date"]
_CARRIED = ["is_void", "voided_by", "intensity", "minutes"]


def upgrade() -> None:
    op.drop_index(_NAME, table_name="movement_events")
    op.create_index(_NAME, "movement_events", [*_KEY, *_CARRIED], unique=False)


def downgrade() -> None:
    op.drop_index(_NAME, table_name="movement_events")
    op.create_index(_NAME, "movement_events", _KEY, unique=False)
