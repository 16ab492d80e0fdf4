"""HTTP routes of PSP accounts, cards on file, webhooks, verification and reconciliation."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from server.api.deps import Admin, ContainerDep, Owner
from server.api.threaded_route import ThreadedRoute
from server.errors import NotFound
from server.payments import reconcile as reconciliation
from server.payments import service
from server.payments.schemas import (
    CardOnFileRead,
    CardOnFileSet,
    PaymentAccountRead,
    PaymentAccountSet,
    ReconciliationRead,
    SettlementRead,
    WebhookAck,
)
from server.ports.payments import PaymentAccounts, PaymentGateway
from shared.clock import utcnow
from shared.enums import PaymentProvider

router = APIRouter(prefix="/payments", route_class=ThreadedRoute, tags=["payments"])


async def get_accounts(request: Request) -> PaymentAccounts:
    accounts: PaymentAccounts = request.app.state.container.payment_accounts
    return accounts


async def get_gateways(request: Request) -> Mapping[str, PaymentGateway]:
    gateways: Mapping[str, PaymentGateway] = request.app.state.container.payment_gateways
    return gateways


AccountsDep = Annotated[PaymentAccounts, Depends(get_accounts)]
GatewaysDep = Annotated[Mapping[str, PaymentGateway], Depends(get_gateways)]


def _gateway(gateways: Mapping[str, PaymentGateway], provider: PaymentProvider) -> PaymentGateway:
    gateway = gateways.get(provider.value)
    if gateway is None:
        raise NotFound(f"{provider.value} payments are not enabled on this server")
    return gateway


@router.put("/accounts/{provider}", response_model=PaymentAccountRead)
def set_account(
    provider: PaymentProvider, cmd: PaymentAccountSet, claims: Owner, container: ContainerDep
) -> Any:
    """Set the tenant's own PSP keys (owner only; sealed at rest, never shown again)."""
    return service.set_account(
        uow=container.uow(), sealer=container.sealer, claims=claims, provider=provider, cmd=cmd
    )


@router.get("/accounts/{provider}", response_model=PaymentAccountRead)
def get_account(provider: PaymentProvider, claims: Owner, container: ContainerDep) -> Any:
    return service.get_account(uow=container.uow(), claims=claims, provider=provider)


@router.put("/cards/{member_id}", response_model=CardOnFileRead)
def set_card(
    member_id: uuid.UUID, cmd: CardOnFileSet, claims: Admin, container: ContainerDep
) -> Any:
    """A member's Stripe customer and card, for renewals and sales by card on file."""
    return service.set_card(uow=container.uow(), claims=claims, member_id=member_id, cmd=cmd)


@router.post("/sales/{sale_id}/verify", response_model=SettlementRead)
def verify_sale(
    sale_id: uuid.UUID,
    claims: Admin,
    container: ContainerDep,
    accounts: AccountsDep,
    gateways: GatewaysDep,
) -> Any:
    """Ask the PSP where a pending payment stands, and settle the sale accordingly."""
    return service.verify_sale(
        uow=container.uow(),
        accounts=accounts,
        gateways=gateways,
        claims=claims,
        sale_id=sale_id,
    )


@router.get("/reconciliation", response_model=ReconciliationRead)
def reconcile(
    provider: PaymentProvider,
    start: date,
    claims: Admin,
    container: ContainerDep,
    accounts: AccountsDep,
    gateways: GatewaysDep,
    end: date | None = None,
) -> Any:
    """Our sales against the PSP's records, UTC days ``start`` to ``end`` (inclusive)."""
    return reconciliation.reconcile(
        uow=container.uow(),
        accounts=accounts,
        gateway=_gateway(gateways, provider),
        tenant_id=claims.tenant_id,
        start=start,
        end=end or start,
    )


async def raw_body(request: Request) -> bytes:
    """The webhook's bytes as sent: its signature is over exactly these."""
    return await request.body()


@router.post("/webhooks/{provider}/{tenant_slug}", response_model=WebhookAck)
def webhook(
    provider: PaymentProvider,
    tenant_slug: Annotated[str, Path(max_length=63)],
    body: Annotated[bytes, Depends(raw_body)],
    request: Request,
    container: ContainerDep,
    accounts: AccountsDep,
    gateways: GatewaysDep,
) -> Any:
    """A PSP's webhook for one tenant, verified with that tenant's secret; processed once."""
    return service.receive_webhook(
        uow=container.uow(),
        accounts=accounts,
        gateway=gateways.get(provider.value),
        tenant_slug=tenant_slug,
        headers=request.headers,
        body=body,
        now=utcnow(),
    )
