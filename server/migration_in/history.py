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
from server.db.bulk import among, chunks, insert_rows
from server.engagement import service as engagement_service
from server.engagement.models import MovementEvent
from server.engagement.repository import MemberDays
from server.members.csv_import import RowError
from server.members.models import Member
from server.migration_in import rules
from server.migration_in.importer import Context, Raw, Record, rows_by_id
from server.scheduling.models import ClassSession, SessionType
from server.sync.changes import touch
from server.tenants.models import Location
from shared.enums import MovementKind
from shared.movement import (
    MAX_MINUTES_PER_DAY,
    MovementSource,
    Provenance,
    intensity_of_session_type,
)

_HOLDING = ("confirmed", "pending")
_ATTENDED = ("on_time", "late")


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
                    ClassSession.location_id,
                    Location.timezone,
                    SessionType.intensity,
                )
                .join(
                    Location,
                    (Location.tenant_id == ClassSession.tenant_id)
                    & (Location.id == ClassSession.location_id),
                )
                .outerjoin(
                    SessionType,
                    (SessionType.tenant_id == ClassSession.tenant_id)
                    & (SessionType.id == ClassSession.session_type_id),
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
        movements(ctx, written)

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


def movements(ctx: Context, written: list[Record]) -> None:
    """Each attended booking's movement event, as the desk records one, so that streaks and
    engagement count the history (the projector job applies them). A booking whose session
    has an attendance event of the member's already gets none: a re-run adds nothing. A
    re-run that says an imported attendance did not happen voids its event."""
    if not written:
        return
    recorded = _attendance_events(ctx, list(dict.fromkeys(r.extra.id for r in written)))
    gone = [
        event_id
        for r in written
        if r.outcome == "updated" and r.row["attendance"] not in _ATTENDED
        for event_id, source in recorded.get((r.row["member_id"], r.extra.id), [])
        if source == MovementSource.IMPORT.value
    ]
    for event_id in gone:
        engagement_service.stage_void(
            ctx.db,
            ctx.tenant_id,
            event_id=event_id,
            reason="the import says this attendance did not happen",
            recorded_by=ctx.actor,
        )
    attended = [
        r
        for r in written
        if r.row["attendance"] in _ATTENDED and (r.row["member_id"], r.extra.id) not in recorded
    ]
    if not attended:
        return
    days = _days(ctx, list({r.row["member_id"] for r in attended}))
    rows: list[dict[str, Any]] = []
    for record in attended:
        session = record.extra
        length = (session.ends_at - session.starts_at).total_seconds() // 60
        facts = engagement_service.MovementFacts(
            member_id=record.row["member_id"],
            kind=MovementKind.ATTENDANCE,
            occurred_at=session.starts_at,
            minutes=max(0, min(MAX_MINUTES_PER_DAY, int(length))),
            intensity=intensity_of_session_type(session.intensity),
            # The other system's staff recorded it; no door of ours saw it.
            provenance=Provenance.STAFF_RECORDED,
            source=MovementSource.IMPORT.value,
            location_id=session.location_id,
            session_id=session.id,
            recorded_by=ctx.actor,
            data={"booking_id": str(record.zmos_id), "session_id": str(session.id)},
        )
        rows.append({"tenant_id": ctx.tenant_id, **engagement_service.movement_row(days, facts)})
    for start in range(0, len(rows), _EVENT_CHUNK):
        insert_rows(ctx.db, MovementEvent, rows[start : start + _EVENT_CHUNK])


_EVENT_CHUNK = 5_000


def _attendance_events(
    ctx: Context, sessions: list[uuid.UUID]
) -> dict[tuple[uuid.UUID, uuid.UUID], list[tuple[uuid.UUID, str]]]:
    """The live (not voided) attendance events of these sessions (id and source), by member
    and session: whoever recorded them (the desk, a kiosk or an earlier import)."""
    found: dict[tuple[uuid.UUID, uuid.UUID], list[tuple[uuid.UUID, str]]] = {}
    for part in chunks(sessions):
        rows = ctx.db.execute(
            select(
                MovementEvent.member_id,
                MovementEvent.session_id,
                MovementEvent.id,
                MovementEvent.source,
            ).where(
                MovementEvent.tenant_id == ctx.tenant_id,
                among(ctx.db, MovementEvent.session_id, part),
                MovementEvent.kind == MovementKind.ATTENDANCE.value,
                MovementEvent.is_void.is_(False),
                MovementEvent.voided_by.is_(None),
            )
        )
        for member_id, session_id, event_id, source in rows:
            if session_id is not None:
                found.setdefault((member_id, session_id), []).append((event_id, source))
    return found


def _days(ctx: Context, members: list[uuid.UUID]) -> MemberDays:
    """The members' homes and the locations' zones read in bulk: a member's day is in their
    home's zone, and one query per member would cost a year's import minutes."""
    days = MemberDays(ctx.db, ctx.tenant_id)
    for location in ctx.locations():
        days.know_location(location.id, location.timezone)
    for part in chunks(members):
        rows = ctx.db.execute(
            select(Member.id, Member.home_location_id).where(
                Member.tenant_id == ctx.tenant_id, among(ctx.db, Member.id, part)
            )
        )
        for member_id, home in rows:
            days.know(member_id, home)
    return days


def positions(records: list[Record]) -> None:
    """Each new booking's place in its session's arrival order, after those it holds."""
    seen: Counter[uuid.UUID] = Counter()
    for record in records:
        if record.outcome != "created":
            continue
        session = record.extra
        record.row["position"] = session.next_position + seen[session.id]
        seen[session.id] += 1
