"""Use cases of tenants' webhook subscriptions: owners and managers add, change, pause,
rotate the secret of, and delete them, read their deliveries and dead letters, and replay
them from a point in time."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update

from server.db.bulk import insert_rows
from server.db.sealed import FieldSealer
from server.db.uow import UnitOfWork
from server.errors import Forbidden, InvalidInput, NotFound
from server.outbox import rules
from server.outbox.models import DEAD, PENDING, OutboxDelivery, OutboxEvent, WebhookSubscription
from server.outbox.schemas import (
    DeliveryPage,
    DeliveryRead,
    ReplayRead,
    ReplayRequest,
    SecretRotate,
    SubscriptionCreate,
    SubscriptionPage,
    SubscriptionRead,
    SubscriptionSecret,
    SubscriptionUpdate,
)
from server.outbox.secrets import seal_secret
from server.ports.identity import AccessClaims
from shared.clock import utcnow
from shared.enums import ADMIN_ROLES, PrincipalKind
from shared.ids import new_id

#: A tenant's subscriptions at most: each one multiplies every event's deliveries.
MAX_SUBSCRIPTIONS = 20
D, E, S = OutboxDelivery, OutboxEvent, WebhookSubscription


def _admin(claims: AccessClaims) -> None:
    if claims.kind is not PrincipalKind.STAFF or claims.role not in ADMIN_ROLES:
        raise Forbidden("owners and managers manage webhook subscriptions")


def _checked_url(url: str) -> str:
    problem = rules.url_problem(url)
    if problem:
        raise InvalidInput(f"url: {problem}", code="webhook_url")
    return url


def _checked_types(types: list[str]) -> list[str]:
    for value in types:
        problem = rules.event_type_problem(value)
        if problem:
            raise InvalidInput(f"event_types: {problem}", code="webhook_event_type")
    return sorted(set(types))


def _read(row: WebhookSubscription, now: datetime) -> SubscriptionRead:
    grace = row.previous_until if row.previous_until and row.previous_until > now else None
    return SubscriptionRead(
        id=row.id,
        url=row.url,
        event_types=list(row.event_types),
        description=row.description,
        active=row.active,
        content_mode=cast(Any, row.content_mode),
        previous_secret_until=grace,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _get(uow: UnitOfWork, tenant_id: uuid.UUID, subscription_id: uuid.UUID) -> WebhookSubscription:
    row = uow.db.get(WebhookSubscription, (tenant_id, subscription_id))
    if row is None:
        raise NotFound(f"webhook subscription {subscription_id} was not found")
    return row


def list_subscriptions(
    *, uow: UnitOfWork, claims: AccessClaims, limit: int, offset: int
) -> SubscriptionPage:
    _admin(claims)
    now = utcnow()
    with uow:
        rows = list(
            uow.db.execute(
                select(S)
                .where(S.tenant_id == claims.tenant_id)
                .order_by(S.created_at, S.id)
                .limit(limit + 1)
                .offset(offset)
            ).scalars()
        )
    more = len(rows) > limit
    return SubscriptionPage(
        items=[_read(r, now) for r in rows[:limit]], next_offset=offset + limit if more else None
    )


def get_subscription(
    *, uow: UnitOfWork, claims: AccessClaims, subscription_id: uuid.UUID
) -> SubscriptionRead:
    _admin(claims)
    with uow:
        return _read(_get(uow, claims.tenant_id, subscription_id), utcnow())


def create_subscription(
    *, uow: UnitOfWork, claims: AccessClaims, sealer: FieldSealer, cmd: SubscriptionCreate
) -> SubscriptionSecret:
    """The secret is in the answer, once."""
    _admin(claims)
    url, types = _checked_url(cmd.url), _checked_types(cmd.event_types)
    now = utcnow()
    secret = rules.new_secret()
    with uow:
        count = len(
            uow.db.execute(select(S.id).where(S.tenant_id == claims.tenant_id)).scalars().all()
        )
        if count >= MAX_SUBSCRIPTIONS:
            raise InvalidInput(
                f"a tenant has at most {MAX_SUBSCRIPTIONS} webhook subscriptions",
                code="too_many_subscriptions",
            )
        subscription_id = new_id()
        row = WebhookSubscription(
            tenant_id=claims.tenant_id,
            id=subscription_id,
            url=url,
            description=cmd.description,
            event_types=types,
            active=cmd.active,
            content_mode=cmd.content_mode,
            secret_sealed=seal_secret(sealer, claims.tenant_id, subscription_id, "current", secret),
            created_at=now,
            updated_at=now,
        )
        uow.db.add(row)
        uow.commit()
        return SubscriptionSecret(**_read(row, now).model_dump(), secret=secret)


def update_subscription(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    subscription_id: uuid.UUID,
    cmd: SubscriptionUpdate,
) -> SubscriptionRead:
    """Only the fields sent change; ``active: false`` pauses (events wait, nothing lost)."""
    _admin(claims)
    changes = cmd.model_dump(exclude_unset=True)
    for name in ("url", "event_types", "active", "description", "content_mode"):
        if name in changes and changes[name] is None:
            raise InvalidInput(f"{name}: may not be null")
    if "url" in changes:
        _checked_url(changes["url"])
    if "event_types" in changes:
        changes["event_types"] = _checked_types(changes["event_types"])
    now = utcnow()
    with uow:
        row = _get(uow, claims.tenant_id, subscription_id)
        for name, value in changes.items():
            setattr(row, name, value)
        row.updated_at = now
        uow.commit()
        return _read(row, now)


def delete_subscription(
    *, uow: UnitOfWork, claims: AccessClaims, subscription_id: uuid.UUID
) -> None:
    """The subscription and its delivery history go; nothing more is sent to it."""
    _admin(claims)
    with uow:
        row = _get(uow, claims.tenant_id, subscription_id)
        uow.db.execute(
            delete(D).where(
                D.tenant_id == claims.tenant_id, D.target == rules.subscription_target(row.id)
            )
        )
        uow.db.delete(row)
        uow.commit()


def rotate_secret(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    sealer: FieldSealer,
    subscription_id: uuid.UUID,
    cmd: SecretRotate,
    now: datetime | None = None,
) -> SubscriptionSecret:
    """A new secret signs from now on; the old one signs beside it (a second signature in
    ``webhook-signature``) for ``grace_hours``, so the receiver can switch without losing
    a delivery."""
    _admin(claims)
    now = now or utcnow()
    secret = rules.new_secret()
    with uow:
        row = _get(uow, claims.tenant_id, subscription_id)
        old = sealer.open(
            row.secret_sealed,
            context=f"webhook_subscriptions:current:{row.tenant_id}:{row.id}",
        ).decode()
        row.previous_secret_sealed = seal_secret(sealer, row.tenant_id, row.id, "previous", old)
        row.previous_until = now + timedelta(hours=cmd.grace_hours)
        row.secret_sealed = seal_secret(sealer, row.tenant_id, row.id, "current", secret)
        row.updated_at = now
        uow.commit()
        return SubscriptionSecret(**_read(row, now).model_dump(), secret=secret)


def list_deliveries(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    subscription_id: uuid.UUID,
    state: str | None,
    limit: int,
    offset: int,
) -> DeliveryPage:
    """Newest event first; ``state=dead`` is the dead-letter list."""
    _admin(claims)
    with uow:
        row = _get(uow, claims.tenant_id, subscription_id)
        query = (
            select(D, E.event_id, E.name)
            .join(E, (E.tenant_id == D.tenant_id) & (E.seq == D.event_seq))
            .where(D.tenant_id == claims.tenant_id, D.target == rules.subscription_target(row.id))
        )
        if state is not None:
            query = query.where(D.state == state)
        found = uow.db.execute(
            query.order_by(D.event_seq.desc()).limit(limit + 1).offset(offset)
        ).all()
    items = [_delivery(d, event_id, name) for d, event_id, name in found[:limit]]
    return DeliveryPage(items=items, next_offset=offset + limit if len(found) > limit else None)


def _delivery(row: OutboxDelivery, event_id: uuid.UUID, name: str) -> DeliveryRead:
    return DeliveryRead(
        event_id=event_id,
        event_type=name,
        subject=row.subject,
        recorded_at=row.recorded_at,
        state=cast(Any, row.state),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at if row.state == PENDING else None,
        last_attempt_at=row.last_attempt_at,
        last_error=row.last_error,
        delivered_at=row.delivered_at,
    )


def replay(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    subscription_id: uuid.UUID,
    cmd: ReplayRequest,
    now: datetime | None = None,
) -> ReplayRead:
    """Send again every event recorded since ``cmd.since`` that the subscription takes:
    delivered and dead-lettered ones are queued again with fresh attempts, and events from
    before the subscription existed (still kept, see the retention) are queued for the first
    time. ``only_dead``: just the dead letters."""
    _admin(claims)
    now = now or utcnow()
    if cmd.since.tzinfo is None:
        raise InvalidInput("since: give a time zone (e.g. 2026-01-01T00:00:00Z)")
    with uow:
        db = uow.db
        row = _get(uow, claims.tenant_id, subscription_id)
        target = rules.subscription_target(row.id)
        where = [D.tenant_id == claims.tenant_id, D.target == target, D.recorded_at >= cmd.since]
        if cmd.only_dead:
            where.append(D.state == DEAD)
        reset = db.execute(
            update(D)
            .where(*where)
            .values(
                state=PENDING,
                attempts=0,
                next_attempt_at=now,
                claimed_until=None,
                claim=None,
                last_error=None,
                delivered_at=None,
            )
            .execution_options(synchronize_session=False)
        )
        requeued = cast(CursorResult[Any], reset).rowcount
        if not cmd.only_dead:
            requeued += _first_deliveries(db, row, target, cmd.since, now)
        uow.commit()
    return ReplayRead(requeued=requeued)


def _first_deliveries(
    db: Any, row: WebhookSubscription, target: str, since: datetime, now: datetime
) -> int:
    have = select(D.event_seq).where(D.tenant_id == row.tenant_id, D.target == target)
    missing = db.execute(
        select(E.seq, E.name, E.subject, E.recorded_at).where(
            E.tenant_id == row.tenant_id,
            E.recorded_at >= since,
            E.dispatched_at.is_not(None),
            E.seq.not_in(have),
        )
    ).all()
    rows = [
        {
            "tenant_id": row.tenant_id,
            "target": target,
            "event_seq": e.seq,
            "subject": e.subject,
            "recorded_at": e.recorded_at,
            "state": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "claimed_until": None,
            "claim": None,
            "last_error": None,
            "last_attempt_at": None,
            "delivered_at": None,
        }
        for e in missing
        if rules.matches(row.event_types, e.name)
    ]
    insert_rows(db, OutboxDelivery, rows)
    return len(rows)
