"""All HTTP routes, gathered in one router."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from server import __version__
from server.api.deps import ContainerDep
from server.bookings.router import router as bookings_router
from server.checkin.router import router as checkin_router
from server.devices.router import router as devices_router
from server.errors import DatabaseUnavailable
from server.members.router import router as members_router
from server.passes.router import router as passes_router
from server.plans.router import router as plans_router
from server.scheduling.router import routers as scheduling_routers
from server.staff.router import router as staff_router
from server.sync.router import routers as sync_routers
from server.tenants.router import router as tenants_router


class Health(BaseModel):
    status: str
    database: str
    version: str


health_router = APIRouter(tags=["health"])


@health_router.get("/health", response_model=Health)
def health(container: ContainerDep) -> Health:
    """Liveness and database reachability, for load balancers and kiosks."""
    try:
        with container.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        raise DatabaseUnavailable("the database cannot be reached") from None
    return Health(status="ok", database="ok", version=__version__)


#: Every router, flat: each holds routes only (server.api.segment_routing indexes them).
ROUTERS: tuple[APIRouter, ...] = (
    health_router,
    tenants_router,
    staff_router,
    devices_router,
    members_router,
    plans_router,
    passes_router,
    checkin_router,
    *scheduling_routers,
    bookings_router,
    *sync_routers,
)
api_router = APIRouter()
for router in ROUTERS:
    api_router.include_router(router)
