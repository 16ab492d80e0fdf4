"""prescription profiles: the library and its versions; session types and Tiles follow one

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05 15:00:00

A profile's versions are never changed once written: an edit writes the next one, so what a
profile prescribed at any time stays readable. ``profile_id`` on session types and Tiles has
no foreign key: adding one to these tables on SQLite rebuilds them, and the service checks
the profile (same tenant, not archived) whenever a type or Tile names one.
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import server.db.base


# revision identifiers, used by Alembic.
revision: str = "0031"
down_revision: Union[str, Sequence[str], None] = "0030"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "prescription_profiles",
        sa.Column("starter_key", sa.String(length=50), nullable=True),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("archived_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_prescription_profiles")),
    )
    op.create_index(
        "uq_prescription_profiles_tenant_starter",
        "prescription_profiles",
        ["tenant_id", "starter_key"],
        unique=True,
    )
    op.create_table(
        "prescription_profile_versions",
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=2000), nullable=False),
        sa.Column("indications", sa.JSON(), nullable=False),
        sa.Column("contraindications", sa.JSON(), nullable=False),
        sa.Column("intensity_ceiling", sa.String(length=10), nullable=False),
        sa.Column("frequency_min", sa.Integer(), nullable=False),
        sa.Column("frequency_max", sa.Integer(), nullable=False),
        sa.Column("intensity", sa.String(length=10), nullable=False),
        sa.Column("minutes_per_session", sa.Integer(), nullable=False),
        sa.Column("minutes_per_week", sa.Integer(), nullable=False),
        sa.Column("types", sa.JSON(), nullable=False),
        sa.Column("notes", sa.String(length=2000), nullable=False),
        sa.Column("sources", sa.String(length=2000), nullable=False),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "profile_id"],
            ["prescription_profiles.tenant_id", "prescription_profiles.id"],
            name=op.f(
                "fk_prescription_profile_versions_tenant_id_profile_id_prescription_profiles"
            ),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_prescription_profile_versions")),
        sa.UniqueConstraint(
            "tenant_id",
            "profile_id",
            "version",
            name=op.f("uq_prescription_profile_versions_tenant_id_profile_id_version"),
        ),
    )
    op.add_column("session_types", sa.Column("profile_id", sa.Uuid(), nullable=True))
    op.add_column("tiles", sa.Column("profile_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    bind = op.get_bind()
    version = bind.dialect.server_version_info or ()
    # SQLite 3.35 drops a column in place; a batch rebuild of these tables would fail on
    # the foreign keys that point at them.
    for table in ("tiles", "session_types"):
        if bind.dialect.name != "sqlite" or version >= (3, 35):
            op.drop_column(table, "profile_id")
        else:
            with op.batch_alter_table(table) as batch:
                batch.drop_column("profile_id")
    op.drop_table("prescription_profile_versions")
    op.drop_index("uq_prescription_profiles_tenant_starter", table_name="prescription_profiles")
    op.drop_table("prescription_profiles")
