"""A stand-in for the camera worker: its signals, emitted by the test."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage


class FakeCamera(QObject):
    """The CameraWorker's signals, for ``MainWindow.connect_camera``."""

    frame_ready = Signal(QImage)
    result_ready = Signal(object)
    camera_error = Signal(str)
