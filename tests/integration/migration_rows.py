"""Rows a ZMOS database could hold at each schema revision, for upgrade-with-data tests.

Written as plain values, not through the application's models: each revision's rows carry
exactly the columns that revision has. Two tenants; the first has a location in
Europe/London, with sessions on both sides of both 2026 clock changes, and one in
Africa/Accra (no daylight saving); the second has a location in Asia/Kolkata (+05:30) that
shares its id with the London one, so a join that forgets the tenant picks the wrong zone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

Row = dict[str, Any]

#: Every revision before head, oldest first: a database may be at any of them.
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008")
#: The revision that added each table.
TABLE_REVISION = {
    **dict.fromkeys(
        (
            "tenants",
            "locations",
            "staff_accounts",
            "devices",
            "enrolment_codes",
            "login_throttle",
            "refresh_tokens",
        ),
        "0001",
    ),
    **dict.fromkeys(
        (
            "access_plans",
            "pass_keys",
            "members",
            "memberships",
            "member_passes",
            "email_verifications",
            "checkins",
            "desk_payments",
            "movement_events",
        ),
        "0002",
    ),
    **dict.fromkeys(
        (
            "device_sync_state",
            "location_sync_seq",
            "sync_changes",
            "sync_mutations",
            "review_items",
        ),
        "0003",
    ),
    **dict.fromkeys(
        (
            "booking_policies",
            "notices",
            "session_types",
            "session_type_instructors",
            "schedules",
            "class_sessions",
            "bookings",
            "booking_penalties",
        ),
        "0004",
    ),
}
#: Primary keys that are not (tenant_id, id).
PRIMARY_KEYS = {
    "tenants": ("id",),
    "login_throttle": ("tenant_id", "email"),
    "device_sync_state": ("tenant_id", "device_id"),
    "location_sync_seq": ("tenant_id", "location_id"),
    "sync_changes": ("tenant_id", "location_id", "seq"),
    "sync_mutations": ("tenant_id", "device_id", "mutation_id"),
    "booking_policies": ("tenant_id",),
    "session_type_instructors": ("tenant_id", "session_type_id", "staff_id"),
}


def primary_key(table: str) -> tuple[str, ...]:
    return PRIMARY_KEYS.get(table, ("tenant_id", "id"))


def _id(n: int) -> uuid.UUID:
    return uuid.UUID(int=0x5EED_0000_0000_4000_8000_0000_0000_0000 + n)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


TENANT, OTHER_TENANT = _id(1), _id(2)
LONDON, ACCRA = _id(10), _id(11)
KOLKATA = LONDON  # the other tenant's location: same id, other tenant, other zone
OWNER, COACH, DEVICE = _id(20), _id(21), _id(22)
PLAN, PASS_KEY, MEMBER, GUEST, MEMBERSHIP, MEMBER_PASS = (_id(n) for n in range(30, 36))
CHECKIN = _id(36)
YOGA, OTHER_YOGA, SCHEDULE = _id(40), _id(41), _id(42)
CREATED = _at("2026-01-05 09:15:30.123456")
UPDATED = _at("2026-02-01 18:00:00.654321")


@dataclass(frozen=True)
class SessionCase:
    """A class session and the local date and time the application gives its start."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    location_id: uuid.UUID
    starts_at: datetime
    local_date: date
    local_start: time
    why: str
    extra: Row = field(default_factory=dict)


# fmt: off
# Rows are laid out a few fields a line, as tables read best; the formatter would give
# every field its own line.
SESSIONS = (
    SessionCase(
        _id(50), TENANT, LONDON, _at("2026-03-28 07:00"), date(2026, 3, 28), time(7, 0),
        "London in winter: GMT, local = UTC",
    ),
    SessionCase(
        _id(51), TENANT, LONDON, _at("2026-03-29 00:30"), date(2026, 3, 29), time(0, 30),
        "London, half an hour before the clocks go forward",
    ),
    SessionCase(
        _id(52), TENANT, LONDON, _at("2026-03-29 01:00"), date(2026, 3, 29), time(2, 0),
        "London, the instant the clocks go forward (01:00 GMT becomes 02:00 BST)",
    ),
    SessionCase(
        _id(53), TENANT, LONDON, _at("2026-03-30 06:00:45"), date(2026, 3, 30), time(7, 0),
        "London in summer: BST; seconds are dropped, as the application does",
    ),
    SessionCase(
        _id(54), TENANT, LONDON, _at("2026-06-30 23:30"), date(2026, 7, 1), time(0, 30),
        "London in summer: the local date is the day after the UTC date",
        {"status": "cancelled", "cancel_reason": "instructor ill"},
    ),
    SessionCase(
        _id(55), TENANT, LONDON, _at("2026-10-25 00:30"), date(2026, 10, 25), time(1, 30),
        "London, the first 01:30 of the day the clocks go back (BST)",
    ),
    SessionCase(
        _id(56), TENANT, LONDON, _at("2026-10-25 01:30"), date(2026, 10, 25), time(1, 30),
        "London, the second 01:30 of the day the clocks go back (GMT)",
    ),
    SessionCase(
        _id(57), TENANT, ACCRA, _at("2026-03-29 01:00"), date(2026, 3, 29), time(1, 0),
        "Accra: GMT all year, no clock change",
    ),
    SessionCase(
        _id(58), TENANT, ACCRA, _at("2026-06-30 23:30"), date(2026, 6, 30), time(23, 30),
        "Accra: same instant as a London session, same local date as UTC",
    ),
    SessionCase(
        _id(59), OTHER_TENANT, KOLKATA, _at("2026-03-28 20:00"), date(2026, 3, 29), time(1, 30),
        "Kolkata (+05:30), a location id shared with London under another tenant",
    ),
)
#: A session whose true local start is 0005's old placeholder: a repair must leave it alone.
MIDNIGHT_1970 = SessionCase(
    _id(60), TENANT, ACCRA, _at("1970-01-01 00:00"), date(1970, 1, 1), time(0, 0),
    "Accra at the placeholder instant itself",
)
#: A session the application wrote after 0005, with its real local values.
NEW_YEARS_EVE = SessionCase(
    _id(61), TENANT, LONDON, _at("2026-12-31 23:59:59"), date(2026, 12, 31), time(23, 59),
    "London, written by the application once the columns existed",
)


def _stamps() -> Row:
    return {"created_at": CREATED, "updated_at": UPDATED}


def _rev_0001() -> dict[str, list[Row]]:
    def location(tenant: uuid.UUID, id_: uuid.UUID, name: str, zone: str) -> Row:
        return {
            "tenant_id": tenant, "id": id_, "name": name, "address": f"1 {name} Road",
            "contact_email": None, "contact_phone": "+44 20 7946 0000", "timezone": zone,
            "capacity": 120, "opening_hours": {"mon": [["06:00", "22:00"]]},
            "archived_at": None, **_stamps(),
        }

    def staff(id_: uuid.UUID, email: str, role: str, pin: str | None) -> Row:
        return {
            "tenant_id": TENANT, "id": id_, "email": email, "name": email.split("@")[0],
            "role": role, "password_hash": "$argon2id$v=19$x", "pin_hash": pin,
            "home_location_id": LONDON, "active": True, **_stamps(),
        }

    return {
        "tenants": [
            {"id": TENANT, "slug": "riverside", "name": "Riverside Movement",
             "contact_email": "hello@riverside.example", "contact_phone": None, **_stamps()},
            {"id": OTHER_TENANT, "slug": "lotus", "name": "Lotus Studio",
             "contact_email": None, "contact_phone": None, **_stamps()},
        ],
        "locations": [
            location(TENANT, LONDON, "Riverside London", "Europe/London"),
            location(TENANT, ACCRA, "Riverside Accra", "Africa/Accra"),
            location(OTHER_TENANT, KOLKATA, "Lotus Kolkata", "Asia/Kolkata"),
        ],
        "staff_accounts": [
            staff(OWNER, "owner@riverside.example", "owner", None),
            staff(COACH, "coach@riverside.example", "coach", "$argon2id$pin"),
        ],
        "devices": [
            {"tenant_id": TENANT, "id": DEVICE, "location_id": LONDON, "name": "Front desk",
             "secret_hash": "a" * 64, "last_seen_at": _at("2026-02-02 08:00"),
             "revoked_at": None, "revoked_by": None, **_stamps()},
        ],
        "enrolment_codes": [
            {"tenant_id": TENANT, "id": _id(23), "location_id": LONDON, "code_hash": "b" * 64,
             "created_by": OWNER, "expires_at": _at("2026-01-06 09:00"),
             "used_at": _at("2026-01-05 10:00"), "device_id": DEVICE, **_stamps()},
        ],
        "login_throttle": [
            {"tenant_id": TENANT, "email": "coach@riverside.example", "failures": 3,
             "window_started_at": _at("2026-02-01 10:00"), "locked_until": None},
        ],
        "refresh_tokens": [
            {"tenant_id": TENANT, "id": _id(24), "subject_kind": "staff", "subject_id": OWNER,
             "token_hash": "c" * 64, "issued_at": CREATED,
             "expires_at": _at("2026-03-01 00:00"), "revoked_at": None},
        ],
    }


def _rev_0002() -> dict[str, list[Row]]:
    def member(id_: uuid.UUID, first: str, email: str | None, guest_of: uuid.UUID | None) -> Row:
        return {
            "tenant_id": TENANT, "id": id_, "first_name": first, "last_name": "Mensah",
            "email": email, "phone": "+233201234567", "date_of_birth": date(1990, 5, 17),
            "fitness_goals": ["strength", "mobility"], "preferences": {"reminders": True},
            "photo": b"\x89PNG\r\n\x1a\n\x00", "photo_content_type": "image/png",
            "barcode": f"BC-{first}", "card_number": None, "home_location_id": ACCRA,
            "guest_of_id": guest_of, "source": "desk", "password_hash": None,
            "email_verified_at": None, "archived_at": None, **_stamps(),
        }

    return {
        "access_plans": [
            {"tenant_id": TENANT, "id": PLAN, "name": "Ten classes", "kind": "class_pack",
             "billing_period": None, "price": Decimal("120.50"), "currency": "GBP",
             "credits": 10, "validity_days": 90, "location_rule": "list",
             "location_ids": [str(LONDON), str(ACCRA)], "visit_limit": None,
             "visit_limit_period": None, "visit_limit_mode": "hard", "active": True,
             **_stamps()},
        ],
        "pass_keys": [
            {"tenant_id": TENANT, "id": PASS_KEY, "key_id": 1, "private_key": b"\x01" * 32,
             "public_key": b"\x02" * 32, "created_at": CREATED, "retired_at": None},
        ],
        "members": [
            member(MEMBER, "Ama", "ama@example.com", None),
            member(GUEST, "Émile", None, MEMBER),
        ],
        "memberships": [
            {"tenant_id": TENANT, "id": MEMBERSHIP, "member_id": MEMBER, "plan_id": PLAN,
             "status": "active", "starts_on": date(2026, 1, 5), "ends_on": date(2026, 4, 4),
             "frozen_until": None, "source": "desk", "credits_remaining": 7,
             "home_location_id": LONDON, **_stamps()},
        ],
        "member_passes": [
            {"tenant_id": TENANT, "id": MEMBER_PASS, "member_id": MEMBER, "key_id": 1,
             "issued_at": CREATED, "expires_at": _at("2027-01-05 00:00"),
             "revoked_at": _at("2026-01-20 12:00"), "revoked_reason": "phone lost"},
        ],
        "email_verifications": [
            {"tenant_id": TENANT, "id": _id(37), "member_id": MEMBER, "token_hash": "d" * 64,
             "created_at": CREATED, "expires_at": _at("2026-01-06 09:15"), "used_at": None},
        ],
        "checkins": [
            {"tenant_id": TENANT, "id": CHECKIN, "member_id": MEMBER, "location_id": LONDON,
             "membership_id": MEMBERSHIP, "pass_id": MEMBER_PASS, "method": "qr",
             "admitted": True, "reason": "ok", "override_by": None, "override_reason": None,
             "occurred_at": _at("2026-01-10 07:59:12.5"), "recorded_at": _at("2026-01-10 08:03"),
             "device_id": DEVICE, "staff_id": None},
        ],
        "desk_payments": [
            {"tenant_id": TENANT, "id": _id(38), "member_id": MEMBER,
             "membership_id": MEMBERSHIP, "plan_id": PLAN, "location_id": LONDON,
             "amount": Decimal("120.50"), "currency": "GBP", "method": "card",
             "taken_by": OWNER, "device_id": None, "taken_at": CREATED},
        ],
        "movement_events": [
            {"tenant_id": TENANT, "id": _id(39), "member_id": MEMBER, "kind": "checkin",
             "occurred_at": _at("2026-01-10 07:59:12.5"), "location_id": LONDON,
             "checkin_id": CHECKIN, "data": {"method": "qr"}},
        ],
    }


def _rev_0003() -> dict[str, list[Row]]:
    return {
        "device_sync_state": [
            {"tenant_id": TENANT, "device_id": DEVICE, "last_mutation_id": 41,
             "updated_at": UPDATED},
        ],
        "location_sync_seq": [
            {"tenant_id": TENANT, "location_id": LONDON, "last_seq": 2, "pruned_seq": 0},
        ],
        "sync_changes": [
            {"tenant_id": TENANT, "location_id": LONDON, "seq": seq, "table_name": "members",
             "row_id": MEMBER, "deleted": deleted, "data": data, "created_at": CREATED}
            for seq, deleted, data in ((1, False, {"first_name": "Ama"}), (2, True, None))
        ],
        "sync_mutations": [
            {"tenant_id": TENANT, "device_id": DEVICE, "mutation_id": 41,
             "name": "checkin.create.v1", "status": "applied", "reason": None,
             "device_time": _at("2026-01-10 07:59:12.5"), "clamped": False,
             "hlc": "1768031952500:0:device", "received_at": _at("2026-01-10 08:03")},
        ],
        "review_items": [
            {"tenant_id": TENANT, "id": _id(43), "location_id": LONDON,
             "kind": "checkin_not_eligible", "member_id": MEMBER, "checkin_id": CHECKIN,
             "device_id": DEVICE, "mutation_id": 41, "summary": "membership had expired",
             "status": "open", "resolution_note": None, "resolved_by": None,
             "created_at": CREATED, "resolved_at": None},
        ],
    }


def _session_row(case: SessionCase, session_type: uuid.UUID, with_0005: bool) -> Row:
    row: Row = {
        "tenant_id": case.tenant_id, "id": case.id, "location_id": case.location_id,
        "session_type_id": session_type, "schedule_id": None, "occurrence_date": None,
        "instructor_id": COACH if case.tenant_id == TENANT else None,
        "starts_at": case.starts_at, "ends_at": case.starts_at + timedelta(minutes=60),
        "capacity": 12, "confirmed_count": 1, "waitlist_count": 0, "next_position": 2,
        "room": "Studio 1", "status": "scheduled", "cancel_reason": None, "detached": False,
        "closed_at": None, **_stamps(), **case.extra,
    }
    if with_0005:  # written by the application: real local values and a bumped sequence
        row |= {"local_date": case.local_date, "local_start": case.local_start, "sequence": 2}
    return row


def _rev_0004(with_0005: bool) -> dict[str, list[Row]]:
    yoga: Row = {
        "name": "Vinyasa", "kind": "class", "category": "yoga", "description": None,
        "duration_minutes": 60, "default_capacity": 12, "requires_approval": False,
        "intensity": "medium", "primary_goal": "mobility", "contraindications": ["pregnancy"],
        "suggested_per_week": 2, "active": True, **_stamps(),
    }
    schedule: Row = {
        "tenant_id": TENANT, "id": SCHEDULE, "location_id": LONDON, "session_type_id": YOGA,
        "instructor_id": COACH, "weekdays": [1, 3, 5], "local_start": time(7, 0),
        "duration_minutes": 60, "capacity": 12, "starts_on": date(2026, 3, 2),
        "ends_on": date(2026, 11, 30), "except_dates": ["2026-04-06"], "room": "Studio 1",
        "ended_at": None, **_stamps(),
    }
    if with_0005:
        schedule["on_missing_time"] = "skip"
    session = SESSIONS[0]
    booking: Row = {
        "tenant_id": TENANT, "id": _id(44), "session_id": session.id, "member_id": MEMBER,
        "status": "confirmed", "position": 1, "starts_at": session.starts_at,
        "ends_at": session.starts_at + timedelta(minutes=60), "source": "app",
        "booked_by": None, "device_id": None, "booked_at": CREATED, "promoted_at": None,
        "membership_id": MEMBERSHIP, "credit_taken": True, "cancelled_at": None,
        "cancel_kind": None, "attendance": "no_show", "checked_in_at": None,
        "checkin_id": None, **_stamps(),
    }
    return {
        "booking_policies": [
            {"tenant_id": TENANT, "opens_days_before": 14, "closes_minutes_before": 30,
             "late_cancel_minutes": 120, "late_cancel_fee": Decimal("5.00"),
             "late_cancel_forfeits_credit": True, "no_show_fee": None,
             "no_show_forfeits_credit": False, "currency": "GBP", "grace_allowance": 1,
             "grace_period_days": 30, "late_after_minutes": 10, "updated_at": None},
        ],
        "notices": [
            {"tenant_id": TENANT, "id": _id(45), "to_email": "ama@example.com",
             "subject": "Class cancelled", "body": "Sorry – Vinyasa is off.",
             "topic": "session.cancelled", "created_at": CREATED, "next_attempt_at": CREATED,
             "attempts": 1, "sent_at": None, "last_error": "451 try later"},
        ],
        "session_types": [
            {"tenant_id": TENANT, "id": YOGA, **yoga},
            {"tenant_id": OTHER_TENANT, "id": OTHER_YOGA, **yoga},
        ],
        "session_type_instructors": [
            {"tenant_id": TENANT, "session_type_id": YOGA, "staff_id": COACH},
        ],
        "schedules": [schedule],
        "class_sessions": [
            _session_row(case, YOGA if case.tenant_id == TENANT else OTHER_YOGA, with_0005)
            for case in SESSIONS
        ],
        "bookings": [booking],
        # An attendance at the 07:00 class of 28 March: a session type of "medium" effort.
        "movement_events": [
            {"tenant_id": TENANT, "id": _id(90), "member_id": MEMBER, "kind": "attendance",
             "occurred_at": session.starts_at, "location_id": LONDON, "checkin_id": None,
             "data": {"booking_id": str(booking["id"]), "session_id": str(session.id)}},
        ],
        "booking_penalties": [
            {"tenant_id": TENANT, "id": _id(46), "booking_id": booking["id"],
             "member_id": MEMBER, "kind": "no_show", "outcome": "charged",
             "amount": Decimal("7.50"), "currency": "GBP", "payment_id": _id(47),
             "created_at": CREATED, "waived_by": None, "waived_reason": None,
             "waived_at": None},
        ],
    }


# fmt: on


def rows_at(revision: str) -> dict[str, list[Row]]:
    """Every row a database at ``revision`` holds, by table, in an order that satisfies the
    foreign keys."""
    rows: dict[str, list[Row]] = {}
    for at, build in (("0001", _rev_0001), ("0002", _rev_0002), ("0003", _rev_0003)):
        if revision >= at:
            rows |= build()
    if revision >= "0004":
        # A table two revisions fill (movement events) holds the rows of both.
        for table, more in _rev_0004(with_0005=revision >= "0005").items():
            rows[table] = [*rows.get(table, []), *more]
    return rows


def session_row(case: SessionCase) -> Row:
    """A session the application wrote under 0005: with its real local values."""
    return _session_row(case, YOGA if case.tenant_id == TENANT else OTHER_YOGA, True)
