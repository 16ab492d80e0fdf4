"""Real small activity files for the import tests: GPX written by gpxpy, FIT by the parser
tests' writer, Apple Health exports as xml and zip."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta

import gpxpy.gpx

from tests.unit.test_wearables_fit import FILE_ID, SESSION, FitWriter, fit_time

# Two days ago at 07:00 UTC, whole minutes: every workout here ends well in the past.
START = (datetime.now(UTC) - timedelta(days=2)).replace(hour=7, minute=0, second=0, microsecond=0)


def gpx_run(start: datetime = START, minutes: int = 40, name: str = "Morning run") -> bytes:
    """A GPX track written by gpxpy: a point a minute, about 170 m apart (a 10 km/h jog)."""
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "Phone tracker"
    track = gpxpy.gpx.GPXTrack(name=name)
    track.type = "running"  # type: ignore[assignment]  # gpxpy declares it None
    segment = gpxpy.gpx.GPXTrackSegment()
    for i in range(minutes + 1):
        segment.points.append(
            gpxpy.gpx.GPXTrackPoint(51.5 + i * 0.0015, -0.12, time=start + timedelta(minutes=i))
        )
    track.segments.append(segment)
    gpx.tracks.append(track)
    return gpx.to_xml().encode()


def fit_run(start: datetime, minutes: int, zones: list[int]) -> bytes:
    """A FIT file with one running session and the device's seconds per zone."""
    writer = FitWriter()
    writer.define(0, FILE_ID)
    writer.data(0, FILE_ID, [4, 1, 3113, fit_time(start)])
    writer.define(2, SESSION)
    seconds = minutes * 60
    end = start + timedelta(seconds=seconds)
    writer.data(
        2,
        SESSION,
        [
            fit_time(end),
            fit_time(start),
            seconds * 1000,
            seconds * 1000,
            700000,
            1,
            0,
            [z * 1000 for z in zones],
        ],
    )
    return writer.file()


def apple_workout(start: datetime, minutes: int, source: str, kind: str = "Running") -> str:
    def at(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%d %H:%M:%S +0000")

    return (
        f'<Workout workoutActivityType="HKWorkoutActivityType{kind}" duration="{minutes}" '
        f'durationUnit="min" sourceName="{source}" startDate="{at(start)}" '
        f'endDate="{at(start + timedelta(minutes=minutes))}"/>'
    )


def apple_zip(*workouts: str, filler: int = 0) -> bytes:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_GB">'
        + " " * filler
        + "".join(workouts)
        + "</HealthData>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("apple_health_export/export.xml", xml)
    return buffer.getvalue()
