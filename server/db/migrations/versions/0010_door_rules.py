"""door rules: re-entries and the class check-in window

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 03:30:00

``checkins.repeat_of`` marks a re-entry (a member admitted again at the same location within
the re-entry window): it names the admission whose visit it is, and took no credit or visit.
``checkin_policies`` holds a tenant's re-entry window and how long before a class its
check-in opens; a tenant without a row has the defaults (180 and 60 minutes).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # In place: a batch rebuild of checkins on SQLite would be slow and gains nothing.
    op.add_column("checkins", sa.Column("repeat_of", sa.Uuid(), nullable=True))
    op.create_table(
        "checkin_policies",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("reentry_window_minutes", sa.Integer(), nullable=False),
        sa.Column("class_checkin_opens_minutes", sa.Integer(), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_checkin_policies")),
    )


def downgrade() -> None:
    op.drop_table("checkin_policies")
    bind = op.get_bind()
    version = bind.dialect.server_version_info or ()
    if bind.dialect.name != "sqlite" or version >= (3, 35):
        op.drop_column("checkins", "repeat_of")
    else:
        with op.batch_alter_table("checkins") as batch:
            batch.drop_column("repeat_of")
