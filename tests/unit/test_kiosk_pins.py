"""Keyed staff PIN verifiers: made from an argon2 hash, checked only with the device key."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from shared.kiosk_pins import keyed_verifier, pin_key_from_secret, verify_pin

HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
KEY = pin_key_from_secret("zd.device.secret")


def test_a_verifier_checks_the_pin_with_its_key_only() -> None:
    pin_hash = HASHER.hash("246810")
    verifier = keyed_verifier(pin_hash, KEY)
    assert verifier is not None and verifier.startswith("$zmos-pin1$argon2id$")
    assert pin_hash.rsplit("$", 1)[1] not in verifier  # the argon2 output is not in it
    assert verify_pin(verifier, KEY, "246810")
    assert not verify_pin(verifier, KEY, "246811")
    assert not verify_pin(verifier, pin_key_from_secret("zd.other.secret"), "246810")
    assert not verify_pin(verifier, None, "246810")
    assert keyed_verifier(pin_hash, pin_key_from_secret("zd.other.secret")) != verifier


@pytest.mark.parametrize("pin_hash", [None, "", "1234", "$argon2id$v=19$x", "$bcrypt$a$b$c$d"])
def test_no_verifier_without_an_argon2_hash_or_a_key(pin_hash: str | None) -> None:
    assert keyed_verifier(pin_hash, KEY) is None
    assert keyed_verifier(HASHER.hash("1234"), None) is None


@pytest.mark.parametrize(
    "verifier",
    [
        None,
        "",
        "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$ZGlnZXN0",
        "$zmos-pin1$argon2id$v=19$",
        "$zmos-pin1$argon2id$v=19$m=8,t=1,p=1$!!$ZGlnZXN0$32",
        "$zmos-pin1$argon2id$v=19$m=8$a$b$x",
    ],
)
def test_a_damaged_verifier_recognises_nothing(verifier: str | None) -> None:
    assert not verify_pin(verifier, KEY, "1234")
