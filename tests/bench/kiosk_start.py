"""kiosk.start — a real ``zmos kiosk`` process (offscreen Qt) over an enrolled data directory
with 10,000 members cached, timed from launch to the window's "ready" log line."""

from __future__ import annotations

import contextlib
import os
import random
import secrets
import selectors
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from desktop.app import WINDOW_READY
from desktop.core.credentials import FileCredentialStore

from .core import Bar, Context, Figure, Limit, Timed, benchmark, timed_figure
from .kiosk_checkin import MEMBERS, kiosk, snapshot
from .server import _tail, free_port, zmos_executable

BAR = Bar(
    text=f"≤ 2 s median (launch → usable window, {MEMBERS:,} members cached)",
    limits=(Limit("median", "<=", 2_000.0),),
)
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


def _enrolled_data_dir(data_dir: Path) -> None:
    """The cache a kiosk holds after its first download (as kiosk.checkin_recorded builds it)."""
    core = kiosk(data_dir, snapshot(random.Random(13)))
    try:
        device = core.device()
        assert device is not None
        # Enrolment leaves the device's secret beside the cache; without it the kiosk would
        # start by warning that it must be enrolled again, which is not the case measured.
        FileCredentialStore(data_dir).save(str(device.device_id), secrets.token_urlsafe(32))
    finally:
        core.close()


def _environment(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "ZMOS_KIOSK_DATA_DIR": str(data_dir),
        "ZMOS_KIOSK_CREDENTIAL_STORE": "file",
        # A closed loopback port: the sync worker fails fast, as it would with the server down.
        "ZMOS_KIOSK_SERVER_URL": f"http://127.0.0.1:{free_port()}",
    }


def start_once(data_dir: Path, env: dict[str, str], log_path: Path) -> float:
    """Launch ``zmos kiosk``, return the ms until it logs that its window is ready, stop it."""
    cmd = [zmos_executable(), "kiosk", "--windowed"]
    with log_path.open("wb") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        assert proc.stderr is not None
        try:
            elapsed = wait_ready(proc, started, log)
        finally:
            _stop(proc)
            log.write(proc.stderr.read())
            proc.stderr.close()
    if elapsed is None:
        raise RuntimeError(
            f"zmos kiosk did not log {WINDOW_READY!r} within {READY_TIMEOUT_S:.0f} s "
            f"(exit code {proc.returncode}); its output:\n{_tail(log_path)}"
        )
    return elapsed


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the kiosk as a service manager would (it closes within a few seconds, even with
    a request in flight); SIGKILL only if it fails to."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        raise RuntimeError(
            f"zmos kiosk did not stop within {STOP_TIMEOUT_S:.0f} s of SIGTERM"
        ) from None


def wait_ready(proc: subprocess.Popen[bytes], started: float, log: BinaryIO) -> float | None:
    """ms from ``started`` until the ready line reaches stderr; None if the process ends or
    the timeout passes first. Raw reads: a buffered reader could hold the line unseen."""
    assert proc.stderr is not None
    fd = proc.stderr.fileno()
    marker = WINDOW_READY.encode()
    seen = b""
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while (left := started + READY_TIMEOUT_S - time.perf_counter()) > 0:
            if not sel.select(timeout=left):
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            log.write(chunk)
            seen = seen[-len(marker) :] + chunk
            if marker in seen:
                return (time.perf_counter() - started) * 1000
    return None


@benchmark("kiosk.start")
def kiosk_start(ctx: Context) -> Iterator[Figure]:
    data_dir = ctx.tmp_dir / "kiosk"
    _enrolled_data_dir(data_dir)
    env = _environment(data_dir)
    runs = 2 if ctx.quick else 10
    # One untimed start first: the bar is about a kiosk starting on its own machine, not about
    # the first read of the interpreter and Qt from a cold disk after a fresh install.
    start_once(data_dir, env, ctx.tmp_dir / "warm-up.log")
    began = time.perf_counter()
    samples = [start_once(data_dir, env, ctx.tmp_dir / f"start-{i}.log") for i in range(runs)]
    timed: Timed[None] = Timed(samples, [None] * runs, time.perf_counter() - began)
    yield timed_figure(
        "kiosk.start",
        timed,
        BAR,
        note=f"`zmos kiosk --windowed`, QT_QPA_PLATFORM=offscreen, camera 0, server down; "
        f"{runs} starts after one untimed warm-up",
    )
