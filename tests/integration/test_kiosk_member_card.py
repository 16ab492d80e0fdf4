"""The admission card from real data: a kiosk enrolled against the real server shows the
member's plan usage, birthday, photo and staff alerts, and each refusal's next step; alerts
added or resolved on the server reach it by pull, photos by the background fetch."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from desktop.app import build_core
from desktop.config import KioskSettings
from desktop.core.checkin.card import NextStep
from desktop.core.kiosk import KioskCore
from shared.enums import CheckinMethod
from tests.integration.helpers import Api, Tenant
from tests.integration.members_helpers import create_member, image_bytes


def _plan(api: Api, tenant: Tenant, **fields: Any) -> str:
    body = {"price": "40.00", "currency": "GHS", **fields}
    response = api.client.post("/plans", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    plan_id: str = response.json()["id"]
    return plan_id


def _join(api: Api, tenant: Tenant, member: dict[str, Any], plan_id: str) -> None:
    today = datetime.now(ZoneInfo("Europe/London")).date()
    response = api.client.post(
        f"/members/{member['id']}/memberships",
        json={"plan_id": plan_id, "starts_on": today.isoformat()},
        headers=tenant.headers,
    )
    assert response.status_code == 201, response.text


def _card(core: KioskCore, member: dict[str, Any]) -> Any:
    outcome = core.checkin.check_in(uuid.UUID(member["id"]), CheckinMethod.SEARCH)
    return outcome, core.checkin.card_for(outcome)


def test_cards_and_next_steps_from_the_server(api: Api, tmp_path: Path) -> None:
    tenant = api.sign_up("card-gym")
    door = api.create_location(tenant, "Door")
    osu = api.create_location(tenant, "Osu")
    today = datetime.now(ZoneInfo("Europe/London")).date()
    # A leap year holds every month and day, 29 February included.
    ama = create_member(
        api, tenant, "Ama", "Owusu", date_of_birth=today.replace(year=1992).isoformat()
    )
    kofi = create_member(api, tenant, "Kofi", "Boateng")
    yaw = create_member(api, tenant, "Yaw", "Mensah")
    pack = _plan(api, tenant, name="10-class pack", kind="class_pack", credits=10, validity_days=90)
    osu_only = _plan(
        api,
        tenant,
        name="Osu monthly",
        kind="recurring",
        billing_period="month",
        location_rule="listed",
        location_ids=[osu["id"]],
    )
    _join(api, tenant, ama, pack)
    _join(api, tenant, kofi, osu_only)
    alert = api.client.post(
        f"/members/{ama['id']}/alerts", json={"text": "waiver missing"}, headers=tenant.headers
    ).json()
    api.client.put(
        f"/members/{ama['id']}/photo",
        content=image_bytes(".jpg"),
        headers={**tenant.headers, "content-type": "image/jpeg"},
    )
    code = api.client.post(f"/locations/{door['id']}/enrolment-codes", headers=tenant.headers)
    core = build_core(
        KioskSettings(data_dir=tmp_path / "kiosk", credential_store="file"), http_client=api.client
    )
    try:
        core.enrol("http://testserver", code.json()["code"], "Door")
        assert core.sync.photos.fetch_some() == 1
        outcome, card = _card(core, ama)
        assert outcome.admitted
        assert card.lines == ("10-class pack: 9 credits left", "Happy birthday!")
        assert card.staff_notes == ("Alert: waiver missing",)
        assert card.photo is not None and card.photo.startswith(b"\xff\xd8")  # a JPEG

        outcome, card = _card(core, kofi)
        assert not outcome.admitted
        assert (card.next_step_kind, card.next_step) == (NextStep.ELSEWHERE, "Valid at Osu")
        outcome, card = _card(core, yaw)
        assert not outcome.admitted and card.offers_sale

        resolved = api.client.post(
            f"/members/{ama['id']}/alerts/{alert['id']}/resolve", headers=tenant.headers
        )
        assert resolved.status_code == 200
        api.client.post(
            f"/members/{ama['id']}/alerts", json={"text": "balance due"}, headers=tenant.headers
        )
        assert core.sync.pull() is not None
        core.checkin.forget(uuid.UUID(ama["id"]))
        _, card = _card(core, ama)
        assert card.staff_notes == ("Alert: balance due",)
    finally:
        core.close()
