"""Apple Health ``export.xml``: its ``<Workout>`` elements, read as a stream."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from datetime import datetime
from typing import IO

from server.wearables import reading
from server.wearables.schemas import (
    ActivityType,
    ImportFileRefused,
    ImportReport,
    SkippedRecord,
    SourceFormat,
)

_APPLE_TYPES = {
    "Running": ActivityType.RUN,
    "Walking": ActivityType.WALK,
    "Hiking": ActivityType.HIKE,
    "Cycling": ActivityType.CYCLE,
    "HandCycling": ActivityType.CYCLE,
    "Swimming": ActivityType.SWIM,
    "TraditionalStrengthTraining": ActivityType.STRENGTH,
    "FunctionalStrengthTraining": ActivityType.STRENGTH,
}
_MINUTES_PER = {"s": 1 / 60, "sec": 1 / 60, "min": 1.0, "h": 60.0, "hr": 60.0}
_METRES_PER = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "yd": 0.9144, "ft": 0.3048}


def _apple_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        return None


def _scaled(value: str | None, unit: str | None, table: Mapping[str, float]) -> float | None:
    if value is None or unit is None or unit not in table:
        return None
    try:
        return float(value) * table[unit]
    except ValueError:
        return None


def _apple_distance(workout: ElementTree.Element) -> float | None:
    metres = _scaled(workout.get("totalDistance"), workout.get("totalDistanceUnit"), _METRES_PER)
    if metres is not None:
        return metres
    for statistic in workout.iter("WorkoutStatistics"):
        if "Distance" in (statistic.get("type") or ""):
            return _scaled(statistic.get("sum"), statistic.get("unit"), _METRES_PER)
    return None


def _apple_workout(workout: ElementTree.Element, number: int, *, now: datetime) -> reading.Parsed:
    start_text, end_text = workout.get("startDate"), workout.get("endDate")
    record = f"Workout {number} ({start_text or 'no start date'})"
    start, end = _apple_time(start_text), _apple_time(end_text)
    if start is None or end is None:
        return SkippedRecord(record, "its start or end date is missing or unreadable")
    kind = (workout.get("workoutActivityType") or "").removeprefix("HKWorkoutActivityType")
    source_name = workout.get("sourceName") or "Apple Health"
    return reading.finish(
        record=record,
        source_format=SourceFormat.APPLE_HEALTH,
        external_id=reading.stable_id(source_name, kind, start_text, end_text),
        activity_type=_APPLE_TYPES.get(kind, ActivityType.OTHER),
        start=start,
        end=end,
        active_minutes=_scaled(workout.get("duration"), workout.get("durationUnit"), _MINUTES_PER),
        source_name=source_name,
        distance_m=_apple_distance(workout),
        now=now,
    )


def parse_apple_health(stream: IO[bytes], *, now: datetime) -> ImportReport:
    """Read the workouts of an Apple Health ``export.xml`` (a seekable binary stream)."""
    root = reading.xml_root(stream, allow_doctype=True, what="Apple Health export")
    if root != "HealthData":
        raise ImportFileRefused(
            f"This is not an Apple Health export: its root element is <{root}>, not <HealthData>."
        )
    stream.seek(0)
    parsed: list[reading.Parsed] = []
    depth = 0
    top: ElementTree.Element | None = None
    try:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            if event == "start":
                top = element if top is None else top
                depth += 1
                continue
            depth -= 1
            if depth == 1 and top is not None:
                if element.tag == "Workout":
                    number = len(parsed) + 1
                    parsed.append(_apple_workout(element, number, now=now))
                # Drops every finished child of the root: memory stays flat.
                top.clear()
    except ElementTree.ParseError as error:
        raise ImportFileRefused(f"The Apple Health export is not well-formed ({error}).") from error
    return reading.report(parsed)
