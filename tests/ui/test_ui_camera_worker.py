"""The camera worker on its own thread: frames from a capture (a stand-in for a webcam, which
this machine has not got) are shown, decoded and decided once; a missing camera is said."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from desktop.core.scanning import PassScanner, ScanDebouncer, ScanKind
from desktop.workers.camera_worker import CameraWorker, to_qimage
from desktop.workers.tasks import TaskRunner
from tests.frames import PassFactory, camera_frame, qr_image

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class FakeCapture:
    """Plays a list of frames, then repeats the last one (a member holding a phone up)."""

    def __init__(self, frames: list[np.ndarray], opened: bool = True) -> None:
        self.frames, self.opened, self.reads, self.released = frames, opened, 0, False

    def isOpened(self) -> bool:  # OpenCV's name
        return self.opened

    def read(self) -> tuple[bool, Any]:
        frame = self.frames[min(self.reads, len(self.frames) - 1)]
        self.reads += 1
        return True, frame

    def release(self) -> None:
        self.released = True


def _run(qtbot: QtBot, worker: CameraWorker) -> TaskRunner:
    tasks = TaskRunner()
    tasks.start_worker(worker, "zmos-camera")
    return tasks


def _stop(worker: CameraWorker, tasks: TaskRunner) -> None:
    assert tasks.stop_worker(worker, 5_000)


def test_a_pass_held_up_is_decided_once_and_frames_are_shown(qtbot: QtBot) -> None:
    factory = PassFactory.create()
    claims = factory.claims(expires_at=NOW + timedelta(days=3))
    rng = np.random.default_rng(5)
    frames = [camera_frame(None, rng)] + [camera_frame(qr_image(factory.token(claims))[0], rng)] * 3
    capture = FakeCapture(frames)
    scanner = PassScanner(
        factory.keyring(), factory.tenant_id, debouncer=ScanDebouncer(60), now=lambda: NOW
    )
    worker = CameraWorker(lambda: scanner, open_capture=lambda _i: capture, frame_interval_ms=5)
    results: list[Any] = []
    images: list[QImage] = []
    worker.result_ready.connect(results.append)
    worker.frame_ready.connect(images.append)
    tasks = _run(qtbot, worker)
    try:
        qtbot.waitUntil(lambda: capture.reads >= 40, timeout=10_000)
    finally:
        _stop(worker, tasks)
    assert [r.kind for r in results] == [ScanKind.PASS_OK]
    assert results[0].claims == claims
    assert images and images[0].width() == 640 and images[0].height() == 480
    assert capture.released


def test_no_camera_is_reported_in_words(qtbot: QtBot) -> None:
    capture = FakeCapture([np.zeros((480, 640, 3), np.uint8)], opened=False)
    worker = CameraWorker(lambda: None, open_capture=lambda _i: capture, device_index=2)
    with qtbot.waitSignal(worker.camera_error, timeout=5_000) as signal:
        tasks = _run(qtbot, worker)
    _stop(worker, tasks)
    assert signal.args == ["No camera found at index 2: scanners and search still work"]
    assert capture.released and capture.reads == 0


def test_a_camera_that_stops_sending_is_reported(qtbot: QtBot) -> None:
    class Dying(FakeCapture):
        def read(self) -> tuple[bool, Any]:
            self.reads += 1
            return False, None

    capture = Dying([])
    worker = CameraWorker(
        lambda: None, open_capture=lambda _i: capture, frame_interval_ms=1, max_failed_reads=5
    )
    with qtbot.waitSignal(worker.camera_error, timeout=5_000) as signal:
        tasks = _run(qtbot, worker)
    _stop(worker, tasks)
    assert signal.args == ["The camera stopped sending pictures"]


def test_gray_frames_convert_too() -> None:
    image = to_qimage(np.full((48, 64), 128, np.uint8))
    assert (image.width(), image.height()) == (64, 48)
    assert image.pixelColor(3, 3).red() == 128
