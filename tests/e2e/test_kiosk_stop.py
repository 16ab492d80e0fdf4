"""A real ``zmos kiosk`` process (offscreen Qt) stopped as a service manager or Ctrl+C stops
it: it exits within 5 s with status 0, its database intact and every check-in either on the
server or still in its outbox, even with a request to its server in flight."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.app import WINDOW_READY
from desktop.core.checkin import CHECKIN_CREATE
from shared.sync.messages import MAX_PUSH_BATCH
from tests.bench.kiosk_start import wait_ready
from tests.bench.server import zmos_executable
from tests.e2e.conftest import ServerProcess
from tests.e2e.sync_support import Provider, enrolled_core, open_core, pending, record_checkins

SIGNALS = [pytest.param(signal.SIGTERM, id="SIGTERM"), pytest.param(signal.SIGINT, id="SIGINT")]
STOP_WITHIN_S = 5.0
BATCHES = 2


class Kiosk:
    def __init__(self, data_dir: Path, server_url: str | None = None, *, wait: bool = True) -> None:
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "ZMOS_KIOSK_DATA_DIR": str(data_dir),
            "ZMOS_KIOSK_CREDENTIAL_STORE": "file",
            "ZMOS_KIOSK_REQUEST_TIMEOUT_SECONDS": "30",
        }
        env.pop("ZMOS_KIOSK_SERVER_URL", None)
        if server_url is not None:
            env["ZMOS_KIOSK_SERVER_URL"] = server_url
        self.log_path = data_dir / "kiosk-process.log"
        self._log = self.log_path.open("wb")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [zmos_executable(), "kiosk", "--windowed"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        if wait and wait_ready(self.process, started, self._log) is None:
            self.kill()
            raise AssertionError(f"the kiosk did not log {WINDOW_READY!r}:\n{self.output()}")

    def stop(self, signum: int) -> tuple[int, float]:
        """Send ``signum``; the exit status and the seconds it took (SIGKILL after 20 s)."""
        started = time.monotonic()
        self.process.send_signal(signum)
        try:
            status = self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
            status = self.process.returncode
        return status, time.monotonic() - started

    def kill(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def output(self) -> str:
        assert self.process.stderr is not None
        if self.process.poll() is not None:
            self._log.write(self.process.stderr.read())
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def close(self) -> None:
        self.kill()
        assert self.process.stderr is not None
        self.process.stderr.close()
        self._log.close()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers: every request hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def _enrolled_with_checkins(
    server: ServerProcess, data_dir: Path, count: int
) -> tuple[Provider, set[str]]:
    """An enrolled kiosk directory whose outbox holds ``count`` check-ins not yet sent."""
    provider = Provider(server.url)
    for i in range(10):
        provider.add_member("Member", f"No{i:03d}")
    core = enrolled_core(provider, data_dir)
    try:
        return provider, {str(i) for i in record_checkins(core, count)}
    finally:
        core.close()


def _database_ok(data_dir: Path) -> None:
    conn = sqlite3.connect(data_dir / "kiosk.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def _outbox_checkin_ids(data_dir: Path) -> set[str]:
    conn = sqlite3.connect(data_dir / "kiosk.sqlite3")
    try:
        rows = conn.execute(
            "SELECT json_extract(args_json, '$.checkin_id') FROM outbox WHERE name = ?",
            (CHECKIN_CREATE,),
        ).fetchall()
    finally:
        conn.close()
    return {str(r[0]) for r in rows}


@pytest.mark.parametrize("signum", SIGNALS)
def test_a_kiosk_waiting_on_its_server_stops_within_5_s_keeping_its_outbox(
    server: ServerProcess, silent_server: str, tmp_path: Path, signum: int
) -> None:
    data_dir = tmp_path / "kiosk"
    _, recorded = _enrolled_with_checkins(server, data_dir, 5)
    kiosk = Kiosk(data_dir, server_url=silent_server)
    try:
        time.sleep(1.0)  # its first push is in flight: the server never answers it
        status, took = kiosk.stop(signum)
        output = kiosk.output()
    finally:
        kiosk.close()
    assert status == 0, output
    assert took < STOP_WITHIN_S, (took, output)
    _database_ok(data_dir)
    # Unanswered, the push left every check-in in the outbox, to go when the server answers.
    assert _outbox_checkin_ids(data_dir) == recorded
    core = open_core(data_dir)
    try:
        assert pending(core) == len(recorded)
    finally:
        core.close()


@pytest.mark.parametrize("signum", SIGNALS)
def test_a_kiosk_stopped_while_it_sends_its_outbox_loses_nothing(
    server: ServerProcess, tmp_path: Path, signum: int
) -> None:
    data_dir = tmp_path / "kiosk"
    provider, recorded = _enrolled_with_checkins(server, data_dir, BATCHES * MAX_PUSH_BATCH)
    kiosk = Kiosk(data_dir, wait=False)  # its own server: it sends at once, batch by batch
    try:
        deadline = time.monotonic() + 60
        # Stopped once the server has taken its first batch, while it sends the next.
        while len(_outbox_checkin_ids(data_dir)) == len(recorded) and time.monotonic() < deadline:
            time.sleep(0.005)
        status, took = kiosk.stop(signum)
        output = kiosk.output()
    finally:
        kiosk.close()
    assert status == 0, output
    assert took < STOP_WITHIN_S, (took, output)
    _database_ok(data_dir)
    # Each check-in is on the server or still in the outbox (maybe both: sent, unanswered).
    on_server = {c["id"] for c in provider.checkins()}
    assert on_server | _outbox_checkin_ids(data_dir) == recorded
    core = open_core(data_dir)
    try:
        while pending(core):
            assert core.sync.push() is not None, core.sync.status().last_error
    finally:
        core.close()
    arrived = Counter(c["id"] for c in provider.checkins())
    assert set(arrived) == recorded
    assert max(arrived.values()) == 1
