"""Migration 6: staff PINs are held as verifiers keyed with this device's key, which lives
in the OS keyring, not as argon2 hashes anyone with the disk could brute-force.

The hashes held so far are dropped (the column now holds verifiers and starts empty), and
the pull cursor is forgotten, so the next sync downloads a snapshot with the verifiers.
Until then no PIN is recognised offline. ``secure_delete`` zeroes the hashes' old bytes
rather than leaving them in free space in the file (:func:`migrate` then checkpoints the
log into the file).
"""

SCRIPT = """
PRAGMA secure_delete = ON;
ALTER TABLE staff RENAME COLUMN pin_hash TO pin_verifier;
UPDATE staff SET pin_verifier = NULL;
UPDATE sync_state SET cursor = 0, has_cursor = 0;
"""
