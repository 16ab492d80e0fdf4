"""Migration 12: the location's closures and special hours, pulled from the server.

One row per closure (its days and the shared ``ClosureDays`` document); the front desk
shows today's ("Closed today: Christmas", "Today's hours 10:00–14:00"). A database from
before holds none until its next snapshot or pull brings them.
"""

SCRIPT = """
CREATE TABLE cached_closure (
    id TEXT PRIMARY KEY,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    data_json TEXT NOT NULL
);
CREATE INDEX ix_cached_closure_ends ON cached_closure (ends_on);
"""
