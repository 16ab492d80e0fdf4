"""Migration 7: re-entries. ``local_checkin.repeat_of`` names the admission whose visit a
re-entry is (a member admitted again at this location within the re-entry window); such a
check-in took no credit and counts as no visit.

The pull cursor is forgotten so that the next sync downloads a snapshot: it carries the
day's admissions at this location (who is in already) and the tenant's door rules.
"""

SCRIPT = """
ALTER TABLE local_checkin ADD COLUMN repeat_of TEXT;
UPDATE sync_state SET cursor = 0, has_cursor = 0;
"""
