"""What the ZHEP adapters share: one service's base URL, its bearer token and the rule for
sending a request again.

A request that timed out, failed to connect, or was answered ``5xx`` or ``429`` is sent again,
unchanged (the same ``Idempotency-Key``), after a short backoff: ZHEP answers a repeated key
with its first answer, so nothing happens twice. Any other ``4xx`` is ZHEP refusing the
request itself: sending it again would be refused again, so it is not.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from server.errors import DomainError

log = logging.getLogger("zmos.zhep")

#: Answers worth the same request again: ZHEP rate-limiting us, or failing for a while.
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})


class ZhepUnavailable(DomainError):
    """ZHEP did not answer in time, or failed, on every try. Nothing is known to have
    happened; the same request (same key) may simply be sent again later."""

    status = 503
    code = "zhep_unavailable"
    title = "ZHEP unavailable"


class ZhepRejected(Exception):
    """ZHEP refused the request (a ``4xx`` other than ``429``): sending it again would not help."""

    def __init__(self, service: str, status: int, code: str, detail: str) -> None:
        super().__init__(f"ZHEP {service} refused the request ({status} {code}): {detail}")
        self.service, self.status, self.code, self.detail = service, status, code, detail


@dataclass(frozen=True)
class ZhepEndpoint:
    """One ZHEP service: where it is, how to authenticate, and how patiently to ask."""

    service: str
    base_url: str
    token: str
    client: httpx.Client
    timeout: float = 10.0
    retries: int = 2
    #: Seconds before the first repeat; doubled for each next one.
    backoff: float = 0.25
    sleep: Callable[[float], None] = time.sleep

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        idempotency_key: str | None = None,
        content_type: str = "application/json",
    ) -> Any:
        """The answer's JSON body. Raises ``ZhepRejected`` on a refusal and ``ZhepUnavailable``
        when every try failed."""
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        if json is not None:
            headers["Content-Type"] = content_type
        url = f"{self.base_url.rstrip('/')}{path}"
        last = "no try was made"
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                answer = self.client.request(
                    method, url, json=json, headers=headers, timeout=self.timeout
                )
            except httpx.TransportError as exc:  # timeouts, refused connections, resets
                last = f"{type(exc).__name__}: {exc}"
                log.warning("ZHEP %s %s %s: %s", self.service, method, path, last)
                continue
            if answer.status_code in RETRIED_STATUSES:
                last = f"answered {answer.status_code}"
                log.warning("ZHEP %s %s %s %s", self.service, method, path, last)
                continue
            if answer.status_code >= 400:
                raise _rejection(self.service, answer)
            return _json(self.service, answer)
        raise ZhepUnavailable(
            f"ZHEP {self.service} did not answer after {self.retries + 1} tries ({last}); "
            "the same request may be sent again later"
        )


def _json(service: str, answer: httpx.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        raise ZhepUnavailable(
            f"ZHEP {service} answered {answer.status_code} without a JSON body"
        ) from None


def _rejection(service: str, answer: httpx.Response) -> ZhepRejected:
    code, detail = "error", answer.reason_phrase or "refused"
    try:
        problem = answer.json()
    except ValueError:
        problem = None
    if isinstance(problem, dict):
        code = str(problem.get("code") or code)
        detail = str(problem.get("detail") or problem.get("title") or detail)
    if answer.status_code == 401:
        detail = f"the service token was refused ({detail})"
    return ZhepRejected(service, answer.status_code, code, detail)
