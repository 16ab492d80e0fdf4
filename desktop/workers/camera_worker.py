"""The camera: OpenCV captures frames on this worker's thread, pyzbar decodes them, and the
results and the frames to show reach the window only through signals."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QImage

from desktop.core.scanning import PassScanner, ScanKind

log = logging.getLogger(__name__)


class Capture(Protocol):
    """The part of ``cv2.VideoCapture`` the worker uses."""

    def isOpened(self) -> bool: ...  # OpenCV's name

    def read(self) -> tuple[bool, Any]: ...

    def release(self) -> None: ...


def open_camera(index: int) -> Capture:
    import cv2

    capture = cv2.VideoCapture(index)
    capture.set(cv2.CAP_PROP_FRAME_WIDTH, 640)
    capture.set(cv2.CAP_PROP_FRAME_HEIGHT, 480)
    return capture


def to_qimage(frame: np.ndarray) -> QImage:
    """A deep copy of a BGR (or gray) frame as a QImage the UI thread may keep."""
    if frame.ndim == 2:
        height, width = frame.shape
        return QImage(frame.data, width, height, width, QImage.Format.Format_Grayscale8).copy()
    height, width, _ = frame.shape
    image = QImage(frame.data, width, height, 3 * width, QImage.Format.Format_BGR888)
    return image.copy()


class CameraWorker(QObject):
    """Move to a QThread, then call ``start``; ``stop`` releases the camera."""

    frame_ready = Signal(QImage)
    result_ready = Signal(object)  # a ScanResult with something in it
    camera_error = Signal(str)

    def __init__(
        self,
        scanner: Callable[[], PassScanner | None],
        *,
        device_index: int = 0,
        open_capture: Callable[[int], Capture] = open_camera,
        frame_interval_ms: int = 33,
        display_fps: float = 15.0,
        max_failed_reads: int = 30,
    ) -> None:
        super().__init__()
        self._scanner_factory = scanner
        self._scanner: PassScanner | None = None
        self._device_index = device_index
        self._open_capture = open_capture
        self._interval = frame_interval_ms
        self._display_every = 1.0 / display_fps
        self._last_display = 0.0
        self._max_failed = max_failed_reads
        self._failed = 0
        self._capture: Capture | None = None
        self._timer: QTimer | None = None

    @Slot()
    def start(self) -> None:
        try:
            capture = self._open_capture(self._device_index)
        except Exception as exc:  # a broken driver must not take the kiosk down
            log.exception("Opening the camera failed")
            self.camera_error.emit(f"The camera could not be opened: {exc}")
            return
        if not capture.isOpened():
            capture.release()
            self.camera_error.emit(
                f"No camera found at index {self._device_index}: scanners and search still work"
            )
            return
        self._capture = capture
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._timer.start(self._interval)

    @Slot()
    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def _tick(self) -> None:
        if self._capture is None:
            return
        ok, frame = self._capture.read()
        if not ok or frame is None:
            self._failed += 1
            if self._failed >= self._max_failed:
                self.stop()
                self.camera_error.emit("The camera stopped sending pictures")
            return
        self._failed = 0
        now = time.monotonic()
        if now - self._last_display >= self._display_every:
            self._last_display = now
            self.frame_ready.emit(to_qimage(frame))
        scanner = self._scanner or self._scanner_factory()
        self._scanner = scanner
        if scanner is None:  # not enrolled yet: nothing to verify passes against
            return
        result = scanner.scan(frame)
        if result.kind is not ScanKind.NOTHING:
            self.result_ready.emit(result)
