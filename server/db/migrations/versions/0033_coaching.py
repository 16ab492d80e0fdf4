"""coaching: lead coaches and their changes, coaches' contacts, the tenant's threshold

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-05 14:55:00

A contact's text is sealed (AES-GCM, bound to its row) before it is stored: coach notes
are health data.
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import server.db.base


# revision identifiers, used by Alembic.
revision: str = "0033"
down_revision: Union[str, Sequence[str], None] = "0032"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _member_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", "member_id"],
        ["members.tenant_id", "members.id"],
        name=op.f(f"fk_{table}_tenant_id_member_id_members"),
    )


def upgrade() -> None:
    op.create_table(
        "coach_assignments",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("coach_id", sa.Uuid(), nullable=False),
        sa.Column("since", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.Uuid(), nullable=True),
        _member_fk("coach_assignments"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "coach_id"],
            ["staff_accounts.tenant_id", "staff_accounts.id"],
            name=op.f("fk_coach_assignments_tenant_id_coach_id_staff_accounts"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "member_id", name=op.f("pk_coach_assignments")),
    )
    with op.batch_alter_table("coach_assignments", schema=None) as batch_op:
        batch_op.create_index("ix_coach_assignments_coach", ["tenant_id", "coach_id"], unique=False)

    op.create_table(
        "coach_assignment_changes",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("coach_id", sa.Uuid(), nullable=True),
        sa.Column("previous_coach_id", sa.Uuid(), nullable=True),
        sa.Column("at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("by", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _member_fk("coach_assignment_changes"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_coach_assignment_changes")),
    )
    with op.batch_alter_table("coach_assignment_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_coach_assignment_changes_member", ["tenant_id", "member_id", "at"], unique=False
        )

    op.create_table(
        "coach_contacts",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("coach_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("referred_to", sa.String(length=20), nullable=True),
        sa.Column("sealed_text", sa.LargeBinary(), nullable=False),
        sa.Column("nudge_id", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _member_fk("coach_contacts"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_coach_contacts")),
    )
    with op.batch_alter_table("coach_contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_coach_contacts_member", ["tenant_id", "member_id", "at"], unique=False
        )

    op.create_table(
        "coaching_policies",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("slipping_below", sa.Numeric(precision=4, scale=3), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_coaching_policies")),
    )


def downgrade() -> None:
    op.drop_table("coaching_policies")
    with op.batch_alter_table("coach_contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_coach_contacts_member")
    op.drop_table("coach_contacts")
    with op.batch_alter_table("coach_assignment_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_coach_assignment_changes_member")
    op.drop_table("coach_assignment_changes")
    with op.batch_alter_table("coach_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_coach_assignments_coach")
    op.drop_table("coach_assignments")
