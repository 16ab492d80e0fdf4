"""Corporate cover at a kiosk's door, offline: the memberships it pulls carry the name of
the company that pays, so an offline admission says "covered by Acme Ltd" as the server's
door does; a roster suspension, a rename and an archive reach it by pull; the server's
batch decisions on pushed check-ins name the company too (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktop.core.kiosk import KioskCore
from server.bootstrap import Container
from server.checkin.models import Checkin
from server.config import Settings
from server.ports.eligibility import EligibilityRequest
from shared.enums import CheckinMethod
from tests.integration.corporate_helpers import code_in, corporate_world, upload
from tests.integration.helpers import Api
from tests.integration.members_helpers import SmtpSink, mailing_to
from tests.integration.plans_helpers import Desk, open_desk
from tests.integration.test_sync_bookings import Kiosks, _sync

ROSTER = (
    "employee_id,work_email,first_name,last_name,department,status,package\n"
    "E1,ama@acme.example,Ama,Owusu,Finance,active,Gold\n"
)
ADMITTED = "admitted on Acme Ltd access"


@pytest.fixture
def settings(settings: Settings, smtp: tuple[SmtpSink, int]) -> Settings:
    return mailing_to(settings, smtp, public_url="https://gym.example.test")


@pytest.fixture
def desk(api: Api, container: Container) -> Desk:
    desk = open_desk(api, container, "corp-kiosk", timezone="Europe/London")
    # Every visit decided afresh (no re-entry window), at the kiosk as at the server.
    policy = api.client.patch(
        "/checkin-policy", json={"reentry_window_minutes": 0}, headers=desk.admin
    )
    assert policy.status_code == 200, policy.text
    return desk


@pytest.fixture
def kiosks(desk: Desk, tmp_path: Path) -> Iterator[Kiosks]:
    made = Kiosks(desk, tmp_path)
    yield made
    made.close()


def _employee(desk: Desk, mailbox: SmtpSink) -> tuple[str, uuid.UUID]:
    """Acme Ltd's account with Ama on its roster, who accepted her invitation."""
    acme = corporate_world(desk.api, desk.container, desk.tenant)
    account_id = acme["account_id"]
    assert upload(desk.api, desk.admin, account_id, ROSTER, mode="full").status_code == 200
    desk.api.client.post(f"/corporate/accounts/{account_id}/invitations", headers=desk.admin)
    code = code_in(mailbox.to("ama@acme.example")[-1], "cin")
    accepted = desk.api.client.post(
        "/corporate/invitations/accept", json={"token": code, "password": "employee password 1"}
    )
    assert accepted.status_code == 200, accepted.text
    return account_id, uuid.UUID(accepted.json()["member_id"])


def _offline_door(core: KioskCore, link: Any, member_id: uuid.UUID) -> Any:
    """A door decision with the link down, then the link healed (nothing is pushed)."""
    link.partitioned = True
    try:
        core.checkin.forget(member_id)
        return core.checkin.check_in(member_id, CheckinMethod.SEARCH)
    finally:
        link.heal()


def _account(desk: Desk, account_id: str, path: str = "", **body: Any) -> None:
    url = f"/corporate/accounts/{account_id}{path}"
    if body:
        response = desk.api.client.patch(url, json=body, headers=desk.admin)
    else:
        response = desk.api.client.post(url, headers=desk.admin)
    assert response.status_code == 200, response.text


def test_offline_the_kiosk_names_the_company_and_hears_of_the_roster(
    desk: Desk, kiosks: Kiosks, mailbox: SmtpSink
) -> None:
    account_id, ama = _employee(desk, mailbox)
    core, link = kiosks.open("Desk A")

    admitted = _offline_door(core, link, ama)
    assert admitted.admitted is True
    assert admitted.reason == f"{ADMITTED}, covered by Acme Ltd"
    # The pushed check-in keeps the kiosk's words on the server.
    _sync(core)
    with desk.container.uow() as uow:
        [recorded] = uow.db.execute(select(Checkin.reason)).scalars()
    assert recorded == f"{ADMITTED}, covered by Acme Ltd"

    # Suspended on the roster: refused at the kiosk once it has pulled the change.
    upload(desk.api, desk.admin, account_id, "employee_id,status\nE1,suspended\n")
    _sync(core)
    refused = _offline_door(core, link, ama)
    assert refused.admitted is False
    assert "covered by" not in refused.reason
    # Active again: admitted again.
    upload(desk.api, desk.admin, account_id, "employee_id,status\nE1,active\n")
    _sync(core)
    assert _offline_door(core, link, ama).reason == f"{ADMITTED}, covered by Acme Ltd"


def test_a_renamed_or_archived_account_reaches_the_kiosk(
    desk: Desk, kiosks: Kiosks, mailbox: SmtpSink
) -> None:
    account_id, ama = _employee(desk, mailbox)
    core, link = kiosks.open("Desk A")
    assert _offline_door(core, link, ama).reason.endswith("covered by Acme Ltd")

    _account(desk, account_id, name="Acme Group")
    _sync(core)
    assert _offline_door(core, link, ama).reason == f"{ADMITTED}, covered by Acme Group"

    # Archived: the account covers no one, at the server's door and at the kiosk's alike.
    _account(desk, account_id, "/archive")
    _sync(core)
    archived = _offline_door(core, link, ama)
    assert (archived.admitted, archived.reason) == (True, ADMITTED)
    online = desk.api.client.post(
        "/checkins",
        json={"member_id": str(ama), "location_id": desk.location["id"], "method": "search"},
        headers=desk.admin,
    )
    assert online.status_code == 201, online.text
    assert online.json()["reason"] == ADMITTED

    _account(desk, account_id, "/restore")
    _sync(core)
    assert _offline_door(core, link, ama).reason == f"{ADMITTED}, covered by Acme Group"


def test_a_kiosk_enrolled_later_gets_the_cover_in_its_snapshot(
    desk: Desk, kiosks: Kiosks, mailbox: SmtpSink
) -> None:
    account_id, ama = _employee(desk, mailbox)
    _account(desk, account_id, name="Acme Group")
    core, link = kiosks.open("Desk B")
    assert _offline_door(core, link, ama).reason == f"{ADMITTED}, covered by Acme Group"


def test_the_batch_of_pushed_check_ins_names_the_company(
    desk: Desk, container: Container, mailbox: SmtpSink
) -> None:
    account_id, ama = _employee(desk, mailbox)
    request = EligibilityRequest(
        tenant_id=uuid.UUID(desk.tenant.id),
        member_id=ama,
        location_id=uuid.UUID(desk.location["id"]),
        at=datetime.now(UTC),
    )
    with container.uow() as uow:
        batch = container.eligibility.open_batch([request], uow=uow)
        alone = container.eligibility.decide(request, uow=uow)
        decided = batch.decide(request)
    assert decided.reason == alone.reason == f"{ADMITTED}, covered by Acme Ltd"
    _account(desk, account_id, "/archive")
    with container.uow() as uow:
        decided = container.eligibility.open_batch([request], uow=uow).decide(request)
    assert decided.reason == ADMITTED
