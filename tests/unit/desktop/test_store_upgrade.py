"""A kiosk database written by every earlier kiosk version opens under this program with its
rows kept, and its pending outbox rows still go to the server unchanged.

Each old database is built the way that version built it: only the first n migration
scripts, then rows inserted with SQL valid at version n.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.app import build_core
from desktop.config import KioskSettings
from desktop.core.credentials import open_credential_store
from desktop.core.store import (
    SCHEMA_VERSION,
    CacheRepository,
    DeviceRepository,
    LocalRepository,
    MemberRepository,
    OutboxRepository,
    PulledRows,
    RejectedRepository,
    ScopeRepository,
    Store,
    SyncStateRepository,
    SyncStatusRepository,
    user_version,
)
from desktop.core.store.migrations import MIGRATIONS
from desktop.core.store.sessions import SessionRows
from shared.enums import BookingStatus, CheckinMethod
from shared.normalise import normalise_email
from shared.sync.snapshot import SnapshotPlan
from tests.unit.desktop.sync_fakes import SyncFakeServer

OLD_VERSIONS = range(1, SCHEMA_VERSION)
#: An argon2 hash of the PIN "1234", as kiosks before version 6 held staff PINs.
OLD_PIN_HASH = (
    "$argon2id$v=19$m=8,t=1,p=1$3hcWpb5rdHHDHRD+eizl+A$WXeu7ffry/FrT1fSVeATjkzmuFBZXTj38i9ioaMGxG0"
)
NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
#: Mutation ids the server had already acknowledged before the upgrade (version 3 on).
ACKNOWLEDGED = 4


@dataclass
class OldKiosk:
    """What the old program wrote, to check against after the upgrade."""

    version: int
    server: SyncFakeServer
    instance_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    member_id: uuid.UUID = field(default_factory=uuid.uuid4)
    local_member_id: uuid.UUID = field(default_factory=uuid.uuid4)
    plan_id: uuid.UUID = field(default_factory=uuid.uuid4)
    membership_id: uuid.UUID = field(default_factory=uuid.uuid4)
    local_membership_id: uuid.UUID = field(default_factory=uuid.uuid4)
    checkin_id: uuid.UUID = field(default_factory=uuid.uuid4)
    session_id: uuid.UUID = field(default_factory=uuid.uuid4)
    booking_id: uuid.UUID = field(default_factory=uuid.uuid4)
    staff_id: uuid.UUID = field(default_factory=uuid.uuid4)
    #: The pending outbox rows: mutation id → (name, args).
    outbox: dict[int, tuple[str, dict[str, Any]]] = field(default_factory=dict)


def build_old_database(path: Path, version: int) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    for number, migration in enumerate(MIGRATIONS[:version], start=1):
        for name, function in migration.functions.items():
            conn.create_function(name, 1, function, deterministic=True)
        conn.executescript(f"BEGIN;\n{migration.script}\nPRAGMA user_version = {number};\nCOMMIT;")
    assert user_version(conn) == version
    return conn


def text(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")


def seed(conn: sqlite3.Connection, old: OldKiosk) -> None:
    """Rows as that version wrote them, in SQL valid at ``old.version``."""
    v, server = old.version, old.server
    x = conn.execute
    x("BEGIN")
    x("INSERT INTO store_meta (key, value) VALUES ('instance_id', ?)", (old.instance_id,))
    x(
        """INSERT INTO device (singleton, device_id, tenant_id, location_id, server_url,
               device_name, enrolled_at, db_instance_id) VALUES (1, ?, ?, ?, ?, ?, ?, ?)""",
        (
            str(server.device_id),
            str(server.tenant_id),
            str(server.location_id),
            "http://zmos.test",
            "Front desk 1",
            NOW.isoformat(),  # the format version 1 wrote
            old.instance_id,
        ),
    )
    x("INSERT INTO tenant (id, name) VALUES (?, 'Zimasa Fitness')", (str(server.tenant_id),))
    x(
        """INSERT INTO location (id, tenant_id, name, timezone, capacity, address,
               contact_email, contact_phone, opening_hours_json)
           VALUES (?, ?, 'Riverside Gym', 'Europe/London', 80, NULL, NULL, NULL, '{}')""",
        (str(server.location_id), str(server.tenant_id)),
    )
    # Version 6 renamed the column and holds keyed verifiers (none until a snapshot).
    pin_column, pin = ("pin_hash", OLD_PIN_HASH) if v < 6 else ("pin_verifier", None)
    x(
        f"INSERT INTO staff (id, tenant_id, name, role, {pin_column}) VALUES (?, ?, ?, ?, ?)",
        (str(old.staff_id), str(server.tenant_id), "Cleo Desk", "front_desk", pin),
    )
    x(
        "UPDATE sync_status SET last_success_at = ?, last_error = ? WHERE singleton = 1",
        (NOW.isoformat(), "The server could not be reached"),
    )
    if v >= 2:
        seed_members_and_outbox(conn, old)
    if v >= 3:
        seed_sync_state(conn, old)
    if v >= 4:
        seed_sessions(conn, old)
    x("COMMIT")


def seed_members_and_outbox(conn: sqlite3.Connection, old: OldKiosk) -> None:
    x = conn.execute
    plan = SnapshotPlan.model_validate(
        {
            "id": str(old.plan_id),
            "name": "Ten-class pack",
            "kind": "class_pack",
            "price": "50",
            "currency": "GBP",
            "credits": 10,
            "location_rule": "all",
        }
    )
    x(
        "INSERT INTO cached_plan (id, kind, name, active, data_json) VALUES (?, ?, ?, 1, ?)",
        (str(plan.id), plan.kind.value, plan.name, plan.model_dump_json()),
    )
    member_columns = """id, first_name, last_name, email, phone, barcode, card_number,
        home_location_id, guest_of_id, sort_name, email_norm, phone_digits, barcode_norm,
        card_norm"""
    x(
        f"INSERT INTO cached_member ({member_columns}) VALUES "
        "(?, 'Ana', 'Smith', 'ana@example.com', '+44 7700 900123', 'ZM-0001', NULL, NULL, "
        "NULL, 'smith ana', 'ana@example.com', '447700900123', 'ZM0001', NULL)",
        (str(old.member_id),),
    )
    x(
        "INSERT INTO cached_member_token (token, member_id) VALUES ('ana', ?), ('smith', ?)",
        (str(old.member_id), str(old.member_id)),
    )
    # Before version 5, what casefold() made of this address; lower() keeps the ß.
    email_norm = "bea.straße@example.com" if old.version >= 5 else "bea.strasse@example.com"
    x(
        f"""INSERT INTO local_member ({member_columns}, created_at, mutation_id) VALUES
            (?, 'Bea', 'Straße', 'Bea.Straße@Example.com', NULL, NULL, NULL, ?, NULL,
             'strasse bea', ?, NULL, NULL, NULL, ?, 5)""",
        (str(old.local_member_id), str(old.server.location_id), email_norm, text(NOW)),
    )
    x(
        "INSERT INTO local_member_token (token, member_id) VALUES ('bea', ?), ('strasse', ?)",
        (str(old.local_member_id), str(old.local_member_id)),
    )
    x(
        """INSERT INTO cached_membership (id, member_id, plan_id, status, starts_on, ends_on,
               frozen_until, credits_remaining, home_location_id)
           VALUES (?, ?, ?, 'active', '2025-03-01', NULL, NULL, 8, NULL)""",
        (str(old.membership_id), str(old.member_id), str(old.plan_id)),
    )
    x(
        "INSERT INTO credit_counter (membership_id, remaining) VALUES (?, 7)",
        (str(old.membership_id),),
    )
    x(
        """INSERT INTO local_membership (id, member_id, plan_id, plan_json, status, starts_on,
               ends_on, credits_remaining, home_location_id, sale_id, amount, currency,
               payment_method, guest_of_id, created_at, mutation_id)
           VALUES (?, ?, ?, ?, 'active', '2025-03-04', NULL, 10, NULL, ?, '50', 'GBP', 'cash',
                   NULL, ?, 6)""",
        (
            str(old.local_membership_id),
            str(old.local_member_id),
            str(old.plan_id),
            plan.model_dump_json(),
            str(uuid.uuid4()),
            text(NOW),
        ),
    )
    x(
        """INSERT INTO local_checkin (id, member_id, membership_id, pass_id, method, admitted,
               reason, warning, override_staff_id, override_reason, occurred_at, mutation_id)
           VALUES (?, ?, ?, NULL, 'search', 1, 'Welcome', NULL, NULL, NULL, ?, 7)""",
        (str(old.checkin_id), str(old.member_id), str(old.membership_id), text(NOW)),
    )
    x(
        "INSERT INTO cached_pass_key (key_id, public_key) VALUES (1, ?)",
        ("MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=",),
    )
    x("INSERT INTO cached_revoked_pass (pass_id) VALUES (?)", (str(uuid.uuid4()),))
    pending = {
        5: ("member.create.v1", {"member_id": str(old.local_member_id), "first_name": "Bea"}),
        6: ("sale.create.v1", {"membership_id": str(old.local_membership_id), "amount": "50"}),
        7: (
            "checkin.create.v1",
            {"checkin_id": str(old.checkin_id), "member_id": str(old.member_id)},
        ),
    }
    # Versions before 3 had no acknowledgements to keep: their ids start at 1.
    offset = 0 if old.version >= 3 else ACKNOWLEDGED
    for mutation_id, (name, args) in pending.items():
        x(
            """INSERT INTO outbox (mutation_id, name, args_json, device_time, hlc, created_at)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (
                mutation_id - offset,
                name,
                json.dumps(args, separators=(",", ":"), sort_keys=True),
                text(NOW),
                f"{int(NOW.timestamp() * 1000):015d}-{mutation_id:05d}-{old.server.device_id}",
                text(NOW),
            ),
        )
        old.outbox[mutation_id - offset] = (name, args)
    if offset:
        for table in ("local_member", "local_membership", "local_checkin"):
            x(f"UPDATE {table} SET mutation_id = mutation_id - ?", (offset,))


def seed_sync_state(conn: sqlite3.Connection, old: OldKiosk) -> None:
    x = conn.execute
    x(
        """UPDATE sync_state SET cursor = 41, has_cursor = 1, last_mutation_id = ?,
               last_pull_at = ?, last_push_at = ? WHERE singleton = 1""",
        (ACKNOWLEDGED, text(NOW), text(NOW)),
    )
    x(
        """INSERT INTO rejected_mutations (mutation_id, name, args_json, device_time, hlc,
               reason, rejected_at)
           VALUES (3, 'sale.create.v1', '{}', ?, 'h', 'unknown plan', ?)""",
        (text(NOW), text(NOW)),
    )
    x(
        """INSERT INTO cached_checkin (id, member_id, membership_id, admitted, occurred_at,
               data_json) VALUES (?, ?, ?, 1, ?, '{}')""",
        (str(uuid.uuid4()), str(old.member_id), str(old.membership_id), NOW.isoformat()),
    )
    x(
        "INSERT INTO cached_review_item (id, status, data_json) VALUES (?, 'open', '{}')",
        (str(uuid.uuid4()),),
    )
    x("UPDATE cached_pass_key SET row_id = ?", (str(uuid.uuid4()),))


def seed_sessions(conn: sqlite3.Connection, old: OldKiosk) -> None:
    x = conn.execute
    type_id = uuid.uuid4()
    x(
        "INSERT INTO cached_session_type (id, name, data_json) VALUES (?, 'Spin', '{}')",
        (str(type_id),),
    )
    starts = NOW + timedelta(hours=1)
    x(
        """INSERT INTO cached_class_session (id, session_type_id, name, instructor_name,
               starts_at, ends_at, capacity, confirmed_count, waitlist_count, status, room)
           VALUES (?, ?, 'Spin', 'Ben Coach', ?, ?, 12, 3, 0, 'scheduled', 'Studio 1')""",
        (str(old.session_id), str(type_id), text(starts), text(starts + timedelta(minutes=45))),
    )
    x(
        """INSERT INTO cached_booking (id, session_id, member_id, status, position, attendance,
               checked_in_at) VALUES (?, ?, ?, 'confirmed', 1, NULL, NULL)""",
        (str(uuid.uuid4()), str(old.session_id), str(old.member_id)),
    )
    x(
        """INSERT INTO local_booking (id, session_id, member_id, booked_at, staff_id,
               mutation_id) VALUES (?, ?, ?, ?, NULL, 8)""",
        (str(old.booking_id), str(old.session_id), str(old.local_member_id), text(NOW)),
    )
    x(
        """INSERT INTO local_attendance (booking_id, session_id, member_id, checked_in_at,
               checkin_id, mutation_id) VALUES (?, ?, ?, ?, NULL, 8)""",
        (str(old.booking_id), str(old.session_id), str(old.local_member_id), text(NOW)),
    )
    args = {"id": str(old.booking_id), "session_id": str(old.session_id)}
    x(
        """INSERT INTO outbox (mutation_id, name, args_json, device_time, hlc, created_at)
           VALUES (8, 'booking.create.v1', ?, ?, 'h8', ?)""",
        (json.dumps(args, separators=(",", ":"), sort_keys=True), text(NOW), text(NOW)),
    )
    old.outbox[8] = ("booking.create.v1", args)


@pytest.fixture(params=OLD_VERSIONS, ids=lambda v: f"from-v{v}")
def old_kiosk(request: pytest.FixtureRequest, tmp_path: Path) -> OldKiosk:
    old = OldKiosk(request.param, SyncFakeServer())
    (tmp_path / "kiosk").mkdir(mode=0o700)
    conn = build_old_database(tmp_path / "kiosk" / "kiosk.sqlite3", old.version)
    seed(conn, old)
    conn.close()
    credentials = open_credential_store("file", tmp_path / "kiosk")
    credentials.save(str(old.server.device_id), old.server.device_secret)
    return old


def schema(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's columns and every index's definition."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    rows = conn.execute(
        "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    )
    for kind, name, table in rows.fetchall():
        if kind == "table":
            found[name] = [tuple(r) for r in conn.execute(f"PRAGMA table_xinfo({name})")]
        else:
            columns = [tuple(r) for r in conn.execute(f"PRAGMA index_xinfo({name})")]
            found[f"{kind} {name} on {table}"] = columns
    return found


def test_the_upgraded_schema_is_the_schema_of_a_new_database(
    old_kiosk: OldKiosk, tmp_path: Path
) -> None:
    upgraded = Store(tmp_path / "kiosk" / "kiosk.sqlite3")
    fresh = Store(tmp_path / "fresh" / "kiosk.sqlite3")
    try:
        assert user_version(upgraded.connection()) == SCHEMA_VERSION
        assert schema(upgraded.connection()) == schema(fresh.connection())
    finally:
        upgraded.close()
        fresh.close()


def test_rows_of_every_earlier_version_are_kept(old_kiosk: OldKiosk, tmp_path: Path) -> None:
    old, server = old_kiosk, old_kiosk.server
    store = Store(tmp_path / "kiosk" / "kiosk.sqlite3")
    try:
        conn = store.connection()
        assert store.instance_id == old.instance_id
        device = DeviceRepository(conn).get()
        assert device is not None
        assert (device.device_id, device.location_id) == (server.device_id, server.location_id)
        assert device.enrolled_at == NOW
        ref = ScopeRepository(conn).location_ref()
        assert ref is not None and ref.id == server.location_id
        staff = ScopeRepository(conn).staff()
        assert [s.id for s in staff] == [old.staff_id]
        # Version 6 drops the PIN hashes earlier versions held (anyone with the disk could
        # brute-force them); the next snapshot brings keyed verifiers.
        assert [s.pin_verifier for s in staff] == [None]
        for file in (tmp_path / "kiosk").glob("kiosk.sqlite3*"):  # the file and its log
            assert OLD_PIN_HASH.encode() not in file.read_bytes(), file.name
        status = SyncStatusRepository(conn).get()
        assert (status.last_success_at, status.last_error) == (
            NOW,
            "The server could not be reached",
        )
        if old.version < 2:
            assert OutboxRepository(conn).pending() == []
            return
        check_members_and_outbox(conn, old)
        if old.version >= 3:
            state = SyncStateRepository(conn).get()
            # Before version 6 the cursor is forgotten: a snapshot, not a pull, comes next.
            cursor = (0, False) if old.version < 6 else (41, True)
            assert (state.cursor, state.has_cursor, state.last_mutation_id) == (
                *cursor,
                ACKNOWLEDGED,
            )
            assert RejectedRepository(conn).count() == 1
            assert PulledRows(conn).open_review_items() == 1
            assert len(PulledRows(conn).admissions(old.membership_id)) == 1
        if old.version >= 4:
            check_sessions(conn, old)
    finally:
        store.close()


def check_members_and_outbox(conn: sqlite3.Connection, old: OldKiosk) -> None:
    members = MemberRepository(conn)
    ana = members.get(old.member_id)
    assert ana is not None and (ana.first_name, ana.barcode) == ("Ana", "ZM-0001")
    assert [m.id for m in members.search_names(["smi"], 5)] == [old.member_id]
    assert [m.id for m in members.by_phone("447700900123")] == [old.member_id]
    bea = members.get(old.local_member_id)
    assert bea is not None and bea.local and bea.email == "Bea.Straße@Example.com"
    # Stored normal forms are the ones this program computes from the same address.
    email = normalise_email(bea.email)
    assert email is not None
    assert [m.id for m in members.by_email(email)] == [old.local_member_id]
    assert [m.id for m in members.search_names(["stras"], 5)] == [old.local_member_id]
    [pack] = members.memberships([old.member_id])
    assert (pack.id, pack.credits_remaining, pack.plan.name) == (
        old.membership_id,
        7,
        "Ten-class pack",
    )
    [sold] = members.memberships([old.local_member_id])
    assert sold.local and sold.plan.credits == 10 and sold.starts_on == date(2025, 3, 4)
    [checkin] = LocalRepository(conn).checkins()
    assert (checkin.id, checkin.method, checkin.occurred_at) == (
        old.checkin_id,
        CheckinMethod.SEARCH,
        NOW,
    )
    assert LocalRepository(conn).sale_ids() and CacheRepository(conn).public_keys()
    assert CacheRepository(conn).plan(old.plan_id) is not None
    entries = OutboxRepository(conn).pending()
    assert {e.mutation_id: (e.name, e.args) for e in entries} == old.outbox
    assert all(e.device_time == NOW for e in entries)


def check_sessions(conn: sqlite3.Connection, old: OldKiosk) -> None:
    rows = SessionRows(conn)
    [view] = rows.sessions(NOW, NOW + timedelta(days=1))
    assert (view.id, view.booked, view.pending) == (old.session_id, 4, 1)
    roster = rows.roster(old.session_id)
    assert [e.member_id for e in roster] == [old.member_id, old.local_member_id]
    assert roster[1].status is BookingStatus.CONFIRMED and roster[1].pending
    assert rows.local_attendances() == {old.booking_id: None}


def test_pending_outbox_rows_of_every_earlier_version_are_pushed_unchanged(
    old_kiosk: OldKiosk, tmp_path: Path
) -> None:
    old, server = old_kiosk, old_kiosk.server
    server.last_mutation_id = ACKNOWLEDGED if old.version >= 3 else 0
    http = server.client()
    settings = KioskSettings(data_dir=tmp_path / "kiosk", credential_store="file")
    core = build_core(settings, http_client=http)
    try:
        assert core.is_enrolled()
        result = core.sync.push()
        expected = {
            mutation_id: {"name": name, "args": args}
            for mutation_id, (name, args) in old.outbox.items()
        }
        assert result is not None and result.acknowledged == len(expected)
        applied = {
            mutation_id: {"name": m["name"], "args": m["args"]}
            for mutation_id, m in server.applied.items()
        }
        assert applied == expected
        assert OutboxRepository(core.store.connection()).pending() == []
    finally:
        core.close()
        http.close()
