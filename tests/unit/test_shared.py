"""Ids, the hybrid logical clock, opening hours and sync messages."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.clock import HlcTimestamp, HybridLogicalClock, ensure_utc
from shared.ids import new_id, parse_id
from shared.opening_hours import OpeningHours
from shared.sync import Mutation, PushRequest
from shared.sync.messages import is_versioned_mutation_name


def test_ids_are_version_7_and_sort_by_creation() -> None:
    ids = [new_id() for _ in range(2000)]
    assert all(i.version == 7 for i in ids)
    assert len(set(ids)) == len(ids)
    # Same-millisecond ids may tie on time but never go backwards across milliseconds.
    millis = [i.int >> 80 for i in ids]
    assert millis == sorted(millis)


def test_parse_id_explains_garbage() -> None:
    some = new_id()
    assert parse_id(str(some)) == some
    with pytest.raises(ValueError, match="is not a valid id"):
        parse_id("nope")


class FakeWall:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def test_hlc_never_goes_backwards_when_the_wall_clock_does() -> None:
    wall = FakeWall(1_000)
    clock = HybridLogicalClock("kiosk-a", wall)
    first = clock.now()
    wall.ms = 500  # somebody set the clock back
    second = clock.now()
    assert second > first
    assert second.wall_ms == 1_000 and second.counter == 1


def test_hlc_moves_past_remote_timestamps_from_the_future() -> None:
    clock = HybridLogicalClock("kiosk-a", FakeWall(1_000))
    remote = HlcTimestamp(9_999, 7, "kiosk-b")
    merged = clock.observe(remote)
    assert merged > remote
    assert clock.now() > merged


def test_hlc_encoding_sorts_like_the_timestamps() -> None:
    stamps = [HlcTimestamp(5, 2, "a"), HlcTimestamp(5, 10, "a"), HlcTimestamp(40, 0, "a")]
    assert sorted(s.encode() for s in stamps) == [s.encode() for s in stamps]
    assert HlcTimestamp.decode(stamps[1].encode()) == stamps[1]
    with pytest.raises(ValueError):
        HlcTimestamp.decode("garbage")


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=200))
def test_hlc_is_strictly_increasing_whatever_the_wall_clock_does(walls: list[int]) -> None:
    wall = FakeWall(walls[0])
    clock = HybridLogicalClock("n", wall)
    last = clock.now()
    for ms in walls:
        wall.ms = ms
        current = clock.now()
        assert current > last
        last = current


def test_hlc_is_safe_across_threads() -> None:
    clock = HybridLogicalClock("n", FakeWall(1))
    results: list[HlcTimestamp] = []
    lock = threading.Lock()

    def work() -> None:
        mine = [clock.now() for _ in range(500)]
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 2000


def test_ensure_utc() -> None:
    local = datetime(2026, 3, 29, 2, 30, tzinfo=timezone(timedelta(hours=2)))
    assert ensure_utc(local) == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert ensure_utc(datetime(2026, 1, 1)).tzinfo is UTC


def test_opening_hours_rules() -> None:
    hours = OpeningHours.model_validate(
        {"mon": [{"opens": "06:00", "closes": "12:00"}, {"opens": "14:00", "closes": "24:00"}]}
    )
    monday = datetime(2026, 11, 23)
    assert hours.is_open(monday.replace(hour=6))
    assert not hours.is_open(monday.replace(hour=12))
    assert hours.is_open(monday.replace(hour=23, minute=59))
    assert not hours.is_open(monday.replace(hour=5, minute=59))
    assert not hours.is_open(datetime(2026, 11, 24, 10))
    assert hours.describe_week()[0] == ("Monday", "06:00–12:00, 14:00–24:00")
    assert hours.describe_week()[1] == ("Tuesday", "Closed")
    bad: object  # raw input, as a request would bring it
    for bad in (
        {"mon": [{"opens": "24:00", "closes": "24:00"}]},
        {"mon": [{"opens": "7:00", "closes": "9:00"}]},
        {"mon": [{"opens": "09:00", "closes": "09:00"}]},
        {"mon": [{"opens": "06:00", "closes": "12:00"}, {"opens": "11:59", "closes": "13:00"}]},
        {"someday": []},
    ):
        with pytest.raises(ValidationError):
            OpeningHours.model_validate(bad)


def test_mutation_names_are_versioned_but_a_bad_one_does_not_spoil_a_push() -> None:
    now = datetime.now(UTC)
    ok = Mutation(mutation_id=1, name="checkin.create.v1", args={}, device_time=now, hlc="x")
    assert is_versioned_mutation_name(ok.name)
    for bad in ("checkin.create", "checkin", "Checkin.create.v1", "checkin.create.v0"):
        assert not is_versioned_mutation_name(bad)
        # It still parses: the server rejects that one mutation, not the whole push.
        Mutation(mutation_id=1, name=bad, args={}, device_time=now, hlc="x")
    with pytest.raises(ValidationError):
        PushRequest(device_id=new_id(), schema_version=1, mutations=[ok] * 501)
