"""The sync status in words for staff (no Qt: the UI shows these strings)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from shared.clock import ensure_utc

if TYPE_CHECKING:
    from desktop.core.sync.kiosk_sync import KioskStatus


def _age(then: datetime, now: datetime) -> str:
    seconds = max(0.0, (ensure_utc(now) - ensure_utc(then)) / timedelta(seconds=1))
    if seconds < 60:
        return "under a minute"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h"
    days = int(seconds // 86400)
    return "1 day" if days == 1 else f"{days} days"


def pending_text(count: int, oldest: datetime | None, now: datetime) -> str:
    """ "3 waiting to sync (oldest 4 min)", or "All synced"."""
    if count <= 0:
        return "All synced"
    if oldest is None:
        return f"{count} waiting to sync"
    return f"{count} waiting to sync (oldest {_age(oldest, now)})"


def review_text(count: int) -> str:
    if count <= 0:
        return ""
    return "1 item to review" if count == 1 else f"{count} items to review"


def rejected_text(count: int, reason: str | None) -> str:
    if count <= 0:
        return ""
    what = "1 action was" if count == 1 else f"{count} actions were"
    return f"{what} refused by the server" + (f" (latest: {reason})" if reason else "")


def status_message(status: KioskStatus) -> str:
    """The line of words beside online/offline: trouble first, then things to look at."""
    parts = [
        status.last_error or "",
        review_text(status.open_reviews),
        rejected_text(status.rejected_count, status.rejected_reason),
    ]
    return " · ".join(p for p in parts if p)
