"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
from fastapi import FastAPI

from server import __version__
from server.api.errors import install_error_handlers
from server.api.openapi_problems import install_problem_docs
from server.api.security_headers import SecurityHeaders, install_docs
from server.api.segment_routing import SegmentRouting, segment_apps
from server.api.stopping import Stopping
from server.bootstrap import Container, background_jobs, build_container
from server.config import Settings
from server.jobs import JobRunner
from server.routes import ROUTERS
from server.web import install_web


def create_app(settings: Settings | None = None, *, container: Container | None = None) -> FastAPI:
    container = container or build_container(settings or Settings())
    threads = container.settings.worker_threads

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Sync endpoints run on the loop's default executor (server.api.threaded_route),
        # FastAPI's own hand-offs (sync dependencies) on anyio's pool. More threads than
        # connections only queue on the pool, and many threads fight over the GIL.
        executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="zmos-worker")
        asyncio.get_running_loop().set_default_executor(executor)
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        jobs = JobRunner(background_jobs(container))
        _app.state.jobs = jobs
        jobs.start()
        stopping.start()
        try:
            yield
        finally:
            stopping.set()
            stopping.close()
            jobs.stop()

    otel = container.settings.opentelemetry
    telemetry: Any = {"tracing": otel, "metrics": otel, "logs": otel}
    app = FastAPI(
        lifespan=lifespan,
        telemetry=telemetry,
        title="ZMOS API",
        version=__version__,
        description="Zimasa MotionOS: tenants, locations, staff, kiosks and their sync. "
        "Errors are application/problem+json with a human-readable `detail`.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.container = container
    stopping = Stopping()
    app.state.stopping = stopping
    install_error_handlers(app)
    install_docs(app)
    for router in ROUTERS:
        app.include_router(router)
    install_problem_docs(app)
    install_web(app)
    apps = segment_apps(ROUTERS, app, install_error_handlers, telemetry=telemetry)
    app.add_middleware(SegmentRouting, apps=apps)
    # Around Starlette's own outermost layer, so that its 500 page gets them too.
    build_stack = app.build_middleware_stack
    targets = _form_targets(container.settings)
    app.build_middleware_stack = lambda: SecurityHeaders(build_stack(), form_targets=targets)  # type: ignore[method-assign]
    return app


def _form_targets(settings: Settings) -> tuple[str, ...]:
    """Origins the pages' forms may lead to: the identity provider's, when signing in with
    it is set up (its sign-in form redirects there)."""
    if not settings.oidc_enabled or not settings.oidc_issuer:
        return ()
    issuer = urlsplit(settings.oidc_issuer)
    return (f"{issuer.scheme}://{issuer.netloc}",)


def app_from_env() -> FastAPI:
    """Entry point for ``uvicorn --factory`` (used by ``zmos server`` with several workers)."""
    app = create_app(Settings())
    freeze_startup_objects()
    return app


def freeze_startup_objects() -> None:
    """Keep what start-up built (modules, the app, its routes and schemas: ~180,000 objects
    that live as long as the process) out of the cyclic garbage collector's passes.

    Under load, objects of requests in flight get promoted to the oldest generation fast
    enough to trigger a full collection every second or two, and each one scanned the whole
    heap: ~125 ms in which the worker answered nothing (p95 of a one-row read at 100
    connections went from ~95 to ~265 ms). Frozen, a full pass looks only at newer objects.
    Only for a serving process: frozen objects are never collected, which a test suite
    building many apps would feel."""
    gc.collect()
    gc.freeze()
