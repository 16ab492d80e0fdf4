"""Migration 10: cards staff assigned to members at this kiosk.

Kept apart from the pulled member rows, which a snapshot replaces wholesale, so an
assignment works at once and offline, and still does after a snapshot while it waits to
be sent. Once the server has it, the pulled member rows say whose card it is.
"""

SCRIPT = """
CREATE TABLE local_card (
    card_norm   TEXT PRIMARY KEY,
    card_number TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    assigned_at TEXT NOT NULL,
    mutation_id INTEGER NOT NULL
);
"""
