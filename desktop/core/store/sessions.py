"""Sessions and bookings at the kiosk's location: pulled rows and this kiosk's own.

Pulled tables (``cached_session_type``, ``cached_class_session``, ``cached_booking``) are
written only by the snapshot and by pulls. ``local_booking`` and ``local_attendance`` hold
what this kiosk did; the live view merges the two without ever overwriting one with the
other.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime

from desktop.core.store.codec import (
    decode_opt_time,
    decode_time,
    encode_opt_time,
    encode_time,
    opt_str,
    opt_uuid,
)
from desktop.core.store.members import MEMBERS
from desktop.core.store.records import BookingRef, RosterEntry, SessionView
from shared.enums import BookingStatus, SessionStatus
from shared.sync.snapshot import SnapshotBooking, SnapshotClassSession, SnapshotSessionType

#: A local booking the server has not decided yet (no row of its own pulled back).
_UNDECIDED = "lb.id NOT IN (SELECT id FROM cached_booking)"
#: ... and asks for a place (not a member put on the waitlist at the desk).
_UNDECIDED_PLACE = f"{_UNDECIDED} AND lb.status = 'confirmed'"
#: Bookings holding a place.
HOLDING = (BookingStatus.CONFIRMED.value, BookingStatus.PENDING.value)


class SessionRows:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    # -- pulled rows (snapshot and pull) -------------------------------------------------------

    def upsert_session_type(self, t: SnapshotSessionType) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO cached_session_type (id, name, data_json) VALUES (?, ?, ?)",
            (str(t.id), t.name, t.model_dump_json()),
        )

    def upsert_session(self, s: SnapshotClassSession) -> None:
        self._conn.execute(
            """INSERT OR REPLACE INTO cached_class_session (id, session_type_id, name,
                   instructor_name, starts_at, ends_at, capacity, confirmed_count,
                   waitlist_count, status, room)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                str(s.id),
                str(s.session_type_id),
                s.name,
                s.instructor_name,
                encode_time(s.starts_at),
                encode_time(s.ends_at),
                s.capacity,
                s.confirmed_count,
                s.waitlist_count,
                s.status.value,
                s.room,
            ),
        )

    def upsert_booking(self, b: SnapshotBooking) -> None:
        self._conn.execute(
            """INSERT OR REPLACE INTO cached_booking (id, session_id, member_id, status,
                   position, attendance, checked_in_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (
                str(b.id),
                str(b.session_id),
                str(b.member_id),
                b.status.value,
                b.position,
                None if b.attendance is None else b.attendance.value,
                encode_opt_time(b.checked_in_at),
            ),
        )

    def delete(self, table: str, row_id: uuid.UUID) -> None:
        if table not in ("cached_session_type", "cached_class_session", "cached_booking"):
            raise ValueError(table)
        self._conn.execute(f"DELETE FROM {table} WHERE id = ?", (str(row_id),))

    def clear(self, table: str) -> None:
        if table not in ("cached_session_type", "cached_class_session", "cached_booking"):
            raise ValueError(table)
        self._conn.execute(f"DELETE FROM {table}")

    # -- this kiosk's rows ---------------------------------------------------------------------

    def add_booking(
        self,
        *,
        booking_id: uuid.UUID,
        session_id: uuid.UUID,
        member_id: uuid.UUID,
        booked_at: datetime,
        staff_id: uuid.UUID | None,
        mutation_id: int,
        status: BookingStatus = BookingStatus.CONFIRMED,
    ) -> None:
        """``status``: confirmed for a booking asking for a place, waitlisted for a member
        put in line for a full class."""
        self._conn.execute(
            """INSERT INTO local_booking (id, session_id, member_id, booked_at, staff_id,
                   mutation_id, status) VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (
                str(booking_id),
                str(session_id),
                str(member_id),
                encode_time(booked_at),
                opt_str(staff_id),
                mutation_id,
                status.value,
            ),
        )

    def add_attendance(
        self,
        *,
        booking_id: uuid.UUID,
        session_id: uuid.UUID,
        member_id: uuid.UUID,
        checked_in_at: datetime,
        checkin_id: uuid.UUID | None,
        mutation_id: int,
    ) -> None:
        self._conn.execute(
            """INSERT INTO local_attendance (booking_id, session_id, member_id, checked_in_at,
                   checkin_id, mutation_id) VALUES (?, ?, ?, ?, ?, ?)""",
            (
                str(booking_id),
                str(session_id),
                str(member_id),
                encode_time(checked_in_at),
                opt_str(checkin_id),
                mutation_id,
            ),
        )

    def retire_decided(self) -> int:
        """Drop local bookings the server has answered: its own row came back, or it
        refused the booking for good. From then on the pulled row is the truth."""
        return self._conn.execute(
            """DELETE FROM local_booking
               WHERE mutation_id NOT IN (SELECT mutation_id FROM outbox)
                 AND (id IN (SELECT id FROM cached_booking)
                      OR mutation_id IN (SELECT mutation_id FROM rejected_mutations))"""
        ).rowcount

    # -- reads ---------------------------------------------------------------------------------

    def sessions(self, start: datetime, end: datetime) -> list[SessionView]:
        """Sessions starting in [start, end), in time order, with live counts."""
        rows = self._conn.execute(
            f"""SELECT s.*, (SELECT COUNT(*) FROM local_booking lb
                                 WHERE lb.session_id = s.id AND {_UNDECIDED_PLACE}) AS pending,
                             (SELECT COUNT(*) FROM local_booking lb
                                 WHERE lb.session_id = s.id AND {_UNDECIDED}
                                 AND lb.status = 'waitlisted') AS pending_waiting
                FROM cached_class_session s
                WHERE s.starts_at >= ? AND s.starts_at < ?
                ORDER BY s.starts_at, s.name, s.id""",
            (encode_time(start), encode_time(end)),
        ).fetchall()
        return [self._view(r) for r in rows]

    def intensity(self, session_id: uuid.UUID) -> str | None:
        """The session's type's intensity as the server sent it (None: not known)."""
        row = self._conn.execute(
            """SELECT t.data_json FROM cached_class_session s
               JOIN cached_session_type t ON t.id = s.session_type_id WHERE s.id = ?""",
            (str(session_id),),
        ).fetchone()
        if row is None:
            return None
        return SnapshotSessionType.model_validate_json(row[0]).intensity

    def session(self, session_id: uuid.UUID) -> SessionView | None:
        row = self._conn.execute(
            f"""SELECT s.*, (SELECT COUNT(*) FROM local_booking lb
                                 WHERE lb.session_id = s.id AND {_UNDECIDED_PLACE}) AS pending,
                             (SELECT COUNT(*) FROM local_booking lb
                                 WHERE lb.session_id = s.id AND {_UNDECIDED}
                                 AND lb.status = 'waitlisted') AS pending_waiting
                FROM cached_class_session s WHERE s.id = ?""",
            (str(session_id),),
        ).fetchone()
        return None if row is None else self._view(row)

    @staticmethod
    def _view(r: sqlite3.Row) -> SessionView:
        pending = int(r["pending"])
        return SessionView(
            id=uuid.UUID(r["id"]),
            name=r["name"],
            instructor_name=r["instructor_name"],
            starts_at=decode_time(r["starts_at"]),
            ends_at=decode_time(r["ends_at"]),
            capacity=int(r["capacity"]),
            booked=int(r["confirmed_count"]) + pending,
            waitlisted=int(r["waitlist_count"]) + int(r["pending_waiting"]),
            status=SessionStatus(r["status"]),
            room=r["room"],
            pending=pending,
        )

    def booked_in(self, member_id: uuid.UUID, start: datetime, end: datetime) -> set[uuid.UUID]:
        """Sessions starting in [start, end) where the member has a booking row, pulled or
        made here (in any state: :meth:`booking_of` says which), in one query."""
        rows = self._conn.execute(
            f"""SELECT s.id FROM cached_class_session s
                WHERE s.starts_at >= :start AND s.starts_at < :end AND (
                    EXISTS (SELECT 1 FROM cached_booking b
                            WHERE b.session_id = s.id AND b.member_id = :m)
                    OR EXISTS (SELECT 1 FROM local_booking lb
                               WHERE lb.session_id = s.id AND lb.member_id = :m
                               AND {_UNDECIDED}))""",
            {"start": encode_time(start), "end": encode_time(end), "m": str(member_id)},
        )
        return {uuid.UUID(r["id"]) for r in rows}

    def booking_of(self, session_id: uuid.UUID, member_id: uuid.UUID) -> BookingRef | None:
        """The member's live booking of the session (not cancelled or declined), if any."""
        for entry in self.roster(session_id, member_id=member_id):
            return BookingRef(
                entry.booking_id,
                entry.status,
                entry.position,
                entry.checked_in,
                entry.pending,
                entry.waitlist_place,
            )
        return None

    def roster(
        self, session_id: uuid.UUID, *, member_id: uuid.UUID | None = None
    ) -> list[RosterEntry]:
        """Who is booked or waitlisted, in booking order (this kiosk's undecided bookings
        last), with their check-in state. Cancelled bookings are left out, unless this
        kiosk checked the member in (then staff must look at it)."""
        sid = str(session_id)
        extra, params = (
            ("AND member_id = :m", {"s": sid, "m": str(member_id)})
            if member_id
            else (
                "",
                {"s": sid},
            )
        )
        pulled = self._conn.execute(
            f"""SELECT id, member_id, status, position, checked_in_at, 0 AS local,
                       (SELECT COUNT(*) FROM cached_booking w
                        WHERE w.session_id = :s AND w.status = 'waitlisted'
                        AND w.position <= b.position) AS line
                FROM cached_booking b WHERE session_id = :s {extra}
                UNION ALL
                SELECT lb.id, lb.member_id, lb.status, 1000000000, NULL, 1, 0
                FROM local_booking lb WHERE lb.session_id = :s AND {_UNDECIDED} {extra}
                ORDER BY local, position""",
            params,
        ).fetchall()
        attended = {
            r["booking_id"]: r
            for r in self._conn.execute(
                """SELECT a.booking_id, a.checked_in_at,
                          a.mutation_id IN (SELECT mutation_id FROM outbox) AS waiting
                   FROM local_attendance a WHERE a.session_id = ?""",
                (sid,),
            )
        }
        names = self._names([r["member_id"] for r in pulled])
        entries = []
        for r in pulled:
            status = BookingStatus(r["status"])
            here = attended.get(r["id"])
            gone = status not in (*HOLDING, BookingStatus.WAITLISTED.value)
            if gone and here is None:
                continue
            at = decode_opt_time(r["checked_in_at"]) or (
                decode_opt_time(here["checked_in_at"]) if here else None
            )
            waiting = bool(here["waiting"]) if here is not None else False
            entries.append(
                RosterEntry(
                    booking_id=uuid.UUID(r["id"]),
                    member_id=uuid.UUID(r["member_id"]),
                    member_name=names.get(r["member_id"], "Unknown member"),
                    status=status,
                    position=0 if r["local"] else int(r["position"]),
                    waitlist_place=(
                        int(r["line"])
                        if status is BookingStatus.WAITLISTED and not r["local"]
                        else None
                    ),
                    checked_in=at is not None,
                    checked_in_at=at,
                    pending=bool(r["local"]) or waiting,
                    needs_review=(
                        here is not None
                        and not waiting
                        and not r["local"]
                        and status.value not in HOLDING
                    ),
                )
            )
        return entries

    def _names(self, member_ids: list[str]) -> dict[str, str]:
        if not member_ids:
            return {}
        found: dict[str, str] = {}
        ids = sorted(set(member_ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            for r in self._conn.execute(
                f"""SELECT id, first_name, last_name FROM {MEMBERS}
                    WHERE id IN ({marks}) ORDER BY local""",
                chunk,
            ):
                found[r["id"]] = f"{r['first_name']} {r['last_name']}".strip()
        return found

    def local_attendances(self) -> dict[uuid.UUID, uuid.UUID | None]:
        """Booking id → check-in id of every attendance recorded here."""
        rows = self._conn.execute("SELECT booking_id, checkin_id FROM local_attendance")
        return {uuid.UUID(r[0]): opt_uuid(r[1]) for r in rows}
