"""A lean one-shot HTTP/1.1 load generator: N requests released at the same instant.

wrk measures sustained load; a burst needs every request in flight at once and each answer
kept. httpx spends ~1.2 ms of CPU per request, so 500 of them took half a core of the
2-core machine away from the server being measured. Here each request has its own
keep-alive connection, opened (and proven by a ``GET /health``) before the burst, and its
bytes are encoded beforehand with h11; at the start only ``write`` and the parse of the
answer remain (~0.1 ms).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass

import h11


@dataclass(frozen=True)
class Call:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes = b""

    @classmethod
    def post_json(cls, target: str, headers: dict[str, str], payload: object) -> Call:
        return cls(
            "POST",
            target,
            {**headers, "Content-Type": "application/json"},
            json.dumps(payload).encode(),
        )


@dataclass(frozen=True)
class Answer:
    status: int
    ms: float
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)


class _Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.protocol = h11.Connection(our_role=h11.CLIENT)

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def encode(self, call: Call) -> bytes:
        headers = [("Host", f"{self.host}:{self.port}"), *call.headers.items()]
        headers.append(("Content-Length", str(len(call.body))))
        data = self.protocol.send(
            h11.Request(method=call.method, target=call.target, headers=headers)
        )
        if call.body:
            data = (data or b"") + (self.protocol.send(h11.Data(data=call.body)) or b"")
        return (data or b"") + (self.protocol.send(h11.EndOfMessage()) or b"")

    async def exchange(self, data: bytes) -> tuple[int, bytes]:
        self.writer.write(data)
        status, chunks = 0, []
        while True:
            event = self.protocol.next_event()
            if event is h11.NEED_DATA:
                self.protocol.receive_data(await self.reader.read(65536))
            elif isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                self.protocol.start_next_cycle()
                return status, b"".join(chunks)
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionError("the server closed the connection before answering")

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


async def burst(
    host: str, port: int, calls: list[Call], *, timeout_s: float = 60.0
) -> list[Answer]:
    """Open one connection per call, then send every call at once; answers in call order.

    ``ms`` runs from the burst's start (every call released at once) to the end of the
    call's answer, so it counts any wait for the calls written before it too."""
    connections = [_Connection(host, port) for _ in calls]
    try:
        await asyncio.gather(*(c.open() for c in connections))
        health = Call("GET", "/health", {})
        for status, _ in await asyncio.gather(*(c.exchange(c.encode(health)) for c in connections)):
            if status != 200:
                raise RuntimeError(f"GET /health answered {status} before the burst")
        prepared = [c.encode(call) for c, call in zip(connections, calls, strict=True)]
        start = asyncio.Event()
        began = 0.0

        async def one(connection: _Connection, data: bytes) -> Answer:
            await start.wait()
            status, body = await connection.exchange(data)
            return Answer(status, (time.perf_counter() - began) * 1000, body)

        tasks = [
            asyncio.create_task(one(c, data)) for c, data in zip(connections, prepared, strict=True)
        ]
        await asyncio.sleep(0.05)  # every task is waiting on the event
        began = time.perf_counter()
        start.set()
        return await asyncio.wait_for(asyncio.gather(*tasks), timeout_s)
    finally:
        await asyncio.gather(*(c.close() for c in connections), return_exceptions=True)
