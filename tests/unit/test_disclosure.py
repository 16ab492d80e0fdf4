"""Disclosure control attacked: random tables, then an attacker who knows every shown
entry and every total tries to solve for a hidden one."""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.disclosure import (
    DEFAULT_MIN_GROUP,
    FLOOR,
    TOTAL,
    Key,
    Protected,
    lines,
    min_group,
    over_group,
    protect,
    share,
)


def _one_in_a_line(p: Protected) -> list[Key]:
    """The brief's test: a hidden entry alone in its row or column (with its total)."""
    found = []
    for members, total in lines(p.axes):
        line = [*members, total]
        hidden = [k for k in line if p.is_hidden(k)]
        if len(hidden) == 1:
            found.extend(hidden)
    return found


def _bridges(p: Protected) -> list[Key]:
    """A hidden entry of a 2-D table (totals included) is worked out exactly when it is a
    bridge of the graph whose nodes are the extended rows and columns and whose edges are
    the hidden entries: with no cycle through it, the equations pin it."""
    edges = [k for k in p.hidden]
    given_away = []
    for e in edges:
        rest = [k for k in edges if k != e]
        start, goal = ("r", e[0]), ("c", e[1])
        seen = {start}
        todo = [start]
        while todo:
            node = todo.pop()
            for k in rest:
                a, b = ("r", k[0]), ("c", k[1])
                for x, y in ((a, b), (b, a)):
                    if x == node and y not in seen:
                        seen.add(y)
                        todo.append(y)
        if goal not in seen:
            given_away.append(e)
    return given_away


def test_the_minimum_is_the_tenants_but_never_below_five() -> None:
    assert min_group(None) == DEFAULT_MIN_GROUP == 11
    assert min_group(20) == 20
    assert min_group(3) == FLOOR == 5


def test_one_dimension_hand_worked() -> None:
    # a=3 < 11 is hidden; alone on the line it is total − b − c = 53 − 20 − 30, so the
    # smallest other non-zero cell, b=20, is hidden too; c and the total stay.
    p = protect({("a",): 3, ("b",): 20, ("c",): 30}, [["a", "b", "c"]], 11)
    assert p.hidden == {("a",), ("b",)}
    assert p.get((TOTAL,)) == 53
    assert p.get(("c",)) == 30


def test_zero_is_shown_and_does_not_protect() -> None:
    # 0 is shown; a=4 is hidden; its complement is b=12 (a non-zero cell), not the zero.
    p = protect({("a",): 4, ("b",): 12, ("z",): 0, ("c",): 40}, [["a", "b", "z", "c"]], 11)
    assert p.get(("z",)) == 0
    assert p.hidden == {("a",), ("b",)}


def test_a_lone_small_cell_hides_its_total() -> None:
    p = protect({("a",): 4}, [["a"]], 11)
    assert p.hidden == {("a",), (TOTAL,)}


def test_two_squares_joined_by_one_cell_are_caught() -> None:
    # Rows 0–1 × cols 0–1 and rows 2–3 × cols 2–3 are hidden squares (each line holds two),
    # joined by cell (1, 2): every line holds two or more hidden entries, yet (1, 2) is a
    # bridge: row 1's equation minus the square's gives it. The exact check hides more.
    k = 11
    cells: dict[Key, int] = {(i, j): 50 for i in range(5) for j in range(5)}
    for i, j in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]:
        cells[(i, j)] = 3
    p = protect(cells, [range(5), range(5)], k)
    assert not _bridges(p)
    assert not _one_in_a_line(p)


def test_share_of_a_hidden_count_or_a_small_group_is_hidden() -> None:
    assert share(None, 40, 11) is None
    assert share(3, 10, 11) is None
    assert share(3, None, 11) is None
    assert share(0, 11, 11) == 0.0
    assert share(11, 44, 11) == 0.25
    assert not over_group(10, 11)
    assert over_group(11, 11)


counts = st.one_of(st.integers(0, 15), st.integers(0, 60))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(counts, min_size=1, max_size=8),
    st.integers(FLOOR, 15),
)
def test_one_dimension_no_hidden_cell_is_worked_out(values: list[int], k: int) -> None:
    axis = list(range(len(values)))
    p = protect({(i,): v for i, v in enumerate(values)}, [axis], k)
    assert not _one_in_a_line(p)
    for key, v in p.values.items():
        assert p.is_hidden(key) or v == 0 or v >= k


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(1, 6),
    st.data(),
    st.integers(FLOOR, 15),
)
def test_two_dimensions_no_hidden_cell_is_worked_out(
    rows: int, cols: int, data: st.DataObject, k: int
) -> None:
    grid = data.draw(st.lists(counts, min_size=rows * cols, max_size=rows * cols))
    cells: dict[Key, int] = {(i, j): grid[i * cols + j] for i in range(rows) for j in range(cols)}
    p = protect(cells, [range(rows), range(cols)], k)
    assert not _one_in_a_line(p)
    assert not _bridges(p)
    for key, v in p.values.items():
        assert p.is_hidden(key) or v == 0 or v >= k


@settings(max_examples=150, deadline=None)
@given(st.data(), st.integers(FLOOR, 12))
def test_crossed_filters_with_totals_cannot_isolate_one_person(data: st.DataObject, k: int) -> None:
    """People placed in departments × locations, each active or not in each of two periods;
    the attacker asks every filter (department or all × location or all × period) and holds
    every answer. Each answer is a slice of the one protected table of its period, so a
    hidden cell stays unsolvable from all of them together, and no answer shows 1 to k−1."""
    people = data.draw(
        st.lists(
            st.tuples(st.integers(0, 3), st.integers(0, 2), st.booleans(), st.booleans()),
            max_size=80,
        )
    )
    depts: Sequence[Hashable] = range(4)
    locs: Sequence[Hashable] = range(3)
    for period in (2, 3):
        cells: dict[Key, int] = {}
        for d, loc, *active in people:
            if active[period - 2]:
                cells[(d, loc)] = cells.get((d, loc), 0) + 1
        p = protect(cells, [depts, locs], k)
        answers: dict[Key, int | None] = {}
        for key in itertools.product([*depts, TOTAL], [*locs, TOTAL]):
            answers[key] = p.get(key)
        for shown in answers.values():
            assert shown is None or shown == 0 or shown >= k
        assert not _bridges(p)
        # Subtracting totals: a hidden cell alone in any line of answers is solvable.
        assert not _one_in_a_line(p)
