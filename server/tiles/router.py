"""HTTP routes of Movement Tiles: staff keep the library (owners and managers write, every
staff role reads); members list the active Tiles and complete them."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, Response, status

from server.api.deps import Admin, AnyStaff, ContainerDep, UowDep
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.members.deps import MemberClaims
from server.tiles import service
from server.tiles.schemas import (
    CompletionCreate,
    CompletionRead,
    MyTiles,
    StarterLoaded,
    TileCreate,
    TilePage,
    TileRead,
    TileUpdate,
)

router = APIRouter(route_class=ThreadedRoute, tags=["tiles"])


# Members' routes first: the OpenAPI document (and the walks over it) lists them before
# the archive that would take the Tile away from them.
@router.get("/me/tiles", response_model=MyTiles)
def my_tiles(claims: MemberClaims, uow: UowDep, limit: Limit = 50, offset: Offset = 0) -> MyTiles:
    """The active Tiles by title, and the member's completions on their local today."""
    return service.my_tiles(uow=uow, claims=claims, limit=limit, offset=offset)


@router.get("/me/tiles/{tile_id}", response_model=TileRead)
def my_tile(tile_id: uuid.UUID, claims: MemberClaims, uow: UowDep) -> TileRead:
    """An active Tile with its steps."""
    return service.my_tile(uow=uow, claims=claims, tile_id=tile_id)


@router.post(
    "/me/tiles/{tile_id}/completions",
    response_model=CompletionRead,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": CompletionRead, "description": "Known id: the first completion"}},
)
def complete_tile(
    tile_id: uuid.UUID,
    cmd: CompletionCreate,
    claims: MemberClaims,
    container: ContainerDep,
    response: Response,
) -> CompletionRead:
    """Done: a self-reported movement event with the Tile's minutes and intensity.
    Idempotent by the app's ``id``. At most 3 completions count per local day (the
    member's zone, from the tenant's day-start hour): a 4th is a 409, as is an archived
    Tile."""
    done = service.complete_tile(
        uow=container.uow(),
        claims=claims,
        tile_id=tile_id,
        completion_id=cmd.id,
    )
    response.status_code = status.HTTP_201_CREATED if done.created else status.HTTP_200_OK
    return done.completion


@router.get("/tiles", response_model=TilePage)
def list_tiles(
    claims: AnyStaff,
    uow: UowDep,
    include_archived: bool = Query(False, description="Archived Tiles too"),
    limit: Limit = 50,
    offset: Offset = 0,
) -> TilePage:
    """The tenant's Tile library by title."""
    return service.list_tiles(
        uow=uow, claims=claims, include_archived=include_archived, limit=limit, offset=offset
    )


@router.post("/tiles", response_model=TileRead, status_code=status.HTTP_201_CREATED)
def create_tile(cmd: TileCreate, claims: Admin, uow: UowDep) -> TileRead:
    """A new Tile: 5–10 minutes, steps in order, an https video link if any."""
    return service.create_tile(uow=uow, claims=claims, cmd=cmd)


@router.post("/tiles/starter", response_model=StarterLoaded)
def load_starter(claims: Admin, uow: UowDep) -> StarterLoaded:
    """Add the starter library's Tiles the tenant lacks; loading again adds nothing."""
    return service.load_starter(uow=uow, claims=claims)


@router.get("/tiles/{tile_id}", response_model=TileRead)
def get_tile(tile_id: uuid.UUID, claims: AnyStaff, uow: UowDep) -> TileRead:
    return service.get_tile(uow=uow, claims=claims, tile_id=tile_id)


@router.patch("/tiles/{tile_id}", response_model=TileRead)
def update_tile(tile_id: uuid.UUID, cmd: TileUpdate, claims: Admin, uow: UowDep) -> TileRead:
    """Change the fields sent; completions already recorded keep their minutes."""
    return service.update_tile(uow=uow, claims=claims, tile_id=tile_id, cmd=cmd)


@router.post("/tiles/{tile_id}/archive", response_model=TileRead)
def archive_tile(tile_id: uuid.UUID, claims: Admin, uow: UowDep) -> TileRead:
    """Members no longer see or complete it; its completions stay in the ledger."""
    return service.archive_tile(uow=uow, claims=claims, tile_id=tile_id)
