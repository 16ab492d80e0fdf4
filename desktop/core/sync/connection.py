"""The kiosk's connection to its server: which URL, the HTTP client for the enrolled device
(kept open between calls, with its access token), and whether the device must enrol again.

``httpx`` is imported where a client is first made, not at start-up.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from desktop.core.credentials import CredentialStore, CredentialStoreError
from desktop.core.store import DeviceRepository, DeviceSettings, Store
from desktop.core.sync.engine import SyncTarget

if TYPE_CHECKING:
    import httpx

    from desktop.core.sync.client import ServerClient

#: Makes the ``httpx.Client`` for a server URL (its ``base_url``).
HttpFactory = Callable[[str], "httpx.Client"]


class ServerConnection:
    def __init__(
        self,
        *,
        store: Store,
        credentials: CredentialStore,
        http_factory: HttpFactory,
        server_url: str | None = None,
        close_http: bool = True,
    ) -> None:
        self._store = store
        self._credentials = credentials
        self._http_factory = http_factory
        # False when the caller injected one shared client and closes it itself.
        self._close_http = close_http
        self._url_override = server_url
        #: Held while the device or its client changes (enrolment), and while one is made.
        self.lock = threading.RLock()
        self._client: ServerClient | None = None
        self._client_url: str | None = None
        #: The server revoked this kiosk, or its credential is gone: staff must enrol it.
        self.needs_enrolment = False

    def device(self) -> DeviceSettings | None:
        return DeviceRepository(self._store.connection()).get()

    def server_url(self) -> str | None:
        device = self.device()
        return self._url_override or (device.server_url if device else None)

    def sync_target(self) -> SyncTarget | None:
        """Who this kiosk is to the server; None before enrolment."""
        device = self.device()
        if device is None:
            return None
        return SyncTarget(str(device.device_id), str(device.location_id))

    def client(self) -> ServerClient:
        """The client for the enrolled device (made on first use, then kept)."""
        with self.lock:
            device = self.device()
            if device is None:
                raise CredentialStoreError("This kiosk is not enrolled")
            url = self._url_override or device.server_url
            if self._client is None or self._client_url != url:
                from desktop.core.sync.client import ServerClient

                self.drop_client()
                self._client = ServerClient(
                    self._http_factory(url), credentials=self._device_credentials
                )
                self._client_url = url
            return self._client

    @contextmanager
    def enrolment_client(self, server_url: str) -> Iterator[ServerClient]:
        """A client without device credentials, for exchanging an enrolment code."""
        from desktop.core.sync.client import ServerClient

        http = self._http_factory(server_url)
        try:
            yield ServerClient(http)
        finally:
            if self._close_http:
                http.close()

    def enrolled(self) -> None:
        """A new enrolment: the stored URL is the one to use, with a new client."""
        with self.lock:
            self._url_override = None
            self.drop_client()
            self.needs_enrolment = False

    def drop_client(self) -> None:
        with self.lock:
            if self._client is not None and self._close_http:
                self._client.close()
            self._client = None
            self._client_url = None

    def _device_credentials(self) -> tuple[str, str]:
        device = self.device()
        if device is None:
            raise CredentialStoreError("This kiosk is not enrolled")
        secret = self._credentials.load(str(device.device_id))
        if secret is None:
            self.needs_enrolment = True
            raise CredentialStoreError(
                f"The device credential is missing from {self._credentials.location}; "
                "enrol this kiosk again"
            )
        return str(device.device_id), secret
