"""Leaderboards: standard competition ranking, ties broken by who got there first, team
boards per capita."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.engagement.challenges import MemberScore
from shared.engagement.ranking import (
    Entry,
    MemberLine,
    Ranked,
    member_board,
    per_capita,
    rank,
    ranks_by_key,
    team_board,
)

NINE = datetime(2026, 12, 4, 9, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return NINE + timedelta(minutes=minutes)


def lines(board: list[Ranked]) -> list[tuple[int, str]]:
    return [(line.rank, line.entry.key) for line in board]


def test_the_1_2_2_4_case() -> None:
    # 30, 20, 20, 10: one entry ahead of each 20, three ahead of the 10 → 1, 2, 2, 4.
    entries = [Entry("d", 10, at(30)), Entry("b", 20, at(5)), Entry("a", 30, at(0))]
    board = rank([*entries, Entry("c", 20, at(5))])
    assert lines(board) == [(1, "a"), (2, "b"), (2, "c"), (4, "d")]


def test_a_tie_broken_by_time() -> None:
    # Both on 20; "late" got there at 9:06, "early" at 9:05: early is ahead, no shared rank.
    board = rank([Entry("late", 20, at(6)), Entry("early", 20, at(5)), Entry("top", 30, at(9))])
    assert lines(board) == [(1, "top"), (2, "early"), (3, "late")]


def test_without_the_tie_break_only_the_score_counts() -> None:
    board = rank(
        [Entry("late", 20, at(6)), Entry("early", 20, at(5)), Entry("last", 10, at(1))],
        tie_break=False,
    )
    assert lines(board) == [(1, "early"), (1, "late"), (3, "last")]


def test_no_reach_time_comes_after_one_with_the_same_score() -> None:
    # Zeros never reached by an event share the last rank behind a zero that has a time.
    board = rank([Entry("x", 0), Entry("y", 0, at(1)), Entry("w", 0), Entry("v", 1, at(2))])
    assert lines(board) == [(1, "v"), (2, "y"), (3, "w"), (3, "x")]


def test_reach_times_in_other_zones_compare_as_instants() -> None:
    from zoneinfo import ZoneInfo

    accra_nine = datetime(2026, 12, 4, 9, tzinfo=ZoneInfo("Africa/Accra"))
    tokyo_six_pm = datetime(2026, 12, 4, 18, tzinfo=ZoneInfo("Asia/Tokyo"))  # 09:00 UTC
    board = rank([Entry("a", 5, accra_nine), Entry("t", 5, tokyo_six_pm)])
    assert lines(board) == [(1, "a"), (1, "t")]


def test_an_empty_board() -> None:
    assert rank([]) == []


def test_a_per_capita_team_board() -> None:
    members = [
        # north: 10 + 20 + 0 = 30 over 3 = 10; reached when its last scorer did, 9:20.
        MemberLine("north", 10, at(10)),
        MemberLine("north", 20, at(20)),
        MemberLine("north", 0),
        # south: 12 + 12 + 12 + 4 = 40 over 4 = 10, reached at 9:15: ahead of north's 9:20.
        MemberLine("south", 12, at(15)),
        MemberLine("south", 12, at(1)),
        MemberLine("south", 12, at(2)),
        MemberLine("south", 4, at(3)),
        # east: 33 over 3 = 11: first, although its total is lower than south's.
        MemberLine("east", 11, at(50)),
        MemberLine("east", 11, at(40)),
        MemberLine("east", 11, at(30)),
        # solo: 100 over 1, under the minimum size of 3: listed apart, unranked.
        MemberLine("solo", 100, at(0)),
    ]
    board = per_capita(members, min_team_size=3)
    assert [(r.rank, r.entry.key, r.entry.score) for r in board.ranked] == [
        (1, "east", Fraction(11)),
        (2, "south", Fraction(10)),
        (3, "north", Fraction(10)),
    ]
    assert board.ranked[1].entry.reached_at == at(15)
    assert [e.key for e in board.too_small] == ["solo"]
    assert board.sizes == {"north": 3, "south": 4, "east": 3, "solo": 1}
    assert board.totals["south"] == 40


def test_per_capita_keeps_thirds_exact() -> None:
    # 1/3 and 2/6 are the same score: with equal reach times the teams share rank 1.
    members = [MemberLine("a", 1, at(1)), *[MemberLine("a", 0)] * 2]
    members += [MemberLine("b", 2, at(1)), *[MemberLine("b", 0)] * 5]
    board = per_capita(members, min_team_size=1)
    assert lines(board.ranked) == [(1, "a"), (1, "b")]


def test_the_minimum_team_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        per_capita([], min_team_size=0)


def test_boards_straight_from_a_challenges_scores() -> None:
    north = [uuid.UUID(int=i) for i in (1, 2, 3)]
    scores = [
        MemberScore(north[0], "north", 3, at(3)),
        MemberScore(north[1], "north", 3, at(1)),
        MemberScore(north[2], "north", 0, None),
        MemberScore(uuid.UUID(int=4), None, 5, at(2)),
    ]
    # Individually: 5, then two 3s split by time (9:01 before 9:03), then 0.
    assert [line.rank for line in member_board(scores)] == [1, 2, 3, 4]
    assert member_board(scores)[1].entry.key == str(north[1])
    # The team board leaves out the member without a team: north is 6 / 3 = 2, at 9:03.
    teams = team_board(scores, min_team_size=3)
    assert [(r.entry.key, r.entry.score, r.entry.reached_at) for r in teams.ranked] == [
        ("north", Fraction(2), at(3))
    ]


# --- properties ----------------------------------------------------------------------------

_entries = st.lists(
    st.builds(
        Entry,
        key=st.text(alphabet="abcdefgh", min_size=1, max_size=3),
        score=st.integers(0, 5) | st.fractions(0, 5, max_denominator=4),
        reached_at=st.none() | st.integers(0, 4).map(at),
    ),
    max_size=30,
    unique_by=lambda e: e.key,
)


@settings(max_examples=200, deadline=None)
@given(_entries, st.booleans(), st.randoms(use_true_random=False))
def test_ranking_is_a_permutation_invariant_function_of_the_scores(
    entries: list[Entry], tie_break: bool, rnd: random.Random
) -> None:
    shuffled = list(entries)
    rnd.shuffle(shuffled)
    first = rank(entries, tie_break=tie_break)
    second = rank(shuffled, tie_break=tie_break)
    assert first == second
    assert sorted(ranks_by_key(first)) == sorted(e.key for e in entries)


@settings(max_examples=200, deadline=None)
@given(_entries, st.booleans())
def test_ranks_are_one_based_and_non_decreasing(entries: list[Entry], tie_break: bool) -> None:
    board = rank(entries, tie_break=tie_break)
    ranks = [line.rank for line in board]
    assert ranks == sorted(ranks)
    if ranks:
        assert ranks[0] == 1
    # Competition ranking: each rank is its first holder's 1-based place.
    for index, line in enumerate(board):
        if index == 0 or board[index - 1].rank != line.rank:
            assert line.rank == index + 1


_NEVER = datetime.max.replace(tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(_entries)
def test_a_rank_is_one_plus_those_strictly_ahead(entries: list[Entry]) -> None:
    # The quadratic definition, as an oracle for the sort.
    def ahead(a: Entry, b: Entry) -> bool:
        ra, rb = a.reached_at or _NEVER, b.reached_at or _NEVER
        return a.score > b.score or (a.score == b.score and ra < rb)

    got = ranks_by_key(rank(entries))
    for entry in entries:
        assert got[entry.key] == 1 + sum(ahead(other, entry) for other in entries)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.builds(
            MemberLine,
            team=st.sampled_from("pqrs"),
            score=st.integers(0, 9),
            reached_at=st.integers(0, 9).map(at),
        ),
        max_size=30,
    ),
    st.integers(1, 4),
)
def test_team_boards_rank_total_over_size(members: list[MemberLine], minimum: int) -> None:
    board = per_capita(members, min_team_size=minimum)
    for line in board.ranked:
        team = [m for m in members if m.team == line.entry.key]
        assert len(team) >= minimum
        assert line.entry.score == Fraction(sum(m.score for m in team), len(team))
    assert all(board.sizes[e.key] < minimum for e in board.too_small)
    assert len(board.ranked) + len(board.too_small) == len({m.team for m in members})
