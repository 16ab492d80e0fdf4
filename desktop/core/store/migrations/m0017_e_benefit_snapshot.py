"""Migration 17: members' payer benefits as the server last heard of them (integrated mode).

One row per member, the server's ``benefit_snapshots`` rows: whether ZPS said a benefit
covers them, why, until when that answer holds and when it was given. The door admits on it
offline while it holds and tells staff how old it is. Standalone servers send none.
"""

SCRIPT = """
CREATE TABLE cached_benefit (
    member_id TEXT PRIMARY KEY,
    eligible INTEGER NOT NULL,
    reason TEXT NOT NULL,
    benefit_id TEXT,
    valid_until TEXT NOT NULL,
    checked_at TEXT NOT NULL
);
"""
