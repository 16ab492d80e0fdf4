from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from desktop.core.credentials import (
    CREDENTIAL_FILE,
    SERVICE,
    CredentialStoreError,
    FileCredentialStore,
    KeyringCredentialStore,
    open_credential_store,
)


class MemoryKeyring(KeyringBackend):
    # Below every real backend (and keyring's "fail" one): keyring registers each subclass,
    # and one with a positive priority became the process's default keyring, which later
    # tests then took for the OS keyring.
    priority = -1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring leaves it unannotated
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    original = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(original)


def test_auto_uses_the_keyring_when_one_exists(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    store = open_credential_store("auto", tmp_path)
    assert isinstance(store, KeyringCredentialStore)
    assert store.warning is None
    store.save("device-1", "secret-1")
    assert memory_keyring.entries == {(SERVICE, "device-1"): "secret-1"}
    assert store.load("device-1") == "secret-1"
    assert not (tmp_path / CREDENTIAL_FILE).exists()
    store.delete("device-1")
    assert store.load("device-1") is None


def test_auto_without_keyring_falls_back_to_a_0600_file_and_says_so(
    tmp_path: Path, no_keyring: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        store = open_credential_store("auto", tmp_path)
    path = tmp_path / CREDENTIAL_FILE
    assert isinstance(store, FileCredentialStore)
    assert store.warning == f"No OS keyring: device credential stored in {path}"
    assert any("No OS keyring" in r.getMessage() for r in caplog.records)
    store.save("device-1", "secret-1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.load("device-1") == "secret-1"
    assert store.load("another-device") is None


def test_keyring_mode_without_keyring_is_a_clear_error(tmp_path: Path, no_keyring: None) -> None:
    with pytest.raises(CredentialStoreError, match="No usable OS keyring"):
        open_credential_store("keyring", tmp_path)
    assert not (tmp_path / CREDENTIAL_FILE).exists()


def test_keyring_mode_with_keyring(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    store = open_credential_store("keyring", tmp_path)
    store.save("device-2", "secret-2")
    assert memory_keyring.entries[(SERVICE, "device-2")] == "secret-2"


def test_file_mode_is_silent_and_private_even_with_a_keyring(
    tmp_path: Path, memory_keyring: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        store = open_credential_store("file", tmp_path / "data")
    assert isinstance(store, FileCredentialStore)
    assert store.warning is None
    assert not caplog.records
    store.save("device-3", "secret-3")
    path = tmp_path / "data" / CREDENTIAL_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert memory_keyring.entries == {}
    # Overwriting keeps the permissions and replaces the secret.
    store.save("device-3", "secret-4")
    assert store.load("device-3") == "secret-4"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    store.delete("device-3")
    assert not path.exists()


def test_unreadable_credential_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / CREDENTIAL_FILE).write_text("not json")
    with pytest.raises(CredentialStoreError, match="unreadable"):
        FileCredentialStore(tmp_path).load("device-1")
