"""Migration 2: pulled members, plans and passes; local check-ins, walk-ins and sales; outbox.

Pulled tables (``cached_*``) are replaced wholesale by each snapshot. Local tables
(``local_*``) hold what this kiosk created and are never touched by a pull.
Normalised columns (``*_norm``, ``phone_digits``) and the name-token tables back the
member search and the card/barcode lookups.
"""

SCRIPT = """
CREATE TABLE cached_plan (
    id        TEXT PRIMARY KEY,
    kind      TEXT NOT NULL,
    name      TEXT NOT NULL,
    active    INTEGER NOT NULL,
    data_json TEXT NOT NULL
);

CREATE TABLE cached_member (
    id               TEXT PRIMARY KEY,
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    email            TEXT,
    phone            TEXT,
    barcode          TEXT,
    card_number      TEXT,
    home_location_id TEXT,
    guest_of_id      TEXT,
    sort_name        TEXT NOT NULL,
    email_norm       TEXT,
    phone_digits     TEXT,
    barcode_norm     TEXT,
    card_norm        TEXT
);
CREATE INDEX cached_member_email ON cached_member (email_norm);
CREATE INDEX cached_member_phone ON cached_member (phone_digits);
CREATE INDEX cached_member_barcode ON cached_member (barcode_norm);
CREATE INDEX cached_member_card ON cached_member (card_norm);

CREATE TABLE cached_member_token (
    token     TEXT NOT NULL,
    member_id TEXT NOT NULL,
    PRIMARY KEY (token, member_id)
) WITHOUT ROWID;

CREATE TABLE cached_membership (
    id                 TEXT PRIMARY KEY,
    member_id          TEXT NOT NULL,
    plan_id            TEXT NOT NULL,
    status             TEXT NOT NULL,
    starts_on          TEXT NOT NULL,
    ends_on            TEXT,
    frozen_until       TEXT,
    credits_remaining  INTEGER,
    home_location_id   TEXT,
    visits_this_period INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cached_membership_member ON cached_membership (member_id);

CREATE TABLE cached_pass_key (
    key_id     INTEGER PRIMARY KEY,
    public_key TEXT NOT NULL
);

CREATE TABLE cached_revoked_pass (
    pass_id TEXT PRIMARY KEY
) WITHOUT ROWID;

-- Class-pack credits left for pulled memberships, as this kiosk sees them: set from each
-- snapshot (less this kiosk's admissions the server has not counted yet) and decremented
-- in the transaction that records an admission, so offline admissions cannot exceed them.
CREATE TABLE credit_counter (
    membership_id TEXT PRIMARY KEY,
    remaining     INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE local_member (
    id               TEXT PRIMARY KEY,
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    email            TEXT,
    phone            TEXT,
    barcode          TEXT,
    card_number      TEXT,
    home_location_id TEXT,
    guest_of_id      TEXT,
    sort_name        TEXT NOT NULL,
    email_norm       TEXT,
    phone_digits     TEXT,
    barcode_norm     TEXT,
    card_norm        TEXT,
    created_at       TEXT NOT NULL,
    mutation_id      INTEGER NOT NULL
);
CREATE INDEX local_member_email ON local_member (email_norm);
CREATE INDEX local_member_phone ON local_member (phone_digits);

CREATE TABLE local_member_token (
    token     TEXT NOT NULL,
    member_id TEXT NOT NULL,
    PRIMARY KEY (token, member_id)
) WITHOUT ROWID;

CREATE TABLE local_membership (
    id                TEXT PRIMARY KEY,
    member_id         TEXT NOT NULL,
    plan_id           TEXT NOT NULL,
    plan_json         TEXT NOT NULL,
    status            TEXT NOT NULL,
    starts_on         TEXT NOT NULL,
    ends_on           TEXT,
    credits_remaining INTEGER,
    home_location_id  TEXT,
    sale_id           TEXT NOT NULL UNIQUE,
    amount            TEXT NOT NULL,
    currency          TEXT NOT NULL,
    payment_method    TEXT NOT NULL,
    guest_of_id       TEXT,
    created_at        TEXT NOT NULL,
    mutation_id       INTEGER NOT NULL
);
CREATE INDEX local_membership_member ON local_membership (member_id);

CREATE TABLE local_checkin (
    id                TEXT PRIMARY KEY,
    member_id         TEXT NOT NULL,
    membership_id     TEXT,
    pass_id           TEXT,
    method            TEXT NOT NULL,
    admitted          INTEGER NOT NULL,
    reason            TEXT NOT NULL,
    warning           TEXT,
    override_staff_id TEXT,
    override_reason   TEXT,
    occurred_at       TEXT NOT NULL,
    mutation_id       INTEGER NOT NULL
);
CREATE INDEX local_checkin_admissions ON local_checkin (membership_id, occurred_at)
    WHERE admitted = 1;
CREATE INDEX local_checkin_member ON local_checkin (member_id, occurred_at);

-- One row per user action until acknowledged. AUTOINCREMENT: ids keep increasing even
-- after acknowledged rows go.
CREATE TABLE outbox (
    mutation_id INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    args_json   TEXT NOT NULL,
    device_time TEXT NOT NULL,
    hlc         TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
"""
