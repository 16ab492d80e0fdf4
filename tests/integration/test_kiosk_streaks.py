"""Streaks at the door from real data: the projector sends each member's streak states and
latest badge to the kiosks (only when they changed), the kiosk's pull stores them, an
admission shows the streak and the new badge, and the server's row wins after the kiosk's
check-in has reached it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from desktop.app import build_core
from desktop.config import KioskSettings
from desktop.core.kiosk import KioskCore
from desktop.core.store.engagement import EngagementRows
from server.bootstrap import Container
from server.config import Settings
from server.engagement import service
from server.engagement.projection import project_pending
from server.sync.models import SyncChange
from shared.enums import CheckinMethod, MovementKind
from shared.movement import MovementIntensity
from tests.integration.helpers import Api, Tenant
from tests.integration.members_helpers import create_member

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The tests project when they mean to: no background projector racing them."""
    return settings.model_copy(update={"background_jobs": False})


def _monthly(api: Api, tenant: Tenant, member: dict[str, Any], today: date) -> None:
    plan = api.client.post(
        "/plans",
        json={
            "name": "Monthly",
            "kind": "recurring",
            "billing_period": "month",
            "price": "40.00",
            "currency": "GBP",
        },
        headers=tenant.headers,
    )
    assert plan.status_code == 201, plan.text
    joined = api.client.post(
        f"/members/{member['id']}/memberships",
        json={"plan_id": plan.json()["id"], "starts_on": today.isoformat()},
        headers=tenant.headers,
    )
    assert joined.status_code == 201, joined.text


def _move(container: Container, tenant: Tenant, member: str, day: date, kind: MovementKind) -> None:
    # 10 moderate minutes: a day's target met, never a week's (3 × 10 + 60 < 150), so the
    # streak shown is the daily one whatever the weekday.
    with container.uow() as uow:
        service.record_movement(
            uow=uow,
            tenant_id=uuid.UUID(tenant.id),
            member_id=uuid.UUID(member),
            kind=kind,
            occurred_at=datetime.combine(day, time(12), tzinfo=LONDON).astimezone(UTC),
            minutes=10,
            intensity=MovementIntensity.MODERATE,
        )
        uow.commit()


def _project(container: Container, tenant: Tenant) -> None:
    project_pending(
        container.uow,
        uuid.UUID(tenant.id),
        projector=container.projector(),
    )


def _sent(container: Container) -> int:
    with container.uow() as uow:
        return int(
            uow.db.execute(
                select(func.count())
                .select_from(SyncChange)
                .where(SyncChange.table_name == "member_engagement")
            ).scalar_one()
        )


def _kiosk(api: Api, tenant: Tenant, location: dict[str, Any], folder: Path) -> KioskCore:
    code = api.client.post(f"/locations/{location['id']}/enrolment-codes", headers=tenant.headers)
    core = build_core(
        KioskSettings(data_dir=folder, credential_store="file"), http_client=api.client
    )
    core.enrol("http://testserver", code.json()["code"], "Door")
    return core


def test_streak_from_server_to_the_door(api: Api, container: Container, tmp_path: Path) -> None:
    tenant = api.sign_up("streak-gym")
    door = api.create_location(tenant, "Door")
    today = datetime.now(LONDON).date()
    ama = create_member(api, tenant, "Ama", "Owusu")
    _monthly(api, tenant, ama, today)
    core = _kiosk(api, tenant, door, tmp_path / "kiosk")
    try:
        member = uuid.UUID(ama["id"])
        # A class two days ago (her first: a badge) and a floor visit yesterday.
        _move(container, tenant, ama["id"], today - timedelta(days=2), MovementKind.ATTENDANCE)
        _move(container, tenant, ama["id"], today - timedelta(days=1), MovementKind.FLOOR_CHECKIN)
        _project(container, tenant)
        sent = _sent(container)
        assert sent == 1  # one member changed: one row for the one location
        assert core.sync.pull() is not None
        cached = EngagementRows(core.store.connection()).get(member)
        assert cached is not None and cached.badge == "first_class"
        assert cached.daily.view(today).current == 2

        outcome = core.checkin.check_in(member, CheckinMethod.SEARCH)
        assert outcome.admitted
        card = core.checkin.card_for(outcome)
        assert card is not None
        assert card.streak == "3-day streak"
        assert card.badge is not None
        assert card.badge.startswith("New badge: First class \N{EM DASH} because: 1st class on ")

        # A movement for a settled period (ten days ago) changes no streak: nothing is sent.
        _move(container, tenant, ama["id"], today - timedelta(days=10), MovementKind.FLOOR_CHECKIN)
        _project(container, tenant)
        assert _sent(container) == sent

        # The check-in reaches the server; its projection comes back and replaces the
        # kiosk's own advance, agreeing with it.
        assert core.sync.push() is not None
        _project(container, tenant)
        assert core.sync.pull() is not None
        cached = EngagementRows(core.store.connection()).get(member)
        assert cached is not None and not cached.advanced_locally
        assert cached.daily.view(today).current == 3
    finally:
        core.close()

    # A kiosk enrolled now gets the row in its snapshot.
    second = _kiosk(api, tenant, door, tmp_path / "second")
    try:
        cached = EngagementRows(second.store.connection()).get(uuid.UUID(ama["id"]))
        assert cached is not None and cached.daily.view(today).current == 3
        assert cached.badge == "first_class"
    finally:
        second.close()


def test_an_archived_member_s_streak_goes_to_no_kiosk(
    api: Api, container: Container, tmp_path: Path
) -> None:
    """Archived (or erased) members are removed from kiosks: a movement projected after it
    sends them no streak row, and a kiosk enrolled later has none in its snapshot."""
    tenant = api.sign_up("streak-archived")
    door = api.create_location(tenant, "Door")
    today = datetime.now(LONDON).date()
    ama = create_member(api, tenant, "Ama", "Owusu")
    esi = create_member(api, tenant, "Esi", "Mensah")
    _move(container, tenant, ama["id"], today - timedelta(days=1), MovementKind.FLOOR_CHECKIN)
    _move(container, tenant, esi["id"], today - timedelta(days=1), MovementKind.FLOOR_CHECKIN)
    _project(container, tenant)
    assert _sent(container) == 2
    gone = api.client.delete(f"/members/{ama['id']}", headers=tenant.headers)
    assert gone.status_code == 204, gone.text
    _move(container, tenant, ama["id"], today, MovementKind.FLOOR_CHECKIN)
    _move(container, tenant, esi["id"], today, MovementKind.FLOOR_CHECKIN)
    _project(container, tenant)
    assert _sent(container) == 3  # Esi's new streak only
    core = _kiosk(api, tenant, door, tmp_path / "kiosk")
    try:
        rows = EngagementRows(core.store.connection())
        assert rows.get(uuid.UUID(ama["id"])) is None
        kept = rows.get(uuid.UUID(esi["id"]))
        assert kept is not None and kept.daily.view(today).current == 2
    finally:
        core.close()
