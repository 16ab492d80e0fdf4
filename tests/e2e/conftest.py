"""Real `zmos server` processes on loopback, each on a port of its own (tests/ports.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.ports import free_port

FAST_HASHES = {
    "ZMOS_ARGON2_TIME_COST": "1",
    "ZMOS_ARGON2_MEMORY_KIB": "8192",
    "ZMOS_ARGON2_PARALLELISM": "1",
}


@dataclass
class ServerProcess:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=20)


def server_command(port: int, *, workers: int = 1) -> list[str]:
    return [
        sys.executable,
        "-m",
        "zmos.cli",
        "server",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]


def start_server(
    data_dir: Path,
    *,
    database_url: str | None = None,
    port: int | None = None,
    workers: int = 1,
) -> ServerProcess:
    port = port or free_port()
    env = {**os.environ, **FAST_HASHES, "ZMOS_DATA_DIR": str(data_dir)}
    env.pop("ZMOS_DATABASE_URL", None)
    if database_url:
        env["ZMOS_DATABASE_URL"] = database_url
    log = data_dir / f"server-{port}.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            server_command(port, workers=workers),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = ServerProcess(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"zmos server exited at start:\n{log.read_text()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.stop(signal.SIGKILL)
    raise AssertionError(f"zmos server did not become healthy:\n{log.read_text()}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    running = start_server(tmp_path / "server")
    yield running
    running.stop()
