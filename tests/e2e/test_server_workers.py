"""``zmos server --workers N``: each worker listens on a socket of its own (SO_REUSEPORT), so
the kernel spreads kept-open connections across the workers; a dead worker is replaced with
its own socket; a port already taken is refused with a clear message."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import ServerProcess, server_command, start_server
from tests.waiting import wait_for

pytestmark = pytest.mark.slow

LISTEN, ESTABLISHED = "0A", "01"


def _sockets(port: int, state: str) -> set[str]:
    """Inodes of the local TCP sockets on ``port`` in ``state`` (from /proc/net/tcp)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        with open(table) as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                    found.add(fields[9])
    return found


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            found += [int(child) for child in f.read().split()]
    return found


def _holders(pids: list[int], inodes: set[str]) -> Counter[int]:
    """How many of the sockets ``inodes`` each process holds."""
    held: Counter[int] = Counter()
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except FileNotFoundError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                held[pid] += 1
    return held


def _port(server: ServerProcess) -> int:
    return int(server.url.rsplit(":", 1)[1])


def _listening(server: ServerProcess) -> Counter[int]:
    """How many listening sockets on the server's port each of its workers holds."""
    return _holders(_children(server.process.pid), _sockets(_port(server), LISTEN))


def _get_health(sock: socket.socket) -> bytes:
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(4096)
        assert chunk, "connection closed before the answer"
        answer += chunk
    return answer.split(b"\r\n", 1)[0]


def test_each_worker_listens_on_its_own_socket_and_connections_spread(tmp_path: Path) -> None:
    server = start_server(tmp_path / "server", workers=2)
    try:
        port = _port(server)
        wait_for(lambda: len(_listening(server)) == 2, timeout=30, interval=0.1)
        workers = _children(server.process.pid)
        assert sorted(_listening(server).values()) == [1, 1]
        assert len(_sockets(port, LISTEN)) == 2  # one socket each, not one shared
        # 40 clients connect at once and keep their connections open, as kiosks do.
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
        try:
            assert {_get_health(c) for c in clients} == {b"HTTP/1.1 200 OK"}
            held = _holders(workers, _sockets(port, ESTABLISHED))
            assert sum(held.values()) == 40
            # Binomially spread: fewer than 8 of 40 on a worker happens once in ~100,000.
            assert len(held) == 2 and min(held.values()) >= 8, held
        finally:
            for client in clients:
                client.close()
    finally:
        server.stop()


def test_a_dead_worker_is_replaced_with_a_socket_of_its_own(tmp_path: Path) -> None:
    server = start_server(tmp_path / "server", workers=2)
    try:
        port = _port(server)
        wait_for(lambda: len(_listening(server)) == 2, timeout=30, interval=0.1)
        victim = next(iter(_listening(server)))
        os.kill(victim, signal.SIGKILL)

        def replaced() -> bool:
            own = len(_sockets(port, LISTEN)) == 2  # two sockets, not one shared
            listening = _listening(server)
            gone = victim not in _children(server.process.pid)
            return gone and own and sorted(listening.values()) == [1, 1]

        wait_for(replaced, timeout=30, interval=0.1)
        for _ in range(10):
            assert httpx.get(f"{server.url}/health", timeout=5).status_code == 200
    finally:
        server.stop()


def test_a_port_already_taken_is_refused_clearly(tmp_path: Path) -> None:
    first = start_server(tmp_path / "first", workers=2)
    try:
        second = subprocess.run(
            server_command(_port(first), workers=2),
            env={**os.environ, "ZMOS_DATA_DIR": str(tmp_path / "second")},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode != 0
        assert f"cannot listen on 127.0.0.1:{_port(first)}" in second.stderr
        assert "Traceback" not in second.stderr
        # The running server was not joined by the second one, and still answers.
        assert httpx.get(f"{first.url}/health", timeout=5).status_code == 200
        assert len(_sockets(_port(first), LISTEN)) == 2
    finally:
        first.stop()
