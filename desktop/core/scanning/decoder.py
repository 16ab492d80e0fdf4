"""Camera frame → the texts of the codes in it (pyzbar, limited to the symbologies in use)."""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass

import cv2
import numpy as np
from pyzbar.pyzbar import ZBarSymbol
from pyzbar.pyzbar import decode as zbar_decode

log = logging.getLogger(__name__)


class Symbology(enum.StrEnum):
    """The code types a kiosk reads: QR passes and printed member cards."""

    QRCODE = "QRCODE"
    CODE128 = "CODE128"
    EAN13 = "EAN13"


DEFAULT_SYMBOLOGIES: tuple[Symbology, ...] = (
    Symbology.QRCODE,
    Symbology.CODE128,
    Symbology.EAN13,
)


@dataclass(frozen=True)
class DecodedCode:
    text: str
    symbology: Symbology


def to_grayscale(frame: np.ndarray) -> np.ndarray | None:
    """A C-contiguous 8-bit grayscale view of a gray, BGR or BGRA frame; None if unusable."""
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.size == 0:
        return None
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    if frame.ndim == 3 and frame.shape[2] == 3:
        frame = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    elif frame.ndim == 3 and frame.shape[2] == 4:
        frame = cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    elif frame.ndim != 2:
        return None
    return np.ascontiguousarray(frame)


class FrameDecoder:
    """Decodes codes of the given symbologies in a frame; never raises for a bad frame."""

    def __init__(self, symbologies: Iterable[Symbology] = DEFAULT_SYMBOLOGIES) -> None:
        self.symbologies = tuple(symbologies)
        if not self.symbologies:
            raise ValueError("at least one symbology is needed")
        self._symbols = [ZBarSymbol[s.value] for s in self.symbologies]

    def decode(self, frame: np.ndarray) -> list[DecodedCode]:
        gray = to_grayscale(frame)
        if gray is None:
            return []
        height, width = gray.shape
        try:
            found = zbar_decode((gray.tobytes(), width, height), symbols=self._symbols)
        except Exception:  # zbar must not take the camera loop down with it
            log.exception("Decoding a %dx%d frame failed", width, height)
            return []
        codes: list[DecodedCode] = []
        for item in found:
            try:
                symbology = Symbology(item.type)
            except ValueError:
                continue
            codes.append(DecodedCode(item.data.decode("utf-8", "replace"), symbology))
        return codes
