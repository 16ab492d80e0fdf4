"""members: a folded name search key, and one-time links to set a password

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 06:40:00

``members.search_key`` holds the first and last name folded (case and accents removed,
"Ɛfua Émile" → "ɛfua emile"), computed in Python so that searches match alike on SQLite
and PostgreSQL; existing members get theirs here. ``member_password_tokens`` holds the
hashes of password-reset and invitation links.
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

# revision identifiers, used by Alembic.
revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000


def _fold(text: str) -> str:
    """The fold as it was when this migration was written (kept here, frozen)."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _backfill() -> None:
    bind = op.get_bind()
    members = sa.table(
        "members",
        sa.column("tenant_id", sa.Uuid()),
        sa.column("id", sa.Uuid()),
        sa.column("first_name", sa.String()),
        sa.column("last_name", sa.String()),
        sa.column("search_key", sa.String()),
    )
    rows = bind.execute(
        sa.select(members.c.tenant_id, members.c.id, members.c.first_name, members.c.last_name)
    ).all()
    update = (
        members.update()
        .where(members.c.tenant_id == sa.bindparam("t"), members.c.id == sa.bindparam("i"))
        .values(search_key=sa.bindparam("k"))
    )
    for start in range(0, len(rows), _BATCH):
        chunk = rows[start : start + _BATCH]
        bind.execute(
            update,
            [
                {"t": r.tenant_id, "i": r.id, "k": f"{_fold(r.first_name)} {_fold(r.last_name)}"[:210]}
                for r in chunk
            ],
        )


def upgrade() -> None:
    # In place: a batch rebuild of members on SQLite would drop tables that reference it.
    op.add_column(
        "members",
        sa.Column("search_key", sa.String(length=210), server_default="", nullable=False),
    )
    _backfill()
    op.create_index("ix_members_tenant_search_key", "members", ["tenant_id", "search_key"])
    op.create_table(
        "member_password_tokens",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("used_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_member_password_tokens_tenant_id_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_member_password_tokens")),
    )
    op.create_index(
        "ix_member_password_tokens_tenant_member",
        "member_password_tokens",
        ["tenant_id", "member_id", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_member_password_tokens_tenant_member", table_name="member_password_tokens")
    op.drop_table("member_password_tokens")
    op.drop_index("ix_members_tenant_search_key", table_name="members")
    bind = op.get_bind()
    version = bind.dialect.server_version_info or ()
    if bind.dialect.name != "sqlite" or version >= (3, 35):
        op.drop_column("members", "search_key")
        return
    with op.batch_alter_table("members") as batch:
        batch.drop_column("search_key")
