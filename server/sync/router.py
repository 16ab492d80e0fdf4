"""HTTP routes of kiosk sync and of review items."""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from server.api.deps import Admin, ContainerDep, DeviceClaims, UowDep
from server.api.errors import PROBLEM_JSON
from server.api.params import Cursor, Limit, Offset
from server.api.stopping import Stopping
from server.api.threaded_route import ThreadedRoute, run_in_worker_thread
from server.sync import pull as pull_service
from server.sync import push as push_service
from server.sync import review
from server.sync import snapshot as snapshot_service
from server.sync.gzip import GzipRoute
from server.sync.kiosks import OutboxReport
from server.sync.registry import SyncRegistry
from server.sync.schemas import (
    KioskReviewResolve,
    ReviewItemPage,
    ReviewItemRead,
    ReviewItemResolve,
)
from shared.sync.messages import PullResponse, PushRequest, PushResponse
from shared.sync.snapshot import KioskSnapshot, SnapshotReviewItem


async def get_sync(request: Request) -> SyncRegistry:
    """What the domains plugged into sync, built by bootstrap with the container."""
    registry: SyncRegistry = request.app.state.container.sync
    return registry


SyncDep = Annotated[SyncRegistry, Depends(get_sync)]

router = APIRouter(prefix="/sync", route_class=ThreadedRoute, tags=["kiosk sync"])
push_router = APIRouter(prefix="/sync", tags=["kiosk sync"], route_class=GzipRoute)
review_router = APIRouter(prefix="/review-items", route_class=ThreadedRoute, tags=["review items"])

#: How often a waiting pull looks for new changes: well within the 1 s a kiosk may wait.
POLL_SECONDS = 0.2
_PROBLEM: dict[str, Any] = {"content": {PROBLEM_JSON: {}}}


@router.get("/snapshot", response_model=KioskSnapshot)
def snapshot(claims: DeviceClaims, container: ContainerDep, sync: SyncDep) -> KioskSnapshot:
    """Everything a kiosk needs about its location, for a first download or a reset, with
    the pull cursor it is consistent with."""
    return snapshot_service.snapshot(uow=container.uow(), registry=sync, claims=claims)


@push_router.post(
    "/push",
    response_model=PushResponse,
    responses={
        409: {"description": "A gap: carries `last_mutation_id`", **_PROBLEM},
        503: {"description": "Nothing applied; send the same batch again", **_PROBLEM},
    },
)
def push(cmd: PushRequest, claims: DeviceClaims, container: ContainerDep, sync: SyncDep) -> Any:
    """Apply a batch of the kiosk's outbox once, in order (the body may be gzip)."""
    return push_service.push(
        uow=container.uow(),
        registry=sync,
        eligibility=container.eligibility,
        payments=container.payments,
        claims=claims,
        cmd=cmd,
    )


@router.get(
    "/pull",
    response_model=PullResponse,
    responses={410: {"description": "Cursor too old: download a snapshot", **_PROBLEM}},
)
async def pull(
    request: Request,
    claims: DeviceClaims,
    container: ContainerDep,
    sync: SyncDep,
    cursor: Cursor = 0,
    limit: int = Query(pull_service.DEFAULT_PAGE, ge=1, le=pull_service.MAX_PAGE),
    wait: float = Query(0, ge=0, le=30, description="Seconds to wait for a change if none"),
    pending: int | None = Query(
        None, ge=0, le=10_000_000, description="Changes in the kiosk's outbox, not yet pushed"
    ),
    oldest_pending_s: float | None = Query(
        None, ge=0, le=10 * 365 * 86400, description="Age in seconds of the oldest of them"
    ),
) -> Any:
    """The location's changes after ``cursor``. With ``wait``, answers as soon as one exists
    (or at once, with what there is, when the server is stopping). A kiosk reports its
    outbox with each pull (``pending``, ``oldest_pending_s``): the console shows it."""
    report = None if pending is None else OutboxReport(pending, oldest_pending_s)
    stopping: Stopping = request.app.state.stopping
    deadline = time.monotonic() + wait
    while True:
        page = await run_in_worker_thread(
            lambda: pull_service.pull_page(
                uow=container.uow(),
                kiosks=sync.kiosks,
                claims=claims,
                cursor=cursor,
                limit=limit,
                tables=sync.tables,
                report=report,
            )
        )
        if page.count or time.monotonic() >= deadline or stopping.is_set():
            # Already a PullResponse's JSON: returned as it is, not validated again.
            return Response(content=page.body, media_type="application/json")
        while time.monotonic() < deadline:
            if await stopping.wait(min(POLL_SECONDS, max(0.0, deadline - time.monotonic()))):
                break
            found = await run_in_worker_thread(
                lambda: pull_service.has_changes_after(container.read_uow(), claims, cursor)
            )
            if found:
                break


@router.get("/review-items", response_model=list[SnapshotReviewItem])
def kiosk_review_items(
    claims: DeviceClaims, container: ContainerDep, sync: SyncDep
) -> list[SnapshotReviewItem]:
    """This kiosk's location's open review items."""
    return review.open_items_of_kiosk(uow=container.uow(), kiosks=sync.kiosks, claims=claims)


@router.post(
    "/review-items/{review_item_id}/resolve",
    response_model=SnapshotReviewItem,
    responses={
        404: {"description": "No such review item at this kiosk's location", **_PROBLEM},
        409: {"description": "Resolved already", **_PROBLEM},
    },
)
def kiosk_resolve_review_item(
    review_item_id: uuid.UUID,
    cmd: KioskReviewResolve,
    claims: DeviceClaims,
    container: ContainerDep,
    sync: SyncDep,
) -> SnapshotReviewItem:
    """Staff at the kiosk (their PIN checked there) resolve one of its location's items."""
    return review.resolve_for_kiosk(
        uow=container.uow(),
        kiosks=sync.kiosks,
        claims=claims,
        review_item_id=review_item_id,
        cmd=cmd,
    )


@review_router.get("", response_model=ReviewItemPage)
def list_review_items(
    claims: Admin,
    uow: UowDep,
    status: Literal["open", "resolved"] | None = None,
    location_id: uuid.UUID | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ReviewItemPage:
    """Newest first: what the server accepted from kiosks but a person should look at."""
    return review.list_review_items(
        uow=uow,
        claims=claims,
        status=status,
        location_id=location_id,
        limit=limit,
        offset=offset,
    )


@review_router.post("/{review_item_id}/resolve", response_model=ReviewItemRead)
def resolve_review_item(
    review_item_id: uuid.UUID, cmd: ReviewItemResolve, claims: Admin, uow: UowDep
) -> ReviewItemRead:
    return review.resolve_review_item(
        uow=uow, claims=claims, review_item_id=review_item_id, cmd=cmd
    )


routers = (router, push_router, review_router)
