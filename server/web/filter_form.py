"""What the console's filtered logs (the audit log, the delivery log) share: the form's
raw values and errors, its page offset and the query string that keeps them, and a
day field read from ``YYYY-MM-DD``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode


@dataclass
class FilterForm:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def query(self, offset: int | None = None) -> str:
        """The filters as a query string, at ``offset`` (the first page without it)."""
        kept = {k: v for k, v in self.values.items() if v}
        if offset:
            kept["offset"] = str(offset)
        return urlencode(kept)


def day_field(raw: str, key: str, errors: dict[str, str]) -> date | None:
    """The day in ``raw`` (none when empty); a malformed one is an error on ``key``."""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[key] = "Give a date (YYYY-MM-DD)."
        return None
