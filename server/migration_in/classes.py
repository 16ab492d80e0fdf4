"""Class types, dated sessions and bookings (with attendance) from another system's files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from server.bookings.models import Booking
from server.members.csv_import import RowError
from server.migration_in import rules
from server.migration_in.importer import Context, Raw, Record, rows_by_id
from server.scheduling.models import ClassSession, SessionType
from server.tenants.models import Location
from shared.inputs import text_problem
from shared.normalise import fold

_HOLDING = ("confirmed", "pending")


def _text(raw: Raw, name: str, most: int, reasons: list[str]) -> str | None:
    text = raw.values.get(name, "")
    if problem := text_problem(text):
        reasons.append(f"{name} {problem}")
    if len(text) > most:
        reasons.append(f"{name} is longer than {most} characters")
    return text or None


def _count(raw: Raw, name: str, most: int, reasons: list[str]) -> int | None:
    text = raw.values.get(name, "")
    if not text:
        return None
    try:
        return rules.parse_count(text, name, least=1, most=most)
    except ValueError as exc:
        reasons.append(str(exc))
        return None


class ClassTypes:
    name = "class_types"
    model = SessionType

    def prepare(self, ctx: Context, raws: list[Raw]) -> tuple[list[Record], list[RowError]]:
        records: list[Record] = []
        errors: list[RowError] = []
        for raw in raws:
            reasons: list[str] = []
            name = _text(raw, "name", 200, reasons)
            if not name:
                reasons.append("name is missing")
            duration = _count(raw, "duration_minutes", 1440, reasons)
            if duration is None and not reasons:
                reasons.append("duration_minutes is missing")
            values = {
                "name": name,
                "duration_minutes": duration,
                "default_capacity": _count(raw, "capacity", 1000, reasons) or 20,
                "category": _text(raw, "category", 50, reasons) or "General",
                "description": _text(raw, "description", 2000, reasons),
            }
            if reasons:
                errors.append(RowError(raw.line, "; ".join(reasons)))
                continue
            row = values | {
                "kind": "class",
                "requires_approval": False,
                "intensity": "moderate",
                "contraindications": [],
                "active": True,
            }
            records.append(Record(raw.line, raw.external_id, values, row))
        return records, errors

    def check_changes(self, ctx: Context, records: list[Record]) -> list[RowError]:
        return []

    def update(self, ctx: Context, record: Record) -> None:
        ctx.db.execute(
            update(SessionType)
            .where(SessionType.tenant_id == ctx.tenant_id, SessionType.id == record.zmos_id)
            .values(**record.digest_of, updated_at=ctx.now)
        )

    def finish(self, ctx: Context, written: list[Record]) -> None:
        return None


class Sessions:
    name = "sessions"
    model = ClassSession

    def prepare(self, ctx: Context, raws: list[Raw]) -> tuple[list[Record], list[RowError]]:
        types = rows_by_id(
            ctx,
            SessionType,
            list(ctx.refs.get("class_type", {}).values()),
            SessionType.duration_minutes,
            SessionType.default_capacity,
        )
        records: list[Record] = []
        errors: list[RowError] = []
        for raw in raws:
            reasons: list[str] = []
            type_id = ctx.ref("class_type", raw, reasons)
            location = _location(ctx, raw.values.get("location", ""), reasons)
            starts = self._start(ctx, raw, reasons)
            duration = _count(raw, "duration_minutes", 1440, reasons)
            capacity = _count(raw, "capacity", 1000, reasons)
            room = _text(raw, "room", 100, reasons)
            if reasons or type_id is None or location is None or starts is None:
                errors.append(RowError(raw.line, "; ".join(reasons)))
                continue
            kind = types[type_id]
            minutes = duration or kind.duration_minutes
            local = starts.replace(tzinfo=ZoneInfo(location.timezone))
            at = local.astimezone(UTC)
            ends = at + timedelta(minutes=minutes)
            values = {
                "session_type_id": type_id,
                "location_id": location.id,
                "starts_at": at,
                "ends_at": ends,
                "capacity": capacity or kind.default_capacity,
                "room": room,
            }
            row = values | {
                "local_date": starts.date(),
                "local_start": starts.time(),
                "confirmed_count": 0,
                "waitlist_count": 0,
                "next_position": 1,
                "status": "scheduled",
                "detached": False,
                "sequence": 0,
                # Past sessions are history: the no-show sweep must not close them again.
                "closed_at": ctx.now if ends < ctx.now else None,
            }
            records.append(Record(raw.line, raw.external_id, values, row))
        return records, errors

    def _start(self, ctx: Context, raw: Raw, reasons: list[str]) -> datetime | None:
        try:
            day = rules.parse_date(raw.values.get("date", ""), ctx.date_format)
            at = rules.parse_time(raw.values.get("start_time", ""))
        except ValueError as exc:
            reasons.append(str(exc))
            return None
        return datetime.combine(day, at)

    def check_changes(self, ctx: Context, records: list[Record]) -> list[RowError]:
        changed = [r for r in records if r.outcome == "updated"]
        held = rows_by_id(
            ctx, ClassSession, [r.zmos_id for r in changed], ClassSession.confirmed_count
        )
        return [
            RowError(r.line, f"capacity {r.row['capacity']} is below the {count} places booked")
            for r in changed
            if (count := held[r.zmos_id].confirmed_count) > r.row["capacity"]
        ]

    def update(self, ctx: Context, record: Record) -> None:
        values = {k: record.row[k] for k in (*record.digest_of, "local_date", "local_start")}
        ctx.db.execute(
            update(ClassSession)
            .where(ClassSession.tenant_id == ctx.tenant_id, ClassSession.id == record.zmos_id)
            .values(**values, updated_at=ctx.now)
        )
        # Bookings copy their session's times (a member's overlaps are found on them).
        ctx.db.execute(
            update(Booking)
            .where(Booking.tenant_id == ctx.tenant_id, Booking.session_id == record.zmos_id)
            .values(starts_at=values["starts_at"], ends_at=values["ends_at"])
        )

    def finish(self, ctx: Context, written: list[Record]) -> None:
        return None


def _location(ctx: Context, text: str, reasons: list[str]) -> Location | None:
    locations = ctx.locations()
    if not text:
        if len(locations) == 1:
            return locations[0]
        reasons.append("location is missing (you have several locations)")
        return None
    wanted = fold(text)
    found = [loc for loc in locations if str(loc.id) == wanted or fold(loc.name) == wanted]
    if len(found) == 1:
        return found[0]
    reasons.append(
        f"location {text!r} "
        + ("names several of your locations" if found else "is not one of your locations")
    )
    return None
