"""circles: interest groups, who belonged to them when, and their announcements

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 10:10:00

A member's stays in a circle are rows with a join and a leave time (never updated but to
close them), so the members of a circle at any past moment can be answered. At most one
open stay per member and circle, by a partial unique index on both databases.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

# revision identifiers, used by Alembic.
revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = server.db.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "circles",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=True),
        sa.Column("interest", sa.String(length=50), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("invite_only", sa.Boolean(), nullable=False),
        sa.Column("leader_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("archived_at", _UTC, nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("updated_at", _UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "location_id"],
            ["locations.tenant_id", "locations.id"],
            name=op.f("fk_circles_tenant_id_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "leader_id"],
            ["staff_accounts.tenant_id", "staff_accounts.id"],
            name=op.f("fk_circles_tenant_id_leader_id_staff_accounts"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_circles")),
    )
    op.create_index("ix_circles_tenant_name", "circles", ["tenant_id", "name"])
    op.create_table(
        "circle_memberships",
        sa.Column("circle_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("joined_at", _UTC, nullable=False),
        sa.Column("left_at", _UTC, nullable=True),
        sa.Column("added_by", sa.Uuid(), nullable=True),
        sa.Column("removed_by", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "circle_id"],
            ["circles.tenant_id", "circles.id"],
            name=op.f("fk_circle_memberships_tenant_id_circle_id_circles"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_circle_memberships_tenant_id_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_circle_memberships")),
    )
    op.create_index(
        "ix_circle_memberships_tenant_circle",
        "circle_memberships",
        ["tenant_id", "circle_id", "joined_at"],
    )
    op.create_index(
        "ix_circle_memberships_tenant_member", "circle_memberships", ["tenant_id", "member_id"]
    )
    op.create_index(
        "uq_circle_memberships_open",
        "circle_memberships",
        ["tenant_id", "circle_id", "member_id"],
        unique=True,
        sqlite_where=sa.text("left_at IS NULL"),
        postgresql_where=sa.text("left_at IS NULL"),
    )
    op.create_table(
        "circle_announcements",
        sa.Column("circle_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=5000), nullable=False),
        sa.Column("challenge_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "circle_id"],
            ["circles.tenant_id", "circles.id"],
            name=op.f("fk_circle_announcements_tenant_id_circle_id_circles"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_circle_announcements")),
    )
    op.create_index(
        "ix_circle_announcements_tenant_circle",
        "circle_announcements",
        ["tenant_id", "circle_id", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_circle_announcements_tenant_circle", table_name="circle_announcements")
    op.drop_table("circle_announcements")
    op.drop_index("uq_circle_memberships_open", table_name="circle_memberships")
    op.drop_index("ix_circle_memberships_tenant_member", table_name="circle_memberships")
    op.drop_index("ix_circle_memberships_tenant_circle", table_name="circle_memberships")
    op.drop_table("circle_memberships")
    op.drop_index("ix_circles_tenant_name", table_name="circles")
    op.drop_table("circles")
