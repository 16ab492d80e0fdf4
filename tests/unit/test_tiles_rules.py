"""The pure rules of Movement Tiles: the daily cap and steps from a text box."""

from __future__ import annotations

from server.tiles.rules import DAILY_CAP, lines, slot_refusal


def test_the_cap_leaves_three_slots_a_day() -> None:
    assert DAILY_CAP == 3
    # 0, 1 and 2 used: the 1st, 2nd and 3rd completions take a slot.
    assert [slot_refusal(used) for used in range(3)] == [None, None, None]
    refusal = slot_refusal(3)
    assert refusal is not None and "3 Tiles count per day" in refusal
    assert slot_refusal(1, cap=1) is not None


def test_lines_make_one_item_a_line_and_drop_blank_ones() -> None:
    assert lines("  Stand tall \r\n\n  Breathe in\n\t\nBreathe out  ") == [
        "Stand tall",
        "Breathe in",
        "Breathe out",
    ]
    assert lines("") == []
