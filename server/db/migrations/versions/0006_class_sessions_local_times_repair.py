"""class sessions: repair local date and time left as placeholders by the first 0005

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 05:00:00

Migration 0005 first shipped without a backfill: sessions that existed before it kept
1970-01-01 00:00 as their local date and time. It fills them now, but a database that ran
it before still holds those placeholders; this recomputes them from ``starts_at`` in the
location's zone. Data only: the schema does not change.
"""

from collections.abc import Sequence

from alembic import op

from server.db.migrations.session_local_times import fill_local_times

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Recompute local dates and times still holding 0005's placeholders."""
    fill_local_times(op.get_bind(), only_placeholders=True)


def downgrade() -> None:
    """Nothing to undo: the repaired values are the right ones under 0005 as well."""
