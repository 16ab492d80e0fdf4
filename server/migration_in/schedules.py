"""Recurring weekly slots from another system's file, as ZMOS series: each slot (class
type, weekday or weekdays, start time, from and until) is a series, and its days still to
come are made as a series made in Schedule makes them.

A slot already imported whose row changes is refused rather than applied: changing a
series moves, cancels and resizes its future sessions and tells their booked members,
which is the schedule page's work (edit the series there)."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from sqlalchemy import select

from server.db.bulk import among, chunks
from server.members.csv_import import RowError
from server.migration_in import rules
from server.migration_in.classes import _count, _location, _text
from server.migration_in.importer import Context, Raw, Record, rows_by_id
from server.scheduling import series
from server.scheduling.models import Schedule, SessionType
from server.scheduling.rules import series_problems


class Schedules:
    name = "schedules"
    model = Schedule

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
            days, start, period = self._when(ctx, raw, reasons)
            duration = _count(raw, "duration_minutes", 1440, reasons)
            capacity = _count(raw, "capacity", 1000, reasons)
            room = _text(raw, "room", 100, reasons)
            if days and period:
                reasons += series_problems(weekdays=days, starts_on=period[0], ends_on=period[1])
            if reasons or type_id is None or location is None or not days or not period:
                errors.append(RowError(raw.line, "; ".join(reasons)))
                continue
            kind = types[type_id]
            values: dict[str, Any] = {
                "session_type_id": type_id,
                "location_id": location.id,
                "weekdays": days,
                "local_start": start,
                "duration_minutes": duration or kind.duration_minutes,
                "capacity": capacity or kind.default_capacity,
                "starts_on": period[0],
                "ends_on": period[1],
                "room": room,
            }
            row = values | {"except_dates": [], "on_missing_time": "shift"}
            records.append(Record(raw.line, raw.external_id, values, row, extra=location))
        return records, errors

    def _when(
        self, ctx: Context, raw: Raw, reasons: list[str]
    ) -> tuple[list[int], time | None, tuple[date, date] | None]:
        days: list[int] = []
        start: time | None = None
        period: tuple[date, date] | None = None
        try:
            days = rules.weekdays(raw.values.get("weekday", ""))
        except ValueError as exc:
            reasons.append(str(exc))
        try:
            start = rules.parse_time(raw.values.get("start_time", ""))
        except ValueError as exc:
            reasons.append(str(exc))
        try:
            period = (
                rules.parse_date(raw.values.get("starts_on", ""), ctx.date_format),
                rules.parse_date(raw.values.get("ends_on", ""), ctx.date_format),
            )
        except ValueError as exc:
            reasons.append(str(exc))
        return days, start, period

    def check_changes(self, ctx: Context, records: list[Record]) -> list[RowError]:
        return [
            RowError(
                r.line,
                "this slot was imported already as a series and has changed since: "
                "edit the series in Schedule (its booked members are told)",
            )
            for r in records
            if r.outcome == "updated"
        ]

    def update(self, ctx: Context, record: Record) -> None:
        raise AssertionError("changed slots are refused in check_changes")

    def finish(self, ctx: Context, written: list[Record]) -> None:
        """The new series' days still to come, as sessions of the series."""
        zones = {r.zmos_id: r.extra.timezone for r in written}
        for part in chunks(list(zones)):
            rows = ctx.db.execute(
                select(Schedule).where(
                    Schedule.tenant_id == ctx.tenant_id, among(ctx.db, Schedule.id, part)
                )
            ).scalars()
            for row in rows:
                ctx.db.add_all(series.future_instances(row, zones[row.id], ctx.now))
        ctx.db.flush()


__all__ = ["Schedules"]
