"""Migration 14: members' streaks and latest badge, for the admission screen.

One row per member: the server's daily and weekly streak states (JSON of
``shared.engagement.codec``), advanced here by this kiosk's own admissions until the
server's next row replaces them, and the server's latest badge. ``shown_*`` are this
kiosk's own: which badge it has shown, at which admission (a pull keeps them).
"""

SCRIPT = """
CREATE TABLE cached_engagement (
    member_id TEXT PRIMARY KEY,
    daily TEXT,
    weekly TEXT,
    day_start_hour INTEGER NOT NULL DEFAULT 0,
    badge_id TEXT,
    badge TEXT,
    badge_explanation TEXT,
    badge_on TEXT,
    advanced_locally INTEGER NOT NULL DEFAULT 0,
    shown_badge_id TEXT,
    shown_checkin_id TEXT
);
"""
