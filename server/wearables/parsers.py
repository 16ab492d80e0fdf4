"""Readers for Apple Health, GPX, FIT and Google Fit files, turning workouts into activities.

Every reader returns an ``ImportReport``: the activities it could read, and each record it
skipped with the reason. A file that is not what it claims to be, or that is unsafe to read
(XML declaring entities: the "billion laughs" bomb and external-entity tricks), is refused as a
whole with ``ImportFileRefused``, before anything is read from it.

Supported shapes:

- Apple Health ``export.xml`` (root ``<HealthData>``): only ``<Workout>`` elements are read
  (type, start and end with their UTC offsets, duration and its unit, distance as an attribute
  or as a ``<WorkoutStatistics>`` child); records, summaries and the rest are ignored. Read as
  a stream, so exports of hundreds of megabytes stay in little memory. Apple keeps heart-rate
  samples apart from workouts, so these activities carry no zones.
- GPX (``gpxpy``): each track is one activity, its times from its points; ``minutes`` is the
  moving time; zones from Garmin's ``<hr>`` point extension when a maximum heart rate is given.
- FIT (``fitdecode``): each ``session`` message is one activity (sport, start time, timer
  time, elapsed time, distance, the device's ``time_in_hr_zone``; else zones from the
  ``record`` messages' heart rate when a maximum heart rate is given).
- Google Fit / Health Connect through Google Takeout (``Fit/All Sessions/*.json``): one
  session object, a list of them, or ``{"session": [...]}``; each needs ``startTime`` and
  ``endTime`` (ISO 8601 with an offset), ``fitnessActivity`` (or ``activity``), optionally
  ``duration`` (``"1800s"`` or seconds, the active time), ``id`` and ``aggregate``
  (``com.google.distance.delta`` in metres, ``com.google.active_minutes``).
"""

from __future__ import annotations

import hashlib
import io
import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import IO, Any
from xml.parsers import expat

import fitdecode
import gpxpy
import gpxpy.gpx

from server.wearables import rules
from server.wearables.schemas import (
    ActivityType,
    HeartRateZones,
    ImportedActivity,
    ImportFileRefused,
    ImportReport,
    SkippedRecord,
    SourceFormat,
)

_CHUNK = 1 << 16
#: The root element must start within this many bytes (Apple's own DTD is about 10 kB).
_PROLOG_LIMIT = 1 << 20

Parsed = ImportedActivity | SkippedRecord


# --- shared -----------------------------------------------------------------------------


def _stable_id(*parts: object) -> str:
    """An id for a workout whose file gives none: the same workout hashes the same."""
    text = "\x1f".join(str(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _utc(moment: datetime) -> datetime:
    # GPX and FIT times without an offset are UTC by their specifications.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _type_by_keywords(name: str, keywords: Iterable[tuple[str, ActivityType]]) -> ActivityType:
    lowered = name.lower()
    return next((kind for word, kind in keywords if word in lowered), ActivityType.OTHER)


_KEYWORDS = (
    ("run", ActivityType.RUN),
    ("jog", ActivityType.RUN),
    ("hik", ActivityType.HIKE),
    ("walk", ActivityType.WALK),
    ("cycl", ActivityType.CYCLE),
    ("bik", ActivityType.CYCLE),
    ("ride", ActivityType.CYCLE),
    ("swim", ActivityType.SWIM),
    ("strength", ActivityType.STRENGTH),
    ("weight", ActivityType.STRENGTH),
)


def _finish(
    *,
    record: str,
    source_format: SourceFormat,
    external_id: str,
    activity_type: ActivityType,
    start: datetime,
    end: datetime,
    active_minutes: float | None,
    source_name: str,
    now: datetime,
    distance_m: float | None = None,
    heart_rate: HeartRateZones | None = None,
) -> Parsed:
    start, end = _utc(start), _utc(end)
    minutes = (end - start).total_seconds() / 60 if active_minutes is None else active_minutes
    problem = rules.implausibility(start=start, end=end, minutes=minutes, now=now)
    if problem is not None:
        return SkippedRecord(record, problem)
    return ImportedActivity(
        source_format=source_format,
        external_id=external_id,
        activity_type=activity_type,
        start=start,
        end=end,
        minutes=max(1, round(minutes)),
        source_name=source_name,
        distance_m=distance_m if distance_m else None,
        heart_rate=heart_rate,
    )


def _report(parsed: Iterable[Parsed]) -> ImportReport:
    items = list(parsed)
    return ImportReport(
        activities=tuple(i for i in items if isinstance(i, ImportedActivity)),
        skipped=tuple(i for i in items if isinstance(i, SkippedRecord)),
    )


class _RootSeen(Exception):
    pass


def _xml_root(stream: IO[bytes], *, allow_doctype: bool, what: str) -> str:
    """The root element's name, read with expat up to it; refuses entities and bad XML.

    Entities can only be declared before the root element, so refusing every declaration
    there keeps entity expansion (and external entities) out of the full parse that follows.
    """
    parser = expat.ParserCreate()
    roots: list[str] = []

    def start(name: str, _attributes: object) -> None:
        roots.append(name)
        raise _RootSeen

    def entity(*_declaration: object) -> None:
        raise ImportFileRefused(f"The {what} declares XML entities; such files are refused.")

    def doctype(*_declaration: object) -> None:
        if not allow_doctype:
            raise ImportFileRefused(f"The {what} has a document type declaration; refused.")

    parser.StartElementHandler = start
    parser.EntityDeclHandler = entity
    parser.StartDoctypeDeclHandler = doctype
    read = 0
    try:
        while read <= _PROLOG_LIMIT:
            chunk = stream.read(_CHUNK)
            read += len(chunk)
            parser.Parse(chunk, not chunk)
            if not chunk:
                break
    except _RootSeen:
        return roots[0]
    except expat.ExpatError as error:
        raise ImportFileRefused(f"The {what} is not readable XML ({error}).") from error
    raise ImportFileRefused(f"The {what} has no XML root element at its start.")


# --- Apple Health -----------------------------------------------------------------------

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


def _apple_workout(workout: ElementTree.Element, number: int, *, now: datetime) -> Parsed:
    start_text, end_text = workout.get("startDate"), workout.get("endDate")
    record = f"Workout {number} ({start_text or 'no start date'})"
    start, end = _apple_time(start_text), _apple_time(end_text)
    if start is None or end is None:
        return SkippedRecord(record, "its start or end date is missing or unreadable")
    kind = (workout.get("workoutActivityType") or "").removeprefix("HKWorkoutActivityType")
    source_name = workout.get("sourceName") or "Apple Health"
    return _finish(
        record=record,
        source_format=SourceFormat.APPLE_HEALTH,
        external_id=_stable_id(source_name, kind, start_text, end_text),
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
    root = _xml_root(stream, allow_doctype=True, what="Apple Health export")
    if root != "HealthData":
        raise ImportFileRefused(
            f"This is not an Apple Health export: its root element is <{root}>, not <HealthData>."
        )
    stream.seek(0)
    parsed: list[Parsed] = []
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
    return _report(parsed)


# --- GPX --------------------------------------------------------------------------------


def _gpx_heart_rates(track: gpxpy.gpx.GPXTrack) -> list[tuple[datetime, float]]:
    samples: list[tuple[datetime, float]] = []
    for segment in track.segments:
        for point in segment.points:
            if point.time is None:
                continue
            for extension in point.extensions:
                for element in extension.iter():
                    if element.tag.rsplit("}", 1)[-1] == "hr" and element.text:
                        try:
                            samples.append((_utc(point.time), float(element.text)))
                        except ValueError:
                            continue
    return samples


def _gpx_track(
    track: gpxpy.gpx.GPXTrack, number: int, creator: str, *, now: datetime, max_hr: int | None
) -> Parsed:
    record = f"track {number}" + (f" ({track.name})" if track.name else "")
    bounds = track.get_time_bounds()
    if bounds.start_time is None or bounds.end_time is None:
        return SkippedRecord(record, "its points have no times")
    start, end = _utc(bounds.start_time), _utc(bounds.end_time)
    moving = track.get_moving_data()
    active = moving.moving_time / 60 if moving is not None and moving.moving_time > 0 else None
    zones = None
    if max_hr is not None:
        zones = rules.heart_rate_zones(_gpx_heart_rates(track), max_hr=max_hr)
    return _finish(
        record=record,
        source_format=SourceFormat.GPX,
        external_id=_stable_id(creator, track.name, start.isoformat(), end.isoformat()),
        activity_type=_type_by_keywords(track.type or track.name or "", _KEYWORDS),
        start=start,
        end=end,
        active_minutes=active,
        source_name=creator,
        distance_m=track.length_3d(),
        heart_rate=zones,
        now=now,
    )


def parse_gpx(data: bytes, *, now: datetime, max_hr: int | None = None) -> ImportReport:
    """Read each track of a GPX file as one activity."""
    root = _xml_root(io.BytesIO(data), allow_doctype=False, what="GPX file")
    if root.rsplit(":", 1)[-1] != "gpx":
        raise ImportFileRefused(f"This is not a GPX file: its root element is <{root}>.")
    try:
        gpx = gpxpy.parse(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, gpxpy.gpx.GPXException, ValueError) as error:
        raise ImportFileRefused(f"The GPX file is not readable ({error}).") from error
    creator = gpx.creator or "GPX file"
    return _report(
        _gpx_track(track, number, creator, now=now, max_hr=max_hr)
        for number, track in enumerate(gpx.tracks, start=1)
    )


# --- FIT --------------------------------------------------------------------------------

_FIT_FIELDS = (
    "sport",
    "sub_sport",
    "start_time",
    "timestamp",
    "total_elapsed_time",
    "total_timer_time",
    "total_distance",
    "time_in_hr_zone",
)


def _fit_type(sport: object, sub_sport: object) -> ActivityType:
    if "strength" in str(sub_sport).lower():
        return ActivityType.STRENGTH
    if str(sport).lower() == "training" and str(sub_sport).lower() == "strength_training":
        return ActivityType.STRENGTH
    return _type_by_keywords(str(sport or ""), _KEYWORDS)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and value > 0 else None


def _fit_zones(value: object) -> HeartRateZones | None:
    """Zones from the device's own ``time_in_hr_zone`` (seconds; the last five are zones 1–5)."""
    if not isinstance(value, list | tuple):
        return None
    seconds = [float(v) for v in value if isinstance(v, int | float)]
    if len(seconds) < 5:
        return None
    return rules.zones_from_seconds(seconds[-5:])


def fit_session_activity(
    values: Mapping[str, Any],
    number: int,
    *,
    device: str,
    now: datetime,
    heart_rates: Iterable[tuple[datetime, float]] = (),
    max_hr: int | None = None,
) -> Parsed:
    """One FIT ``session`` message's field values (by profile name) as an activity."""
    record = f"session {number}"
    start = values.get("start_time")
    elapsed = _number(values.get("total_elapsed_time"))
    if not isinstance(start, datetime) or elapsed is None:
        return SkippedRecord(record, "it has no start time or no elapsed time")
    start = _utc(start)
    end = start + timedelta(seconds=elapsed)
    timer = _number(values.get("total_timer_time"))
    zones = _fit_zones(values.get("time_in_hr_zone"))
    if zones is None and max_hr is not None:
        inside = [(at, bpm) for at, bpm in heart_rates if start <= _utc(at) <= end]
        zones = rules.heart_rate_zones(inside, max_hr=max_hr)
    return _finish(
        record=record,
        source_format=SourceFormat.FIT,
        external_id=_stable_id(device, start.isoformat(), elapsed, number),
        activity_type=_fit_type(values.get("sport"), values.get("sub_sport")),
        start=start,
        end=end,
        active_minutes=None if timer is None else timer / 60,
        source_name=device,
        distance_m=_number(values.get("total_distance")),
        heart_rate=zones,
        now=now,
    )


def _fit_values(frame: fitdecode.FitDataMessage, names: Iterable[str]) -> dict[str, Any]:
    return {name: frame.get_value(name) for name in names if frame.has_field(name)}


def parse_fit(data: bytes, *, now: datetime, max_hr: int | None = None) -> ImportReport:
    """Read each ``session`` message of a FIT activity file as one activity."""
    if len(data) < 12 or data[8:12] != b".FIT":
        raise ImportFileRefused("This is not a FIT file: its header lacks the '.FIT' mark.")
    sessions: list[dict[str, Any]] = []
    heart_rates: list[tuple[datetime, float]] = []
    device = "FIT device"
    try:
        with fitdecode.FitReader(
            io.BytesIO(data),
            check_crc=fitdecode.CrcCheck.RAISE,
            error_handling=fitdecode.ErrorHandling.RAISE,
        ) as reader:
            for frame in reader:
                if not isinstance(frame, fitdecode.FitDataMessage):
                    continue
                if frame.name == "session":
                    sessions.append(_fit_values(frame, _FIT_FIELDS))
                elif frame.name == "file_id":
                    found = _fit_values(frame, ("manufacturer", "garmin_product", "product"))
                    # ``product`` repeats ``garmin_product`` on Garmin devices: named once.
                    parts = dict.fromkeys(str(v) for v in found.values() if v is not None)
                    device = " ".join(parts) or device
                elif frame.name == "record" and max_hr is not None:
                    sample = _fit_values(frame, ("timestamp", "heart_rate"))
                    at, bpm = sample.get("timestamp"), sample.get("heart_rate")
                    if isinstance(at, datetime) and isinstance(bpm, int | float):
                        heart_rates.append((at, float(bpm)))
    except fitdecode.FitError as error:
        raise ImportFileRefused(f"The FIT file is not readable ({error}).") from error
    return _report(
        fit_session_activity(
            values, number, device=device, now=now, heart_rates=heart_rates, max_hr=max_hr
        )
        for number, values in enumerate(sessions, start=1)
    )


# --- Google Fit / Health Connect (Takeout) ----------------------------------------------


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


def _google_session(session: Mapping[str, Any], number: int, *, now: datetime) -> Parsed:
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
    return _finish(
        record=record,
        source_format=SourceFormat.GOOGLE_FIT,
        external_id=str(session.get("id") or _stable_id(source_name, kind, start, end)),
        activity_type=_type_by_keywords(kind, _KEYWORDS),
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
    return _report(
        _google_session(session, number, now=now)
        if isinstance(session, Mapping)
        else SkippedRecord(f"session {number}", "it is not a JSON object")
        for number, session in enumerate(sessions, start=1)
    )


PARSERS: Mapping[SourceFormat, Callable[..., ImportReport]] = {
    SourceFormat.APPLE_HEALTH: parse_apple_health,
    SourceFormat.GPX: parse_gpx,
    SourceFormat.FIT: parse_fit,
    SourceFormat.GOOGLE_FIT: parse_google_fit,
}
