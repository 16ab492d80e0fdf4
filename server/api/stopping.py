"""Tell waiting requests that the server process is stopping.

uvicorn stops on SIGTERM or SIGINT by refusing new connections and then waiting for every
open request to finish before the app's shutdown runs: a long-poll (``/sync/pull?wait=``)
would hold the stop for up to its whole wait, often for a kiosk that is already gone. So the
app adds itself to uvicorn's signal handlers at startup: the signal sets an event that the
long-polls wait on, and they answer at once, while requests that write run to their end.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopping:
    """Set once the process is told to stop; waiting requests wait on it instead of sleeping."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._previous: dict[int, Any] = {}

    def is_set(self) -> bool:
        return self._event.is_set()

    def set(self) -> None:
        """Safe from any thread, and from a signal handler."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._event.set)
        else:
            self._event.set()

    async def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds; True when the process is stopping."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)
        return self._event.is_set()

    def start(self) -> None:
        """At the app's startup, on its event loop: chain onto the server's signal handlers.

        Only in the main thread (where Python runs signal handlers), and only onto a handler
        a server installed: under a test client nothing is installed."""
        # A new event each start: an asyncio event belongs to the loop it first waited on,
        # and a test client runs each start on a loop of its own.
        self._event = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in SIGNALS:
            previous = signal.getsignal(sig)
            if callable(previous):
                self._previous[sig] = previous
                signal.signal(sig, self._chained(previous))

    def close(self) -> None:
        """At the app's shutdown: give the server its own handlers back."""
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous.clear()

    def _chained(
        self, previous: Callable[[int, FrameType | None], Any]
    ) -> Callable[[int, FrameType | None], None]:
        def handler(signum: int, frame: FrameType | None) -> None:
            self.set()
            previous(signum, frame)

        return handler
