"""A PIN works at the kiosks of the locations its owner's role is limited to: an Accra
manager's PIN is not recognised at the London kiosk, and a change of scope reaches the
kiosks with their next pull. Real kiosk cores, synced with the server in this process."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from desktop.core.kiosk import KioskCore
from desktop.core.staff_pins import DESK_ROLES, PinStatus
from tests.integration import chaos
from tests.integration.helpers import Api, Tenant

ACCRA_PIN = "864209"


def _kiosk(api: Api, client: TestClient, tenant: Tenant, location_id: str, path: Path) -> KioskCore:
    code = api.client.post(
        f"/locations/{location_id}/enrolment-codes", json={}, headers=tenant.headers
    )
    assert code.status_code == 201, code.text
    http, _link = chaos.kiosk_http(client)
    core = chaos.open_kiosk(path, http, timedelta(0))
    status = core.enrol("http://testserver", code.json()["code"], "Front desk")
    assert status.last_error is None, status.last_error
    return core


def _pin_at(core: KioskCore) -> PinStatus:
    assert core.sync.pull() is not None, core.sync.status().last_error
    return core.pins.check(ACCRA_PIN, DESK_ROLES).status


def test_a_pin_works_only_at_the_locations_of_its_role(
    api: Api, client: TestClient, tmp_path: Path
) -> None:
    tenant = api.sign_up("pin-branches")
    london = api.create_location(tenant, "London")
    accra = api.create_location(tenant, "Accra", timezone="Africa/Accra")
    manager = api.create_staff(
        tenant, "manager", "ama@pin-branches.example", pin=ACCRA_PIN, location_ids=[accra["id"]]
    )
    london_kiosk = _kiosk(api, client, tenant, london["id"], tmp_path / "london")
    accra_kiosk = _kiosk(api, client, tenant, accra["id"], tmp_path / "accra")
    try:
        assert _pin_at(accra_kiosk) is PinStatus.OK
        assert _pin_at(london_kiosk) is PinStatus.NOT_RECOGNISED
        # Given London too: the London kiosk learns it with its next pull.
        both = api.client.patch(
            f"/staff/{manager['id']}",
            json={"location_ids": [london["id"], accra["id"]]},
            headers=tenant.headers,
        )
        assert both.status_code == 200, both.text
        assert _pin_at(london_kiosk) is PinStatus.OK
        # Back to Accra alone: the London kiosk forgets the PIN again.
        back = api.client.patch(
            f"/staff/{manager['id']}", json={"location_ids": [accra["id"]]}, headers=tenant.headers
        )
        assert back.status_code == 200, back.text
        assert _pin_at(london_kiosk) is PinStatus.NOT_RECOGNISED
        assert _pin_at(accra_kiosk) is PinStatus.OK
    finally:
        london_kiosk.close()
        accra_kiosk.close()
