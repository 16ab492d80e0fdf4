"""A server request on a thread of its own, so the kiosk works while the server does."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class InFlight:
    """``request`` running on its own thread (named ``name``), or on the calling thread
    with ``wait``. :meth:`result` waits for it and returns what it returned, or raises
    what it raised, in the thread that asks."""

    def __init__(
        self, request: Callable[[], dict[str, Any]], *, name: str, wait: bool = False
    ) -> None:
        self._done = threading.Event()
        self._body: dict[str, Any] | None = None
        self._error: BaseException | None = None
        if wait:
            self._run(request)
        else:
            threading.Thread(target=self._run, args=(request,), name=name, daemon=True).start()

    @classmethod
    def failed(cls, error: BaseException) -> InFlight:
        """A request that failed before it could be sent: :meth:`result` raises ``error``."""

        def fail() -> dict[str, Any]:
            raise error

        return cls(fail, name="", wait=True)

    def _run(self, request: Callable[[], dict[str, Any]]) -> None:
        try:
            self._body = request()
        except BaseException as exc:  # handed to the thread that waits for it
            self._error = exc
        finally:
            self._done.set()

    def wait(self) -> None:
        self._done.wait()

    def result(self) -> dict[str, Any]:
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._body is not None
        return self._body
