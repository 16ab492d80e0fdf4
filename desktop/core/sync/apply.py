"""Applying pulled changes: one idempotent applier per server table.

A domain joins sync by adding its table to :func:`kiosk_appliers` (the process wiring hands
them to the sync engine, which never names a table). Appliers write only pulled tables,
through :class:`~desktop.core.store.PulledRows`, inside the caller's transaction. A table
this program does not know (a newer server) is skipped: nothing here could use its rows.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from desktop.core.store import PulledRows
from desktop.core.store.benefits import BenefitRows
from desktop.core.store.door import DoorRows
from desktop.core.store.engagement import EngagementRows
from desktop.core.store.member_card import MemberCardRows
from desktop.core.store.rows import INSERT_MEMBER, member_row, token_rows
from shared.closures import ClosureDays
from shared.sync.messages import Change
from shared.sync.snapshot import (
    SnapshotBooking,
    SnapshotClassSession,
    SnapshotLocation,
    SnapshotMember,
    SnapshotMembership,
    SnapshotPassKey,
    SnapshotPlan,
    SnapshotSessionType,
    SnapshotStaff,
)

log = logging.getLogger(__name__)

Data = dict[str, Any]


@dataclass(frozen=True)
class TableApplier:
    upsert: Callable[[PulledRows, uuid.UUID, Data], None]
    delete: Callable[[PulledRows, uuid.UUID, Data | None], None]
    #: Empties the table before a snapshot's list of it is applied. Only for tables the
    #: snapshot model does not already replace (see ``CacheRepository.replace``).
    clear: Callable[[PulledRows], None] | None = None
    #: Upserts a run of consecutive changes of the table at once (a statement per kind of
    #: write, not per row): for tables that arrive by the thousand, such as members.
    upsert_many: Callable[[sqlite3.Connection, list[Data]], None] | None = None


Appliers = Mapping[str, TableApplier]
#: Unknown tables already logged: a newer server sends them on every pull.
_logged_unknown: set[str] = set()


def apply_changes(conn: sqlite3.Connection, changes: Iterable[Change], appliers: Appliers) -> int:
    """Apply changes in order (caller holds the transaction); returns how many applied."""
    rows = PulledRows(conn)
    applied = 0
    run: list[Data] = []
    run_of: TableApplier | None = None
    for change in changes:
        applier = appliers.get(change.table)
        if applier is None:
            if change.table not in _logged_unknown:
                _logged_unknown.add(change.table)
                log.warning("Skipping pulled changes of unknown table %r", change.table)
            continue
        applied += 1
        deleted = change.deleted or change.data is None
        if applier.upsert_many is not None and not deleted and change.data is not None:
            if run_of is not applier:
                _flush(conn, run_of, run)
                run_of = applier
            run.append(change.data)
            continue
        _flush(conn, run_of, run)
        run_of = None
        if deleted:
            applier.delete(rows, change.row_id, change.data)
        else:
            assert change.data is not None
            applier.upsert(rows, change.row_id, change.data)
    _flush(conn, run_of, run)
    return applied


def _flush(conn: sqlite3.Connection, applier: TableApplier | None, run: list[Data]) -> None:
    if applier is not None and applier.upsert_many is not None and run:
        applier.upsert_many(conn, run)
    run.clear()


def apply_snapshot_tables(
    conn: sqlite3.Connection, document: Mapping[str, Any], appliers: Appliers
) -> None:
    """Tables the snapshot document carries beyond :class:`KioskSnapshot`'s own lists
    (e.g. ``review_items``): each replaced by the document's rows (each with an ``id``)."""
    rows = PulledRows(conn)
    for table, applier in appliers.items():
        items = document.get(table)
        if applier.clear is None or not isinstance(items, list):
            continue
        applier.clear(rows)
        for item in items:
            applier.upsert(rows, uuid.UUID(str(item["id"])), item)


# -- the tables of the kiosk's scope (shared/sync/messages.py TABLE_*, snapshot.py shapes) --


def _upsert_members(conn: sqlite3.Connection, items: list[Data]) -> None:
    """``PulledRows.upsert_member`` for many members: the last version of each wins."""
    latest = {m.id: m for m in (SnapshotMember.model_validate(d) for d in items)}
    members = list(latest.values())
    conn.executemany(
        "DELETE FROM cached_member_token WHERE member_id = ?", [(str(m.id),) for m in members]
    )
    conn.executemany(f"INSERT OR REPLACE {INSERT_MEMBER}", [member_row(m) for m in members])
    MemberCardRows(conn).upsert_details(members)
    conn.executemany(
        "INSERT OR IGNORE INTO cached_member_token (token, member_id) VALUES (?, ?)",
        token_rows(members),
    )


def _pass_key_id(data: Data | None) -> int | None:
    return None if data is None or data.get("key_id") is None else int(data["key_id"])


def kiosk_appliers() -> dict[str, TableApplier]:
    """The tables of the kiosk's scope, by the name the server gives them."""
    return {
        "members": TableApplier(
            upsert=lambda r, _id, d: r.upsert_member(SnapshotMember.model_validate(d)),
            delete=lambda r, row_id, _d: r.delete_member(row_id),
            upsert_many=_upsert_members,
        ),
        "memberships": TableApplier(
            upsert=lambda r, _id, d: r.upsert_membership(SnapshotMembership.model_validate(d)),
            delete=lambda r, row_id, _d: r.delete_membership(row_id),
        ),
        "plans": TableApplier(
            upsert=lambda r, _id, d: r.upsert_plan(SnapshotPlan.model_validate(d)),
            delete=lambda r, row_id, _d: r.delete_plan(row_id),
        ),
        "pass_keys": TableApplier(
            upsert=lambda r, row_id, d: r.upsert_pass_key(
                row_id, SnapshotPassKey.model_validate(d)
            ),
            delete=lambda r, row_id, d: r.delete_pass_key(row_id, _pass_key_id(d)),
        ),
        # One row per revoked pass, keyed by the pass id; a tombstone lifts the revocation.
        "revoked_passes": TableApplier(
            upsert=lambda r, row_id, _d: r.set_pass_revoked(row_id, True),
            delete=lambda r, row_id, _d: r.set_pass_revoked(row_id, False),
        ),
        "staff": TableApplier(
            upsert=lambda r, _id, d: r.upsert_staff(SnapshotStaff.model_validate(d)),
            delete=lambda r, row_id, _d: r.delete_staff(row_id),
        ),
        "locations": TableApplier(
            upsert=lambda r, _id, d: r.update_location(SnapshotLocation.model_validate(d)),
            # The kiosk's location archived: keep its data; the snapshot will say what to do.
            delete=lambda r, _id, _d: None,
        ),
        "checkins": TableApplier(
            upsert=lambda r, row_id, d: r.upsert_checkin(row_id, d),
            delete=lambda r, row_id, _d: r.delete_row("cached_checkin", row_id),
            clear=lambda r: r.clear("cached_checkin"),
        ),
        # Sessions and bookings: each snapshot replaces them; pulls upsert them.
        "session_types": TableApplier(
            upsert=lambda r, _id, d: r.sessions.upsert_session_type(
                SnapshotSessionType.model_validate(d)
            ),
            delete=lambda r, row_id, _d: r.sessions.delete("cached_session_type", row_id),
            clear=lambda r: r.sessions.clear("cached_session_type"),
        ),
        "class_sessions": TableApplier(
            upsert=lambda r, _id, d: r.sessions.upsert_session(
                SnapshotClassSession.model_validate(d)
            ),
            delete=lambda r, row_id, _d: r.sessions.delete("cached_class_session", row_id),
            clear=lambda r: r.sessions.clear("cached_class_session"),
        ),
        "bookings": TableApplier(
            upsert=lambda r, _id, d: r.sessions.upsert_booking(SnapshotBooking.model_validate(d)),
            delete=lambda r, row_id, _d: r.sessions.delete("cached_booking", row_id),
            clear=lambda r: r.sessions.clear("cached_booking"),
        ),
        # One row: the tenant's door rules (re-entry and class check-in windows).
        "checkin_policy": TableApplier(
            upsert=lambda r, _id, d: DoorRows(r.connection).set_policy(d),
            delete=lambda r, _id, _d: DoorRows(r.connection).clear_policy(),
            clear=lambda r: DoorRows(r.connection).clear_policy(),
        ),
        # Staff alerts on members (a resolved one is removed) and the tenant's locations
        # by name (snapshot only): the admission card's desk side and refusals.
        "member_alerts": TableApplier(
            upsert=lambda r, _id, d: r.card.upsert_alert(d),
            delete=lambda r, row_id, _d: r.card.delete_alert(row_id),
            clear=lambda r: r.card.clear_alerts(),
        ),
        "places": TableApplier(
            upsert=lambda r, _id, d: r.card.upsert_place(d),
            delete=lambda r, _id, _d: None,
            clear=lambda r: r.card.clear_places(),
        ),
        # The location's closures and special hours: each snapshot replaces them.
        "location_closures": TableApplier(
            upsert=lambda r, _id, d: r.closures.upsert(ClosureDays.model_validate(d)),
            delete=lambda r, row_id, _d: r.closures.delete(row_id),
            clear=lambda r: r.closures.clear(),
        ),
        # Members' streaks and latest badge: the server's row replaces the kiosk's own.
        "member_engagement": TableApplier(
            upsert=lambda r, _id, d: EngagementRows(r.connection).upsert(d),
            delete=lambda r, row_id, _d: EngagementRows(r.connection).delete(row_id),
            clear=lambda r: EngagementRows(r.connection).clear(),
        ),
        # Members' payer benefits as ZPS last answered (integrated mode): offline decisions.
        "benefit_snapshots": TableApplier(
            upsert=lambda r, _id, d: BenefitRows(r.connection).upsert(d),
            delete=lambda r, row_id, _d: BenefitRows(r.connection).delete(row_id),
            clear=lambda r: BenefitRows(r.connection).clear(),
        ),
        "review_items": TableApplier(
            upsert=lambda r, row_id, d: r.upsert_review_item(row_id, d),
            delete=lambda r, row_id, _d: r.delete_row("cached_review_item", row_id),
            clear=lambda r: r.clear("cached_review_item"),
        ),
    }
