"""Bookings and attendance from another system's files: a year of history, in bulk.

A booking holds a place only while confirmed; a session never ends up with more confirmed
bookings than places. Each session's counters are recounted from its bookings afterwards,
so a re-run that cancels or restores a booking leaves them right."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from server.bookings.models import Booking
from server.db.bulk import among, chunks
from server.members.csv_import import RowError
from server.migration_in import rules
from server.migration_in.importer import Context, Raw, Record, rows_by_id
from server.scheduling.models import ClassSession
from server.sync.changes import touch
from server.tenants.models import Location

_HOLDING = ("confirmed", "pending")


class Bookings:
    name = "bookings"
    model = Booking

    def prepare(self, ctx: Context, raws: list[Raw]) -> tuple[list[Record], list[RowError]]:
        sessions = self._sessions(ctx)
        records: list[Record] = []
        errors: list[RowError] = []
        pairs: dict[tuple[uuid.UUID, uuid.UUID], int] = {}
        for raw in raws:
            reasons: list[str] = []
            member = ctx.ref("member", raw, reasons)
            session_id = ctx.ref("session", raw, reasons)
            values = self._values(ctx, raw, reasons)
            session = sessions.get(session_id) if session_id else None
            if member and session_id and (member, session_id) in pairs:
                reasons.append(
                    f"the member's booking of this session is already on line "
                    f"{pairs[(member, session_id)]}"
                )
            if reasons or member is None or session is None:
                errors.append(RowError(raw.line, "; ".join(reasons)))
                continue
            pairs[(member, session_id)] = raw.line  # type: ignore[index]
            records.append(self._record(ctx, raw, member, session, values))
        return records, errors

    def _sessions(self, ctx: Context) -> dict[uuid.UUID, Any]:
        ids = list(ctx.refs.get("session", {}).values())
        found: dict[uuid.UUID, Any] = {}
        for part in chunks(ids):
            rows = ctx.db.execute(
                select(
                    ClassSession.id,
                    ClassSession.starts_at,
                    ClassSession.ends_at,
                    ClassSession.capacity,
                    ClassSession.confirmed_count,
                    ClassSession.next_position,
                    Location.timezone,
                )
                .join(
                    Location,
                    (Location.tenant_id == ClassSession.tenant_id)
                    & (Location.id == ClassSession.location_id),
                )
                .where(
                    ClassSession.tenant_id == ctx.tenant_id,
                    among(ctx.db, ClassSession.id, part),
                )
            )
            found.update({row.id: row for row in rows})
        return found

    def _values(self, ctx: Context, raw: Raw, reasons: list[str]) -> dict[str, Any]:
        values: dict[str, Any] = {"status": "confirmed", "attendance": None, "booked_at": None}
        try:
            if status := raw.values.get("status", ""):
                values["status"] = rules.word_of(rules.BOOKING_STATUS, status, "status")
            values["attendance"] = rules.attendance(raw.values.get("attendance", ""))
            if booked := raw.values.get("booked_at", ""):
                values["booked_at"] = rules.parse_moment(booked, ctx.date_format)
        except ValueError as exc:
            reasons.append(str(exc))
        if values["status"] == "cancelled" and values["attendance"] in ("on_time", "late"):
            reasons.append("a cancelled booking cannot have been attended")
        return values

    def _record(
        self, ctx: Context, raw: Raw, member: uuid.UUID, session: Any, values: dict[str, Any]
    ) -> Record:
        booked = values["booked_at"]
        booked_at = (
            booked.replace(tzinfo=ZoneInfo(session.timezone)) if booked else session.starts_at
        )
        cancelled = values["status"] == "cancelled"
        attended = values["attendance"] in ("on_time", "late")
        digest_of = {
            "member_id": member,
            "session_id": session.id,
            "status": values["status"],
            "attendance": values["attendance"],
            "booked_at": booked_at,
        }
        row = digest_of | {
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "source": "staff",
            "booked_by": ctx.actor,
            "credit_taken": False,
            "cancelled_at": session.starts_at if cancelled else None,
            "cancel_kind": "by_staff" if cancelled else None,
            "checked_in_at": session.starts_at if attended else None,
        }
        return Record(raw.line, raw.external_id, digest_of, row, extra=session)

    def check_changes(self, ctx: Context, records: list[Record]) -> list[RowError]:
        """A confirmed booking beyond the session's places is refused, in line order."""
        before = rows_by_id(
            ctx, Booking, [r.zmos_id for r in records if r.outcome == "updated"], Booking.status
        )
        held: dict[uuid.UUID, int] = {}
        errors: list[RowError] = []
        for record in records:
            session = record.extra
            now_holds = record.row["status"] in _HOLDING
            held_before = record.outcome == "updated" and before[record.zmos_id].status in _HOLDING
            if record.outcome == "unchanged" or now_holds == held_before:
                continue
            count = held.get(session.id, session.confirmed_count)
            if now_holds and count >= session.capacity:
                errors.append(
                    RowError(record.line, f"the session is full ({session.capacity} places)")
                )
                continue
            held[session.id] = count + (1 if now_holds else -1)
        refused = {e.line for e in errors}
        positions([r for r in records if r.line not in refused])
        return errors

    def update(self, ctx: Context, record: Record) -> None:
        values = {k: v for k, v in record.row.items() if k not in ("source", "booked_by")}
        ctx.db.execute(
            update(Booking)
            .where(Booking.tenant_id == ctx.tenant_id, Booking.id == record.zmos_id)
            .values(**values, updated_at=ctx.now)
        )

    def finish(self, ctx: Context, written: list[Record]) -> None:
        """Positions after the session's own, then counters recounted from the bookings."""
        sessions = list(dict.fromkeys(r.extra.id for r in written))
        if not sessions:
            return
        for part in chunks(sessions):
            self._recount(ctx, part)
        for session_id in sessions:
            touch(ctx.db, ClassSession, ctx.tenant_id, session_id)

    def _recount(self, ctx: Context, part: list[uuid.UUID]) -> None:
        held = (
            select(func.count())
            .where(
                Booking.tenant_id == ClassSession.tenant_id,
                Booking.session_id == ClassSession.id,
                Booking.status.in_(_HOLDING),
            )
            .scalar_subquery()
        )
        last = (
            select(func.coalesce(func.max(Booking.position), 0))
            .where(
                Booking.tenant_id == ClassSession.tenant_id, Booking.session_id == ClassSession.id
            )
            .scalar_subquery()
        )
        ctx.db.execute(
            update(ClassSession)
            .where(ClassSession.tenant_id == ctx.tenant_id, among(ctx.db, ClassSession.id, part))
            .values(confirmed_count=held, next_position=last + 1),
            execution_options={"synchronize_session": False},
        )


def positions(records: list[Record]) -> None:
    """Each new booking's place in its session's arrival order, after those it holds."""
    seen: Counter[uuid.UUID] = Counter()
    for record in records:
        if record.outcome != "created":
            continue
        session = record.extra
        record.row["position"] = session.next_position + seen[session.id]
        seen[session.id] += 1
