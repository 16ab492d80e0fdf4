"""PSP use cases: a tenant's keys (owner only), members' cards on file, webhooks processed
exactly once, and verifying a pending payment with the PSP."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from server.db.sealed import FieldSealer
from server.db.uow import UnitOfWork
from server.errors import Conflict, DomainError, InvalidInput, NotFound
from server.payments import repository, settlement
from server.payments.models import PaymentAccount, PaymentCard, PaymentWebhookEvent
from server.payments.schemas import (
    CardOnFileRead,
    CardOnFileSet,
    PaymentAccountRead,
    PaymentAccountSet,
    SettlementRead,
    WebhookAck,
)
from server.plans import ledger
from server.plans.models import Sale
from server.plans.repository import member_or_404
from server.ports.identity import AccessClaims
from server.ports.payments import (
    PaymentAccounts,
    PaymentEvent,
    PaymentGateway,
    ProviderUnavailable,
    WebhookRejected,
)
from server.tenants.models import Tenant
from server.tenants.repository import tenant_by_slug
from shared.clock import utcnow
from shared.enums import PaymentProvider, PaymentStatus

log = logging.getLogger(__name__)


class ProviderDown(DomainError):
    status = 502
    code = "provider_unavailable"
    title = "Payment provider unavailable"


class BadSignature(DomainError):
    status = 400
    code = "bad_signature"
    title = "Webhook not verified"


def webhook_path(slug: str, provider: PaymentProvider) -> str:
    return f"/payments/webhooks/{provider.value}/{slug}"


def _account_read(uow: UnitOfWork, row: PaymentAccount) -> PaymentAccountRead:
    provider = PaymentProvider(row.provider)
    tenant = uow.db.get(Tenant, row.tenant_id)
    assert tenant is not None
    return PaymentAccountRead(
        provider=provider,
        key_hint=row.key_hint,
        has_webhook_secret=row.sealed_webhook_secret is not None,
        webhook_path=webhook_path(tenant.slug, provider),
        updated_at=row.updated_at,
    )


def set_account(
    *,
    uow: UnitOfWork,
    sealer: FieldSealer,
    claims: AccessClaims,
    provider: PaymentProvider,
    cmd: PaymentAccountSet,
) -> PaymentAccountRead:
    if provider is PaymentProvider.STRIPE and cmd.webhook_secret is None:
        raise InvalidInput("Stripe needs the webhook endpoint's signing secret (whsec_...)")
    if provider is PaymentProvider.PAYSTACK and cmd.webhook_secret is not None:
        raise InvalidInput("Paystack signs its webhooks with the secret key: no webhook_secret")
    tenant_id = claims.tenant_id
    with uow:
        row = repository.account(uow.db, tenant_id, provider.value)
        if row is None:
            row = PaymentAccount(tenant_id=tenant_id, provider=provider.value)
            uow.db.add(row)
        row.sealed_secret_key = sealer.seal(
            cmd.secret_key.encode(),
            context=repository.secret_context(tenant_id, provider.value, "secret"),
        )
        row.sealed_webhook_secret = (
            sealer.seal(
                cmd.webhook_secret.encode(),
                context=repository.secret_context(tenant_id, provider.value, "webhook"),
            )
            if cmd.webhook_secret
            else None
        )
        row.key_hint = cmd.secret_key[-4:]
        row.updated_at = utcnow()
        row.updated_by = claims.subject_id
        uow.commit()
        return _account_read(uow, row)


def get_account(
    *, uow: UnitOfWork, claims: AccessClaims, provider: PaymentProvider
) -> PaymentAccountRead:
    with uow:
        row = repository.account(uow.db, claims.tenant_id, provider.value)
        if row is None:
            raise NotFound(f"no {provider.value} account is set up")
        return _account_read(uow, row)


def set_card(
    *, uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID, cmd: CardOnFileSet
) -> CardOnFileRead:
    with uow:
        member_or_404(uow.db, claims.tenant_id, member_id)
        row = repository.card(uow.db, claims.tenant_id, member_id)
        if row is None:
            row = PaymentCard(tenant_id=claims.tenant_id, member_id=member_id)
            uow.db.add(row)
        row.customer_id, row.payment_method_id = cmd.customer_id, cmd.payment_method_id
        row.brand, row.last4 = cmd.brand, cmd.last4
        row.exp_month, row.exp_year = cmd.exp_month, cmd.exp_year
        row.updated_at = utcnow()
        uow.commit()
        return _card_read(row)


def _card_read(row: PaymentCard) -> CardOnFileRead:
    return CardOnFileRead(
        member_id=row.member_id,
        customer_id=row.customer_id,
        payment_method_id=row.payment_method_id,
        updated_at=row.updated_at,
        brand=row.brand,  # type: ignore[arg-type]  # one of CardBrand: written from it
        last4=row.last4,
        exp_month=row.exp_month,
        exp_year=row.exp_year,
    )


def get_card(
    *, uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID
) -> CardOnFileRead | None:
    """A member's card on file, if one is (an unknown member is 404)."""
    with uow:
        member_or_404(uow.db, claims.tenant_id, member_id)
        row = repository.card(uow.db, claims.tenant_id, member_id)
        return _card_read(row) if row is not None else None


def _record(
    uow: UnitOfWork, tenant_id: uuid.UUID, provider: str, event: PaymentEvent
) -> WebhookAck | None:
    """Apply and remember one event; None if it was processed before."""
    # SQLite: the write lock first, as a refund's settling takes it (read, then write).
    ledger.write_lock(uow)
    if uow.db.get(PaymentWebhookEvent, (tenant_id, provider, event.event_id)) is not None:
        return None
    outcome = settlement.apply(uow.db, tenant_id, provider, event)
    uow.db.add(
        PaymentWebhookEvent(
            tenant_id=tenant_id,
            provider=provider,
            event_id=event.event_id,
            kind=event.kind,
            payment_id=event.payment_id,
            outcome=outcome,
            received_at=utcnow(),
        )
    )
    uow.commit()
    return WebhookAck(event_id=event.event_id, duplicate=False, outcome=outcome)


def receive_webhook(
    *,
    uow: UnitOfWork,
    accounts: PaymentAccounts,
    gateway: PaymentGateway | None,
    tenant_slug: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
) -> WebhookAck:
    """Verify one webhook against the tenant's own secret and apply it exactly once (the
    event id is unique per tenant and provider). A bad signature changes nothing."""
    with uow:
        tenant = tenant_by_slug(uow.db, tenant_slug)
        tenant_id = tenant.id if tenant is not None else None
    if tenant_id is None or gateway is None:
        raise NotFound("no such payment webhook endpoint")
    keys = accounts.keys(tenant_id, gateway.provider)
    if keys is None:
        raise NotFound(f"no {gateway.provider} account is set up here")
    try:
        event = gateway.read_webhook(keys=keys, headers=headers, body=body, now=now)
    except WebhookRejected as rejected:
        raise BadSignature(str(rejected)) from None
    duplicate = WebhookAck(event_id=event.event_id, duplicate=True, outcome="no_change")
    with uow:
        try:
            done = _record(uow, tenant_id, gateway.provider, event)
        except IntegrityError:
            # The same event delivered twice at once: the other delivery applied it.
            return duplicate
        return done or duplicate


def asking(accounts: PaymentAccounts, gateway: PaymentGateway, tenant_id: uuid.UUID) -> None:
    """Before asking a PSP for a tenant: its account must be set up."""
    if accounts.keys(tenant_id, gateway.provider) is None:
        raise Conflict(f"no {gateway.provider} account is set up", code="no_payment_account")


def verify_sale(
    *,
    uow: UnitOfWork,
    accounts: PaymentAccounts,
    gateways: Mapping[str, PaymentGateway],
    claims: AccessClaims,
    sale_id: uuid.UUID,
) -> SettlementRead:
    """Ask the PSP where a pending payment stands and settle it (the webhook's fallback)."""
    tenant_id = claims.tenant_id
    with uow:
        sale = uow.db.get(Sale, (tenant_id, sale_id))
        if sale is None:
            raise NotFound(f"sale {sale_id} was not found")
        gateway = gateways.get(sale.provider or "")
        if gateway is None or sale.provider_reference is None:
            raise Conflict(
                f"sale {sale_id} was not paid through a PSP this server uses",
                code="not_a_psp_payment",
            )
        reference = sale.provider_reference
    asking(accounts, gateway, tenant_id)
    try:
        event = gateway.verify(tenant_id=tenant_id, payment_id=sale_id, reference=reference)
    except ProviderUnavailable as down:
        raise ProviderDown(str(down)) from None
    with uow:
        outcome = settlement.apply(uow.db, tenant_id, gateway.provider, event)
        status = uow.db.get(Sale, (tenant_id, sale_id))
        assert status is not None
        result = SettlementRead(
            sale_id=sale_id, payment_status=PaymentStatus(status.payment_status), outcome=outcome
        )
        uow.commit()
        return result


def verify_pending(
    *,
    make_uow: Callable[[], UnitOfWork],
    accounts: PaymentAccounts,
    gateways: Mapping[str, PaymentGateway],
    older_than: timedelta = timedelta(minutes=2),
    limit: int = 200,
) -> int:
    """The job's sweep: ask the PSP about sales still pending a while after the sale (a
    webhook lost or never sent), every tenant's, oldest first, in one query of the pending
    payments' index; returns how many it settled or failed."""
    if not gateways:
        return 0
    cutoff = utcnow() - older_than
    with make_uow() as uow:
        pending = uow.db.execute(
            select(Sale.tenant_id, Sale.id, Sale.provider, Sale.provider_reference)
            .where(
                # Written into the statement, not bound: PostgreSQL's generic plan cannot
                # use the partial index of pending payments for a bound value.
                Sale.payment_status
                == bindparam(
                    None,
                    PaymentStatus.PENDING.value,
                    type_=Sale.payment_status.type,
                    literal_execute=True,
                ),
                Sale.provider.in_(list(gateways)),
                Sale.taken_at < cutoff,
            )
            .order_by(Sale.taken_at)
            .limit(limit)
        ).all()
    moved = 0
    for tenant_id, sale_id, provider, reference in pending:
        gateway = gateways.get(provider or "")
        if (
            gateway is None
            or reference is None
            or accounts.keys(tenant_id, gateway.provider) is None
        ):
            continue
        try:
            event = gateway.verify(tenant_id=tenant_id, payment_id=sale_id, reference=reference)
        except ProviderUnavailable:
            log.warning("pending sale %s not verified: %s unavailable", sale_id, provider)
            continue
        with make_uow() as uow:
            outcome = settlement.apply(uow.db, tenant_id, gateway.provider, event)
            uow.commit()
        moved += outcome in {"settled", "failed"}
    return moved
