"""Benefit jobs (integrated mode): report utilisation until the service acknowledges it, and
keep members' benefit snapshots fresh for the kiosks' offline decisions.

A report is written in the admission's transaction (by the eligibility adapter); here it is
sent only once that admission is found committed, with the same idempotency key on every
retry, so a lost answer or a duplicate run reports the visit once. No network call is made
inside a database transaction.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from server.benefits.models import BenefitUtilisation
from server.benefits.repository import BenefitRepository, backoff
from server.checkin.models import Checkin
from server.db.uow import UnitOfWork
from server.ports.benefits import (
    BenefitCheck,
    BenefitsService,
    BenefitsUnavailable,
    UtilisationReport,
)
from server.ports.eligibility import Purpose
from server.tenants.models import Location
from shared.clock import utcnow

log = logging.getLogger(__name__)

#: A door time is matched to its check-in within this (timestamps round-trip the database).
_SAME_TIME = timedelta(seconds=1)


@dataclass(frozen=True)
class _Due:
    report: UtilisationReport
    checkin_id: uuid.UUID | None


def _admission(uow: UnitOfWork, row: BenefitUtilisation) -> uuid.UUID | None:
    found = uow.db.execute(
        select(Checkin.id).where(
            Checkin.tenant_id == row.tenant_id,
            Checkin.member_id == row.member_id,
            Checkin.location_id == row.location_id,
            Checkin.admitted.is_(True),
            Checkin.occurred_at >= row.occurred_at - _SAME_TIME,
            Checkin.occurred_at <= row.occurred_at + _SAME_TIME,
        )
    ).first()
    return None if found is None else found[0]


def _due(
    make_uow: Callable[[], UnitOfWork], tenant_id: uuid.UUID, now: datetime, limit: int
) -> list[_Due]:
    due: list[_Due] = []
    with make_uow() as uow:
        for row in BenefitRepository(uow.db, tenant_id).due(now, limit):
            checkin_id = _admission(uow, row) if row.purpose == Purpose.DOOR else None
            if row.purpose == Purpose.DOOR and checkin_id is None:
                # The door decided on the benefit but recorded no admission (a re-entry, a
                # refusal at the kiosk that the server would have admitted): nothing was used.
                row.state = "void"
                continue
            report = UtilisationReport(
                key=row.id,
                party_id=row.party_id,
                benefit_id=row.benefit_id,
                location_id=row.location_id,
                purpose=Purpose(row.purpose),
                at=row.occurred_at,
                visit_ref=checkin_id,
            )
            due.append(_Due(report, checkin_id))
        uow.commit()
    return due


def report_due(
    *,
    make_uow: Callable[[], UnitOfWork],
    benefits: BenefitsService,
    now: datetime | None = None,
    limit: int = 200,
) -> int:
    """Send due utilisation reports of every tenant; returns how many were acknowledged."""
    now = now or utcnow()
    with make_uow() as uow:
        tenants = list(
            uow.db.execute(
                select(BenefitUtilisation.tenant_id)
                .where(
                    BenefitUtilisation.state == "pending",
                    BenefitUtilisation.next_attempt_at <= now,
                )
                .distinct()
            ).scalars()
        )
    acknowledged = 0
    for tenant_id in tenants:
        for item in _due(make_uow, tenant_id, now, limit):
            acknowledged += _send(make_uow, benefits, tenant_id, item, now)
    return acknowledged


def _send(
    make_uow: Callable[[], UnitOfWork],
    benefits: BenefitsService,
    tenant_id: uuid.UUID,
    item: _Due,
    now: datetime,
) -> int:
    try:
        receipt = benefits.report_utilisation(item.report)
    except BenefitsUnavailable as exc:
        with make_uow() as uow:
            row = uow.db.get(BenefitUtilisation, (tenant_id, item.report.key))
            attempts = row.attempts if row is not None else 0
            BenefitRepository(uow.db, tenant_id).retry_later(
                item.report.key, str(exc), now + backoff(attempts)
            )
            uow.commit()
        log.warning("Utilisation report %s not acknowledged: %s", item.report.key, exc)
        return 0
    with make_uow() as uow:
        uow.db.execute(
            update(BenefitUtilisation)
            .where(BenefitUtilisation.tenant_id == tenant_id)
            .where(BenefitUtilisation.id == item.report.key)
            .values(
                state="reported",
                receipt=receipt[:64],
                reported_at=utcnow(),
                checkin_id=item.checkin_id,
                attempts=BenefitUtilisation.attempts + 1,
                last_error=None,
            )
        )
        uow.commit()
    return 1


def refresh_snapshots(
    *,
    make_uow: Callable[[], UnitOfWork],
    benefits: BenefitsService,
    older_than: timedelta = timedelta(hours=6),
    limit: int = 5000,
) -> int:
    """Ask again, in batches, for members whose benefit snapshot is missing or older than
    ``older_than`` (kiosks then hold a recent one for offline decisions), at each member's
    home location (or the tenant's first); returns how many were refreshed. A service that
    does not answer leaves the snapshots as they are."""
    now = utcnow()
    with make_uow() as uow:
        firsts: dict[uuid.UUID, uuid.UUID] = {}
        for row in uow.db.execute(
            select(Location.tenant_id, Location.id).order_by(Location.created_at.desc())
        ):
            firsts[row.tenant_id] = row.id
    refreshed = 0
    for tenant_id, first in firsts.items():
        with make_uow() as uow:
            stale = BenefitRepository(uow.db, tenant_id).stale_members(now - older_than, limit)
        if not stale:
            continue
        checks = [
            BenefitCheck(party, home or first, Purpose.DOOR, now, member_id=member)
            for member, party, home in stale
        ]
        try:
            answers = benefits.check_many(checks)
        except BenefitsUnavailable as exc:
            log.warning("Benefit snapshots not refreshed: %s", exc)
            return refreshed
        with make_uow() as uow:
            repo = BenefitRepository(uow.db, tenant_id)
            for check, answer in zip(checks, answers, strict=True):
                assert check.member_id is not None
                repo.remember(check.member_id, answer)
            uow.commit()
        refreshed += len(answers)
    return refreshed
