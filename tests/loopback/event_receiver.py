"""A webhook receiver on loopback: takes CloudEvents in structured mode
(``application/cloudevents+json``), verifies Standard Webhooks signatures with
``standardwebhooks.Webhook(secret).verify`` and records what it accepted, as a tenant's
endpoint would. Faults are injected per request by ``answer`` (status, delay, dropped
connection); ``stop()`` takes it down and ``start()`` brings it back on the same port."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    #: Many senders connect at once (two relays, several connections each).
    request_queue_size = 128


@dataclass(frozen=True)
class Answer:
    status: int = 204
    #: Seconds to wait before answering (a slow receiver; longer than the client's timeout
    #: is a timeout).
    delay: float = 0.0
    #: Close the connection without answering.
    drop: bool = False
    #: Keep the event although the answer says otherwise (the answer was lost: the sender
    #: will send it again, and the receiver must dedupe by id).
    keep: bool = False


@dataclass(frozen=True)
class Received:
    id: str
    type: str
    subject: str | None
    data: dict[str, Any]
    headers: dict[str, str]
    #: The secrets (by position in ``secrets``) whose signature verified.
    verified_by: tuple[int, ...]


@dataclass
class EventReceiver:
    secrets: list[str] = field(default_factory=list)
    #: Decides each request's answer (after the signature check), given its number.
    answer: Callable[[int, dict[str, Any]], Answer] = lambda _n, _event: Answer()
    accepted: list[Received] = field(default_factory=list)
    refused: int = 0
    bad_signatures: int = 0
    requests: int = 0
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/zmos"

    def ids(self) -> list[str]:
        with self._lock:
            return [r.id for r in self.accepted]

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                status, drop, delay = receiver._handle(body, dict(self.headers.items()))
                if delay:
                    time.sleep(delay)
                if drop:
                    self.close_connection = True
                    self.connection.close()
                    return
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

        server = _Server(("127.0.0.1", self.port), Handler)
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _verified(self, body: bytes, headers: dict[str, str]) -> tuple[int, ...]:
        ok = []
        for index, secret in enumerate(self.secrets):
            try:
                Webhook(secret).verify(body, headers)
                ok.append(index)
            except WebhookVerificationError:
                continue
        return tuple(ok)

    def _handle(self, body: bytes, headers: dict[str, str]) -> tuple[int, bool, float]:
        lowered = {k.lower(): v for k, v in headers.items()}
        with self._lock:
            self.requests += 1
            number = self.requests
        if lowered.get("content-type") != "application/cloudevents+json":
            return 415, False, 0.0
        verified = self._verified(body, lowered)
        if not verified:
            with self._lock:
                self.bad_signatures += 1
            return 401, False, 0.0
        event = json.loads(body)
        if event.get("id") != lowered.get("webhook-id") or event.get("specversion") != "1.0":
            return 400, False, 0.0
        answer = self.answer(number, event)
        if (answer.status >= 300 or answer.drop) and not answer.keep:
            with self._lock:
                self.refused += 1
            return answer.status, answer.drop, answer.delay
        with self._lock:
            self.accepted.append(
                Received(
                    id=event["id"],
                    type=event["type"],
                    subject=event.get("subject"),
                    data=event.get("data") or {},
                    headers=lowered,
                    verified_by=verified,
                )
            )
        return answer.status, answer.drop, answer.delay


@contextmanager
def event_receiver(
    secrets: list[str] | None = None,
    answer: Callable[[int, dict[str, Any]], Answer] | None = None,
) -> Iterator[EventReceiver]:
    receiver = EventReceiver(secrets=list(secrets or []))
    if answer is not None:
        receiver.answer = answer
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()


def main() -> None:
    """``python -m tests.loopback.event_receiver PORT SECRET``: a receiver in its own process
    for benchmarks, on uvicorn (httptools, uvloop) rather than ``http.server``: it checks
    each request as the threaded one does (CloudEvents structured mode, the Standard Webhooks
    signature, ``webhook-id`` = the event's id) and keeps only the ids. ``GET /stats``
    answers how many events it accepted, and how many distinct ids."""
    import sys

    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    port, secret = int(sys.argv[1]), sys.argv[2]
    webhook = Webhook(secret)
    counted = {"accepted": 0, "refused": 0}
    ids: set[str] = set()

    async def hooks(request: Request) -> Response:
        body = await request.body()
        headers = dict(request.headers)
        if headers.get("content-type") != "application/cloudevents+json":
            return Response(status_code=415)
        try:
            event = webhook.verify(body, headers)
        except WebhookVerificationError:
            counted["refused"] += 1
            return Response(status_code=401)
        if event.get("id") != headers.get("webhook-id") or event.get("specversion") != "1.0":
            return Response(status_code=400)
        counted["accepted"] += 1
        ids.add(event["id"])
        return Response(status_code=204)

    async def stats(_request: Request) -> Response:
        return JSONResponse({**counted, "distinct": len(ids)})

    app = Starlette(routes=[Route("/hooks", hooks, methods=["POST"]), Route("/stats", stats)])
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        loop="uvloop",
        http="httptools",
    )
    server = uvicorn.Server(config)

    async def serve() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.01)
        print("ready", flush=True)
        await task

    import asyncio

    asyncio.run(serve())


if __name__ == "__main__":
    main()
