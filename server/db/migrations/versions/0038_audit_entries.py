"""audit log: append-only entries (a trigger refuses updates, and deletes of young rows)

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-05 17:55:00

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import server.db.base


revision: str = "0038"
down_revision: Union[str, Sequence[str], None] = "0037"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

#: The youngest entry a DELETE may remove (server.audit.rules.MIN_RETENTION_DAYS): the
#: retention purge deletes only older ones, so no younger entry can go.
FLOOR_DAYS = 30

_PG_FUNCTION = f"""
CREATE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit entries are append-only: no UPDATE';
    END IF;
    IF OLD.at > now() - interval '{FLOOR_DAYS} days' THEN
        RAISE EXCEPTION 'audit entries younger than {FLOOR_DAYS} days cannot be deleted';
    END IF;
    RETURN OLD;
END
$$ LANGUAGE plpgsql
"""

_PG_TRIGGER = """
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()
"""

_SQLITE_TRIGGERS = (
    """
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: no UPDATE'); END
""",
    # SQLite keeps these times as 'YYYY-MM-DD HH:MM:SS.ffffff' text in UTC, which compares
    # in time order with datetime()'s own text.
    f"""
CREATE TRIGGER audit_entries_no_early_delete BEFORE DELETE ON audit_entries
WHEN OLD.at > datetime('now', '-{FLOOR_DAYS} days')
BEGIN SELECT RAISE(ABORT, 'audit entries younger than {FLOOR_DAYS} days cannot be deleted');
END
""",
)


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=True),
        sa.Column("actor_name", sa.String(length=60), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=60), nullable=False),
        sa.Column("entity_id", sa.String(length=120), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_audit_entries")),
    )
    op.create_index("ix_audit_entries_tenant_at", "audit_entries", ["tenant_id", "at"])
    op.create_index(
        "ix_audit_entries_tenant_entity", "audit_entries", ["tenant_id", "entity", "entity_id"]
    )
    op.create_index("ix_audit_entries_tenant_actor", "audit_entries", ["tenant_id", "actor_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(_PG_TRIGGER)
    else:
        for trigger in _SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries")
        op.execute("DROP FUNCTION IF EXISTS audit_entries_append_only()")
    op.drop_index("ix_audit_entries_tenant_actor", table_name="audit_entries")
    op.drop_index("ix_audit_entries_tenant_entity", table_name="audit_entries")
    op.drop_index("ix_audit_entries_tenant_at", table_name="audit_entries")
    op.drop_table("audit_entries")
