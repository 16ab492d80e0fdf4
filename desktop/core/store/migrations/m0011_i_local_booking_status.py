"""Migration 11: a booking made here says whether it holds a place or waits in line.

Staff at the desk put a member on a full class's waitlist; until the server answers, the
roster shows them as waitlisted (pending), never as holding a place. Bookings made before
this migration all asked for a place.
"""

SCRIPT = """
ALTER TABLE local_booking ADD COLUMN status TEXT NOT NULL DEFAULT 'confirmed';
"""
