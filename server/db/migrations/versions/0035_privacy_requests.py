"""privacy requests: the log of members' exports, erasures and rectifications

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-05 15:40:00
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import server.db.base


# revision identifiers, used by Alembic.
revision: str = "0035"
down_revision: Union[str, Sequence[str], None] = "0034"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "privacy_requests",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("requested_by_kind", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=False),
        sa.Column("requested_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("details", sa.String(length=2000), nullable=True),
        sa.Column("outcome", sa.String(length=500), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_privacy_requests_tenant_id_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_privacy_requests")),
    )
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_privacy_requests_tenant_member", ["tenant_id", "member_id"], unique=False
        )
        batch_op.create_index(
            "ix_privacy_requests_tenant_requested", ["tenant_id", "requested_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_privacy_requests_tenant_requested")
        batch_op.drop_index("ix_privacy_requests_tenant_member")
    op.drop_table("privacy_requests")
