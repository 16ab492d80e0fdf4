"""A webhook receiver on loopback: takes CloudEvents in structured mode
(``application/cloudevents+json``, one event per request) and in batched mode
(``application/cloudevents-batch+json``, a JSON array of events), verifies Standard Webhooks
signatures with ``standardwebhooks.Webhook(secret).verify`` over the body and records what it
accepted, as a tenant's endpoint would. Faults are injected per request by ``answer``
(status, delay, dropped connection): a refused batch records none of its events (unless
``keep``). ``stop()`` takes it down and ``start()`` brings it back on the same port."""

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

STRUCTURED = "application/cloudevents+json"
BATCH = "application/cloudevents-batch+json"


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


@dataclass(frozen=True)
class Request:
    """A request whose signature verified, whatever the answer: its ``webhook-id``, the ids
    of the events it carried, its content type and the status it was answered."""

    webhook_id: str
    ids: tuple[str, ...]
    content_type: str
    status: int


def _checked(body: bytes, content_type: str, webhook_id: str | None) -> list[Any] | None:
    """The events of a request, or None if it is not a well-formed one: a structured event
    whose id is the ``webhook-id``, or a non-empty array of events."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    if content_type == STRUCTURED:
        if not isinstance(parsed, dict) or parsed.get("id") != webhook_id:
            return None
        parsed = [parsed]
    if not isinstance(parsed, list) or not parsed:
        return None
    for event in parsed:
        if not isinstance(event, dict) or event.get("specversion") != "1.0" or not event.get("id"):
            return None
    return parsed


@dataclass
class EventReceiver:
    secrets: list[str] = field(default_factory=list)
    #: Decides each request's answer (after the signature check), given its number and its
    #: event (a batch: ``{"batch": [events]}``).
    answer: Callable[[int, dict[str, Any]], Answer] = lambda _n, _event: Answer()
    accepted: list[Received] = field(default_factory=list)
    #: Every request whose signature verified, in the order they came.
    log: list[Request] = field(default_factory=list)
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
        content_type = lowered.get("content-type", "")
        if content_type not in (STRUCTURED, BATCH):
            return 415, False, 0.0
        verified = self._verified(body, lowered)
        if not verified:
            with self._lock:
                self.bad_signatures += 1
            return 401, False, 0.0
        events = _checked(body, content_type, lowered.get("webhook-id"))
        if events is None:
            return 400, False, 0.0
        answer = self.answer(number, events[0] if content_type == STRUCTURED else {"batch": events})
        refused = (answer.status >= 300 or answer.drop) and not answer.keep
        with self._lock:
            self.log.append(
                Request(
                    lowered.get("webhook-id", ""),
                    tuple(e["id"] for e in events),
                    content_type,
                    0 if answer.drop else answer.status,
                )
            )
            if refused:
                self.refused += 1
                return answer.status, answer.drop, answer.delay
            self.accepted += [
                Received(
                    id=event["id"],
                    type=event["type"],
                    subject=event.get("subject"),
                    data=event.get("data") or {},
                    headers=lowered,
                    verified_by=verified,
                )
                for event in events
            ]
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
    each request as the threaded one does (CloudEvents structured or batched mode, the
    Standard Webhooks signature, ``webhook-id`` = the event's id in structured mode) and keeps
    only the ids. ``GET /stats`` answers how many events it accepted, how many distinct ids,
    and how many requests it took."""
    import sys

    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request as StarletteRequest
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    port, secret = int(sys.argv[1]), sys.argv[2]
    webhook = Webhook(secret)
    counted = {"accepted": 0, "refused": 0, "requests": 0}
    ids: set[str] = set()

    async def hooks(request: StarletteRequest) -> Response:
        body = await request.body()
        headers = dict(request.headers)
        content_type = headers.get("content-type", "")
        if content_type not in (STRUCTURED, BATCH):
            return Response(status_code=415)
        try:
            webhook.verify(body, headers)
        except WebhookVerificationError:
            counted["refused"] += 1
            return Response(status_code=401)
        events = _checked(body, content_type, headers.get("webhook-id"))
        if events is None:
            return Response(status_code=400)
        counted["requests"] += 1
        counted["accepted"] += len(events)
        ids.update(e["id"] for e in events)
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
