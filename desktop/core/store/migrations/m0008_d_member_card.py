"""Migration 8: what the admission card shows beyond the name.

``cached_member_detail``: when a pulled member's photo last changed;
``member_photo``: the thumbnails fetched for them (each a few KB, within a total budget);
``cached_member_alert``: staff alerts on members (open ones; a resolved one is deleted);
``cached_place``: the tenant's locations by name, to say where a plan is valid.
The pull cursor is forgotten so that the next sync downloads a snapshot carrying them.
"""

SCRIPT = """
CREATE TABLE cached_member_detail (
    member_id        TEXT PRIMARY KEY,
    photo_updated_at TEXT
);
CREATE TABLE member_photo (
    member_id        TEXT PRIMARY KEY,
    photo_updated_at TEXT NOT NULL,
    data             BLOB NOT NULL,
    fetched_at       TEXT NOT NULL
);
CREATE TABLE cached_member_alert (
    id         TEXT PRIMARY KEY,
    member_id  TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX cached_member_alert_member ON cached_member_alert (member_id, created_at);
CREATE TABLE cached_place (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
UPDATE sync_state SET cursor = 0, has_cursor = 0;
"""
