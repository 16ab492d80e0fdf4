"""How an HTTP provider's answer maps to ``DeliveryFailed``: 429 and 5xx and no answer at
all may pass later (with the Retry-After the provider sent); any other 4xx never will."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import httpx

from server.ports.notifications import DeliveryFailed
from shared.clock import utcnow

#: A provider asking for longer than this is waited for this long.
MAX_RETRY_AFTER = 3600.0


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(max(0.0, (when - utcnow()).total_seconds()), MAX_RETRY_AFTER)


def failure(provider: str, response: httpx.Response, detail: str) -> DeliveryFailed:
    status = response.status_code
    transient = status == 429 or status >= 500 or status == 408
    return DeliveryFailed(
        f"{provider} answered {status}: {detail}"[:500],
        permanent=not transient,
        retry_after=retry_after(response) if transient else None,
    )


def unreachable(provider: str, exc: httpx.HTTPError) -> DeliveryFailed:
    return DeliveryFailed(f"{provider} not reached: {exc!r}"[:500], permanent=False)
