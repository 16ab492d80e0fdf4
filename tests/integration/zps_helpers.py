"""A server in integrated mode against a loopback ZPS (tests/loopback/zps.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from pydantic import SecretStr
from sqlalchemy import select, update

from server.benefits.models import BenefitSnapshot, BenefitUtilisation
from server.bootstrap import Container
from server.config import Settings
from server.members.models import Member
from tests.integration.plans_helpers import Desk
from tests.loopback.zps import Benefit, RunningZps, ZpsState, running_zps


@contextmanager
def contract_zps() -> Iterator[RunningZps]:
    """A loopback ZPS; fails the test if a request or an answer broke the contract."""
    with running_zps(ZpsState()) as running:
        yield running
        assert running.violations == [], running.violations


def integrated(settings: Settings, zps: RunningZps) -> Settings:
    """Integrated mode against ``zps``; the jobs are run by the tests, when they choose."""
    return settings.model_copy(
        update={
            "mode": "integrated",
            "zps_url": zps.url,
            "zps_api_key": SecretStr(zps.state.api_key),
            "background_jobs": False,
        }
    )


def give_party(container: Container, tenant_id: str, member_id: str, party: str) -> None:
    with container.uow() as uow:
        uow.db.execute(
            update(Member)
            .where(Member.tenant_id == uuid.UUID(tenant_id), Member.id == uuid.UUID(member_id))
            .values(party_id=party)
        )
        uow.commit()


def party_member(desk: Desk, zps: RunningZps, party: str, benefit: Benefit | None) -> str:
    """A member without a membership whose ZHEP party has ``benefit`` (None: no benefit)."""
    member_id = desk.member()
    give_party(desk.container, desk.tenant.id, member_id, party)
    if benefit is not None:
        zps.state.benefits[party] = benefit
    return member_id


def reports(container: Container) -> list[BenefitUtilisation]:
    with container.uow() as uow:
        rows = uow.db.execute(select(BenefitUtilisation).order_by(BenefitUtilisation.created_at))
        found = list(rows.scalars())
        uow.db.expunge_all()
        return found


def snapshot(container: Container, member_id: str) -> BenefitSnapshot | None:
    with container.uow() as uow:
        row = uow.db.execute(
            select(BenefitSnapshot).where(BenefitSnapshot.member_id == uuid.UUID(member_id))
        ).scalar_one_or_none()
        uow.db.expunge_all()
        return row


def age_snapshot(container: Container, member_id: str, by: timedelta) -> None:
    """The member's snapshot as if ZPS had answered ``by`` earlier."""
    with container.uow() as uow:
        row = uow.db.get(BenefitSnapshot, (_tenant_of(container, member_id), uuid.UUID(member_id)))
        assert row is not None
        row.checked_at -= by
        row.valid_until -= by
        uow.commit()


def _tenant_of(container: Container, member_id: str) -> uuid.UUID:
    with container.uow() as uow:
        found = uow.db.execute(
            select(Member.tenant_id).where(Member.id == uuid.UUID(member_id))
        ).scalar_one()
        return found
