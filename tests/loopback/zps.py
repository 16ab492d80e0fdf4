"""A ZPS on loopback that follows docs/zhep/zps.openapi.yaml, with faults to inject.

Every request it receives and every answer it gives is checked against the contract: a
test asserts ``server.violations == []`` to prove the adapter asks as documented and the
server answers as documented.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.loopback import zps_contract as contract


@dataclass
class Benefit:
    eligible: bool = True
    reason: str = "covered by employer wellness benefit"
    benefit_id: str | None = "ben-1"
    wallet_balance: str | None = None
    visits_left: int | None = None
    valid_for: timedelta = timedelta(hours=24)


@dataclass
class Faults:
    #: Added to every answer.
    latency: float = 0.0
    #: Set: every answer waits until it is set (up to 10 s), so that a test can act while
    #: ZPS is answering.
    hold: threading.Event | None = None
    #: Every answer is this status (a problem+json), e.g. 500 or 503.
    status: int | None = None
    #: Answer 200 with a body that is not the contract's.
    malformed: bool = False
    #: The next n utilisation reports are recorded, then answered 503 (the answer is lost).
    lose_utilisation_answers: int = 0
    #: The next n utilisation reports answer 503 without recording.
    fail_utilisations: int = 0


@dataclass
class ZpsState:
    api_key: str = "zps-test-key"
    benefits: dict[str, Benefit] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    #: Idempotency key -> (receipt id, body): what was recorded.
    utilisations: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    #: (method, path, headers, body) of every request.
    requests: list[tuple[str, str, dict[str, str], Any]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def result(self, check: dict[str, Any]) -> dict[str, Any]:
        now = datetime.now(UTC)
        benefit = self.benefits.get(check["party_id"])
        if benefit is None:
            return {
                "party_id": check["party_id"],
                "eligible": False,
                "reason": "no benefit for this party",
                "benefit_id": None,
                "valid_until": (now + timedelta(hours=1)).isoformat(),
                "checked_at": now.isoformat(),
            }
        return {
            "party_id": check["party_id"],
            "eligible": benefit.eligible,
            "reason": benefit.reason,
            "benefit_id": benefit.benefit_id,
            "wallet_balance": benefit.wallet_balance,
            "currency": "GHS" if benefit.wallet_balance is not None else None,
            "visits_left": benefit.visits_left,
            "valid_until": (now + benefit.valid_for).isoformat(),
            "checked_at": now.isoformat(),
        }


def _problem(status: int, title: str, detail: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes: without this, Nagle's algorithm holds the
    # body until the client's delayed ACK (40 ms on Linux), which no real server adds.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _answer(self, path: str, status: int, body: Any, *, check: bool = True) -> None:
        state = self.server.state
        if check:
            for problem in contract.problems_of(body, contract.response_schema(path, status)):
                state.violations.append(f"answer {path} {status}: {problem}")
        raw = json.dumps(body).encode()
        self.send_response(status)
        kind = "application/json" if status < 400 else "application/problem+json"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self) -> None:
        state = self.server.state
        path = self.path.removeprefix("/v1")
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        with state.lock:
            state.requests.append(("POST", path, dict(self.headers.items()), body))
        faults = state.faults
        if faults.latency:
            time.sleep(faults.latency)
        if faults.hold is not None:
            faults.hold.wait(10)
        if path not in contract.document()["paths"]:
            self._answer("/eligibility/check", 404, _problem(404, "Not Found", path), check=False)
            return
        if self.headers.get("Authorization") != f"Bearer {state.api_key}":
            self._answer(path, 401, _problem(401, "Unauthorized", "bad service token"))
            return
        problems = contract.problems_of(body, contract.request_schema(path))
        problems += [
            f"header {name} is missing"
            for name in contract.required_headers(path)
            if not self.headers.get(name)
        ]
        if problems:
            state.violations += [f"request {path}: {p}" for p in problems]
            self._answer(path, 400, _problem(400, "Bad Request", "; ".join(problems)))
            return
        if faults.status is not None:
            self._answer(path, faults.status, _problem(faults.status, "Unavailable", "fault"))
            return
        if faults.malformed:
            self._answer(path, 200, {"eligible": "maybe"}, check=False)
            return
        self._route(path, body)

    def _route(self, path: str, body: dict[str, Any]) -> None:
        state = self.server.state
        if path == "/eligibility/check":
            self._answer(path, 200, state.result(body))
        elif path == "/eligibility/batch":
            self._answer(path, 200, {"results": [state.result(c) for c in body["checks"]]})
        else:
            self._utilisation(path, body)

    def _utilisation(self, path: str, body: dict[str, Any]) -> None:
        state, faults = self.server.state, self.server.state.faults
        key = self.headers["Idempotency-Key"]
        with state.lock:
            if faults.fail_utilisations > 0:
                faults.fail_utilisations -= 1
                self._answer(path, 503, _problem(503, "Unavailable", "try again"))
                return
            known = state.utilisations.get(key)
            if known is None:
                state.utilisations[key] = (str(uuid.uuid4()), body)
            lost = faults.lose_utilisation_answers > 0
            if lost:
                faults.lose_utilisation_answers -= 1
        if lost:
            self._answer(path, 503, _problem(503, "Unavailable", "answer lost"))
            return
        receipt = {"utilisation_id": state.utilisations[key][0], "duplicate": known is not None}
        self._answer(path, 200 if known else 201, receipt)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: ZpsState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up on a slow answer (a timeout fault) is expected."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class RunningZps:
    url: str
    state: ZpsState

    @property
    def violations(self) -> list[str]:
        return self.state.violations

    def requests_to(self, path: str) -> list[tuple[str, str, dict[str, str], Any]]:
        return [r for r in self.state.requests if r[1] == path]


@contextmanager
def running_zps(state: ZpsState | None = None) -> Iterator[RunningZps]:
    server = _Server(state or ZpsState())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield RunningZps(f"http://{host!s}:{port}/v1", server.state)
    finally:
        server.shutdown()
        server.server_close()
