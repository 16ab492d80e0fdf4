"""A kiosk's disk alone gives away no staff PIN: the store holds verifiers keyed with a key
derived from the device secret, which the credential store (the OS keyring) keeps apart."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
from argon2.low_level import Type, hash_secret_raw

from desktop.app import build_core
from desktop.config import KioskSettings
from desktop.core.kiosk import KioskCore
from shared.kiosk_pins import (
    _parse_verifier,
    lookup_matches,
    lookup_tags,
    pin_key_from_secret,
    verify_pin,
)
from tests.unit.desktop.kiosk_fakes import COACH_PIN, ENROL_CODE, MANAGER_PIN, FakeServer

ALL_4_DIGIT_PINS = [f"{n:04d}" for n in range(10_000)]


def _enrolled_copy(core: KioskCore, settings: KioskSettings, elsewhere: Path) -> Path:
    """Enrol, then copy the kiosk's database alone (as a thief would) to ``elsewhere``."""
    core.enrol("http://zmos.test", ENROL_CODE, "Front desk 1")
    assert core.verify_staff_pin(MANAGER_PIN) is not None
    core.close()
    elsewhere.mkdir(parents=True, mode=0o700)
    for file in settings.data_dir.glob("kiosk.sqlite3*"):
        shutil.copy(file, elsewhere / file.name)
    return elsewhere / "kiosk.sqlite3"


def _stored_verifiers(database: Path) -> dict[str, str | None]:
    conn = sqlite3.connect(database)
    try:
        rows = conn.execute("SELECT name, pin_verifier FROM staff").fetchall()
    finally:
        conn.close()
    return {name: verifier for name, verifier in rows}


def test_the_store_holds_no_pin_hash(
    core: KioskCore, settings: KioskSettings, fake_server: FakeServer, tmp_path: Path
) -> None:
    database = _enrolled_copy(core, settings, tmp_path / "stolen")
    raw = b"".join(f.read_bytes() for f in database.parent.iterdir())
    for staff in fake_server.staff:
        if staff["pin_hash"]:
            digest = staff["pin_hash"].rsplit("$", 1)[1]
            assert digest.encode() not in raw, staff["name"]
    assert set(_stored_verifiers(database)) == {s["name"] for s in fake_server.staff}


def test_a_store_copied_without_the_keyring_secret_recognises_no_pin(
    core: KioskCore, settings: KioskSettings, fake_server: FakeServer, tmp_path: Path
) -> None:
    stolen = _enrolled_copy(core, settings, tmp_path / "stolen").parent
    # Another machine: the same database, no device secret in its credential store.
    elsewhere = build_core(
        KioskSettings(data_dir=stolen, credential_store="file"), http_client=fake_server.client()
    )
    try:
        assert elsewhere.is_enrolled()
        assert elsewhere.verify_staff_pin(MANAGER_PIN) is None
        assert not elsewhere.has_exit_staff()  # kiosk mode does not lock what none can open
        # A made-up secret for the same device does not help either.
        device = elsewhere.device()
        assert device is not None
        elsewhere.credentials.save(str(device.device_id), "zd.guess.secret")
        assert elsewhere.verify_staff_pin(MANAGER_PIN) is None
        # The right secret (what the keyring holds) is all it takes: disk + keyring.
        elsewhere.credentials.save(str(device.device_id), fake_server.device_secret)
        staff = elsewhere.verify_staff_pin(MANAGER_PIN)
        assert staff is not None and staff.name == "Ana Manager"
        assert elsewhere.has_exit_staff()
    finally:
        elsewhere.close()


def test_brute_forcing_a_4_digit_pin_over_the_stored_value_fails_without_the_secret(
    core: KioskCore, settings: KioskSettings, fake_server: FakeServer, tmp_path: Path
) -> None:
    verifier = _stored_verifiers(_enrolled_copy(core, settings, tmp_path / "stolen"))["Ben Coach"]
    assert verifier is not None
    parsed = _parse_verifier(verifier)
    assert parsed is not None
    parts, length = parsed

    def argon2(pin: str) -> bytes:
        return hash_secret_raw(
            pin.encode(),
            parts.salt,
            time_cost=parts.time_cost,
            memory_cost=parts.memory_cost,
            parallelism=parts.parallelism,
            hash_len=length,
            type=Type.ID,
            version=parts.version,
        )

    # The attack on an argon2 hash: hash every PIN with the stored salt, compare. No match.
    assert [pin for pin in ALL_4_DIGIT_PINS if argon2(pin) == parts.digest] == []
    # Without the device key no guess verifies, whatever key is tried in its place.
    for key in (None, b"", pin_key_from_secret(""), pin_key_from_secret("zd.guess.secret")):
        assert [pin for pin in ALL_4_DIGIT_PINS if verify_pin(verifier, key, pin)] == []
    # With the secret from the keyring the same search finds the PIN: the key is what matters.
    key = pin_key_from_secret(fake_server.device_secret)
    assert [pin for pin in ALL_4_DIGIT_PINS if verify_pin(verifier, key, pin)] == [COACH_PIN]


def _stored_lookups(database: Path) -> dict[str, str | None]:
    conn = sqlite3.connect(database)
    try:
        rows = conn.execute("SELECT name, pin_lookup FROM staff").fetchall()
    finally:
        conn.close()
    return {name: lookup for name, lookup in rows}


def test_the_stored_pin_lookups_are_keyed_too(
    core: KioskCore, settings: KioskSettings, fake_server: FakeServer, tmp_path: Path
) -> None:
    lookups = _stored_lookups(_enrolled_copy(core, settings, tmp_path / "stolen"))
    lookup = lookups["Ben Coach"]
    assert lookup is not None and lookups["Cleo Desk"] is None  # no PIN, no lookup
    raw = b"".join(f.read_bytes() for f in (tmp_path / "stolen").iterdir())
    for staff in fake_server.staff:
        if staff["pin_index"]:
            assert staff["pin_index"].rsplit("$", 1)[1].encode() not in raw, staff["name"]
    for key in (None, b"", pin_key_from_secret("zd.guess.secret")):
        found = [
            p for p in ALL_4_DIGIT_PINS if lookup_matches(lookup, lookup_tags(p, key, [lookup]))
        ]
        assert found == []


def test_whose_pin_it_is_takes_one_hash_however_many_staff(
    settings: KioskSettings, fake_server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(30):
        fake_server.add_staff(f"Desk {n:02d}", "front_desk", f"55{n:02d}")
    legacy = fake_server.add_staff("Old Timer", "front_desk", "777000", indexed=False)
    http = fake_server.client()
    kiosk = build_core(settings, http_client=http)
    try:
        kiosk.enrol("http://zmos.test", ENROL_CODE, "Front desk 1")
        import argon2.low_level

        calls: list[int] = []
        real = argon2.low_level.hash_secret_raw

        def counting(*args: object, **kwargs: object) -> bytes:
            calls.append(1)
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(argon2.low_level, "hash_secret_raw", counting)
        staff = kiosk.pins.check("5529").staff
        assert staff is not None and staff.name == "Desk 29"
        assert len(calls) == 1
        calls.clear()
        # A PIN set before lookups existed is still found, by its own verifier.
        staff = kiosk.pins.check("777000").staff
        assert staff is not None and staff.id == uuid.UUID(legacy["id"])
        assert len(calls) == 2  # the shared lookup hash, then the one verifier left to try
    finally:
        kiosk.close()
        http.close()
