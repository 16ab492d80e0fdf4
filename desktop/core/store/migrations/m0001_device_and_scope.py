"""Migration 1: device enrolment, the cached location scope (tenant, location, staff) and
the sync status staff see."""

SCRIPT = """
CREATE TABLE store_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- At most one row: this database's enrolment; a copied file must enrol again.
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
"""
