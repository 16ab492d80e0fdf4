"""Request bodies sent with ``Content-Encoding: gzip`` (a kiosk's push batches)."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response

from server.api.threaded_route import ThreadedRoute
from server.errors import DomainError, PayloadTooLarge

#: Largest body after decompression: 500 mutations of a few hundred bytes, with room to spare.
MAX_BODY_BYTES = 16 * 1024 * 1024


class BadEncoding(DomainError):
    status = 400
    code = "bad_encoding"
    title = "Unreadable body"


def gunzip(data: bytes, limit: int = MAX_BODY_BYTES) -> bytes:
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        body = decompressor.decompress(data, limit + 1)
    except zlib.error:
        raise BadEncoding("the body says Content-Encoding: gzip but is not valid gzip") from None
    if len(body) > limit:
        raise PayloadTooLarge(f"the decompressed body is larger than {limit} bytes")
    if not decompressor.eof:
        raise BadEncoding("the gzip body is truncated")
    return body


class GzipRequest(Request):
    async def body(self) -> bytes:
        if not hasattr(self, "_body"):
            raw = await super().body()
            encoding = self.headers.get("content-encoding", "").strip().lower()
            if encoding == "gzip":
                raw = gunzip(raw)
            elif encoding not in ("", "identity"):
                raise BadEncoding(f"Content-Encoding {encoding!r} is not supported; use gzip")
            self._body = raw
        return self._body


class GzipRoute(ThreadedRoute):
    """A route whose handler reads gzip-encoded bodies as if they were plain."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def gzip_handler(request: Request) -> Response:
            return await handler(GzipRequest(request.scope, request.receive))

        return gzip_handler
