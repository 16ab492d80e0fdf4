"""The facade the kiosk's UI and workers use. Plain Python; safe to call from any thread."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from desktop.core.checkin.desk import CheckinOperations
from desktop.core.checkin.model import CheckinError, Decider
from desktop.core.credentials import CredentialStore, CredentialStoreError
from desktop.core.location import LocationView
from desktop.core.sessions.desk import SessionOperations
from desktop.core.store import (
    CacheRepository,
    DeviceRepository,
    DeviceSettings,
    ScopeRepository,
    Store,
    StoreError,
    SyncStateRepository,
    SyncStatusRepository,
)
from desktop.core.sync.errors import ServerError, ServerProtocolError
from desktop.core.sync.operations import KioskStatus, SyncOperations
from shared.clock import utcnow
from shared.enums import KIOSK_EXIT_ROLES, StaffRole

if TYPE_CHECKING:
    import httpx

    from desktop.core.sync.client import ServerClient

log = logging.getLogger(__name__)

#: Makes the ``httpx.Client`` for a server URL (its ``base_url``).
HttpFactory = Callable[[str], "httpx.Client"]


class EnrolmentInputError(ValueError):
    """What staff typed cannot be used; the message says what to fix."""


def user_message(exc: BaseException) -> str | None:
    """The words to show people for an expected failure; None for a bug (log it instead)."""
    expected = ServerError | CredentialStoreError | EnrolmentInputError | StoreError | CheckinError
    return str(exc) if isinstance(exc, expected) else None


@dataclass(frozen=True)
class StaffMember:
    id: uuid.UUID
    name: str
    role: StaffRole


class KioskCore(SyncOperations, SessionOperations, CheckinOperations):
    def __init__(
        self,
        *,
        store: Store,
        credentials: CredentialStore,
        http_factory: HttpFactory,
        server_url: str | None = None,
        close_http: bool = True,
        now: Callable[[], datetime] = utcnow,
        decider: Decider | None = None,
    ) -> None:
        self.store, self.credentials = store, credentials
        self._http_factory = http_factory
        # False when the caller injected one shared client and closes it itself.
        self._close_http = close_http
        self._server_url_override = server_url
        self._now = now
        self._lock = threading.RLock()
        self._client: ServerClient | None = None
        self._client_url: str | None = None
        self._online: bool | None = None
        self._needs_enrolment = False
        self._init_checkin(decider)
        self._init_sessions()
        self._init_sync()

    # -- queries ---------------------------------------------------------------------------

    def device(self) -> DeviceSettings | None:
        return DeviceRepository(self.store.connection()).get()

    def is_enrolled(self) -> bool:
        """Whether this database holds an enrolment (the credential is checked at sync)."""
        return self.device() is not None

    def server_url(self) -> str | None:
        device = self.device()
        return self._server_url_override or (device.server_url if device else None)

    def location(self) -> LocationView | None:
        cached = ScopeRepository(self.store.connection()).location()
        return LocationView.from_cache(cached) if cached else None

    def has_exit_staff(self) -> bool:
        """Whether any cached staff member could unlock kiosk mode with a PIN."""
        return any(
            s.role in KIOSK_EXIT_ROLES and s.pin_hash
            for s in ScopeRepository(self.store.connection()).staff()
        )

    def verify_staff_pin(self, pin: str) -> StaffMember | None:
        """The cached staff member allowed to leave kiosk mode whose PIN this is, if any."""
        from argon2 import PasswordHasher
        from argon2.exceptions import InvalidHashError, VerificationError

        pin = pin.strip()
        if not pin:
            return None
        hasher = PasswordHasher()
        for staff in ScopeRepository(self.store.connection()).staff():
            if staff.role not in KIOSK_EXIT_ROLES or not staff.pin_hash:
                continue
            try:
                hasher.verify(staff.pin_hash, pin)
            except (VerificationError, InvalidHashError):
                continue
            return StaffMember(id=staff.id, name=staff.name, role=staff.role)
        return None

    # -- commands --------------------------------------------------------------------------

    def enrol(self, server_url: str, code: str, device_name: str) -> KioskStatus:
        """Exchange an enrolment code, keep the secret, then download the location's data.

        Raises :class:`EnrolmentInputError`, :class:`ServerError` or
        :class:`CredentialStoreError`; nothing is changed locally when enrolment fails.
        A failed first download does not undo the enrolment: the worker retries it.
        """
        server_url, code, device_name = _clean_enrolment(server_url, code, device_name)
        from desktop.core.sync.client import ServerClient

        with self._lock:
            http = self._http_factory(server_url)
            try:
                enrolment = ServerClient(http).enrol(code, device_name)
            finally:
                if self._close_http:
                    http.close()
            previous = self.device()
            if previous is not None and str(previous.device_id) != enrolment.device_id:
                self.credentials.delete(str(previous.device_id))
            self.credentials.save(enrolment.device_id, enrolment.device_secret)
            try:
                device = DeviceSettings(
                    device_id=uuid.UUID(enrolment.device_id),
                    tenant_id=uuid.UUID(enrolment.tenant_id),
                    location_id=uuid.UUID(enrolment.location_id),
                    server_url=server_url,
                    device_name=device_name,
                    enrolled_at=self._now(),
                    db_instance_id=self.store.instance_id,
                )
            except ValueError as exc:
                raise ServerProtocolError("The server's enrolment answer has bad ids") from exc
            with self.store.transaction() as conn:
                DeviceRepository(conn).save(device)
                ScopeRepository(conn).clear()
                CacheRepository(conn).clear()
                SyncStatusRepository(conn).reset()
                SyncStateRepository(conn).reset()
            self._reset_outbox_writer()
            self._server_url_override = None
            self._drop_client()
            self._needs_enrolment = False
            log.info("Enrolled as device %s at %s", device.device_id, server_url)
            return self.refresh()

    def close(self) -> None:
        with self._lock:
            self._drop_client()
        self.store.close()

    # -- internals -------------------------------------------------------------------------

    def _client_for(self, device: DeviceSettings) -> ServerClient:
        url = self._server_url_override or device.server_url
        if self._client is None or self._client_url != url:
            from desktop.core.sync.client import ServerClient

            self._drop_client()
            self._client = ServerClient(
                self._http_factory(url), credentials=self._device_credentials
            )
            self._client_url = url
        return self._client

    def _drop_client(self) -> None:
        if self._client is not None and self._close_http:
            self._client.close()
        self._client = None
        self._client_url = None

    def _device_credentials(self) -> tuple[str, str]:
        device = self.device()
        if device is None:
            raise CredentialStoreError("This kiosk is not enrolled")
        secret = self.credentials.load(str(device.device_id))
        if secret is None:
            self._needs_enrolment = True
            raise CredentialStoreError(
                f"The device credential is missing from {self.credentials.location}; "
                "enrol this kiosk again"
            )
        return str(device.device_id), secret


def _clean_enrolment(server_url: str, code: str, device_name: str) -> tuple[str, str, str]:
    server_url = server_url.strip().rstrip("/")
    code = code.strip()  # the server owns the code format (and its case rules)
    device_name = device_name.strip()
    if not server_url.startswith(("http://", "https://")):
        raise EnrolmentInputError("Enter the server address, starting with http:// or https://")
    if not code:
        raise EnrolmentInputError("Enter the enrolment code a manager gave you")
    if not device_name:
        raise EnrolmentInputError("Give this kiosk a name, e.g. 'Front desk 1'")
    return server_url, code, device_name
