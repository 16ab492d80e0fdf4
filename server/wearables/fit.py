"""FIT activity files (``fitdecode``): each ``session`` message is one activity."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import fitdecode

from server.wearables import reading, rules
from server.wearables.schemas import (
    ActivityType,
    HeartRateZones,
    ImportFileRefused,
    ImportReport,
    SkippedRecord,
    SourceFormat,
)

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
    return reading.type_by_keywords(str(sport or ""), reading.KEYWORDS)


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
) -> reading.Parsed:
    """One FIT ``session`` message's field values (by profile name) as an activity."""
    record = f"session {number}"
    start = values.get("start_time")
    elapsed = _number(values.get("total_elapsed_time"))
    if not isinstance(start, datetime) or elapsed is None:
        return SkippedRecord(record, "it has no start time or no elapsed time")
    start = reading.utc(start)
    end = start + timedelta(seconds=elapsed)
    timer = _number(values.get("total_timer_time"))
    zones = _fit_zones(values.get("time_in_hr_zone"))
    if zones is None and max_hr is not None:
        inside = [(at, bpm) for at, bpm in heart_rates if start <= reading.utc(at) <= end]
        zones = rules.heart_rate_zones(inside, max_hr=max_hr)
    return reading.finish(
        record=record,
        source_format=SourceFormat.FIT,
        external_id=reading.stable_id(device, start.isoformat(), elapsed, number),
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
    return reading.report(
        fit_session_activity(
            values, number, device=device, now=now, heart_rates=heart_rates, max_hr=max_hr
        )
        for number, values in enumerate(sessions, start=1)
    )
