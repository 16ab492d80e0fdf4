"""HTTP routes of tenants' webhook subscriptions (owners and managers). Thin: the service
decides."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from server.api.deps import Admin, ContainerDep, UowDep
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.outbox import service
from server.outbox.schemas import (
    DeliveryPage,
    DeliveryState,
    ReplayRead,
    ReplayRequest,
    SecretRotate,
    SubscriptionCreate,
    SubscriptionPage,
    SubscriptionRead,
    SubscriptionSecret,
    SubscriptionUpdate,
)

router = APIRouter(route_class=ThreadedRoute, tags=["webhooks"])
_ONE = "/webhooks/subscriptions/{subscription_id}"


@router.get("/webhooks/subscriptions", response_model=SubscriptionPage)
def list_subscriptions(
    claims: Admin, uow: UowDep, limit: Limit = 50, offset: Offset = 0
) -> SubscriptionPage:
    """The tenant's webhook subscriptions, oldest first."""
    return service.list_subscriptions(uow=uow, claims=claims, limit=limit, offset=offset)


@router.post(
    "/webhooks/subscriptions",
    response_model=SubscriptionSecret,
    status_code=status.HTTP_201_CREATED,
)
def create_subscription(
    cmd: SubscriptionCreate, claims: Admin, container: ContainerDep
) -> SubscriptionSecret:
    """Events as CloudEvents POSTed to the URL, one per request (``content_mode:
    structured``) or in batches (``batch``), signed as Standard Webhooks. The signing secret
    is in this answer only."""
    return service.create_subscription(
        uow=container.uow(), claims=claims, sealer=container.sealer, cmd=cmd
    )


@router.get(_ONE, response_model=SubscriptionRead)
def get_subscription(subscription_id: uuid.UUID, claims: Admin, uow: UowDep) -> SubscriptionRead:
    return service.get_subscription(uow=uow, claims=claims, subscription_id=subscription_id)


@router.patch(_ONE, response_model=SubscriptionRead)
def update_subscription(
    subscription_id: uuid.UUID, cmd: SubscriptionUpdate, claims: Admin, uow: UowDep
) -> SubscriptionRead:
    """Only the fields sent change; ``active: false`` pauses delivery (events wait)."""
    return service.update_subscription(
        uow=uow, claims=claims, subscription_id=subscription_id, cmd=cmd
    )


@router.delete(_ONE, status_code=status.HTTP_204_NO_CONTENT)
def delete_subscription(subscription_id: uuid.UUID, claims: Admin, uow: UowDep) -> None:
    """Nothing more is sent to it; its delivery history goes with it."""
    service.delete_subscription(uow=uow, claims=claims, subscription_id=subscription_id)


@router.post(f"{_ONE}/rotate-secret", response_model=SubscriptionSecret)
def rotate_secret(
    subscription_id: uuid.UUID, cmd: SecretRotate, claims: Admin, container: ContainerDep
) -> SubscriptionSecret:
    """A new secret; the old one keeps signing beside it for ``grace_hours``."""
    return service.rotate_secret(
        uow=container.uow(),
        claims=claims,
        sealer=container.sealer,
        subscription_id=subscription_id,
        cmd=cmd,
    )


@router.get(f"{_ONE}/deliveries", response_model=DeliveryPage)
def list_deliveries(
    subscription_id: uuid.UUID,
    claims: Admin,
    uow: UowDep,
    state: Annotated[DeliveryState | None, Query(description="dead: the dead letters")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> DeliveryPage:
    """Deliveries to the subscription, newest event first."""
    return service.list_deliveries(
        uow=uow,
        claims=claims,
        subscription_id=subscription_id,
        state=state,
        limit=limit,
        offset=offset,
    )


@router.post(f"{_ONE}/replay", response_model=ReplayRead)
def replay(
    subscription_id: uuid.UUID, cmd: ReplayRequest, claims: Admin, uow: UowDep
) -> ReplayRead:
    """Send again the events recorded since ``since`` (dead letters included)."""
    return service.replay(uow=uow, claims=claims, subscription_id=subscription_id, cmd=cmd)
