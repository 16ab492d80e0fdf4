"""Camera frames through the real decoding path (pyzbar): passes made by the server's format,
rendered with qrcode, photographed badly; each gets the right decision and nothing crashes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from desktop.core.scanning import PassScanner, ScanDebouncer, ScanKind, Symbology
from tests.frames import PassFactory, camera_frame, code128_image, qr_image

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.seconds = 100.0

    def __call__(self) -> float:
        return self.seconds


def _scanner(factory: PassFactory, *, revoked: frozenset[uuid.UUID] = frozenset()) -> PassScanner:
    return PassScanner(
        factory.keyring(revoked),
        factory.tenant_id,
        debouncer=ScanDebouncer(window_seconds=0),
        now=lambda: NOW,
    )


def _frame(text: str, seed: int, **options: float) -> np.ndarray:
    return camera_frame(qr_image(text)[0], np.random.default_rng(seed), **options)


@pytest.mark.parametrize("seed", range(6))
def test_a_valid_pass_is_admitted_from_a_rotated_noisy_blurred_frame(seed: int) -> None:
    factory = PassFactory.create()
    claims = factory.claims(expires_at=NOW + timedelta(days=30))
    result = _scanner(factory).scan(_frame(factory.token(claims), seed))
    assert result.kind is ScanKind.PASS_OK, result.reason
    assert result.claims == claims
    assert result.symbology is Symbology.QRCODE


def test_every_kind_of_bad_pass_is_refused_with_its_reason() -> None:
    factory = PassFactory.create()
    forger = PassFactory(factory.tenant_id, PassFactory.create().private_key, factory.key_id)
    other_gym = PassFactory.create()
    revoked = factory.claims(expires_at=NOW + timedelta(days=3))
    cases = {
        forger.token(forger.claims(expires_at=NOW + timedelta(days=3))): "signature is not valid",
        factory.token(factory.claims(expires_at=NOW - timedelta(days=1))): "expired on",
        factory.token(revoked): "has been revoked",
        other_gym.token(other_gym.claims(expires_at=NOW + timedelta(days=3))): "another gym",
    }
    scanner = _scanner(factory, revoked=frozenset({revoked.pass_id}))
    for seed, (token, words) in enumerate(cases.items()):
        result = scanner.scan(_frame(token, 100 + seed))
        assert result.kind is ScanKind.PASS_REFUSED, (words, result)
        assert words in result.reason
        assert result.claims is None


def test_other_codes_are_handed_back_for_lookup() -> None:
    factory = PassFactory.create()
    scanner = _scanner(factory)
    qr_text = scanner.scan(_frame("MEMBER-CARD-000123", 7))
    assert (qr_text.kind, qr_text.text) == (ScanKind.BARCODE, "MEMBER-CARD-000123")
    barcode = camera_frame(
        code128_image("ZM-100001", height=60), np.random.default_rng(8), size_px=420, angle_deg=2
    )
    result = scanner.scan(barcode)
    assert (result.kind, result.text) == (ScanKind.BARCODE, "ZM-100001")
    assert result.symbology is Symbology.CODE128


@pytest.mark.parametrize(
    "frame",
    [
        np.zeros((480, 640, 3), np.uint8),
        np.full((480, 640), 255, np.uint8),
        np.random.default_rng(3).integers(0, 255, (480, 640, 3), dtype=np.uint8),
        camera_frame(None, np.random.default_rng(4)),
        np.zeros((0, 0), np.uint8),
    ],
)
def test_unreadable_frames_give_nothing(frame: np.ndarray) -> None:
    assert _scanner(PassFactory.create()).scan(frame).kind is ScanKind.NOTHING


def test_a_pass_held_up_is_decided_once_until_it_leaves_for_the_window() -> None:
    factory = PassFactory.create()
    clock = Clock()
    scanner = PassScanner(
        factory.keyring(),
        factory.tenant_id,
        debouncer=ScanDebouncer(window_seconds=5, clock=clock),
        now=lambda: NOW,
    )
    token = factory.token(factory.claims(expires_at=NOW + timedelta(days=3)))
    frame = _frame(token, 11)
    assert scanner.scan(frame).kind is ScanKind.PASS_OK
    for _ in range(10):  # held in front of the camera for 10 s: still the same visit
        clock.seconds += 1
        assert scanner.scan(frame).kind is ScanKind.NOTHING
    clock.seconds += 6  # out of sight for longer than the window
    assert scanner.scan(frame).kind is ScanKind.PASS_OK
    other = factory.token(factory.claims(expires_at=NOW + timedelta(days=3)))
    assert scanner.scan(_frame(other, 12)).kind is ScanKind.PASS_OK  # another member at once
