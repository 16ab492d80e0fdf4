"""Pure rules of sync: batch planning, clock clamping, walk-in matching, gzip bodies."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta

import pytest

from server.errors import PayloadTooLarge
from server.sync import rules
from server.sync.gzip import BadEncoding, gunzip

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("last", "ids", "duplicates", "new", "gap"),
    [
        (0, [], [], [], False),
        (0, [1, 2, 3], [], [1, 2, 3], False),
        (3, [1, 2, 3], [1, 2, 3], [], False),
        (2, [1, 2, 3, 4], [1, 2], [3, 4], False),
        (2, [4, 5], [], [4, 5], True),
        (2, [3, 5], [], [3, 5], True),
        (0, [2], [], [2], True),
    ],
)
def test_plan_batch(
    last: int, ids: list[int], duplicates: list[int], new: list[int], gap: bool
) -> None:
    plan = rules.plan_batch(last, ids)
    assert (plan.duplicates, plan.new, plan.gap) == (duplicates, new, gap)


def test_plan_batch_refuses_unordered_ids() -> None:
    with pytest.raises(ValueError, match="increasing"):
        rules.plan_batch(0, [2, 1])
    with pytest.raises(ValueError):
        rules.plan_batch(0, [1, 1])


def test_clamp_keeps_past_and_near_times_and_clamps_the_far_future() -> None:
    an_hour_ago = NOW - timedelta(hours=1)
    assert rules.clamp_time(an_hour_ago, NOW) == (an_hour_ago, False)
    slightly = NOW + timedelta(minutes=4)
    assert rules.clamp_time(slightly, NOW) == (slightly, False)
    assert rules.clamp_time(NOW + timedelta(minutes=6), NOW) == (NOW, True)
    assert rules.clamp_time(datetime(2099, 1, 1, tzinfo=UTC), NOW) == (NOW, True)
    naive = datetime(2026, 3, 1, 11, 0)
    assert rules.clamp_time(naive, NOW) == (naive.replace(tzinfo=UTC), False)


@pytest.mark.parametrize(
    ("mine", "theirs", "reason"),
    [
        (("Ama@Example.com ", None), ("ama@example.com", None), "same email"),
        ((None, "+233 20 111 2222"), (None, "+233201112222"), "same phone"),
        ((None, "020 111 2222"), (None, "+233201112222"), "same phone"),
        ((None, "1234"), (None, "+441234"), None),
        (("a@x.org", "+233201112222"), ("b@x.org", "+233209999999"), None),
        ((None, None), (None, None), None),
    ],
)
def test_duplicate_walk_in_matching(
    mine: tuple[str | None, str | None], theirs: tuple[str | None, str | None], reason: str | None
) -> None:
    assert rules.duplicate_reason(*mine, *theirs) == reason


def test_phone_suffix_is_what_the_database_is_searched_by() -> None:
    assert rules.phone_suffix("020 111 2222") == "201112222"
    assert rules.phone_suffix(None) is None


def test_gunzip_reads_gzip_and_refuses_garbage_and_bombs() -> None:
    assert gunzip(gzip.compress(b'{"a": 1}')) == b'{"a": 1}'
    with pytest.raises(BadEncoding):
        gunzip(b"plain text")
    with pytest.raises(BadEncoding):
        gunzip(gzip.compress(b"x" * 1000)[:-8])
    with pytest.raises(PayloadTooLarge):
        gunzip(gzip.compress(b"0" * 10_000), limit=1_000)
