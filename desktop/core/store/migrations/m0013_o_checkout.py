"""Migration 13: check-outs made at this kiosk.

One row per visit this kiosk checked out (the latest check-out of it: checking out again
replaces the row, as the server keeps the latest). The front desk reads it to tell a visit
still open from one confirmed already; rows go with the check-ins they confirm.
"""

SCRIPT = """
CREATE TABLE local_checkout (
    checkin_id TEXT PRIMARY KEY,
    member_id TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    completed INTEGER NOT NULL,
    checked_out_at TEXT NOT NULL,
    mutation_id INTEGER NOT NULL
);
CREATE INDEX ix_local_checkout_member ON local_checkout (member_id);
"""
