"""Migration 15: whether a member is limited to low intensity until cleared.

The server's ``screening_limited`` (the latest screening needs a staff clearance) and the
last day a clearance of it holds: enough for the desk to warn, offline, before booking a
class above low intensity. No answer or risk flag reaches a kiosk. Members pulled before
this read as not limited until the server sends them again.
"""

SCRIPT = """
ALTER TABLE cached_member ADD COLUMN screening_limited INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cached_member ADD COLUMN screening_cleared_until TEXT;
"""
