"""FIT files: a minimal FIT encoder written here makes real files that fitdecode then reads."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from fitdecode.utils import compute_crc

from server.wearables.parsers import fit_session_activity, parse_fit
from server.wearables.schemas import ActivityType, ImportFileRefused, SourceFormat

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)

ENUM, UINT8, UINT16, UINT32 = 0x00, 0x02, 0x84, 0x86
FORMATS = {ENUM: ("B", 1), UINT8: ("B", 1), UINT16: ("H", 2), UINT32: ("I", 4)}

# (field number, base type, number of values)
FILE_ID = 0, [(0, ENUM, 1), (1, UINT16, 1), (2, UINT16, 1), (4, UINT32, 1)]
SESSION = (
    18,
    [
        (253, UINT32, 1),  # timestamp
        (2, UINT32, 1),  # start_time
        (7, UINT32, 1),  # total_elapsed_time, ms
        (8, UINT32, 1),  # total_timer_time, ms
        (9, UINT32, 1),  # total_distance, cm
        (5, ENUM, 1),  # sport
        (6, ENUM, 1),  # sub_sport
        (65, UINT32, 6),  # time_in_hr_zone, ms (below zone 1, then zones 1–5)
    ],
)
RECORD = 20, [(253, UINT32, 1), (3, UINT8, 1)]  # timestamp, heart_rate


def fit_time(moment: datetime) -> int:
    return int((moment - FIT_EPOCH).total_seconds())


class FitWriter:
    """Just enough of the FIT protocol: definition and data messages, both CRCs."""

    def __init__(self) -> None:
        self.records = bytearray()
        self.local: dict[int, int] = {}

    def define(self, local: int, message: tuple[int, list[tuple[int, int, int]]]) -> None:
        global_number, fields = message
        self.records += struct.pack("<BBBHB", 0x40 | local, 0, 0, global_number, len(fields))
        for number, base, count in fields:
            self.records += struct.pack("<BBB", number, FORMATS[base][1] * count, base)

    def data(
        self, local: int, message: tuple[int, list[tuple[int, int, int]]], values: Sequence[object]
    ) -> None:
        self.records += bytes([local])
        for (_, base, count), value in zip(message[1], values, strict=True):
            items = value if isinstance(value, list) else [value]
            assert len(items) == count
            self.records += struct.pack("<" + FORMATS[base][0] * count, *items)

    def file(self) -> bytes:
        header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(self.records), b".FIT")
        header += struct.pack("<H", compute_crc(header))
        body = header + bytes(self.records)
        return body + struct.pack("<H", compute_crc(body))


def activity_file(
    sessions: Sequence[tuple[datetime, int, int, int, int, int, list[int] | None]],
    heart_rates: Sequence[tuple[datetime, int]] = (),
) -> bytes:
    """Sessions as (start, elapsed s, timer s, distance m, sport, sub_sport, zone seconds)."""
    writer = FitWriter()
    writer.define(0, FILE_ID)
    writer.data(0, FILE_ID, [4, 1, 3113, fit_time(NOW - timedelta(days=1))])  # garmin, fr255
    writer.define(1, RECORD)
    for at, bpm in heart_rates:
        writer.data(1, RECORD, [fit_time(at), bpm])
    writer.define(2, SESSION)
    for start, elapsed, timer, distance, sport, sub_sport, zones in sessions:
        writer.data(
            2,
            SESSION,
            [
                fit_time(start + timedelta(seconds=elapsed)),
                fit_time(start),
                elapsed * 1000,
                timer * 1000,
                distance * 100,
                sport,
                sub_sport,
                # FIT's "no value" for a uint32 is all ones
                [z * 1000 for z in zones] if zones is not None else [0xFFFFFFFF] * 6,
            ],
        )
    return writer.file()


START = datetime(2026, 3, 28, 6, 30, tzinfo=UTC)


def test_fit_sessions_are_activities() -> None:
    # Zones: 60 s below zone 1, then 300, 600, 900, 120, 0 s → 5.0, 10.0, 15.0, 2.0, 0.0 min.
    report = parse_fit(
        activity_file(
            [
                (START, 40 * 60, 35 * 60, 7500, 1, 0, [60, 300, 600, 900, 120, 0]),
                (START + timedelta(hours=3), 50 * 60, 45 * 60, 0, 10, 20, [0] * 6),
                (START + timedelta(hours=6), 60 * 60, 60 * 60, 20000, 17, 0, [0] * 6),
            ]
        ),
        now=NOW,
    )
    assert report.skipped == ()
    run, strength, hike = report.activities
    assert run.source_format is SourceFormat.FIT
    assert run.source_name == "garmin fr945"  # manufacturer 1, product 3113
    assert run.activity_type is ActivityType.RUN
    assert (run.start, run.end) == (START, START + timedelta(minutes=40))
    assert run.minutes == 35  # timer time: the pauses are left out
    assert run.distance_m == pytest.approx(7500)
    assert run.heart_rate is not None
    assert (
        run.heart_rate.zone1,
        run.heart_rate.zone2,
        run.heart_rate.zone3,
        run.heart_rate.zone4,
        run.heart_rate.zone5,
    ) == (5.0, 10.0, 15.0, 2.0, 0.0)
    assert strength.activity_type is ActivityType.STRENGTH
    assert strength.distance_m is None
    assert hike.activity_type is ActivityType.HIKE
    assert len({a.external_id for a in report.activities}) == 3


def test_fit_zones_come_from_records_when_the_device_gives_none() -> None:
    # max 190; one sample a minute for 10 min: 5 at 150 bpm (79 % → zone 3) then 5 at 175
    # (92 % → zone 5). The last sample opens no interval: 5 + 4 minutes.
    samples = [(START + timedelta(minutes=m), 150 if m < 5 else 175) for m in range(10)]
    data = activity_file([(START, 600, 600, 2000, 1, 0, None)], heart_rates=samples)
    zones = parse_fit(data, now=NOW, max_hr=190).activities[0].heart_rate
    assert zones is not None
    assert (zones.zone3, zones.zone5, zones.total) == (5.0, 4.0, 9.0)
    assert parse_fit(data, now=NOW).activities[0].heart_rate is None


def test_implausible_fit_sessions_are_skipped() -> None:
    report = parse_fit(
        activity_file(
            [
                (START, 11 * 3600, 11 * 3600, 0, 1, 0, [0] * 6),
                (NOW + timedelta(hours=1), 1800, 1800, 0, 1, 0, [0] * 6),
            ]
        ),
        now=NOW,
    )
    assert report.activities == ()
    assert [s.reason for s in report.skipped] == [
        "it lasts 660 minutes, more than 600",
        "it ends in the future",
    ]


def test_wrong_and_corrupt_fit_files_are_refused() -> None:
    good = activity_file([(START, 600, 600, 2000, 1, 0, [0] * 6)])
    with pytest.raises(ImportFileRefused, match="not a FIT file"):
        parse_fit(b"<gpx></gpx>", now=NOW)
    with pytest.raises(ImportFileRefused, match="not a FIT file"):
        parse_fit(b"", now=NOW)
    flipped = bytearray(good)
    flipped[30] ^= 0xFF
    with pytest.raises(ImportFileRefused, match="FIT file is not readable"):
        parse_fit(bytes(flipped), now=NOW)
    with pytest.raises(ImportFileRefused, match="FIT file is not readable"):
        parse_fit(good[: len(good) // 2], now=NOW)


def test_the_session_mapping_without_a_start_is_skipped() -> None:
    skipped = fit_session_activity(
        {"sport": "running", "total_elapsed_time": 600.0}, 1, device="x", now=NOW
    )
    assert getattr(skipped, "reason", None) == "it has no start time or no elapsed time"
