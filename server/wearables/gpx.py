"""GPX files (``gpxpy``): each track is one activity."""

from __future__ import annotations

import io
from datetime import datetime

import gpxpy
import gpxpy.gpx

from server.wearables import reading, rules
from server.wearables.schemas import ImportFileRefused, ImportReport, SkippedRecord, SourceFormat


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
                            samples.append((reading.utc(point.time), float(element.text)))
                        except ValueError:
                            continue
    return samples


def _gpx_track(
    track: gpxpy.gpx.GPXTrack, number: int, creator: str, *, now: datetime, max_hr: int | None
) -> reading.Parsed:
    record = f"track {number}" + (f" ({track.name})" if track.name else "")
    bounds = track.get_time_bounds()
    if bounds.start_time is None or bounds.end_time is None:
        return SkippedRecord(record, "its points have no times")
    start, end = reading.utc(bounds.start_time), reading.utc(bounds.end_time)
    moving = track.get_moving_data()
    active = moving.moving_time / 60 if moving is not None and moving.moving_time > 0 else None
    zones = None
    if max_hr is not None:
        zones = rules.heart_rate_zones(_gpx_heart_rates(track), max_hr=max_hr)
    return reading.finish(
        record=record,
        source_format=SourceFormat.GPX,
        external_id=reading.stable_id(creator, track.name, start.isoformat(), end.isoformat()),
        activity_type=reading.type_by_keywords(track.type or track.name or "", reading.KEYWORDS),
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
    root = reading.xml_root(io.BytesIO(data), allow_doctype=False, what="GPX file")
    if root.rsplit(":", 1)[-1] != "gpx":
        raise ImportFileRefused(f"This is not a GPX file: its root element is <{root}>.")
    try:
        gpx = gpxpy.parse(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, gpxpy.gpx.GPXException, ValueError) as error:
        raise ImportFileRefused(f"The GPX file is not readable ({error}).") from error
    creator = gpx.creator or "GPX file"
    return reading.report(
        _gpx_track(track, number, creator, now=now, max_hr=max_hr)
        for number, track in enumerate(gpx.tracks, start=1)
    )
