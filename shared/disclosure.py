"""Disclosure control for aggregate reports: which counts may be shown so that nobody in a
small group can be singled out, not even by subtracting what is shown from a total.

A report publishes *tables*: counts over one or more dimensions (department, location, an
adherence band …) with every total (row and column totals, the grand total). Two rules hide
cells:

- **Primary suppression**: a count of 1 to ``min_group - 1`` people is hidden. The minimum
  is the tenant's setting (default 11) and never below :data:`FLOOR`.
  **Zero is shown**: a count of nobody points at nobody, and every figure that would say
  something about a group (a percentage, "meeting the weekly dose") is computed only over
  a group of at least the minimum (:func:`share`, :func:`over_group`), so a 0 tells nothing
  about fewer people than that.
- **Complementary suppression**: a hidden cell must not be computable from what is shown.
  Every line of the table (a row with its total, a column with its total, and the totals
  with the grand total) is an equation; a line holding exactly one hidden entry gives that
  entry away, so another entry of the line is hidden too (the smallest non-zero cell,
  totals last), until no line holds exactly one. Lines are not the only way to combine
  equations (two hidden squares joined by one hidden cell in a 2-D table give that cell
  away although every line holds two), so the fixed point is then checked exactly: the
  hidden entries are the unknowns of the table's equations, and an unknown is determined
  when it is a pivot whose row of the reduced echelon form touches no free unknown. Each
  determined entry hides one more entry of a line through it, and the whole repeats.

Only linear reasoning is defended against (the entries hidden cannot be solved for); that
the hidden entries are whole numbers ≥ 0 still bounds them (two hidden cells summing to 3
are each at most 3), which is what a minimum group allows anyway. Reports keep one table
per figure over the full cross of their dimensions and show every filtered view as a slice
of that one protected table, so two filters never show the same cell with two different
patterns of hidden neighbours.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

#: The minimum group a tenant gets unless it chooses another.
DEFAULT_MIN_GROUP = 11
#: No tenant may set the minimum lower than this.
FLOOR = 5

#: The index of a dimension's total in a key (every other index is a category).
TOTAL = "*"

Key = tuple[Hashable, ...]

#: A large prime: rank modulo it equals the rational rank of these ±1 matrices (their
#: minors are far smaller than it).
_P = (1 << 61) - 1


def min_group(setting: int | None) -> int:
    """The minimum group in force: the tenant's setting, never below :data:`FLOOR`."""
    if setting is None:
        return DEFAULT_MIN_GROUP
    return max(FLOOR, setting)


def too_small(count: int, minimum: int) -> bool:
    """Primary suppression: 1 to ``minimum - 1`` people (0 is shown)."""
    return 0 < count < minimum


def over_group(group: int | None, minimum: int) -> bool:
    """Whether a figure about a group (a rate, a mean) may be computed: the group is known
    (not hidden) and counts at least ``minimum`` people."""
    return group is not None and group >= minimum


def share(part: int | None, group: int | None, minimum: int) -> float | None:
    """``part / group`` if both are shown and the group is at least the minimum; None
    (hidden) otherwise. A percentage of a hidden count is hidden."""
    if part is None or not over_group(group, minimum):
        return None
    assert group is not None
    return part / group


@dataclass(frozen=True)
class Protected:
    """A table after suppression: every entry (cells and totals) and which are hidden."""

    axes: tuple[tuple[Hashable, ...], ...]
    values: Mapping[Key, int]
    hidden: frozenset[Key]
    #: Hidden for their own sake (too few people), not as another's complement.
    small: frozenset[Key] = frozenset()

    def get(self, key: Key) -> int | None:
        """The entry at ``key`` (categories or :data:`TOTAL` per axis); None if hidden."""
        if key in self.hidden:
            return None
        return self.values.get(key, 0)

    def is_hidden(self, key: Key) -> bool:
        return key in self.hidden

    def why(self, key: Key) -> str | None:
        """``small`` (too few people), ``complement`` (would give a small one away) or
        None (shown)."""
        if key not in self.hidden:
            return None
        return "small" if key in self.small else "complement"


def _extended(axes: Sequence[Sequence[Hashable]]) -> list[tuple[Hashable, ...]]:
    return [(*axis, TOTAL) for axis in axes]


def lines(axes: Sequence[Sequence[Hashable]]) -> list[tuple[list[Key], Key]]:
    """Every equation of the table: (the entries summed along one axis, their total)."""
    ext = _extended(axes)
    found: list[tuple[list[Key], Key]] = []
    for a, axis in enumerate(axes):
        others = [ext[i] if i != a else (None,) for i in range(len(axes))]
        for fixed in itertools.product(*others):
            members = [tuple(c if i == a else fixed[i] for i in range(len(axes))) for c in axis]
            total = tuple(TOTAL if i == a else fixed[i] for i in range(len(axes)))
            found.append((members, total))
    return found


def _tables(cells: Mapping[Key, int], axes: Sequence[Sequence[Hashable]]) -> dict[Key, int]:
    """Cells and every total (each total is the sum of the cells under it): each cell adds
    to the 2^d entries that replace some of its categories by :data:`TOTAL`."""
    values: dict[Key, int] = dict.fromkeys(itertools.product(*_extended(axes)), 0)
    known = [set(axis) for axis in axes]
    masks = list(itertools.product((False, True), repeat=len(axes)))
    for key, count in cells.items():
        if not count:
            continue
        if any(c not in known[i] for i, c in enumerate(key)):
            raise ValueError(f"{key!r} is not a cell of the table")
        for mask in masks:
            total_key = tuple(TOTAL if m else c for m, c in zip(mask, key, strict=True))
            values[total_key] += count
    return values


def _complement_order(key: Key, value: int) -> tuple[int, int, int]:
    # Cells before totals (a hidden total hides the most), non-zero before zero (a hidden 0
    # paired with a small cell would bound it tightly), then the smallest.
    return (sum(1 for c in key if c == TOTAL), 1 if value == 0 else 0, value)


def _rows(
    index: Mapping[Key, int], equations: Sequence[tuple[list[Key], Key]]
) -> list[dict[int, int]]:
    rows = []
    for members, total in equations:
        row = {index[k]: 1 for k in members if k in index}
        if total in index:
            row[index[total]] = _P - 1
        if row:
            rows.append(row)
    return rows


def _subtract(row: dict[int, int], factor: int, pivot_row: Mapping[int, int]) -> None:
    for c, v in pivot_row.items():
        value = (row.get(c, 0) - factor * v) % _P
        if value:
            row[c] = value
        else:
            row.pop(c, None)


def _reduced(rows: list[dict[int, int]]) -> dict[int, dict[int, int]]:
    """Gauss–Jordan elimination modulo _P on sparse rows: pivot column → its row."""
    pivots: dict[int, dict[int, int]] = {}
    for original in rows:
        row = dict(original)
        for col, pivot_row in pivots.items():
            if col in row:
                _subtract(row, row[col], pivot_row)
        if not row:
            continue
        col = min(row)
        inv = pow(row[col], _P - 2, _P)
        row = {c: v * inv % _P for c, v in row.items()}
        for other in pivots.values():
            if col in other:
                _subtract(other, other[col], row)
        pivots[col] = row
    return pivots


def determined(hidden: Iterable[Key], equations: Sequence[tuple[list[Key], Key]]) -> set[Key]:
    """The hidden entries that the visible ones and the equations give away exactly: a
    pivot whose reduced row touches no free unknown."""
    unknowns = sorted(set(hidden), key=repr)
    if not unknowns:
        return set()
    pivots = _reduced(_rows({k: i for i, k in enumerate(unknowns)}, equations))
    free = set(range(len(unknowns))) - set(pivots)
    return {unknowns[col] for col, row in pivots.items() if not free.intersection(row)}


def protect(
    cells: Mapping[Key, int],
    axes: Sequence[Sequence[Hashable]],
    minimum: int,
    also: Iterable[Key] = (),
) -> Protected:
    """The table of ``cells`` (keyed by one category per axis; missing cells count 0) with
    its totals, after primary and complementary suppression at ``minimum``. ``also``: more
    entries to hide from the start (a figure over a group too small to compute it on)."""
    if minimum < 1:
        raise ValueError("the minimum group is at least 1")
    axes_t = tuple(tuple(a) for a in axes)
    values = _tables(cells, axes_t)
    hidden = {k for k, v in values.items() if too_small(v, minimum)}
    hidden.update(k for k in also if k in values)
    primary = frozenset(hidden)
    if not hidden:
        return Protected(axes_t, values, primary, primary)  # nothing to protect
    equations = lines(axes_t)
    by_entry: dict[Key, list[int]] = {}
    for n, (members, total) in enumerate(equations):
        for k in (*members, total):
            by_entry.setdefault(k, []).append(n)

    def hide_beside(entry: Key) -> bool:
        candidates = {
            k
            for n in by_entry.get(entry, [])
            for k in (*equations[n][0], equations[n][1])
            if k not in hidden
        }
        if not candidates:
            return False
        hidden.add(min(candidates, key=lambda k: (_complement_order(k, values[k]), repr(k))))
        return True

    while True:
        _lines_to_fixed_point(equations, hidden, values)
        given_away = determined(hidden, equations)
        if not given_away:
            break
        if not any(hide_beside(k) for k in sorted(given_away, key=repr)):
            break
    return Protected(axes_t, values, frozenset(hidden), primary)


def _lines_to_fixed_point(
    equations: Sequence[tuple[list[Key], Key]], hidden: set[Key], values: Mapping[Key, int]
) -> None:
    """Until no line holds exactly one hidden entry: hide a complement on each that does."""
    changed = True
    while changed:
        changed = False
        for members, total in equations:
            line = [*members, total]
            if sum(1 for k in line if k in hidden) == 1:
                changed |= hide_beside_line(line, hidden, values)


def hide_beside_line(line: Sequence[Key], hidden: set[Key], values: Mapping[Key, int]) -> bool:
    """Hide the best complement on ``line`` (which holds exactly one hidden entry)."""
    visible = [k for k in line if k not in hidden]
    if not visible:
        return False
    hidden.add(min(visible, key=lambda k: (_complement_order(k, values[k]), repr(k))))
    return True
