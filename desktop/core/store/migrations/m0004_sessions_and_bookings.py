"""Migration 4: sessions and bookings, and no more server-counted visits.

Pulled session types, sessions and bookings (``cached_*``) are replaced by each snapshot and
upserted by pulls. What this kiosk did to them waits in ``local_booking`` (a booking made
here) and ``local_attendance`` (a member checked into a session here), never written by a
pull. A local booking goes once the server acknowledged it and its own row
came back (or it was refused); attendances stay, as this kiosk's record of who was in the
room, so a booking the server waitlisted after all can be shown as "waitlisted — review".

``cached_membership.visits_this_period`` goes: the kiosk counts visits from check-in rows.
"""

SCRIPT = """
CREATE TABLE cached_session_type (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    data_json TEXT NOT NULL
);

CREATE TABLE cached_class_session (
    id              TEXT PRIMARY KEY,
    session_type_id TEXT NOT NULL,
    name            TEXT NOT NULL,
    instructor_name TEXT,
    starts_at       TEXT NOT NULL,
    ends_at         TEXT NOT NULL,
    capacity        INTEGER NOT NULL,
    confirmed_count INTEGER NOT NULL,
    waitlist_count  INTEGER NOT NULL,
    status          TEXT NOT NULL,
    room            TEXT
);
CREATE INDEX cached_class_session_start ON cached_class_session (starts_at);

CREATE TABLE cached_booking (
    id            TEXT PRIMARY KEY,
    session_id    TEXT NOT NULL,
    member_id     TEXT NOT NULL,
    status        TEXT NOT NULL,
    position      INTEGER NOT NULL,
    attendance    TEXT,
    checked_in_at TEXT
);
CREATE INDEX cached_booking_session ON cached_booking (session_id, position);
CREATE INDEX cached_booking_member ON cached_booking (member_id);

CREATE TABLE local_booking (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    booked_at   TEXT NOT NULL,
    staff_id    TEXT,
    mutation_id INTEGER NOT NULL
);
CREATE INDEX local_booking_session ON local_booking (session_id);

CREATE TABLE local_attendance (
    booking_id    TEXT PRIMARY KEY,
    session_id    TEXT NOT NULL,
    member_id     TEXT NOT NULL,
    checked_in_at TEXT NOT NULL,
    checkin_id    TEXT,
    mutation_id   INTEGER NOT NULL
);
CREATE INDEX local_attendance_session ON local_attendance (session_id);

ALTER TABLE cached_membership DROP COLUMN visits_this_period;
"""
