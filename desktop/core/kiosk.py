"""The kiosk core the UI and workers use. Plain Python; safe to call from any thread."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime

from desktop.core.checkin.actions import CheckinActions
from desktop.core.checkin.checkout import CheckoutService
from desktop.core.checkin.model import CheckinError
from desktop.core.checkin.outbox import OutboxWriter
from desktop.core.credentials import CredentialStore, CredentialStoreError
from desktop.core.desk import DeskService
from desktop.core.location import LocationView
from desktop.core.sessions.actions import SessionActions
from desktop.core.staff_mode import StaffMode
from desktop.core.staff_pins import StaffMember, StaffPins
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
from desktop.core.sync.connection import ServerConnection
from desktop.core.sync.errors import ServerError, ServerProtocolError
from desktop.core.sync.kiosk_sync import KioskStatus, KioskSync
from shared.clock import utcnow
from shared.enums import KIOSK_EXIT_ROLES
from shared.kiosk_pins import pin_key_from_secret

log = logging.getLogger(__name__)


class EnrolmentInputError(ValueError):
    """What staff typed cannot be used; the message says what to fix."""


def user_message(exc: BaseException) -> str | None:
    """The words to show people for an expected failure; None for a bug (log it instead)."""
    expected = ServerError | CredentialStoreError | EnrolmentInputError | StoreError | CheckinError
    return str(exc) if isinstance(exc, expected) else None


class KioskCore:
    """The kiosk as its UI and workers see it: ``checkin`` (the check-in screen),
    ``sessions`` (the classes screen) and ``sync`` (push, pull, status), plus what belongs
    to the kiosk itself (its enrolment, location and staff). Built by ``desktop.app``."""

    def __init__(
        self,
        *,
        store: Store,
        credentials: CredentialStore,
        connection: ServerConnection,
        outbox: OutboxWriter,
        checkin: CheckinActions,
        sessions: SessionActions,
        sync: KioskSync,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store, self.credentials = store, credentials
        self.connection = connection
        #: Every action that changes something appends its mutation through this writer.
        self.outbox = outbox
        self.checkin = checkin
        self.sessions = sessions
        self.sync = sync
        self._now = now
        #: Staff PIN checks and this kiosk's lock-out after wrong PINs.
        self.pins = StaffPins(store, self._pin_key, now)
        #: Who is acting at the desk after a PIN, until it times out.
        self.staff_mode = StaffMode(now)
        #: The staff desk's look-ups and actions.
        self.desk = DeskService(store, connection, outbox, now)
        #: Checking members out at the desk.
        self.checkout = CheckoutService(store, outbox, now)

    # -- queries ---------------------------------------------------------------------------

    def device(self) -> DeviceSettings | None:
        return self.connection.device()

    def is_enrolled(self) -> bool:
        """Whether this database holds an enrolment (the credential is checked at sync)."""
        return self.device() is not None

    def server_url(self) -> str | None:
        return self.connection.server_url()

    def location(self) -> LocationView | None:
        cached = ScopeRepository(self.store.connection()).location()
        return LocationView.from_cache(cached) if cached else None

    def has_exit_staff(self) -> bool:
        """Whether any cached staff member could unlock kiosk mode with a PIN (which also
        needs the device secret: without it no PIN is recognised, and kiosk mode must not
        hold a kiosk nobody can unlock)."""
        return (
            any(
                s.role in KIOSK_EXIT_ROLES and s.pin_verifier
                for s in ScopeRepository(self.store.connection()).staff()
            )
            and self._pin_key() is not None
        )

    def verify_staff_pin(self, pin: str) -> StaffMember | None:
        """The cached staff member allowed to leave kiosk mode whose PIN this is, if any
        (a wrong PIN counts towards the lock-out: see :class:`StaffPins`).

        The store holds verifiers keyed with this device's PIN key, derived from the device
        secret in the credential store: without that secret no PIN is recognised (a copy of
        the store elsewhere recognises none), see :mod:`shared.kiosk_pins`."""
        return self.pins.check(pin, KIOSK_EXIT_ROLES).staff

    def _pin_key(self) -> bytes | None:
        device = self.device()
        if device is None:
            return None
        try:
            secret = self.credentials.load(str(device.device_id))
        except CredentialStoreError:
            log.warning("The device credential cannot be read: no staff PIN can be checked")
            return None
        return pin_key_from_secret(secret) if secret else None

    # -- commands --------------------------------------------------------------------------

    def enrol(self, server_url: str, code: str, device_name: str) -> KioskStatus:
        """Exchange an enrolment code, keep the secret, then download the location's data.

        Raises :class:`EnrolmentInputError`, :class:`ServerError` or
        :class:`CredentialStoreError`; nothing is changed locally when enrolment fails.
        A failed first download does not undo the enrolment: the worker retries it.
        """
        server_url, code, device_name = _clean_enrolment(server_url, code, device_name)
        with self.connection.lock:
            with self.connection.enrolment_client(server_url) as client:
                enrolment = client.enrol(code, device_name)
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
            self.outbox.reset()  # the clock's node becomes the new device id
            self.connection.enrolled()
            log.info("Enrolled as device %s at %s", device.device_id, server_url)
            return self.sync.refresh()

    def close(self) -> None:
        self.connection.drop_client()
        self.store.close()


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
