"""Run uvicorn with several worker processes, each with its own listening socket.

uvicorn's workers share one listening socket: whichever worker wakes first accepts every
connection waiting at that moment. Clients that keep their connections open (kiosks, load
balancers, wrk) then stay on one worker: 100 connections were measured split 84/16, once
100/0, leaving a core idle and doubling the busy worker's latency. With ``SO_REUSEPORT``
each worker listens on a socket of its own, bound to the same address, and the kernel
spreads new connections across them evenly (by a hash of each connection's addresses).

uvicorn's supervisor (``Multiprocess``: restarting dead workers, signals, health checks) is
kept; only its worker gets a socket of its own. Where ``SO_REUSEPORT`` does not exist
(Windows), the shared socket is used as before.
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import multiprocess

HAS_REUSE_PORT = hasattr(socket, "SO_REUSEPORT")


def _tcp_socket(host: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return sock


def reuse_port_socket(host: str, port: int, *, backlog: int | None) -> socket.socket:
    """A TCP socket bound with ``SO_REUSEPORT``; listening when a ``backlog`` is given."""
    sock = _tcp_socket(host)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
        if backlog is not None:
            sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class _Worker(multiprocess.Process):
    """A uvicorn worker that listens on a ``SO_REUSEPORT`` socket of its own."""

    def target(self, sockets: list[socket.socket] | None = None) -> None:  # pragma: no cover
        config = self.config
        # Bound, not yet listening: the kernel hands connections only to listening sockets,
        # and asyncio listens on this one when uvicorn starts serving, once the app has loaded
        # and its startup has run. A worker that listened from here would take its share of
        # new connections while it starts (seconds, on a busy machine) and leave them waiting.
        own = reuse_port_socket(config.host, config.port, backlog=None)
        for inherited in sockets or ():
            inherited.close()
        super().target([own])


class _Supervisor(multiprocess.Multiprocess):
    def run(self) -> None:
        # ``Multiprocess`` makes its workers with the module's ``Process``; in this (parent)
        # process that is ours. Children unpickle ``_Worker`` from this module.
        multiprocess.Process = _Worker  # type: ignore[misc]
        super().run()


def _check_free(host: str, port: int) -> None:
    """Anything already on the port, another ZMOS server included, is an error: a socket
    without ``SO_REUSEPORT`` can only bind a port nobody holds."""
    with _tcp_socket(host) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise SystemExit(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def serve(app: str, *, host: str, port: int, workers: int, **options: Any) -> None:
    """``uvicorn.run(app, factory=True, ...)``, with a socket per worker where possible."""
    # Which server software answers is nobody's business.
    options = {"server_header": False, **options}
    if workers <= 1 or not HAS_REUSE_PORT:
        uvicorn.run(app, factory=True, host=host, port=port, workers=workers, **options)
        return
    _check_free(host, port)
    config = uvicorn.Config(app, factory=True, host=host, port=port, workers=workers, **options)
    # Bound, never listening: it holds the port for the workers (who join it with sockets of
    # their own) without taking connections itself.
    placeholder = reuse_port_socket(host, port, backlog=None)
    try:
        _Supervisor(config, sockets=[placeholder]).run()
    finally:
        placeholder.close()
