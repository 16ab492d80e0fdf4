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

from collections.abc import Callable, Mapping

from server.wearables.apple_health import parse_apple_health
from server.wearables.fit import fit_session_activity, parse_fit
from server.wearables.google_fit import parse_google_fit
from server.wearables.gpx import parse_gpx
from server.wearables.schemas import ImportReport, SourceFormat

__all__ = [
    "PARSERS",
    "fit_session_activity",
    "parse_apple_health",
    "parse_fit",
    "parse_google_fit",
    "parse_gpx",
]

#: The reader of each format; each returns an ``ImportReport`` or raises ``ImportFileRefused``.
PARSERS: Mapping[SourceFormat, Callable[..., ImportReport]] = {
    SourceFormat.APPLE_HEALTH: parse_apple_health,
    SourceFormat.GPX: parse_gpx,
    SourceFormat.FIT: parse_fit,
    SourceFormat.GOOGLE_FIT: parse_google_fit,
}
