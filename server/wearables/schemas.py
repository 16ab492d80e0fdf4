"""What the wearable-file parsers produce: imported activities and a per-record report.

Pure values (frozen dataclasses): a later step stores the kept activities as device-imported
movement events; nothing here touches the database.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from server.errors import InvalidInput


class SourceFormat(enum.StrEnum):
    APPLE_HEALTH = "apple_health"
    GPX = "gpx"
    FIT = "fit"
    GOOGLE_FIT = "google_fit"


class ActivityType(enum.StrEnum):
    RUN = "run"
    WALK = "walk"
    HIKE = "hike"
    CYCLE = "cycle"
    SWIM = "swim"
    STRENGTH = "strength"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class HeartRateZones:
    """Minutes spent in each heart-rate zone; the samples themselves are never kept.

    Zones are by share of the maximum heart rate: zone 1 is 50–60 %, zone 2 60–70 %, zone 3
    70–80 %, zone 4 80–90 % and zone 5 90 % and above. Time below 50 % is in no zone.
    """

    zone1: float = 0.0
    zone2: float = 0.0
    zone3: float = 0.0
    zone4: float = 0.0
    zone5: float = 0.0

    @property
    def total(self) -> float:
        return self.zone1 + self.zone2 + self.zone3 + self.zone4 + self.zone5


@dataclass(frozen=True, slots=True)
class ImportedActivity:
    """One workout read from a file: UTC times, whole minutes, optional distance and zones.

    ``minutes`` is the active (moving or timer) time when the file records it, else the
    wall-clock span; ``start`` and ``end`` are always the wall-clock span.
    """

    source_format: SourceFormat
    #: The file's own id for the workout, or a stable hash of what identifies it.
    external_id: str
    activity_type: ActivityType
    start: datetime
    end: datetime
    minutes: int
    #: The device or app that recorded it ("Apple Watch", "Garmin Forerunner 255" ...).
    source_name: str
    distance_m: float | None = None
    heart_rate: HeartRateZones | None = None

    @property
    def source_key(self) -> tuple[str, str]:
        """Which source recorded it: two activities with the same key come from one device."""
        return (self.source_format.value, self.source_name)


@dataclass(frozen=True, slots=True)
class SkippedRecord:
    """A record of the file that was not imported, and why (shown to the member)."""

    record: str
    reason: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    activities: tuple[ImportedActivity, ...] = ()
    skipped: tuple[SkippedRecord, ...] = field(default=())


class ImportFileRefused(InvalidInput):
    """The file is not what it claims to be, or is unsafe to read: nothing is imported."""

    code = "import_file_refused"
    title = "Import file refused"
