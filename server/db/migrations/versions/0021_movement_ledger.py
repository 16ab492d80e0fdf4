"""movement_events: the ledger's facts (minutes, intensity, provenance, source, the
member's local date and zone, voids); tenants: the hour their day starts; session_ratings

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 10:05:00

Existing events are backfilled: an attendance takes its session's length and its session
type's intensity, a floor check-in 60 moderate minutes; both were verified at the door.
Their local date is taken in the member's home location's zone, else the event's
location's, else the tenant's first location's, at day-start hour 0 (every tenant's so far).
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import server.db.base

# revision identifiers, used by Alembic.
revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    sa.Column("minutes", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("intensity", sa.String(length=10), nullable=False, server_default="moderate"),
    sa.Column(
        "provenance", sa.String(length=20), nullable=False, server_default="scanner_verified"
    ),
    sa.Column("source", sa.String(length=20), nullable=False, server_default="kiosk"),
    sa.Column("local_date", sa.Date(), nullable=False, server_default="1970-01-01"),
    sa.Column("zone", sa.String(length=64), nullable=False, server_default="UTC"),
    sa.Column("session_id", sa.Uuid(), nullable=True),
    sa.Column("voids", sa.Uuid(), nullable=True),
    sa.Column("voided_by", sa.Uuid(), nullable=True),
    sa.Column("is_void", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("reason", sa.String(length=500), nullable=True),
    sa.Column("recorded_by", sa.Uuid(), nullable=True),
)

#: What the backfill writes, typed (a reflected SQLite table knows no UUIDs).
_FILLED = sa.table(
    "movement_events",
    sa.column("tenant_id", sa.Uuid()),
    sa.column("id", sa.Uuid()),
    sa.column("minutes", sa.Integer()),
    sa.column("intensity", sa.String()),
    sa.column("provenance", sa.String()),
    sa.column("source", sa.String()),
    sa.column("local_date", sa.Date()),
    sa.column("zone", sa.String()),
    sa.column("session_id", sa.Uuid()),
)

_HIGH = {"high": "vigorous", "vigorous": "vigorous", "low": "light"}


def upgrade() -> None:
    op.add_column(
        "tenants", sa.Column("day_start_hour", sa.Integer(), nullable=False, server_default="0")
    )
    for column in _COLUMNS:
        op.add_column("movement_events", column)
    op.create_index(
        "ix_movement_events_tenant_member_date",
        "movement_events",
        ["tenant_id", "member_id", "local_date"],
    )
    op.create_table(
        "session_ratings",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_session_ratings_tenant_id_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_session_ratings")),
        sa.UniqueConstraint(
            "tenant_id",
            "member_id",
            "session_id",
            name=op.f("uq_session_ratings_tenant_id_member_id_session_id"),
        ),
    )
    op.create_index(
        "ix_session_ratings_tenant_session", "session_ratings", ["tenant_id", "session_id"]
    )
    _backfill(op.get_bind())


def _as_uuid(value: object) -> uuid.UUID | None:
    if value is None:
        return None
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _backfill(bind: sa.engine.Connection) -> None:
    meta = sa.MetaData()
    events = sa.Table("movement_events", meta, autoload_with=bind)
    members = sa.Table("members", meta, autoload_with=bind)
    locations = sa.Table("locations", meta, autoload_with=bind)
    sessions = sa.Table("class_sessions", meta, autoload_with=bind)
    types = sa.Table("session_types", meta, autoload_with=bind)
    checkins = sa.Table("checkins", meta, autoload_with=bind)
    zones: dict[tuple[str, str], str] = {}
    first: dict[str, str] = {}
    for row in bind.execute(
        sa.select(locations.c.tenant_id, locations.c.id, locations.c.timezone).order_by(
            locations.c.created_at, locations.c.id
        )
    ):
        zones[(str(row.tenant_id), str(row.id))] = row.timezone
        first.setdefault(str(row.tenant_id), row.timezone)
    homes = {
        (str(r.tenant_id), str(r.id)): r.home_location_id
        for r in bind.execute(sa.select(members.c.tenant_id, members.c.id, members.c.home_location_id))
    }
    rows = bind.execute(sa.select(events)).mappings().all()
    for row in rows:
        tenant = str(row["tenant_id"])
        home = homes.get((tenant, str(row["member_id"])))
        zone = (
            zones.get((tenant, str(home)))
            or zones.get((tenant, str(row["location_id"])))
            or first.get(tenant, "UTC")
        )
        at = row["occurred_at"]
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
        minutes, intensity, session_id = 60, "moderate", None
        data = row["data"] or {}
        if row["kind"] == "attendance" and data.get("session_id"):
            session_id = _as_uuid(data["session_id"])
            found = bind.execute(
                sa.select(sessions.c.starts_at, sessions.c.ends_at, types.c.intensity)
                .select_from(sessions)
                .outerjoin(
                    types,
                    (types.c.tenant_id == sessions.c.tenant_id)
                    & (types.c.id == sessions.c.session_type_id),
                )
                .where(sessions.c.tenant_id == row["tenant_id"], sessions.c.id == session_id)
            ).first()
            if found is not None:
                length = found.ends_at - found.starts_at
                if isinstance(length, timedelta) and length.total_seconds() > 0:
                    minutes = min(600, round(length.total_seconds() / 60))
                intensity = _HIGH.get(found.intensity or "", "moderate")
        source = "desk"
        if row["checkin_id"] is not None:
            device = bind.execute(
                sa.select(checkins.c.device_id).where(
                    checkins.c.tenant_id == row["tenant_id"], checkins.c.id == row["checkin_id"]
                )
            ).scalar_one_or_none()
            source = "kiosk" if device is not None else "desk"
        local = at.astimezone(ZoneInfo(zone)).date()
        bind.execute(
            _FILLED.update()
            .where(
                _FILLED.c.tenant_id == _as_uuid(row["tenant_id"]),
                _FILLED.c.id == _as_uuid(row["id"]),
            )
            .values(
                minutes=minutes,
                intensity=intensity,
                provenance="scanner_verified",
                source=source,
                local_date=local,
                zone=zone,
                session_id=session_id,
            )
        )


def downgrade() -> None:
    """In place from SQLite 3.35 (a rebuild would trip the tables' references)."""
    op.drop_index("ix_session_ratings_tenant_session", table_name="session_ratings")
    op.drop_table("session_ratings")
    op.drop_index("ix_movement_events_tenant_member_date", table_name="movement_events")
    bind = op.get_bind()
    version = bind.dialect.server_version_info or ()
    columns = [("movement_events", c.name) for c in reversed(_COLUMNS)]
    columns.append(("tenants", "day_start_hour"))
    if bind.dialect.name != "sqlite" or version >= (3, 35):
        for table, column in columns:
            op.drop_column(table, column)
        return
    for table, column in columns:
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
