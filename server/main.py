"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI

from server import __version__
from server.api.errors import install_error_handlers
from server.api.router import api_router
from server.bootstrap import Container, build_container
from server.config import Settings


def create_app(settings: Settings | None = None, *, container: Container | None = None) -> FastAPI:
    container = container or build_container(settings or Settings())
    app = FastAPI(
        title="ZMOS API",
        version=__version__,
        description="Zimasa MotionOS: tenants, locations, staff, kiosks and their sync. "
        "Errors are application/problem+json with a human-readable `detail`.",
    )
    app.state.container = container
    install_error_handlers(app)
    app.include_router(api_router)
    return app


def app_from_env() -> FastAPI:
    """Entry point for ``uvicorn --factory`` (used by ``zmos server`` with several workers)."""
    return create_app(Settings())
