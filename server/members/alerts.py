"""Staff alerts on a member ("waiver missing", "balance due"): added, listed and resolved by
front desk staff and above, and held by every kiosk of the tenant so the desk sees them
when the member arrives, online or not."""

from __future__ import annotations

import uuid
from typing import Literal

from sqlalchemy import select

from server.db.uow import UnitOfWork
from server.errors import Conflict, NotFound
from server.members.models import MemberAlert
from server.members.repository import MemberRepository
from server.members.schemas import MemberAlertCreate, MemberAlertPage, MemberAlertRead
from server.ports.identity import AccessClaims
from shared.clock import utcnow

AlertStatus = Literal["open", "resolved", "all"]


def add_alert(
    *, uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID, cmd: MemberAlertCreate
) -> MemberAlertRead:
    with uow:
        MemberRepository(uow.db, claims.tenant_id).get_or_404(member_id)
        alert = MemberAlert(
            tenant_id=claims.tenant_id,
            member_id=member_id,
            text=cmd.text,
            created_by=claims.subject_id,
            created_at=utcnow(),
        )
        uow.db.add(alert)
        uow.db.flush()
        uow.commit()
        return MemberAlertRead.model_validate(alert)


def list_alerts(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    member_id: uuid.UUID,
    status: AlertStatus,
    limit: int,
    offset: int,
) -> MemberAlertPage:
    """Oldest first, as staff added them."""
    with uow:
        MemberRepository(uow.db, claims.tenant_id).get_or_404(member_id)
        query = select(MemberAlert).where(
            MemberAlert.tenant_id == claims.tenant_id, MemberAlert.member_id == member_id
        )
        if status == "open":
            query = query.where(MemberAlert.resolved_at.is_(None))
        elif status == "resolved":
            query = query.where(MemberAlert.resolved_at.is_not(None))
        rows = list(
            uow.db.execute(
                query.order_by(MemberAlert.created_at, MemberAlert.id)
                .limit(limit + 1)
                .offset(offset)
            ).scalars()
        )
        return MemberAlertPage(
            items=[MemberAlertRead.model_validate(row) for row in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def resolve_alert(
    *, uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID, alert_id: uuid.UUID
) -> MemberAlertRead:
    with uow:
        alert = uow.db.execute(
            select(MemberAlert)
            .where(
                MemberAlert.tenant_id == claims.tenant_id,
                MemberAlert.member_id == member_id,
                MemberAlert.id == alert_id,
            )
            .with_for_update()
        ).scalar_one_or_none()
        if alert is None:
            raise NotFound(f"alert {alert_id} was not found")
        if alert.resolved_at is not None:
            raise Conflict("this alert was resolved already", code="already_resolved")
        alert.resolved_at = utcnow()
        alert.resolved_by = claims.subject_id
        uow.commit()
        return MemberAlertRead.model_validate(alert)
