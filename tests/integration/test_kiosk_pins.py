"""What kiosks get of staff PINs: verifiers keyed per device, never argon2 hashes; owners'
PINs only when an owner asks; at least 6 digits for owners and managers."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update

from server.bootstrap import Container
from server.devices.models import Device
from server.staff.models import StaffAccount
from shared.kiosk_pins import lookup_matches, lookup_tags, pin_key_from_secret, verify_pin
from tests.integration.helpers import Api, Tenant

DESK_PIN = "4321"
MANAGER_PIN = "864209"
OWNER_PIN = "975310"
#: How an argon2 hash starts as a JSON string value (a verifier starts "$zmos-pin1$").
ARGON2_VALUE = '"$argon2'


def _staff_rows(api: Api, device: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], str]:
    """The staff of the device's snapshot by name, and the raw body."""
    response = api.client.get("/sync/snapshot", headers=api.device_headers(device))
    assert response.status_code == 200, response.text
    return {s["name"]: s for s in response.json()["staff"]}, response.text


def _key(device: dict[str, Any]) -> bytes:
    return pin_key_from_secret(device["device_secret"])


def _gym(api: Api, slug: str) -> tuple[Tenant, dict[str, Any]]:
    tenant = api.sign_up(slug)
    here = api.create_location(tenant, "Here")
    api.create_staff(tenant, "front_desk", f"desk@{slug}.example", pin=DESK_PIN)
    api.create_staff(tenant, "manager", f"manager@{slug}.example", pin=MANAGER_PIN)
    return tenant, here


def test_each_kiosk_gets_verifiers_keyed_for_itself_and_no_hash(api: Api) -> None:
    tenant, here = _gym(api, "keyed-gym")
    one = api.enrol_device(tenant, here["id"], "Desk one")
    two = api.enrol_device(tenant, here["id"], "Desk two")
    staff_one, body_one = _staff_rows(api, one)
    staff_two, body_two = _staff_rows(api, two)
    assert ARGON2_VALUE not in body_one and ARGON2_VALUE not in body_two
    for name, pin in (("front_desk person", DESK_PIN), ("manager person", MANAGER_PIN)):
        mine, theirs = staff_one[name]["pin_verifier"], staff_two[name]["pin_verifier"]
        assert mine != theirs
        assert verify_pin(mine, _key(one), pin) and verify_pin(theirs, _key(two), pin)
        # One kiosk's key does not open another's verifiers, nor does a wrong PIN.
        assert not verify_pin(mine, _key(two), pin)
        assert not verify_pin(mine, _key(one), "0000")


def test_pulled_staff_changes_are_keyed_for_the_pulling_kiosk(api: Api) -> None:
    tenant, here = _gym(api, "pulled-gym")
    device = api.enrol_device(tenant, here["id"])
    headers = api.device_headers(device)
    cursor = api.client.get("/sync/snapshot", headers=headers).json()["cursor"]
    coach = api.create_staff(tenant, "coach", "coach@pulled-gym.example", pin="2580")
    pulled = api.client.get("/sync/pull", params={"cursor": cursor}, headers=headers)
    assert pulled.status_code == 200, pulled.text
    assert ARGON2_VALUE not in pulled.text
    rows = [c["data"] for c in pulled.json()["changes"] if c["row_id"] == coach["id"]]
    assert rows and rows[-1]["pin_hash"] is None
    assert verify_pin(rows[-1]["pin_verifier"], _key(device), "2580")
    assert not verify_pin(rows[-1]["pin_verifier"], pin_key_from_secret("zd.x.other"), "2580")


def test_owner_pins_reach_kiosks_only_when_an_owner_asks(api: Api) -> None:
    tenant, here = _gym(api, "owner-pin-gym")
    set_pin = api.client.patch(
        f"/staff/{tenant.owner_id}", json={"pin": OWNER_PIN}, headers=tenant.headers
    )
    assert set_pin.status_code == 200, set_pin.text
    assert set_pin.json()["kiosk_pin"] is False
    device = api.enrol_device(tenant, here["id"])
    headers = api.device_headers(device)
    staff, _ = _staff_rows(api, device)
    assert staff["Olu Owner"]["pin_verifier"] is None
    cursor = api.client.get("/sync/snapshot", headers=headers).json()["cursor"]

    manager = api.token_for(tenant.slug, "manager@owner-pin-gym.example")
    refused = api.client.patch(
        f"/staff/{tenant.owner_id}", json={"kiosk_pin": True}, headers=manager
    )
    assert refused.status_code == 403
    refused = api.client.patch(
        f"/staff/{_id_of(api, tenant, 'front_desk person')}",
        json={"kiosk_pin": True},
        headers=manager,
    )
    assert refused.status_code == 403

    asked = api.client.patch(
        f"/staff/{tenant.owner_id}", json={"kiosk_pin": True}, headers=tenant.headers
    )
    assert asked.status_code == 200 and asked.json()["kiosk_pin"] is True
    staff, _ = _staff_rows(api, device)
    assert verify_pin(staff["Olu Owner"]["pin_verifier"], _key(device), OWNER_PIN)
    pulled = api.client.get("/sync/pull", params={"cursor": cursor}, headers=headers).json()
    owner_rows = [c["data"] for c in pulled["changes"] if c["row_id"] == tenant.owner_id]
    assert verify_pin(owner_rows[-1]["pin_verifier"], _key(device), OWNER_PIN)

    withdrawn = api.client.patch(
        f"/staff/{tenant.owner_id}", json={"kiosk_pin": False}, headers=tenant.headers
    )
    assert withdrawn.status_code == 200
    staff, _ = _staff_rows(api, device)
    assert staff["Olu Owner"]["pin_verifier"] is None


def _id_of(api: Api, tenant: Tenant, name: str) -> str:
    items = api.client.get("/staff", headers=tenant.headers).json()["items"]
    found: str = next(s["id"] for s in items if s["name"] == name)
    return found


def test_owners_and_managers_need_pins_of_six_digits(api: Api, container: Container) -> None:
    tenant = api.sign_up("long-pin-gym")
    body = {
        "name": "Short Manager",
        "email": "short@long-pin-gym.example",
        "role": "manager",
        "password": "correct horse battery",
        "pin": "12345",
    }
    refused = api.client.post("/staff", json=body, headers=tenant.headers)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "pin_too_short"
    assert "at least 6 digits" in refused.json()["detail"]
    assert "Short Manager" not in {s["name"] for s in _all_staff(api, tenant)}
    short_owner = api.client.patch(
        f"/staff/{tenant.owner_id}", json={"pin": "1234"}, headers=tenant.headers
    )
    assert short_owner.status_code == 422 and short_owner.json()["code"] == "pin_too_short"
    assert not _row(container, tenant.owner_id).pin_hash

    desk = api.create_staff(tenant, "front_desk", "desk@long-pin-gym.example", pin="1234")
    before = _row(container, desk["id"]).pin_hash
    # A desk PIN of 4 digits cannot come along into a manager's role.
    promoted = api.client.patch(
        f"/staff/{desk['id']}", json={"role": "manager"}, headers=tenant.headers
    )
    assert promoted.status_code == 422 and promoted.json()["code"] == "pin_too_short"
    short = api.client.patch(
        f"/staff/{desk['id']}", json={"role": "manager", "pin": "5678"}, headers=tenant.headers
    )
    assert short.status_code == 422
    row = _row(container, desk["id"])
    assert (row.role, row.pin_hash) == ("front_desk", before)
    done = api.client.patch(
        f"/staff/{desk['id']}", json={"role": "manager", "pin": "567890"}, headers=tenant.headers
    )
    assert done.status_code == 200 and done.json()["role"] == "manager"
    body["pin"] = "123456"
    assert api.client.post("/staff", json=body, headers=tenant.headers).status_code == 201


def _all_staff(api: Api, tenant: Tenant) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.client.get("/staff", headers=tenant.headers).json()["items"]
    return items


def _row(container: Container, staff_id: str) -> StaffAccount:
    with container.uow() as uow:
        row = uow.db.execute(
            select(StaffAccount).where(StaffAccount.id == uuid.UUID(staff_id))
        ).scalar_one()
        uow.db.expunge(row)
        return row


def test_a_kiosk_enrolled_before_pin_keys_gets_one_with_its_next_token(
    api: Api, container: Container
) -> None:
    tenant, here = _gym(api, "legacy-gym")
    device = api.enrol_device(tenant, here["id"])
    with container.uow() as uow:
        uow.db.execute(update(Device).values(pin_key=None))
        uow.commit()
    staff, _ = _staff_rows(api, device)  # asks for a token first: the key is made then
    assert verify_pin(staff["manager person"]["pin_verifier"], _key(device), MANAGER_PIN)


def test_kiosks_find_whose_pin_it_is_with_one_hash(api: Api) -> None:
    tenant, here = _gym(api, "lookup-gym")
    device = api.enrol_device(tenant, here["id"])
    headers = api.device_headers(device)
    staff, body = _staff_rows(api, device)
    assert ARGON2_VALUE not in body  # the index goes out keyed, like the hash
    lookups = {name: row["pin_lookup"] for name, row in staff.items()}
    assert lookups["Olu Owner"] is None  # no PIN for kiosks
    tags = lookup_tags(DESK_PIN, _key(device), lookups.values())
    assert len(tags) == 1  # one argon2 computation for the whole tenant
    assert [n for n, lookup in lookups.items() if lookup_matches(lookup, tags)] == [
        "front_desk person"
    ]
    other_device = api.enrol_device(tenant, here["id"], "Desk two")
    assert not lookup_matches(
        lookups["front_desk person"], lookup_tags(DESK_PIN, _key(other_device), lookups.values())
    )
    cursor = api.client.get("/sync/snapshot", headers=headers).json()["cursor"]
    coach = api.create_staff(tenant, "coach", "coach@lookup-gym.example", pin="2580")
    pulled = api.client.get("/sync/pull", params={"cursor": cursor}, headers=headers)
    assert ARGON2_VALUE not in pulled.text
    [row] = [c["data"] for c in pulled.json()["changes"] if c["row_id"] == coach["id"]][-1:]
    assert lookup_matches(row["pin_lookup"], lookup_tags("2580", _key(device), [row["pin_lookup"]]))


def test_pin_uniqueness_compares_indexes_not_every_hash(
    api: Api, container: Container, monkeypatch: Any
) -> None:
    tenant, _here = _gym(api, "index-gym")
    for n in range(5):
        api.create_staff(tenant, "coach", f"coach{n}@index-gym.example", pin=f"70{n:02d}")
    # One PIN set before indexes existed.
    legacy = api.create_staff(tenant, "coach", "old@index-gym.example", pin="6060")
    with container.uow() as uow:
        uow.db.execute(
            update(StaffAccount)
            .where(StaffAccount.id == uuid.UUID(legacy["id"]))
            .values(pin_index=None)
        )
        uow.commit()
    verified: list[str] = []
    real = container.identity.verify_password

    def counting(pin_hash: str, pin: str) -> bool:
        verified.append(pin_hash)
        return real(pin_hash, pin)

    monkeypatch.setattr(container.identity, "verify_password", counting)
    body = {"name": "Yaw", "email": "yaw@index-gym.example", "role": "front_desk"}
    body["password"] = "correct horse battery staple"
    taken = api.client.post("/staff", json=body | {"pin": "7003"}, headers=tenant.headers)
    assert taken.status_code == 409 and taken.json()["code"] == "pin_in_use"
    # At most the PIN without an index is verified by its hash: the rest compare indexes.
    assert len(verified) <= 1
    verified.clear()
    taken = api.client.post("/staff", json=body | {"pin": "6060"}, headers=tenant.headers)
    assert taken.status_code == 409 and len(verified) == 1
    free = api.client.post("/staff", json=body | {"pin": "1357"}, headers=tenant.headers)
    assert free.status_code == 201, free.text
    with container.uow() as uow:
        index = uow.db.execute(
            select(StaffAccount.pin_index).where(StaffAccount.id == uuid.UUID(free.json()["id"]))
        ).scalar_one()
    assert index is not None and index.startswith("$argon2")
