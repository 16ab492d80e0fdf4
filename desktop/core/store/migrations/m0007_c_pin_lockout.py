"""Migration 7 (c): wrong staff PINs are counted in the database, so a kiosk locked out
after too many stays locked out across a restart."""

SCRIPT = """
CREATE TABLE pin_lockout (
    singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT
);
INSERT INTO pin_lockout (singleton, failures) VALUES (1, 0);
"""
