"""Route requests by their first path segment before FastAPI's router sees them.

FastAPI tries an app's routes one after another, and with included routers each candidate
costs several microseconds of bookkeeping: on this API a request for a route near the end of
the list spent ~0.45 ms (half its time) just finding it. Here every first segment
(``/sessions``, ``/sync``, ``/me`` …) gets a small FastAPI app holding only that segment's
routes, sharing the main app's state and error handlers; a middleware sends each request
straight to it. The main app keeps every route, so ``/openapi.json`` and ``/docs`` are
unchanged, and anything not indexed (the docs themselves) goes to it as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Receive, Scope, Send


def first_segment(path: str) -> str:
    return path.split("/", 2)[1] if path.startswith("/") else ""


def segment_apps(
    routers: Iterable[APIRouter],
    main: FastAPI,
    prepare: Callable[[FastAPI], None],
    **options: Any,
) -> dict[str, FastAPI]:
    """One app per first path segment with that segment's routes, in their original order."""
    by_segment: dict[str, list[APIRoute]] = {}
    for router in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                raise TypeError(f"{route!r}: include its router in the list, not in a router")
            by_segment.setdefault(first_segment(route.path), []).append(route)
    apps: dict[str, FastAPI] = {}
    for segment, routes in by_segment.items():
        app = FastAPI(
            routes=list(routes), openapi_url=None, docs_url=None, redoc_url=None, **options
        )
        app.state = main.state
        prepare(app)
        apps[segment] = app
    return apps


class SegmentRouting:
    """ASGI middleware of the main app: HTTP requests go to their segment's app."""

    def __init__(self, app: ASGIApp, apps: dict[str, Any]) -> None:
        self.app, self.apps = app, apps

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            target = self.apps.get(first_segment(scope["path"]))
            if target is not None:
                await target(scope, receive, send)
                return
        await self.app(scope, receive, send)
