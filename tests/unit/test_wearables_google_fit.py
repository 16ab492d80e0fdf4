"""Google Fit / Health Connect sessions from Google Takeout ("Fit/All Sessions/*.json")."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from server.wearables.parsers import parse_google_fit
from server.wearables.schemas import ActivityType, ImportFileRefused, SourceFormat

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)


def session(start: str, end: str, activity: str = "running", **extra: object) -> dict[str, object]:
    return {
        "fitnessActivity": activity,
        "startTime": start,
        "endTime": end,
        "duration": "1500.000s",
        "segment": [{"fitnessActivity": activity, "startTime": start, "endTime": end}],
        "aggregate": [
            {"metricName": "com.google.calories.expended", "floatValue": 310.5},
            {"metricName": "com.google.step_count.delta", "intValue": 4100},
            {"metricName": "com.google.distance.delta", "floatValue": 4820.25},
            {"metricName": "com.google.active_minutes", "intValue": 24},
        ],
        **extra,
    }


def test_a_takeout_session_file_is_one_activity() -> None:
    # One Takeout file is one session; the offset is kept: 07:00+01:00 is 06:00 UTC.
    data = json.dumps(session("2026-03-29T07:00:00.000+01:00", "2026-03-29T07:30:00.000+01:00"))
    (run,) = parse_google_fit(data.encode(), now=NOW).activities
    assert run.source_format is SourceFormat.GOOGLE_FIT
    assert run.source_name == "Google Fit"
    assert run.activity_type is ActivityType.RUN
    assert run.start == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
    assert run.minutes == 25  # 1500 s of active time, not the 30-minute span
    assert run.distance_m == pytest.approx(4820.25)


def test_a_list_and_the_session_wrapper_are_read_with_their_ids_and_apps() -> None:
    sessions = [
        session(
            "2026-03-28T17:00:00Z",
            "2026-03-28T18:00:00Z",
            "biking.road",
            id="abc-1",
            application={"packageName": "com.strava"},
        ),
        session("2026-03-27T17:00:00Z", "2026-03-27T17:20:00Z", "strength_training"),
        session("2026-03-26T17:00:00Z", "2026-03-26T17:20:00Z", "swimming.pool"),
        session("2026-03-25T17:00:00Z", "2026-03-25T17:20:00Z", "hiking"),
        session("2026-03-25T10:00:00Z", "2026-03-25T10:20:00Z", "walking.treadmill"),
        session("2026-03-24T17:00:00Z", "2026-03-24T17:20:00Z", "yoga"),
    ]
    for document in (sessions, {"session": sessions}):
        report = parse_google_fit(json.dumps(document).encode(), now=NOW)
        assert [a.activity_type for a in report.activities] == [
            ActivityType.CYCLE,
            ActivityType.STRENGTH,
            ActivityType.SWIM,
            ActivityType.HIKE,
            ActivityType.WALK,
            ActivityType.OTHER,
        ]
        ride = report.activities[0]
        assert (ride.external_id, ride.source_name) == ("abc-1", "com.strava")


def test_broken_and_implausible_sessions_are_skipped_with_reasons() -> None:
    sessions = [
        session("2026-03-28T07:00:00", "2026-03-28T07:30:00"),  # no offset: whose 07:00?
        session("2026-03-28T07:30:00Z", "2026-03-28T07:00:00Z"),
        session("2026-04-02T07:00:00Z", "2026-04-02T07:30:00Z"),
        "not an object",
        session("2026-03-28T07:00:00Z", "2026-03-28T07:30:00Z", name="Parkrun"),
    ]
    report = parse_google_fit(json.dumps(sessions).encode(), now=NOW)
    # A list holding a non-object is still a sessions export: the stray item is skipped.
    assert [(s.record, s.reason) for s in report.skipped] == [
        ("session 1", "its startTime or endTime is missing or has no UTC offset"),
        ("session 2", "it ends before it starts"),
        ("session 3", "it ends in the future"),
        ("session 4", "it is not a JSON object"),
    ]
    assert len(report.activities) == 1


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe\x00garbage",
        b"<gpx></gpx>",
        b'{"dataSource": [], "point": []}',
        b"42",
        b"[1, 2]",
        b'{"session": [{"name": "no times"}]}',
    ],
    ids=["binary", "xml", "other-json", "number", "numbers", "no-session-shape"],
)
def test_files_that_are_not_sessions_exports_are_refused(content: bytes) -> None:
    with pytest.raises(ImportFileRefused, match="not a Google Fit"):
        parse_google_fit(content, now=NOW)
