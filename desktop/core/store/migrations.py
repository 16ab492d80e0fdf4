"""The kiosk database's schema, as an ordered list of SQL scripts.

Script ``n`` (1-based) brings the database from ``PRAGMA user_version = n - 1`` to ``n``; each
runs in one transaction. Never edit a script that has shipped: append a new one.
"""

from __future__ import annotations

from desktop.core.store import migration_0002, migration_0003, migration_0004

MIGRATIONS: tuple[str, ...] = (
    # 1: device enrolment, the cached location scope, sync status.
    """
    CREATE TABLE store_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );

    -- At most one row: this database's enrolment (DESIGN.md §5.2).
    CREATE TABLE device (
        singleton      INTEGER PRIMARY KEY CHECK (singleton = 1),
        device_id      TEXT NOT NULL,
        tenant_id      TEXT NOT NULL,
        location_id    TEXT NOT NULL,
        server_url     TEXT NOT NULL,
        device_name    TEXT NOT NULL,
        enrolled_at    TEXT NOT NULL,
        db_instance_id TEXT NOT NULL
    );

    -- Pulled server state (the snapshot). Replaced wholesale by each snapshot download.
    CREATE TABLE tenant (
        id   TEXT PRIMARY KEY,
        name TEXT NOT NULL
    );

    CREATE TABLE location (
        id                 TEXT PRIMARY KEY,
        tenant_id          TEXT NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
        name               TEXT NOT NULL,
        timezone           TEXT NOT NULL,
        capacity           INTEGER,
        address            TEXT,
        contact_email      TEXT,
        contact_phone      TEXT,
        opening_hours_json TEXT NOT NULL
    );

    CREATE TABLE staff (
        id        TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
        name      TEXT NOT NULL,
        role      TEXT NOT NULL,
        pin_hash  TEXT
    );

    CREATE TABLE sync_status (
        singleton       INTEGER PRIMARY KEY CHECK (singleton = 1),
        last_success_at TEXT,
        last_attempt_at TEXT,
        last_error      TEXT,
        server_time     TEXT
    );
    INSERT INTO sync_status (singleton) VALUES (1);
    """,
    # 2: pulled members, plans, memberships and pass keys; local rows and the outbox.
    migration_0002.SCRIPT,
    # 3: the pull cursor, acknowledged mutations, rejected mutations, review items.
    migration_0003.SCRIPT,
    # 4: sessions and bookings, pulled and local; memberships without visit counts.
    migration_0004.SCRIPT,
)

#: The schema version this program writes.
SCHEMA_VERSION = len(MIGRATIONS)
