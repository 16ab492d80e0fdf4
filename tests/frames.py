"""Synthetic camera frames for the scanning tests and benchmark.

A code rendered with ``qrcode`` (or a Code 128 drawn here) on a phone-like card, warped onto
a cluttered background with rotation and a little perspective, then blurred and noised:
what a cheap webcam at a front desk sees. Also a pass factory and an in-memory keyring.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import cv2
import numpy as np
import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.qr import PassClaims, PublicKeyLike, generate_key_pair, key_id_for, sign_pass

WIDTH, HEIGHT = 640, 480

# Code 128 bar/space widths for values 0..106 (103-105: start A/B/C, 106: stop).
_CODE128 = [
    "212222",
    "222122",
    "222221",
    "121223",
    "121322",
    "131222",
    "122213",
    "122312",
    "132212",
    "221213",
    "221312",
    "231212",
    "112232",
    "122132",
    "122231",
    "113222",
    "123122",
    "123221",
    "223211",
    "221132",
    "221231",
    "213212",
    "223112",
    "312131",
    "311222",
    "321122",
    "321221",
    "312212",
    "322112",
    "322211",
    "212123",
    "212321",
    "232121",
    "111323",
    "131123",
    "131321",
    "112313",
    "132113",
    "132311",
    "211313",
    "231113",
    "231311",
    "112133",
    "112331",
    "132131",
    "113123",
    "113321",
    "133121",
    "313121",
    "211331",
    "231131",
    "213113",
    "213311",
    "213131",
    "311123",
    "311321",
    "331121",
    "312113",
    "312311",
    "332111",
    "314111",
    "221411",
    "431111",
    "111224",
    "111422",
    "121124",
    "121421",
    "141122",
    "141221",
    "112214",
    "112412",
    "122114",
    "122411",
    "142112",
    "142211",
    "241211",
    "221114",
    "413111",
    "241112",
    "134111",
    "111242",
    "121142",
    "121241",
    "114212",
    "124112",
    "124211",
    "411212",
    "421112",
    "421211",
    "212141",
    "214121",
    "412121",
    "111143",
    "111341",
    "131141",
    "114113",
    "114311",
    "411113",
    "411311",
    "113141",
    "114131",
    "311141",
    "411131",
    "211412",
    "211214",
    "211232",
    "2331112",
]


def qr_image(text: str) -> tuple[np.ndarray, int]:
    """The QR code (error correction M, 4-module quiet zone), a pixel a module; and its version."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    dark = np.array(code.get_matrix(), dtype=bool)
    return np.where(dark, 0, 255).astype(np.uint8), int(code.version)


def code128_image(text: str, height: int = 40) -> np.ndarray:
    """A Code 128 (set B) barcode with a 10-module quiet zone, one pixel a module wide."""
    values = [ord(ch) - 32 for ch in text]
    if any(not 0 <= v <= 95 for v in values):
        raise ValueError("Code 128 set B covers printable ASCII only")
    check = (104 + sum(i * v for i, v in enumerate(values, start=1))) % 103
    widths = "".join(_CODE128[v] for v in (104, *values, check, 106))
    row: list[int] = [255] * 10
    for i, w in enumerate(widths):
        row += [0 if i % 2 == 0 else 255] * int(w)
    row += [255] * 10
    return np.tile(np.array(row, dtype=np.uint8), (height, 1))


def _background(rng: np.random.Generator) -> np.ndarray:
    """A gray gradient with rectangles, lines and text: a front desk, roughly."""
    x = np.linspace(0, 1, WIDTH, dtype=np.float32)
    y = np.linspace(0, 1, HEIGHT, dtype=np.float32)[:, None]
    base = 90 + 60 * x * rng.uniform(0.5, 1.0) + 40 * y * rng.uniform(-1.0, 1.0)
    frame = np.clip(base, 0, 255).astype(np.uint8)
    frame = np.asarray(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    for _ in range(int(rng.integers(4, 9))):
        x0, y0 = int(rng.integers(0, WIDTH)), int(rng.integers(0, HEIGHT))
        x1, y1 = x0 + int(rng.integers(20, 200)), y0 + int(rng.integers(20, 160))
        color = tuple(int(c) for c in rng.integers(30, 220, size=3))
        cv2.rectangle(frame, (x0, y0), (x1, y1), color, -1)
    for _ in range(int(rng.integers(3, 7))):
        p0 = (int(rng.integers(0, WIDTH)), int(rng.integers(0, HEIGHT)))
        p1 = (int(rng.integers(0, WIDTH)), int(rng.integers(0, HEIGHT)))
        cv2.line(frame, p0, p1, (int(rng.integers(0, 255)),) * 3, int(rng.integers(1, 4)))
    cv2.putText(frame, "OPEN 06-22", (20, 460), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (240, 240, 240), 2)
    return frame


def _on_phone(code: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The code on a not-quite-white screen inside a dark phone body."""
    h, w = code.shape
    margin = max(2, w // 12)
    phone = np.full((h + 2 * margin, w + 2 * margin), 25, dtype=np.uint8)
    white, black = float(rng.uniform(200, 245)), float(rng.uniform(15, 50))
    screen = np.where(code > 127, white, black).astype(np.uint8)
    phone[margin : margin + h, margin : margin + w] = screen
    return phone


def _centre(rng: np.random.Generator, half: float, extent: int) -> float:
    """Where along one axis the code's centre lands, keeping it in the frame when it fits."""
    if half < extent / 2 - 20:
        return float(rng.uniform(half + 20, extent - half - 20))
    return extent / 2


def camera_frame(
    code: np.ndarray | None,
    rng: np.random.Generator,
    *,
    size_px: float | None = None,
    angle_deg: float | None = None,
    perspective: float = 0.04,
    noise_sigma: float = 6.0,
    blur_sigma: float = 0.8,
) -> np.ndarray:
    """A 640×480 BGR frame showing ``code`` (a 0/255 one-pixel-per-module image), or none."""
    frame = _background(rng)
    if code is not None:
        card = _on_phone(code, rng)
        side = size_px if size_px is not None else float(rng.uniform(180, 260))
        scale = side / max(code.shape)
        half_w, half_h = card.shape[1] * scale / 2, card.shape[0] * scale / 2
        angle = np.radians(angle_deg if angle_deg is not None else rng.uniform(-8, 8))
        cx = _centre(rng, half_w, WIDTH)
        cy = _centre(rng, half_h, HEIGHT)
        corners = np.array(
            [[-half_w, -half_h], [half_w, -half_h], [half_w, half_h], [-half_w, half_h]]
        )
        rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        jitter = rng.uniform(-perspective, perspective, size=(4, 2)) * side
        dst = (corners @ rot.T + jitter + [cx, cy]).astype(np.float32)
        ch, cw = card.shape
        src = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], dtype=np.float32)
        matrix = cv2.getPerspectiveTransform(src, dst)
        warped = cv2.warpPerspective(card, matrix, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR)
        mask = cv2.warpPerspective(
            np.full_like(card, 255), matrix, (WIDTH, HEIGHT), flags=cv2.INTER_NEAREST
        )
        frame[mask > 0] = cv2.cvtColor(warped, cv2.COLOR_GRAY2BGR)[mask > 0]
    if blur_sigma > 0:
        frame = cv2.GaussianBlur(frame, (0, 0), blur_sigma)
    noise = rng.normal(0.0, noise_sigma, frame.shape)
    return np.clip(frame.astype(np.float32) + noise, 0, 255).astype(np.uint8)


@dataclass
class StaticKeyring:
    """A keyring held in memory (tests and benchmarks)."""

    keys: Mapping[uuid.UUID, Mapping[int, PublicKeyLike]]
    revoked: frozenset[uuid.UUID] = frozenset()

    def public_keys(self, tenant_id: uuid.UUID) -> Mapping[int, PublicKeyLike]:
        return self.keys.get(tenant_id, {})

    def is_revoked(self, pass_id: uuid.UUID) -> bool:
        return pass_id in self.revoked


@dataclass
class PassFactory:
    """Signs passes for one tenant with a fresh key."""

    tenant_id: uuid.UUID
    private_key: Ed25519PrivateKey
    key_id: int

    @classmethod
    def create(cls) -> PassFactory:
        private_key, public_key = generate_key_pair()
        return cls(uuid.uuid4(), private_key, key_id_for(public_key))

    def keyring(self, revoked: frozenset[uuid.UUID] = frozenset()) -> StaticKeyring:
        public = self.private_key.public_key()
        return StaticKeyring({self.tenant_id: {self.key_id: public}}, revoked)

    def claims(self, expires_at: datetime | None = None, **changes: object) -> PassClaims:
        expiry = expires_at or datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
        fields: dict[str, object] = {
            "tenant_id": self.tenant_id,
            "member_id": uuid.uuid4(),
            "pass_id": uuid.uuid4(),
            "expires_at": expiry,
            "key_id": self.key_id,
            **changes,
        }
        return PassClaims(**fields)  # type: ignore[arg-type]

    def token(self, claims: PassClaims | None = None) -> str:
        return sign_pass(self.private_key, claims or self.claims())
