"""Calling a PSP over HTTP: transient failures (timeouts, 5xx, 429) are retried with
backoff and the SAME idempotency key, so a request the PSP did process is never doubled."""

from __future__ import annotations

import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import httpx

from server.ports.payments import ProviderUnavailable

#: Currencies without minor units at the PSPs (Stripe's list, abridged to the usual ones).
ZERO_DECIMAL = frozenset(
    {
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    }
)
_MAX_WAIT = 5.0


class PspUnavailable(ProviderUnavailable):
    """The PSP did not answer usefully after every retry."""


def minor_units(amount: Decimal, currency: str) -> int:
    if currency.lower() in ZERO_DECIMAL:
        return int(amount)
    return int((amount * 100).to_integral_value())


def major_units(amount: int, currency: str) -> Decimal:
    if currency.lower() in ZERO_DECIMAL:
        return Decimal(amount).quantize(Decimal("0.01"))
    return (Decimal(amount) / 100).quantize(Decimal("0.01"))


def _wait(response: httpx.Response | None, attempt: int, backoff: float) -> float:
    if response is not None and "retry-after" in response.headers:
        try:
            return min(float(response.headers["retry-after"]), _MAX_WAIT)
        except ValueError:
            pass
    return float(min(backoff * 2**attempt, _MAX_WAIT))


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    retries: int,
    backoff: float,
    retry_timeouts: bool = True,
    **body: Any,
) -> httpx.Response:
    """One request, retried on a transport failure, a 5xx or a 429; the last answer (or
    :class:`PspUnavailable`) otherwise. ``retry_timeouts=False`` for requests without an
    idempotency key, which a retry could apply twice."""
    for attempt in range(retries + 1):
        last = attempt == retries
        response: httpx.Response | None = None
        try:
            response = client.request(method, url, headers=headers, **body)
        except httpx.TransportError as error:
            if last or not retry_timeouts:
                raise PspUnavailable(f"the PSP did not answer ({type(error).__name__})") from None
        else:
            if response.status_code != 429 and response.status_code < 500:
                return response
            if last:
                raise PspUnavailable(f"the PSP answered {response.status_code}")
        time.sleep(_wait(response, attempt, backoff))
    raise PspUnavailable("no attempt was made")
