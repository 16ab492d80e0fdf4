"""Kiosk enrolment, device tokens, revocation and the kiosk snapshot."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import update

from server.bootstrap import Container
from server.devices.models import EnrolmentCode
from shared.clock import utcnow
from tests.integration.helpers import Api


def test_enrolled_kiosk_downloads_its_location(api: Api) -> None:
    tenant = api.sign_up("kiosk-gym")
    here = api.create_location(tenant, "Here", timezone="Africa/Accra")
    api.create_location(tenant, "Elsewhere")
    api.create_staff(
        tenant, "front_desk", "desk@kiosk-gym.example", pin="1234", home_location_id=here["id"]
    )
    other = api.create_location(tenant, "Other")
    api.create_staff(tenant, "coach", "away@kiosk-gym.example", home_location_id=other["id"])
    device = api.enrol_device(tenant, here["id"])
    assert device["device_secret"].startswith("zd.")
    snapshot = api.client.get("/sync/snapshot", headers=api.device_headers(device))
    assert snapshot.status_code == 200
    body = snapshot.json()
    assert body["location"]["name"] == "Here"
    assert body["location"]["timezone"] == "Africa/Accra"
    assert body["tenant"]["name"] == "kiosk-gym gym"
    names = {(s["role"], s["pin_verifier"] is not None) for s in body["staff"]}
    assert names == {("owner", False), ("front_desk", True)}  # not the coach of another location
    # Keyed verifiers only: no staff member's argon2 hash reaches a kiosk.
    assert all(s["pin_hash"] is None for s in body["staff"])
    assert all(
        s["pin_verifier"] is None or s["pin_verifier"].startswith("$zmos-pin1$")
        for s in body["staff"]
    )
    listed = api.client.get("/devices", headers=tenant.headers).json()["items"]
    assert [d["id"] for d in listed] == [device["device_id"]]
    assert listed[0]["last_seen_at"] is not None


def test_an_enrolment_code_works_once(api: Api) -> None:
    tenant = api.sign_up("once-gym")
    location = api.create_location(tenant)
    code = api.client.post(
        f"/locations/{location['id']}/enrolment-codes", headers=tenant.headers
    ).json()["code"]
    assert code.startswith("once-gym.")
    # Typed sloppily: lower case, spaces, an O for a zero: still the same code.
    slug, secret = code.split(".")
    sloppy = f" {slug.upper()}.{secret.lower().replace('-', ' ').replace('0', 'o')} "
    first = api.client.post("/devices/enrol", json={"code": sloppy, "name": "A"})
    assert first.status_code == 201, first.text
    again = api.client.post("/devices/enrol", json={"code": code, "name": "B"})
    assert again.status_code == 404
    assert "used already" in again.json()["detail"]
    assert len(api.client.get("/devices", headers=tenant.headers).json()["items"]) == 1


def test_two_kiosks_racing_for_one_code_give_one_device(api: Api) -> None:
    tenant = api.sign_up("race-gym")
    location = api.create_location(tenant)
    code = api.client.post(
        f"/locations/{location['id']}/enrolment-codes", headers=tenant.headers
    ).json()["code"]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(
            pool.map(
                lambda n: (
                    api.client.post(
                        "/devices/enrol", json={"code": code, "name": f"k{n}"}
                    ).status_code
                ),
                range(8),
            )
        )
    assert sorted(statuses).count(201) == 1, statuses
    assert set(statuses) <= {201, 404}
    assert len(api.client.get("/devices", headers=tenant.headers).json()["items"]) == 1


def test_expired_and_invented_codes_are_refused(api: Api, container: Container) -> None:
    tenant = api.sign_up("expiry-gym")
    location = api.create_location(tenant)
    code = api.client.post(
        f"/locations/{location['id']}/enrolment-codes", headers=tenant.headers
    ).json()["code"]
    with container.uow() as uow:
        uow.db.execute(update(EnrolmentCode).values(expires_at=utcnow() - timedelta(minutes=1)))
        uow.commit()
    expired = api.client.post("/devices/enrol", json={"code": code, "name": "A"})
    assert expired.status_code == 404
    assert "expired" in expired.json()["detail"]
    for invented in (
        "expiry-gym.AAAA-BBBB-CCCC",
        "no-gym.AAAA-BBBB-CCCC",
        "hello",
        "expiry-gym.!!!!-????-%%%%",
    ):
        response = api.client.post("/devices/enrol", json={"code": invented, "name": "A"})
        assert response.status_code == 404, invented
        assert "not valid" in response.json()["detail"]
    assert api.client.get("/devices", headers=tenant.headers).json()["items"] == []


def test_revoked_device_is_refused_at_once(api: Api) -> None:
    tenant = api.sign_up("revoke-gym")
    location = api.create_location(tenant)
    device = api.enrol_device(tenant, location["id"])
    headers = api.device_headers(device)
    revoked = api.client.post(f"/devices/{device['device_id']}/revoke", headers=tenant.headers)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    # Its unexpired access token stops working too.
    refused = api.client.get("/sync/snapshot", headers=headers)
    assert refused.status_code == 401
    assert refused.json()["code"] == "device_revoked"
    token = api.client.post(
        "/devices/token",
        json={"device_id": device["device_id"], "device_secret": device["device_secret"]},
    )
    assert token.status_code == 401
    assert token.json()["code"] == "device_revoked"
    assert "revoked" in token.json()["detail"]


def test_wrong_device_secret_and_wrong_kind_of_caller(api: Api) -> None:
    tenant = api.sign_up("secret-gym")
    location = api.create_location(tenant)
    device = api.enrol_device(tenant, location["id"])
    wrong = device["device_secret"][:-4] + "AAAA"
    response = api.client.post(
        "/devices/token", json={"device_id": device["device_id"], "device_secret": wrong}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    # Staff tokens do not sync; device tokens do not administer.
    assert api.client.get("/sync/snapshot", headers=tenant.headers).status_code == 403
    assert api.client.get("/locations", headers=api.device_headers(device)).status_code == 403


def test_archived_location_stops_its_kiosks(api: Api) -> None:
    tenant = api.sign_up("closing-gym")
    location = api.create_location(tenant)
    device = api.enrol_device(tenant, location["id"])
    api.client.delete(f"/locations/{location['id']}", headers=tenant.headers)
    response = api.client.get("/sync/snapshot", headers=api.device_headers(device))
    assert response.status_code == 404
    assert "archived" in response.json()["detail"]
