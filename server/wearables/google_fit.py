"""Google Fit / Health Connect sessions, as Google Takeout exports them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from server.wearables import reading
from server.wearables.schemas import ImportFileRefused, ImportReport, SkippedRecord, SourceFormat


def _iso_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    # An ISO time without an offset is ambiguous here: local to whom? Refused per record.
    return moment if moment.tzinfo is not None else None


def _seconds(value: object) -> float | None:
    if isinstance(value, str) and value.endswith("s"):
        value = value[:-1]
    try:
        seconds = float(value) if isinstance(value, str | int | float) else None
    except ValueError:
        return None
    return seconds if seconds is not None and seconds > 0 else None


def _aggregate(session: Mapping[str, Any], metric: str) -> float | None:
    for item in session.get("aggregate") or ():
        if isinstance(item, Mapping) and item.get("metricName") == metric:
            value = item.get("floatValue", item.get("intValue"))
            return float(value) if isinstance(value, int | float) else None
    return None


def _google_session(session: Mapping[str, Any], number: int, *, now: datetime) -> reading.Parsed:
    record = f"session {number}" + (f" ({session['name']})" if session.get("name") else "")
    start, end = _iso_time(session.get("startTime")), _iso_time(session.get("endTime"))
    if start is None or end is None:
        return SkippedRecord(record, "its startTime or endTime is missing or has no UTC offset")
    active = _seconds(session.get("duration"))
    active_minutes = _aggregate(session, "com.google.active_minutes")
    kind = str(session.get("fitnessActivity") or session.get("activity") or "")
    application = session.get("application")
    source_name = "Google Fit"
    if isinstance(application, Mapping) and application.get("packageName"):
        source_name = str(application["packageName"])
    return reading.finish(
        record=record,
        source_format=SourceFormat.GOOGLE_FIT,
        external_id=str(session.get("id") or reading.stable_id(source_name, kind, start, end)),
        activity_type=reading.type_by_keywords(kind, reading.KEYWORDS),
        start=start,
        end=end,
        active_minutes=active / 60 if active is not None else active_minutes,
        source_name=source_name,
        distance_m=_aggregate(session, "com.google.distance.delta"),
        now=now,
    )


def _google_sessions(document: object) -> list[Any] | None:
    """The session records, or None when this is not a sessions export at all.

    A list counts as one when any of its items looks like a session; the others are then
    skipped one by one, so one bad record does not hide the member's other sessions.
    """
    if isinstance(document, Mapping) and isinstance(document.get("session"), list):
        document = document["session"]
    if isinstance(document, Mapping):
        document = [document]
    if not isinstance(document, list):
        return None
    looks_like = any(isinstance(i, Mapping) and "startTime" in i for i in document)
    return document if looks_like else None


def parse_google_fit(data: bytes, *, now: datetime) -> ImportReport:
    """Read a Google Takeout Fit sessions export (see the module docstring for its shape)."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportFileRefused(f"This is not a Google Fit export: not JSON ({error}).") from error
    sessions = _google_sessions(document)
    if sessions is None:
        raise ImportFileRefused(
            "This is not a Google Fit sessions export: expected a session with startTime and "
            'endTime, a list of them, or {"session": [...]}.'
        )
    return reading.report(
        _google_session(session, number, now=now)
        if isinstance(session, Mapping)
        else SkippedRecord(f"session {number}", "it is not a JSON object")
        for number, session in enumerate(sessions, start=1)
    )
