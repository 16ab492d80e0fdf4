"""HTTP client for the kiosk's calls to the server, over an injected ``httpx.Client``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import ValidationError

from desktop.core.sync.errors import (
    CursorExpired,
    DeviceRevoked,
    MutationGap,
    Offline,
    ServerProtocolError,
    ServerRejected,
    ServerUnavailable,
)
from shared.sync.snapshot import KioskSnapshot

#: Fetch a new access token this long before the old one expires.
TOKEN_MARGIN_SECONDS = 30.0


@dataclass(frozen=True)
class OutboxReport:
    """What a pull tells the server of this kiosk's outbox: how many changes wait to be
    pushed, and the oldest one's age (an age, not a time: the two clocks may disagree)."""

    pending: int
    oldest_age_seconds: float | None


@dataclass(frozen=True)
class Enrolment:
    device_id: str
    device_secret: str
    tenant_id: str
    location_id: str


class ServerClient:
    """Enrolment, device tokens and snapshot downloads.

    ``http`` is created by the caller with its ``base_url`` (tests pass one backed by
    ``httpx.MockTransport`` or FastAPI's ``TestClient``). ``credentials`` returns the
    device id and secret when a token is needed.
    """

    def __init__(
        self,
        http: httpx.Client,
        credentials: Callable[[], tuple[str, str]] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._credentials = credentials
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._token: str | None = None
        self._token_expires = 0.0

    @property
    def http(self) -> httpx.Client:
        return self._http

    def close(self) -> None:
        self._http.close()

    # -- calls -------------------------------------------------------------------------

    def enrol(self, code: str, name: str) -> Enrolment:
        response = self._send("POST", "/devices/enrol", json={"code": code, "name": name})
        body = self._json(self._check(response))
        try:
            return Enrolment(
                device_id=str(body["device_id"]),
                device_secret=str(body["device_secret"]),
                tenant_id=str(body["tenant_id"]),
                location_id=str(body["location_id"]),
            )
        except (KeyError, TypeError) as exc:
            raise ServerProtocolError("The server's enrolment answer is incomplete") from exc

    def access_token(self) -> str:
        """A valid device access token, fetched only when the cached one is about to expire."""
        with self._lock:
            if self._token is not None and self._monotonic() < self._token_expires:
                return self._token
        if self._credentials is None:
            raise ServerRejected("This kiosk is not enrolled", "not_enrolled")
        device_id, secret = self._credentials()
        response = self._send(
            "POST", "/devices/token", json={"device_id": device_id, "device_secret": secret}
        )
        body = self._json(self._check(response))
        try:
            token = str(body["access_token"])
            expires_in = float(body.get("expires_in", 300))
        except (KeyError, TypeError, ValueError) as exc:
            raise ServerProtocolError("The server's token answer is incomplete") from exc
        with self._lock:
            self._token = token
            self._token_expires = self._monotonic() + max(0.0, expires_in - TOKEN_MARGIN_SECONDS)
        return token

    def forget_token(self) -> None:
        with self._lock:
            self._token = None

    def fetch_snapshot(self) -> KioskSnapshot:
        return self.parse_snapshot(self.fetch_snapshot_document())

    def fetch_snapshot_document(self) -> dict[str, Any]:
        """The snapshot as sent: besides :class:`KioskSnapshot`'s fields it may carry a
        ``cursor`` and lists of tables this program's model does not know."""
        return self._json(self._authorized("GET", "/sync/snapshot"))

    @staticmethod
    def parse_snapshot(document: dict[str, Any]) -> KioskSnapshot:
        try:
            return KioskSnapshot.model_validate(document)
        except ValidationError as exc:
            raise ServerProtocolError(
                "The server sent a snapshot this kiosk cannot read; update the kiosk program"
            ) from exc

    def push(self, gzipped_json: bytes) -> dict[str, Any]:
        """``POST /sync/push`` with a gzip-compressed :class:`PushRequest` body.

        On a 401 the token is refreshed and the same bytes are sent again."""
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        return self._json(
            self._authorized("POST", "/sync/push", content=gzipped_json, headers=headers)
        )

    def resolve_review_item(self, item_id: str, note: str, staff_id: str) -> dict[str, Any]:
        """``POST /sync/review-items/{id}/resolve``: staff at this kiosk dealt with it."""
        body = {"note": note, "staff_id": staff_id}
        return self._json(
            self._authorized("POST", f"/sync/review-items/{item_id}/resolve", json=body)
        )

    def pull(
        self, cursor: int, limit: int, wait: float, outbox: OutboxReport | None = None
    ) -> dict[str, Any]:
        """``GET /sync/pull``; with ``wait`` the server may hold the request (long-poll).
        ``outbox``: this kiosk's pending changes, for the console to show."""
        params: dict[str, int | float] = {"cursor": cursor, "limit": limit}
        if wait > 0:
            params["wait"] = wait
        if outbox is not None:
            params["pending"] = outbox.pending
            if outbox.oldest_age_seconds is not None:
                params["oldest_pending_s"] = round(outbox.oldest_age_seconds, 1)
        timeout = None if wait <= 0 else _long_poll_timeout(self._http, wait)
        kwargs: dict[str, Any] = {"params": params}
        if timeout is not None:
            kwargs["timeout"] = timeout
        return self._json(self._authorized("GET", "/sync/pull", **kwargs))

    def fetch_thumbnail(self, member_id: str) -> bytes | None:
        """A member's photo as a small JPEG for the desk; None when they have none."""
        try:
            return self._authorized("GET", f"/members/{member_id}/thumbnail").content
        except ServerRejected as exc:
            if exc.status == 404:
                return None
            raise

    def reachable(self, timeout: float) -> bool:
        """Whether ``GET /health`` answers "ok" within ``timeout`` s: a cheap probe, without
        a token, for an offline kiosk to notice the server is back. Never raises."""
        try:
            response = self._http.get("/health", timeout=timeout)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    # -- plumbing ------------------------------------------------------------------------

    def _authorized(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send with the device token; on 401 get a fresh token and retry once."""
        extra_headers: dict[str, str] = kwargs.pop("headers", None) or {}
        for attempt in (1, 2):
            token = self.access_token()
            headers = {**extra_headers, "Authorization": f"Bearer {token}"}
            response = self._send(method, url, headers=headers, **kwargs)
            if response.status_code == 401 and attempt == 1:
                self.forget_token()
                continue
            return self._check(response)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise Offline("The server did not answer in time") from exc
        except httpx.TransportError as exc:
            raise Offline(f"Cannot reach the server ({_reason(exc)})") from exc
        if response.status_code >= 500:
            raise ServerUnavailable(
                f"The server is having trouble (HTTP {response.status_code}); "
                "the kiosk keeps working and will retry"
            )
        return response

    @staticmethod
    def _check(response: httpx.Response) -> httpx.Response:
        if response.status_code < 400:
            return response
        detail, code, body = _problem(response)
        if code == "device_revoked":
            raise DeviceRevoked(response.status_code)
        if response.status_code == 409 and code == "mutation_gap":
            last = body.get("last_mutation_id")
            raise MutationGap(detail, last if isinstance(last, int) else None)
        if response.status_code == 410:
            raise CursorExpired(detail)
        raise ServerRejected(detail, code, response.status_code)

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError as exc:
            raise ServerProtocolError(
                "The server's answer is not JSON; check the server address"
            ) from exc
        if not isinstance(body, dict):
            raise ServerProtocolError("The server's answer has an unexpected shape")
        return body


def _problem(response: httpx.Response) -> tuple[str, str | None, dict[str, Any]]:
    """The human-readable detail, machine code and whole body of a problem+json answer."""
    fallback = f"The server refused the request (HTTP {response.status_code})"
    try:
        body = response.json()
    except ValueError:
        return fallback, None, {}
    if not isinstance(body, dict):
        return fallback, None, {}
    detail = body.get("detail") or body.get("title") or fallback
    if not isinstance(detail, str):  # e.g. FastAPI's validation error list
        detail = fallback
    code = body.get("code")
    return detail, code if isinstance(code, str) else None, body


def _long_poll_timeout(http: httpx.Client, wait: float) -> httpx.Timeout:
    """The client's timeouts, with room for the server to hold the request ``wait`` s."""
    base = http.timeout
    read = (base.read or 10.0) + wait
    return httpx.Timeout(base.connect, read=read, write=base.write, pool=base.pool)


def _reason(exc: httpx.TransportError) -> str:
    """Plain words: staff cannot act on "[Errno 104] Connection reset by peer" (the original
    stays chained to the :class:`Offline` raised, for the log)."""
    if isinstance(exc, httpx.ConnectError):
        return "connection failed"
    if isinstance(exc, httpx.ProxyError):
        return "the proxy failed"
    return "the connection was lost"
