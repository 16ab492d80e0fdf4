"""Migration 3: incremental sync state (push, pull, snapshot reset).

``sync_state`` holds the pull cursor and the last mutation id the server acknowledged; both
only ever grow (until the kiosk is enrolled again as a new device). ``rejected_mutations``
keeps what the server refused for good, with its reason, for staff to see. Pulled check-ins
and review items get tables of their own, and pass keys remember the server's row id so a
tombstone can find them.
"""

SCRIPT = """
CREATE TABLE sync_state (
    singleton        INTEGER PRIMARY KEY CHECK (singleton = 1),
    cursor           INTEGER NOT NULL DEFAULT 0,
    has_cursor       INTEGER NOT NULL DEFAULT 0,
    last_mutation_id INTEGER NOT NULL DEFAULT 0,
    -- Outbox ids are sent less this offset: a kiosk enrolled again is a new device whose
    -- mutation ids start at 1 on the server, while the outbox keeps counting.
    mutation_base    INTEGER NOT NULL DEFAULT 0,
    last_pull_at     TEXT,
    last_push_at     TEXT
);
INSERT INTO sync_state (singleton) VALUES (1);

CREATE TABLE rejected_mutations (
    mutation_id INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    args_json   TEXT NOT NULL,
    device_time TEXT NOT NULL,
    hlc         TEXT NOT NULL,
    reason      TEXT NOT NULL,
    rejected_at TEXT NOT NULL
);

CREATE TABLE cached_checkin (
    id            TEXT PRIMARY KEY,
    member_id     TEXT,
    membership_id TEXT,
    admitted      INTEGER,
    occurred_at   TEXT,
    data_json     TEXT NOT NULL
);
CREATE INDEX cached_checkin_member ON cached_checkin (member_id, occurred_at);

CREATE TABLE cached_review_item (
    id        TEXT PRIMARY KEY,
    status    TEXT NOT NULL,
    data_json TEXT NOT NULL
);

ALTER TABLE cached_pass_key ADD COLUMN row_id TEXT;

-- A pulled member change replaces that member's name tokens.
CREATE INDEX cached_member_token_member ON cached_member_token (member_id);
"""
