"""Migration 16: the company that pays for a pulled membership.

The server's ``covered_by`` (a live corporate account's name, or NULL): the door says
"covered by Acme Ltd" offline as the server does. Memberships pulled before this read as
not covered until the server sends them again (a renamed or archived account, a roster
change, or the next snapshot).
"""

SCRIPT = """
ALTER TABLE cached_membership ADD COLUMN covered_by TEXT;
"""
