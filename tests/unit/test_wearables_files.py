"""Which reader an uploaded file goes to, Apple's export.zip read as a stream with its
unpacked size capped, and the dose category of an imported workout."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from server.wearables.files import _Capped, detect_format, read_activity_file
from server.wearables.rules import intensity_of
from server.wearables.schemas import (
    ActivityType,
    HeartRateZones,
    ImportedActivity,
    ImportFileRefused,
    SourceFormat,
)
from server.wearables.service import event_id_of
from shared.movement import MovementIntensity

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
START = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
WORKOUT = (
    '<Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="30" '
    'durationUnit="min" sourceName="Watch" startDate="2026-03-30 08:00:00 +0100" '
    'endDate="2026-03-30 08:30:00 +0100"/>'
)


def _export(filler: int = 0, name: str = "apple_health_export/export.xml") -> bytes:
    xml = f"<HealthData>{' ' * filler}{WORKOUT}</HealthData>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, xml)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        # The name decides when it names a format, whatever the content claims.
        ("run.GPX", b'{"a": 1}', SourceFormat.GPX),
        ("export.zip", b"", SourceFormat.APPLE_HEALTH),
        ("export.xml", b"<gpx>", SourceFormat.APPLE_HEALTH),
        ("ride.fit", b"", SourceFormat.FIT),
        ("sessions.json", b"<x/>", SourceFormat.GOOGLE_FIT),
        # Otherwise the first bytes.
        ("upload", b"PK\x03\x04rest", SourceFormat.APPLE_HEALTH),
        ("upload", b"\x0e\x20\x54\x08\x00\x00\x00\x00.FIT", SourceFormat.FIT),
        ("upload", b'\xef\xbb\xbf  [{"startTime": 1}]', SourceFormat.GOOGLE_FIT),
        ("upload", b'<?xml version="1.0"?><gpx version="1.1">', SourceFormat.GPX),
        ("upload", b"<?xml version='1.0'?><HealthData>", SourceFormat.APPLE_HEALTH),
    ],
)
def test_the_format_comes_from_the_name_else_the_content(
    name: str, data: bytes, expected: SourceFormat
) -> None:
    assert detect_format(name, data) is expected


def test_an_unknown_file_is_refused() -> None:
    with pytest.raises(ImportFileRefused, match="not an activity file"):
        detect_format("notes.txt", b"dear diary")


def test_an_apple_zip_is_read_from_its_export_xml_member() -> None:
    found, report = read_activity_file("export.zip", _export(), now=NOW, max_unpacked=10_000)
    assert found is SourceFormat.APPLE_HEALTH
    (run,) = report.activities
    assert (run.start, run.minutes) == (START, 30)  # 08:00 +01:00 is 07:00 UTC


def test_a_zip_bomb_is_refused_by_its_header_and_by_what_it_unpacks() -> None:
    # 5,000 spaces + ~200 bytes of XML > 4,000: refused by the declared size.
    with pytest.raises(ImportFileRefused, match="unpacks to more than"):
        read_activity_file("export.zip", _export(5000), now=NOW, max_unpacked=4000)
    # A header that lies (10 bytes): zipfile gives no more than it says, and the CRC fails.
    data = bytearray(_export(5000))
    central = data.rfind(b"PK\x01\x02")  # the central directory's size field is at +24
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    with pytest.raises(ImportFileRefused, match="not readable"):
        read_activity_file("export.zip", bytes(data), now=NOW, max_unpacked=4000)


def test_the_capped_stream_stops_past_its_cap_and_counts_again_after_a_rewind() -> None:
    stream = io.BufferedReader(_Capped(io.BytesIO(b"x" * 5000), 4000), 1024)
    assert len(stream.read(3000)) == 3000
    stream.seek(0)  # the Apple reader reads the prolog, then rewinds
    assert len(stream.read(3000)) == 3000
    with pytest.raises(ImportFileRefused, match="unpacks to more than 4000 bytes"):
        stream.read(2000)


def test_a_zip_without_an_export_is_refused() -> None:
    with pytest.raises(ImportFileRefused, match=r"no export\.xml"):
        read_activity_file("export.zip", _export(name="other.xml"), now=NOW, max_unpacked=10_000)


def _activity(kind: ActivityType, zones: HeartRateZones | None = None) -> ImportedActivity:
    return ImportedActivity(
        source_format=SourceFormat.FIT,
        external_id="a",
        activity_type=kind,
        start=START,
        end=START + timedelta(minutes=40),
        minutes=40,
        source_name="watch",
        heart_rate=zones,
    )


@pytest.mark.parametrize(
    ("kind", "zones", "expected"),
    [
        (ActivityType.RUN, None, MovementIntensity.VIGOROUS),
        (ActivityType.WALK, None, MovementIntensity.MODERATE),
        (ActivityType.OTHER, HeartRateZones(), MovementIntensity.MODERATE),  # empty zones
        # 20 of 40 zone minutes in zones 4–5: half → vigorous.
        (ActivityType.WALK, HeartRateZones(10, 5, 5, 15, 5), MovementIntensity.VIGOROUS),
        # 19.9 of 40 in zones 4–5 (under half), 25 of 40 in zones 2–5 → moderate.
        (ActivityType.RUN, HeartRateZones(15, 0, 5.1, 19.9, 0), MovementIntensity.MODERATE),
        # 21 of 40 in zone 1: only 19 in zones 2–5 → light, even for a run.
        (ActivityType.RUN, HeartRateZones(21, 19, 0, 0, 0), MovementIntensity.LIGHT),
    ],
)
def test_intensity_from_zones_else_the_type(
    kind: ActivityType, zones: HeartRateZones | None, expected: MovementIntensity
) -> None:
    assert intensity_of(_activity(kind, zones)) is expected


def test_event_ids_are_the_same_for_the_same_member_and_workout_only() -> None:
    ama, kofi = uuid.uuid4(), uuid.uuid4()
    run = _activity(ActivityType.RUN)
    assert event_id_of(ama, run) == event_id_of(ama, _activity(ActivityType.RUN))
    assert event_id_of(ama, run) != event_id_of(kofi, run)
