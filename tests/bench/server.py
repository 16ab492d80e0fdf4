"""Run a real ``zmos server`` process (its own process group) against a fresh database."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

HEALTH_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def zmos_executable() -> str:
    """``$ZMOS_BENCH_ZMOS`` if set, else the ``zmos`` next to this interpreter, else on PATH."""
    override = os.environ.get("ZMOS_BENCH_ZMOS")
    if override:
        return override
    beside = Path(sys.executable).parent / "zmos"
    if beside.exists():
        return str(beside)
    found = shutil.which("zmos")
    if found is None:
        raise RuntimeError(f"no zmos executable (looked at {beside} and on PATH)")
    return found


@dataclass(frozen=True)
class RunningServer:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no output captured)"
    return text[-limit:] if text.strip() else "(no output)"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the whole process group (uvicorn workers too), SIGKILL it if it lingers."""
    if proc.poll() is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # orphaned workers, if any
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def _wait_healthy(base_url: str, proc: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    last_error = "no attempt"
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"zmos server exited with code {proc.returncode} before becoming healthy; "
                    f"its output:\n{_tail(log_path)}"
                )
            try:
                response = client.get(f"{base_url}/health")
                if response.status_code == 200:
                    return
                last_error = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                last_error = repr(exc)
            time.sleep(0.1)
    raise RuntimeError(
        f"zmos server at {base_url} not healthy after {HEALTH_TIMEOUT_S:.0f} s "
        f"(last: {last_error}); its output:\n{_tail(log_path)}"
    )


@contextlib.contextmanager
def zmos_server(data_dir: Path, database_url: str, *, workers: int = 2) -> Iterator[RunningServer]:
    """Start ``zmos server`` and yield once ``GET /health`` answers 200; always kill it after."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        **os.environ,
        "ZMOS_DATA_DIR": str(data_dir),
        "ZMOS_DATABASE_URL": database_url,
        "ZMOS_SECRET_KEY": secrets.token_urlsafe(48),
    }
    cmd = [
        zmos_executable(),
        "server",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            cmd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base_url, proc, log_path)
        yield RunningServer(base_url=base_url, process=proc, log_path=log_path)
    finally:
        _stop(proc)


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'zmos.db'}"


@contextlib.contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """CREATE DATABASE zmos_bench_<random> on the server of ``server_url``; DROP it after.

    Yields the SQLAlchemy URL of the new database (same driver as ``server_url``).
    """
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"zmos_bench_{secrets.token_hex(6)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
