"""Migration 9: the front desk's staff PINs and walk-ins.

- Wrong staff PINs are counted in the database (``pin_lockout``), so a kiosk locked out
  after too many stays locked out across a restart.
- Staff rows carry a keyed PIN lookup (``shared.kiosk_pins``): whose PIN was typed is
  found with one hash, not one per staff member.
- Members carry their date of birth, so a walk-in with the same name and birth date as a
  member is caught before it is saved. The pull cursor is forgotten, so the next sync
  downloads a snapshot with the birth dates.
"""

SCRIPT = """
CREATE TABLE pin_lockout (
    singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT
);
INSERT INTO pin_lockout (singleton, failures) VALUES (1, 0);
ALTER TABLE staff ADD COLUMN pin_lookup TEXT;
ALTER TABLE cached_member ADD COLUMN date_of_birth TEXT;
ALTER TABLE local_member ADD COLUMN date_of_birth TEXT;
UPDATE sync_state SET cursor = 0, has_cursor = 0;
"""
