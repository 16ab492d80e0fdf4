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
    DeviceRevoked,
    Offline,
    ServerProtocolError,
    ServerRejected,
    ServerUnavailable,
)
from shared.sync.snapshot import KioskSnapshot

#: Fetch a new access token this long before the old one expires.
TOKEN_MARGIN_SECONDS = 30.0


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

    def health(self) -> bool:
        """Whether the server answers its health probe."""
        try:
            return self._send("GET", "/health").status_code == 200
        except Offline:
            return False

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
        response = self._authorized("GET", "/sync/snapshot")
        try:
            return KioskSnapshot.model_validate(self._json(response))
        except ValidationError as exc:
            raise ServerProtocolError(
                "The server sent a snapshot this kiosk cannot read; update the kiosk program"
            ) from exc

    # -- plumbing ------------------------------------------------------------------------

    def _authorized(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send with the device token; on 401 get a fresh token and retry once."""
        for attempt in (1, 2):
            token = self.access_token()
            headers = {"Authorization": f"Bearer {token}"}
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
        detail, code = _problem(response)
        if code == "device_revoked":
            raise DeviceRevoked(response.status_code)
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


def _problem(response: httpx.Response) -> tuple[str, str | None]:
    """The human-readable detail and machine code of a problem+json answer."""
    fallback = f"The server refused the request (HTTP {response.status_code})"
    try:
        body = response.json()
    except ValueError:
        return fallback, None
    if not isinstance(body, dict):
        return fallback, None
    detail = body.get("detail") or body.get("title") or fallback
    if not isinstance(detail, str):  # e.g. FastAPI's validation error list
        detail = fallback
    code = body.get("code")
    return detail, code if isinstance(code, str) else None


def _reason(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "connection failed"
    return str(exc) or type(exc).__name__
