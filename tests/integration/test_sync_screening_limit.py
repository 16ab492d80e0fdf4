"""A member limited to low intensity until cleared, offline at the desk: the kiosk holds a
yes/no (and the clearance's last day), never an answer or a flag, and refuses to book a
class above low intensity as the server's gate would; a clearance reaches it by pull."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.core.checkin.model import CheckinError
from server.bootstrap import Container
from server.db import migrate
from server.members.models import Member
from shared.carepath.screening import QUESTION_KEYS, clearance_expires
from tests.integration import chaos
from tests.integration.bookings_helpers import member_headers
from tests.integration.helpers import Api
from tests.integration.plans_helpers import MONTHLY, Desk, open_desk
from tests.integration.test_journey_assessments_sealed import KEY
from tests.integration.test_sync_bookings import Kiosks, _sync

UNRESOLVED = dict.fromkeys(QUESTION_KEYS, False) | {
    "chest_pain": True,
    "chest_pain.examined": False,
}


@pytest.fixture
def desk(api: Api, container: Container) -> Desk:
    return open_desk(api, container, "limit-sync", timezone="Europe/London")


@pytest.fixture
def kiosks(desk: Desk, tmp_path: Path) -> Iterator[Kiosks]:
    made = Kiosks(desk, tmp_path)
    yield made
    made.close()


def _limit(container: Container, member_id: str) -> tuple[bool, object]:
    with container.uow() as uow:
        row = uow.db.scalars(select(Member).where(Member.id == uuid.UUID(member_id))).one()
        return row.screening_limited, row.screening_cleared_until


def test_the_desk_refuses_offline_what_the_gate_would(desk: Desk, kiosks: Kiosks) -> None:
    ama = desk.member(first_name="Ama")
    desk.membership(ama, desk.plan(MONTHLY))
    tenant, location = desk.tenant.id, desk.location["id"]
    spin = uuid.UUID(chaos.add_class(desk.container, tenant, location, capacity=5))
    stretch = uuid.UUID(
        chaos.add_class(
            desk.container, tenant, location, capacity=5, name="Stretch", intensity="low"
        )
    )
    core, link = kiosks.open("Desk A")
    answered = desk.api.client.post(
        "/me/screening",
        json={"answers": UNRESOLVED},
        headers=member_headers(desk.container, tenant, ama),
    )
    assert answered.status_code == 201, answered.text
    assert _limit(desk.container, ama) == (True, None)
    _sync(core)

    link.partitioned = True
    with pytest.raises(CheckinError, match="needs a staff clearance"):
        core.sessions.book(spin, uuid.UUID(ama))
    assert core.sessions.session(spin).booked == 0
    # A low-intensity class is allowed.
    assert core.sessions.book(stretch, uuid.UUID(ama)).session.booked == 1

    link.heal()
    cleared = desk.api.client.post(
        f"/members/{ama}/clearances", json={"evidence": "GP letter"}, headers=desk.admin
    )
    assert cleared.status_code == 201, cleared.text
    until = clearance_expires(date.fromisoformat(cleared.json()["cleared_on"]))
    assert _limit(desk.container, ama) == (True, until)
    _sync(core)
    link.partitioned = True
    assert core.sessions.book(spin, uuid.UUID(ama)).session.booked == 1
    # Revoked: limited again, once the kiosk hears of it.
    link.heal()
    revoked = desk.api.client.post(
        f"/members/{ama}/clearances/{cleared.json()['id']}/revoke", headers=desk.admin
    )
    assert revoked.status_code == 200, revoked.text
    assert _limit(desk.container, ama) == (True, None)
    # A clear questionnaire lifts the limit.
    clear = desk.api.client.post(
        "/me/screening",
        json={"answers": dict.fromkeys(QUESTION_KEYS, False)},
        headers=member_headers(desk.container, tenant, ama),
    )
    assert clear.status_code == 201
    assert _limit(desk.container, ama) == (False, None)


def test_the_migration_fills_the_limit_from_stored_screenings(
    api: Api, container: Container, db_url: str
) -> None:
    desk = open_desk(api, container, "limit-migrate", timezone="Europe/London")
    tenant = desk.tenant.id
    waiting, cleared, clear = (desk.member(first_name=n) for n in ("Ama", "Kofi", "Esi"))
    for member_id, answers in (
        (waiting, UNRESOLVED),
        (cleared, UNRESOLVED),
        (clear, dict.fromkeys(QUESTION_KEYS, False)),
    ):
        done = api.client.post(
            "/me/screening",
            json={"answers": answers},
            headers=member_headers(container, tenant, member_id),
        )
        assert done.status_code == 201, done.text
    given = api.client.post(
        f"/members/{cleared}/clearances", json={"evidence": "GP letter"}, headers=desk.admin
    )
    until = clearance_expires(date.fromisoformat(given.json()["cleared_on"]))
    container.dispose()
    try:
        migrate.downgrade(db_url, "0036", secret_key=KEY)
    finally:
        migrate.upgrade(db_url, secret_key=KEY)
    assert _limit(container, waiting) == (True, None)
    assert _limit(container, cleared) == (True, until)
    assert _limit(container, clear) == (False, None)
