"""journey assessment values sealed at rest; when a waitlisted member was told the
screening gate held them back

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-05 18:00:00

An assessment's measured value (a resting heart rate, a wellbeing score) is health data:
each existing value is sealed (AES-GCM under the server secret's key, bound to its row, as
the application seals new ones) into ``sealed_value``, and the clear ``value`` column
goes. The key is the one the server uses: handed over by ``zmos db upgrade`` and the
server's own upgrade, else read from the settings (ZMOS_SECRET_KEY or the data
directory's key file), and only when there is a row to seal.

``bookings.held_back_told_at``: a member held back from a waitlist promotion is told once
per booking, not at every place that frees.

``members.screening_limited`` and ``members.screening_cleared_until``: what a kiosk needs
to warn offline that a member is limited to low intensity until cleared (no answer, no
flag), filled from each member's latest screening and its unrevoked clearances.
"""

import json
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import server.db.base
from server.db.sealed import FieldSealer


# revision identifiers, used by Alembic.
revision: str = "0037"
down_revision: Union[str, Sequence[str], None] = "0036"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_TABLE = "journey_assessment_results"


def _context(tenant_id: object, row_id: object) -> str:
    # As server.journeys.models.assessment_context (not imported: a migration keeps its
    # own copy of what it writes).
    return f"journey_assessment_results.value:{tenant_id}:{row_id}"


def _sealer() -> FieldSealer:
    key = op.get_context().config.attributes.get("secret_key") if op.get_context().config else None
    if not key:
        from server.config import Settings

        key = Settings().resolved_secret_key
    return FieldSealer(str(key))


def _table(*columns: sa.Column) -> sa.Table:
    return sa.table(_TABLE, sa.column("tenant_id", sa.Uuid()), sa.column("id", sa.Uuid()), *columns)


def _limits() -> None:
    bind = op.get_bind()
    screenings = sa.table(
        "screenings",
        sa.column("tenant_id", sa.Uuid()),
        sa.column("id", sa.Uuid()),
        sa.column("member_id", sa.Uuid()),
        sa.column("outcome", sa.String()),
        sa.column("completed_at", server.db.base.UtcDateTime(timezone=True)),
    )
    clearances = sa.table(
        "screening_clearances",
        sa.column("tenant_id", sa.Uuid()),
        sa.column("screening_id", sa.Uuid()),
        sa.column("expires_on", sa.Date()),
        sa.column("revoked_at", server.db.base.UtcDateTime(timezone=True)),
    )
    members = sa.table(
        "members",
        sa.column("tenant_id", sa.Uuid()),
        sa.column("id", sa.Uuid()),
        sa.column("screening_limited", sa.Boolean()),
        sa.column("screening_cleared_until", sa.Date()),
    )
    latest: dict[tuple[object, object], tuple[object, str]] = {}
    rows = bind.execute(
        sa.select(
            screenings.c.tenant_id, screenings.c.member_id, screenings.c.id, screenings.c.outcome
        ).order_by(screenings.c.completed_at, screenings.c.id)
    )
    for tenant_id, member_id, screening_id, outcome in rows:
        latest[(tenant_id, member_id)] = (screening_id, outcome)
    until = dict(
        ((t, s), e)
        for t, s, e in bind.execute(
            sa.select(
                clearances.c.tenant_id,
                clearances.c.screening_id,
                sa.func.max(clearances.c.expires_on),
            )
            .where(clearances.c.revoked_at.is_(None))
            .group_by(clearances.c.tenant_id, clearances.c.screening_id)
        )
    )
    for (tenant_id, member_id), (screening_id, outcome) in latest.items():
        if outcome != "needs_clearance":
            continue
        bind.execute(
            sa.update(members)
            .where(members.c.tenant_id == tenant_id, members.c.id == member_id)
            .values(
                screening_limited=True,
                screening_cleared_until=until.get((tenant_id, screening_id)),
            )
        )


def upgrade() -> None:
    op.add_column(
        "members",
        sa.Column("screening_limited", sa.Boolean(), server_default="0", nullable=False),
    )
    op.add_column("members", sa.Column("screening_cleared_until", sa.Date(), nullable=True))
    _limits()
    op.add_column(
        "bookings",
        sa.Column(
            "held_back_told_at", server.db.base.UtcDateTime(timezone=True), nullable=True
        ),
    )
    op.add_column(_TABLE, sa.Column("sealed_value", sa.LargeBinary(), nullable=True))
    bind = op.get_bind()
    table = _table(
        sa.column("value", sa.Numeric(10, 2, asdecimal=False)),
        sa.column("sealed_value", sa.LargeBinary()),
    )
    rows = bind.execute(sa.select(table.c.tenant_id, table.c.id, table.c.value)).all()
    if rows:
        sealer = _sealer()
        for tenant_id, row_id, value in rows:
            sealed = sealer.seal(
                json.dumps(float(value)).encode(), context=_context(tenant_id, row_id)
            )
            bind.execute(
                sa.update(table)
                .where(table.c.tenant_id == tenant_id, table.c.id == row_id)
                .values(sealed_value=sealed)
            )
    # Nothing references this table: SQLite may rebuild it to drop the clear column.
    with op.batch_alter_table(_TABLE, schema=None) as batch_op:
        batch_op.alter_column("sealed_value", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column("value")


def downgrade() -> None:
    op.drop_column("members", "screening_cleared_until")
    op.drop_column("members", "screening_limited")
    op.drop_column("bookings", "held_back_told_at")
    op.add_column(_TABLE, sa.Column("value", sa.Numeric(10, 2), nullable=True))
    bind = op.get_bind()
    table = _table(
        sa.column("value", sa.Numeric(10, 2, asdecimal=False)),
        sa.column("sealed_value", sa.LargeBinary()),
    )
    rows = bind.execute(sa.select(table.c.tenant_id, table.c.id, table.c.sealed_value)).all()
    if rows:
        sealer = _sealer()
        for tenant_id, row_id, sealed in rows:
            value = json.loads(sealer.open(bytes(sealed), context=_context(tenant_id, row_id)))
            bind.execute(
                sa.update(table)
                .where(table.c.tenant_id == tenant_id, table.c.id == row_id)
                .values(value=value)
            )
    with op.batch_alter_table(_TABLE, schema=None) as batch_op:
        batch_op.alter_column("value", existing_type=sa.Numeric(10, 2), nullable=False)
        batch_op.drop_column("sealed_value")
