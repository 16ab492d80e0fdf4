"""Where the device secret lives: the OS keyring, or an explicit, announced file.

Modes (``ZMOS_KIOSK_CREDENTIAL_STORE``):

- ``keyring``: the OS keyring (service ``zmos-kiosk``, username = the device id). If no
  usable backend exists, :class:`CredentialStoreError` says so; nothing is written elsewhere.
- ``file``: a ``device-credential`` file in the data directory, readable only by its owner
  (0600). Chosen on purpose, so no warning is shown.
- ``auto`` (default): the keyring when a usable backend exists, otherwise the file, and then
  :attr:`CredentialStore.warning` says so (logged, and shown in the kiosk's status bar).
  Never a silent plain-text file.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Literal, Protocol

log = logging.getLogger(__name__)

SERVICE = "zmos-kiosk"
CREDENTIAL_FILE = "device-credential"
CredentialMode = Literal["auto", "keyring", "file"]


class CredentialStoreError(Exception):
    """The device secret cannot be stored or read; the message says why in words."""


class CredentialStore(Protocol):
    #: Set when the secret is kept somewhere weaker than staff would expect.
    warning: str | None
    #: Where the secret lives, for people: "OS keyring (…)" or the file's path.
    location: str

    def save(self, device_id: str, secret: str) -> None: ...
    def load(self, device_id: str) -> str | None: ...
    def delete(self, device_id: str) -> None: ...


def usable_keyring() -> Any | None:
    """The active keyring backend, or None when there is none worth using."""
    try:
        import keyring
        from keyring.backends import chainer, fail

        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring setup must not stop the kiosk
        log.warning("The OS keyring could not be loaded: %s", exc)
        return None
    if isinstance(backend, fail.Keyring) or type(backend).__module__ == "keyring.backends.null":
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    return backend


class KeyringCredentialStore:
    warning: str | None = None

    def __init__(self, backend: Any) -> None:
        self._backend = backend
        self.location = f"OS keyring ({type(backend).__name__})"

    def save(self, device_id: str, secret: str) -> None:
        try:
            self._backend.set_password(SERVICE, device_id, secret)
        except Exception as exc:
            message = f"The OS keyring refused the device credential: {exc}"
            raise CredentialStoreError(message) from exc

    def load(self, device_id: str) -> str | None:
        try:
            value: str | None = self._backend.get_password(SERVICE, device_id)
        except Exception as exc:
            raise CredentialStoreError(f"The OS keyring could not be read: {exc}") from exc
        return value

    def delete(self, device_id: str) -> None:
        try:
            self._backend.delete_password(SERVICE, device_id)
        except Exception:
            log.debug("no keyring entry to delete for device %s", device_id)


class FileCredentialStore:
    """The secret in ``<data_dir>/device-credential`` as JSON, mode 0600."""

    def __init__(self, data_dir: Path, warning: str | None = None) -> None:
        self.path = data_dir / CREDENTIAL_FILE
        self.location = str(self.path)
        self.warning = warning

    def save(self, device_id: str, secret: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"device_id": device_id, "device_secret": secret})
        # mkstemp creates the file 0600; the rename makes the write atomic.
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".device-credential-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self, device_id: str) -> str | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            message = f"The credential file {self.path} is unreadable: {exc}"
            raise CredentialStoreError(message) from exc
        if data.get("device_id") != device_id:
            return None
        secret = data.get("device_secret")
        return secret if isinstance(secret, str) else None

    def delete(self, device_id: str) -> None:
        if self.load(device_id) is not None:
            self.path.unlink(missing_ok=True)


def open_credential_store(mode: CredentialMode, data_dir: Path) -> CredentialStore:
    """The credential store for ``mode`` (see the module docstring)."""
    if mode == "file":
        return FileCredentialStore(data_dir)
    backend = usable_keyring()
    if backend is not None:
        return KeyringCredentialStore(backend)
    if mode == "keyring":
        raise CredentialStoreError(
            "No usable OS keyring was found, and the kiosk is set to keep its device "
            "credential only there. Install and unlock a keyring (e.g. GNOME Keyring or "
            "KWallet), or set ZMOS_KIOSK_CREDENTIAL_STORE=file to use a protected file."
        )
    path = data_dir / CREDENTIAL_FILE
    warning = f"No OS keyring: device credential stored in {path}"
    log.warning("%s (readable only by this user; set up an OS keyring to avoid this)", warning)
    return FileCredentialStore(data_dir, warning=warning)
