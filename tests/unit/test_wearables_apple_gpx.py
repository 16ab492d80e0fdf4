"""Apple Health and GPX files: realistic small files built here, wrong and unsafe ones refused."""

from __future__ import annotations

import io
import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest

from server.wearables.parsers import parse_apple_health, parse_gpx
from server.wearables.schemas import ActivityType, ImportFileRefused, SourceFormat

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)

# The head of a real export: a DOCTYPE with an internal DTD (elements and attributes only).
APPLE_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT Workout ((MetadataEntry|WorkoutEvent|WorkoutStatistics|WorkoutRoute)*)>
]>
<HealthData locale="en_GB">
 <ExportDate value="2026-03-31 20:00:00 +0100"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1990-01-01"/>
 <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Ama's Apple Watch"
  unit="count/min" startDate="2026-03-28 07:05:00 +0000" endDate="2026-03-28 07:05:00 +0000"
  value="150"/>
"""


def apple_export(*workouts: str) -> io.BytesIO:
    return io.BytesIO((APPLE_HEAD + "\n".join(workouts) + "\n</HealthData>\n").encode())


def workout(
    start: str,
    end: str,
    *,
    kind: str = "Running",
    duration: str = 'duration="30" durationUnit="min"',
    extra: str = "",
    children: str = "",
) -> str:
    return (
        f'<Workout workoutActivityType="HKWorkoutActivityType{kind}" {duration} {extra} '
        f'sourceName="Ama\'s Apple Watch" startDate="{start}" endDate="{end}">'
        f'<MetadataEntry key="HKTimeZone" value="Europe/London"/>{children}</Workout>'
    )


def test_apple_workouts_are_read_and_everything_else_ignored() -> None:
    report = parse_apple_health(
        apple_export(
            workout(
                "2026-03-28 07:00:00 +0000",
                "2026-03-28 07:32:00 +0000",
                extra='totalDistance="5.2" totalDistanceUnit="km"',
            ),
            # iOS 16 and later: the distance as a statistics child, duration in seconds.
            workout(
                "2026-03-30 18:00:00 +0100",
                "2026-03-30 19:10:00 +0100",
                kind="Hiking",
                duration='duration="3900" durationUnit="s"',
                children='<WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning"'
                ' sum="3" unit="mi"/>',
            ),
            workout(
                "2026-03-31 06:00:00 +0100",
                "2026-03-31 06:45:00 +0100",
                kind="TraditionalStrengthTraining",
            ),
            workout("2026-03-31 08:00:00 +0100", "2026-03-31 08:20:00 +0100", kind="Yoga"),
        ),
        now=NOW,
    )
    assert report.skipped == ()
    run, hike, strength, yoga = report.activities
    assert run.source_format is SourceFormat.APPLE_HEALTH
    assert (run.activity_type, run.minutes, run.distance_m) == (ActivityType.RUN, 30, 5200.0)
    assert run.source_name == "Ama's Apple Watch"
    assert run.heart_rate is None
    # 3900 s = 65 min; 3 mi × 1609.344 m = 4828.032 m; 18:00 +01:00 = 17:00 UTC.
    assert (hike.activity_type, hike.minutes) == (ActivityType.HIKE, 65)
    assert hike.distance_m == pytest.approx(4828.032)
    assert hike.start == datetime(2026, 3, 30, 17, 0, tzinfo=UTC)
    assert strength.activity_type is ActivityType.STRENGTH
    assert yoga.activity_type is ActivityType.OTHER


def test_apple_offsets_are_kept_across_the_clock_change() -> None:
    # 29 March 2026 is the UK's spring-forward night: 01:30 +0000 and 01:30 +0100 are an
    # hour apart (01:30 and 00:30 UTC), and the same wall-clock text must not be confused.
    report = parse_apple_health(
        apple_export(
            workout("2026-03-29 01:30:00 +0000", "2026-03-29 02:00:00 +0000"),
            workout("2026-03-29 01:30:00 +0100", "2026-03-29 02:00:00 +0100", kind="Walking"),
        ),
        now=NOW,
    )
    utc_run, bst_walk = report.activities
    assert utc_run.start == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert bst_walk.start == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert bst_walk.end - bst_walk.start == timedelta(minutes=30)
    assert utc_run.start.tzinfo is UTC
    assert utc_run.external_id != bst_walk.external_id


def test_apple_ids_are_stable_across_imports() -> None:
    def read() -> str:
        export = apple_export(workout("2026-03-28 07:00:00 +0000", "2026-03-28 07:30:00 +0000"))
        return parse_apple_health(export, now=NOW).activities[0].external_id

    assert read() == read()


def test_apple_implausible_and_broken_workouts_are_skipped_with_reasons() -> None:
    report = parse_apple_health(
        apple_export(
            workout("2026-03-28 07:00:00 +0000", "2026-03-28 06:00:00 +0000"),
            workout(
                "2026-03-20 07:00:00 +0000",
                "2026-03-20 18:00:00 +0000",
                duration='duration="660" durationUnit="min"',
            ),
            workout("2026-04-02 07:00:00 +0000", "2026-04-02 07:30:00 +0000"),
            workout("yesterday", "2026-03-28 07:30:00 +0000"),
            workout("2026-03-28 09:00:00 +0000", "2026-03-28 09:30:00 +0000"),
        ),
        now=NOW,
    )
    assert [s.reason for s in report.skipped] == [
        "it ends before it starts",
        "it lasts 660 minutes, more than 600",
        "it ends in the future",
        "its start or end date is missing or unreadable",
    ]
    assert report.skipped[0].record == "Workout 1 (2026-03-28 07:00:00 +0000)"
    assert [a.start.hour for a in report.activities] == [9]


def test_a_gpx_file_given_as_apple_health_is_refused_clearly() -> None:
    with pytest.raises(ImportFileRefused, match=r"not an Apple Health export.*<gpx>"):
        parse_apple_health(io.BytesIO(gpx_file(track(TIMED_POINTS)).encode()), now=NOW)


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00garbage\xff\xfe", b"", b"not xml at all"],
    ids=["binary", "empty", "text"],
)
def test_garbage_is_refused_as_apple_health(content: bytes) -> None:
    with pytest.raises(ImportFileRefused, match="Apple Health export"):
        parse_apple_health(io.BytesIO(content), now=NOW)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE HealthData [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<HealthData locale="en_GB"><Workout sourceName="&lol3;"/></HealthData>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE HealthData [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<HealthData locale="en_GB"><Workout sourceName="&secret;"/></HealthData>
"""


@pytest.mark.parametrize("bomb", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "external"])
def test_xml_entity_bombs_are_refused_before_parsing(bomb: bytes) -> None:
    with pytest.raises(ImportFileRefused, match="declares XML entities"):
        parse_apple_health(io.BytesIO(bomb), now=NOW)
    gpx_bomb = bomb.replace(b"HealthData", b"gpx")
    with pytest.raises(ImportFileRefused, match="document type declaration"):
        parse_gpx(gpx_bomb, now=NOW)


def test_a_truncated_export_is_refused_whole() -> None:
    text = apple_export(workout("2026-03-28 07:00:00 +0000", "2026-03-28 07:30:00 +0000"))
    cut = io.BytesIO(text.getvalue()[:-30])
    with pytest.raises(ImportFileRefused, match="not well-formed"):
        parse_apple_health(cut, now=NOW)


def test_a_large_export_streams_workouts_among_many_records() -> None:
    record = (
        '<Record type="HKQuantityTypeIdentifierStepCount" sourceName="Phone" unit="count" '
        'startDate="2026-03-01 10:00:00 +0000" endDate="2026-03-01 10:01:00 +0000" value="90"/>'
    )
    body = [record] * 20_000 + [workout("2026-03-28 07:00:00 +0000", "2026-03-28 07:30:00 +0000")]
    export = apple_export(*body)
    tracemalloc.start()
    try:
        report = parse_apple_health(export, now=NOW)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(report.activities) == 1
    # The file is ≈ 3.6 MB; keeping its 20,000 parsed elements would take well over 10 MB.
    assert len(export.getvalue()) > 3_000_000
    assert peak < 2_000_000


# --- GPX --------------------------------------------------------------------------------

GPX_NS = (
    'xmlns="http://www.topografix.com/GPX/1/1" '
    'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"'
)


def gpx_file(*tracks: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gpx version="1.1" creator="Garmin Connect" {GPX_NS}>\n' + "\n".join(tracks) + "</gpx>"
    )


def point(lat: float, lon: float, time: str | None, hr: int | None = None) -> str:
    stamp = f"<time>{time}</time>" if time else ""
    ext = (
        f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{hr}</gpxtpx:hr>"
        "</gpxtpx:TrackPointExtension></extensions>"
        if hr
        else ""
    )
    return f'<trkpt lat="{lat}" lon="{lon}"><ele>10</ele>{stamp}{ext}</trkpt>'


def track(points: list[str], name: str = "Morning run", kind: str = "running") -> str:
    return f"<trk><name>{name}</name><type>{kind}</type><trkseg>{''.join(points)}</trkseg></trk>"


# 0.009° of latitude ≈ 1 km; one point every 5 minutes moving 1 km: 12 km/h.
TIMED_POINTS = [
    point(5.600 + 0.009 * i, -0.187, f"2026-03-28T07:{5 * i:02d}:00Z", hr=120 + 10 * i)
    for i in range(7)
]


def test_gpx_tracks_are_activities_with_times_from_their_points() -> None:
    walk_points = [
        point(51.5 + 0.0009 * i, -0.12, f"2026-03-29T09:{10 * i:02d}:00+01:00") for i in range(4)
    ]
    report = parse_gpx(
        gpx_file(track(TIMED_POINTS), track(walk_points, name="Dog walk", kind="walking")).encode(),
        now=NOW,
    )
    run, walk = report.activities
    assert run.source_format is SourceFormat.GPX
    assert run.source_name == "Garmin Connect"
    assert run.activity_type is ActivityType.RUN
    assert (run.start, run.end) == (
        datetime(2026, 3, 28, 7, 0, tzinfo=UTC),
        datetime(2026, 3, 28, 7, 30, tzinfo=UTC),
    )
    # 6 legs of ≈ 1 km over 30 minutes, all moving.
    assert run.minutes == 30
    assert run.distance_m == pytest.approx(6000, rel=0.01)
    assert run.heart_rate is None  # no maximum heart rate given: no zones
    # 09:00 +01:00 is 08:00 UTC.
    assert walk.start == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    assert walk.activity_type is ActivityType.WALK


def test_gpx_heart_rate_becomes_minutes_in_zones() -> None:
    # max 200: samples 120, 130, ..., 170 bpm each hold 5 minutes (the last has no interval):
    # 120/200 = 60 % and 130 → zone 2, 140 and 150 → zone 3, 160 and 170 → zone 4.
    report = parse_gpx(gpx_file(track(TIMED_POINTS)).encode(), now=NOW, max_hr=200)
    zones = report.activities[0].heart_rate
    assert zones is not None
    assert (zones.zone1, zones.zone2, zones.zone3, zones.zone4, zones.zone5) == (
        0.0,
        10.0,
        10.0,
        10.0,
        0.0,
    )


def test_a_gpx_track_without_times_is_skipped_with_a_reason() -> None:
    untimed = [point(5.6 + 0.009 * i, -0.187, None) for i in range(3)]
    report = parse_gpx(
        gpx_file(track(untimed, name="Route plan"), track(TIMED_POINTS)).encode(), now=NOW
    )
    assert [(s.record, s.reason) for s in report.skipped] == [
        ("track 1 (Route plan)", "its points have no times")
    ]
    assert len(report.activities) == 1


def test_an_apple_export_given_as_gpx_and_garbage_are_refused() -> None:
    apple = apple_export(workout("2026-03-28 07:00:00 +0000", "2026-03-28 07:30:00 +0000"))
    with pytest.raises(ImportFileRefused, match="document type declaration"):
        parse_gpx(apple.getvalue(), now=NOW)
    with pytest.raises(ImportFileRefused, match=r"not a GPX file.*<kml>"):
        parse_gpx(b"<kml><Document/></kml>", now=NOW)
    with pytest.raises(ImportFileRefused, match="not readable XML"):
        parse_gpx(b"\x00\x01\x02garbage", now=NOW)
