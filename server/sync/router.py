"""HTTP routes of kiosk sync."""

from __future__ import annotations

from fastapi import APIRouter

from server.api.deps import DeviceClaims, UowDep
from server.sync import service
from shared.sync.snapshot import KioskSnapshot

router = APIRouter(prefix="/sync", tags=["kiosk sync"])


@router.get("/snapshot", response_model=KioskSnapshot)
def snapshot(claims: DeviceClaims, uow: UowDep) -> KioskSnapshot:
    """Everything a kiosk needs about its location, for a first download or a reset."""
    return service.snapshot(uow=uow, claims=claims)
