"""Liveness and database reachability."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from server import __version__
from server.api.deps import ContainerDep
from server.api.threaded_route import ThreadedRoute
from server.errors import DatabaseUnavailable


class Health(BaseModel):
    status: str
    database: str
    version: str


router = APIRouter(route_class=ThreadedRoute, tags=["health"])


@router.get("/health", response_model=Health)
def health(container: ContainerDep) -> Health:
    """Liveness and database reachability, for load balancers and kiosks."""
    try:
        with container.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        raise DatabaseUnavailable("the database cannot be reached") from None
    return Health(status="ok", database="ok", version=__version__)
