"""What the PSP loopback servers share: a threaded HTTP server in a thread, a request log
and a queue of faults to inject before (or after) the next requests are processed."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


class LoopbackPsp:
    """Subclasses answer ``handle(call)``. Faults, one per request, in order:
    ``"500"``/``"503"`` (refused before processing), ``"429"``, ``"timeout"`` (processed,
    then the answer is held past the client's timeout: lost), ``"slow"`` (processed, then
    answered after ``slow_seconds``)."""

    slow_seconds = 0.3
    hold_seconds = 2.0

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.faults: list[str] = []
        self.lock = threading.Lock()

    def handle(self, call: Call) -> Answer:
        raise NotImplementedError

    def _serve(self, call: Call) -> Answer | None:
        with self.lock:
            self.calls.append(call)
            fault = self.faults.pop(0) if self.faults else None
        if fault in {"500", "503"}:
            return Answer(int(fault), {"error": {"type": "api_error", "message": "try again"}})
        if fault == "429":
            return Answer(429, {"error": {"type": "rate_limit_error"}}, {"Retry-After": "0"})
        with self.lock:
            answer = self.handle(call)
        if fault == "timeout":
            time.sleep(self.hold_seconds)
            return None
        if fault == "slow":
            time.sleep(self.slow_seconds)
        return answer

    def posts(self, path: str) -> list[Call]:
        return [call for call in self.calls if call.method == "POST" and call.path == path]


def _handler(psp: LoopbackPsp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _any(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            call = Call(
                self.command,
                split.path,
                dict(parse_qsl(split.query)),
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length),
            )
            answer = psp._serve(call)
            if answer is None:
                self.close_connection = True
                return
            data = json.dumps(answer.body).encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in answer.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _any

    return Handler


@contextmanager
def running(psp: LoopbackPsp) -> Iterator[str]:
    """Serve ``psp`` on a free loopback port; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(psp))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
