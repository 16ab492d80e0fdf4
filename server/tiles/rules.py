"""Pure rules of Movement Tiles: their length, the daily cap, and steps from a text box."""

from __future__ import annotations

#: A Tile is a short activity: 5 to 10 minutes.
MIN_MINUTES = 5
MAX_MINUTES = 10
#: At most this many Tile completions count per member and local day: Tiles are a nudge
#: to move, and self-reported, so a member cannot fill a week's dose by pressing "Done".
DAILY_CAP = 3


def slot_refusal(used_today: int, cap: int = DAILY_CAP) -> str | None:
    """Why another completion today cannot count, or None: the next slot is free."""
    if used_today >= cap:
        return f"{cap} Tiles count per day and you have done {used_today} today: come back tomorrow"
    return None


def lines(text: str) -> list[str]:
    """A text box's lines as a list: one item a line, blank lines and edge spaces dropped."""
    return [line.strip() for line in text.splitlines() if line.strip()]
