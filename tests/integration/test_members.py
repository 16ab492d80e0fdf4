"""Staff-side members: create, read, edit, search, uniqueness, guests, photos, roles, tenancy."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from PIL import Image

from tests.integration.helpers import Api, Tenant
from tests.integration.members_helpers import create_member, image_bytes


def _search(api: Api, tenant: Tenant, q: str) -> list[str]:
    response = api.client.get("/members", params={"q": q}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return sorted(f"{m['first_name']} {m['last_name']}" for m in response.json()["items"])


def _problem(response: Any, status: int, text: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert text in response.json()["detail"], response.json()


def test_create_read_update_round_trip(api: Api) -> None:
    tenant = api.sign_up("crud-gym")
    location = api.create_location(tenant)
    created = create_member(
        api,
        tenant,
        first="  Kofi ",
        last="Boateng",
        email="Kofi.Boateng@Example.COM",
        phone="+233 (20) 123-4567",
        date_of_birth="1990-05-17",
        fitness_goals=["run 5k", " run   5k ", "mobility"],
        preferences={"class_reminders": True, "language": "en"},
        barcode="ZM-0001",
        card_number="04A1B2C3",
        home_location_id=location["id"],
    )
    assert created["first_name"] == "Kofi"
    assert created["email"] == "kofi.boateng@example.com"
    assert created["phone"] == "+233201234567"
    assert created["fitness_goals"] == ["run 5k", "mobility"]
    assert created["source"] == "desk"
    assert (created["email_verified"], created["has_photo"]) == (False, False)
    fetched = api.client.get(f"/members/{created['id']}", headers=tenant.headers).json()
    assert fetched == created
    updated = api.client.patch(
        f"/members/{created['id']}",
        json={"last_name": "Boateng-Asante", "phone": None, "preferences": {"language": "tw"}},
        headers=tenant.headers,
    )
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert (body["last_name"], body["phone"], body["preferences"]) == (
        "Boateng-Asante",
        None,
        {"language": "tw"},
    )
    assert body["barcode"] == "ZM-0001"  # fields not sent stay as they were
    assert body["updated_at"] >= created["updated_at"]


# Each refusal and its wording is unit-tested (tests/unit/test_member_and_location_requests.py).
# Here: that the routes apply them and the edit rules that need the member, changing nothing.
# SQLite only: the database plays no part in it.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_bad_profiles_are_refused_and_change_nothing(api: Api) -> None:
    tenant = api.sign_up("badprofile-gym")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"phone": "call me"}, "not a phone number"),
        ({"date_of_birth": "2999-01-01"}, "cannot be in the future"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ]
    for change, expected in cases:
        body = {"first_name": "A", "last_name": "B", **change}
        response = api.client.post("/members", json=body, headers=tenant.headers)
        _problem(response, 422, expected)
    member = create_member(api, tenant)
    for change in ({"first_name": None}, {"last_name": ""}, {"guest_of_id": member["id"]}):
        response = api.client.patch(f"/members/{member['id']}", json=change, headers=tenant.headers)
        assert response.status_code == 422, (change, response.text)
    assert [
        m["id"] for m in api.client.get("/members", headers=tenant.headers).json()["items"]
    ] == [member["id"]]
    assert api.client.get(f"/members/{member['id']}", headers=tenant.headers).json() == member


def test_search_by_name_phone_email_and_card(api: Api) -> None:
    tenant = api.sign_up("search-gym")
    create_member(api, tenant, "Ama", "Mensah", phone="+233 20 111 2222", email="ama@x.example")
    create_member(api, tenant, "Kwame", "Amankwah", phone="0201119999", barcode="BC-77")
    create_member(api, tenant, "Jane", "Smith", phone="+44 7700 900123", email="jane@y.example")
    create_member(api, tenant, "John", "Smithson")
    assert _search(api, tenant, "ama") == ["Ama Mensah", "Kwame Amankwah"]
    assert _search(api, tenant, "SMITH") == ["Jane Smith", "John Smithson"]
    assert _search(api, tenant, "jane smi") == ["Jane Smith"]
    assert _search(api, tenant, "mens") == ["Ama Mensah"]
    assert _search(api, tenant, "nobody") == []
    assert _search(api, tenant, "2222") == ["Ama Mensah"]  # end of the number
    assert _search(api, tenant, "+233 20") == ["Ama Mensah"]  # start, international
    assert _search(api, tenant, "020 111 2222") == ["Ama Mensah"]  # national form, trunk 0
    assert _search(api, tenant, "020111") == ["Kwame Amankwah"]  # start as stored
    assert _search(api, tenant, "447700") == ["Jane Smith"]  # country code without +
    assert _search(api, tenant, "JANE@Y") == ["Jane Smith"]
    assert _search(api, tenant, "@x.example") == ["Ama Mensah"]
    assert _search(api, tenant, "BC-77") == ["Kwame Amankwah"]
    assert _search(api, tenant, "100%_") == []
    page = api.client.get("/members", params={"limit": 3}, headers=tenant.headers).json()
    assert [m["last_name"] for m in page["items"]] == ["Amankwah", "Mensah", "Smith"]
    assert page["next_offset"] == 3
    rest = api.client.get("/members", params={"offset": 3}, headers=tenant.headers).json()
    assert [m["last_name"] for m in rest["items"]] == ["Smithson"]
    assert rest["next_offset"] is None


def test_duplicate_email_barcode_and_card_are_conflicts(api: Api) -> None:
    tenant = api.sign_up("dupes-gym")
    first = create_member(api, tenant, email="ama@x.example", barcode="B-1", card_number="C-1")
    other = create_member(api, tenant, "Yaw", "Ofori")
    cases = [
        ({"email": "AMA@x.example"}, "there is already a member with the email ama@x.example"),
        ({"barcode": "B-1"}, "barcode B-1 is already linked to another member"),
        ({"card_number": "C-1"}, "card number C-1 is already linked to another member"),
    ]
    for change, expected in cases:
        body = {"first_name": "New", "last_name": "Person", **change}
        _problem(api.client.post("/members", json=body, headers=tenant.headers), 409, expected)
        patch = api.client.patch(f"/members/{other['id']}", json=change, headers=tenant.headers)
        _problem(patch, 409, expected)
    assert first["id"] not in api.client.get(f"/members/{other['id']}", headers=tenant.headers).text
    assert len(api.client.get("/members", headers=tenant.headers).json()["items"]) == 2
    # A member keeps their own values when saving them again.
    same = api.client.patch(
        f"/members/{first['id']}", json={"email": "ama@x.example"}, headers=tenant.headers
    )
    assert same.status_code == 200
    # Another tenant may use the same email and numbers.
    elsewhere = api.sign_up("dupes-elsewhere")
    create_member(api, elsewhere, email="ama@x.example", barcode="B-1", card_number="C-1")


def test_guest_link_and_home_location_must_be_the_tenants(api: Api) -> None:
    tenant = api.sign_up("guest-gym")
    stranger = api.sign_up("guest-stranger")
    their_location = api.create_location(stranger)
    their_member = create_member(api, stranger)
    host = create_member(api, tenant, "Host", "Member")
    guest = create_member(api, tenant, "Guest", "Person", guest_of_id=host["id"])
    assert guest["guest_of_id"] == host["id"]
    for field, value in (
        ("guest_of_id", their_member["id"]),
        ("guest_of_id", str(uuid.uuid4())),
        ("home_location_id", their_location["id"]),
    ):
        body = {"first_name": "X", "last_name": "Y", field: value}
        _problem(api.client.post("/members", json=body, headers=tenant.headers), 404, value)
    cleared = api.client.patch(
        f"/members/{guest['id']}", json={"guest_of_id": None}, headers=tenant.headers
    )
    assert cleared.json()["guest_of_id"] is None


def test_photo_round_trip_and_bad_photos(api: Api) -> None:
    tenant = api.sign_up("photo-gym")
    member = create_member(api, tenant)
    url = f"/members/{member['id']}/photo"
    _problem(api.client.get(url, headers=tenant.headers), 404, "has no photo")
    for extension, kind in ((".png", "image/png"), (".jpg", "image/jpeg")):
        data = image_bytes(extension)
        headers = {**tenant.headers, "content-type": kind}
        response = api.client.put(url, content=data, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["has_photo"] is True
        fetched = api.client.get(url, headers=tenant.headers)
        assert fetched.status_code == 200
        # Stored as Pillow wrote it again: the same picture, in the same format.
        assert fetched.headers["content-type"] == kind
        with Image.open(io.BytesIO(fetched.content)) as stored:
            assert (stored.format, stored.size) == (kind.removeprefix("image/").upper(), (8, 8))
    png = image_bytes(".png")
    bad = [
        (png, "image/jpeg", 422, "not a JPEG image"),
        (b"GIF89a" + b"\0" * 20, "image/png", 422, "not a PNG image"),
        (b"", "image/png", 422, "empty"),
        (png, "image/gif", 415, "image/png or image/jpeg"),
        (png[:8] + b"\0" * (2 * 1024 * 1024), "image/png", 413, "larger than 2 MB"),
    ]
    for data, kind, status, text in bad:
        headers = {**tenant.headers, "content-type": kind}
        _problem(api.client.put(url, content=data, headers=headers), status, text)
    still = api.client.get(url, headers=tenant.headers)
    assert still.headers["content-type"] == "image/jpeg"  # the last good photo stays


def test_roles_coach_neither_lists_nor_changes(api: Api) -> None:
    tenant = api.sign_up("roles-gym")
    member = create_member(api, tenant)
    api.create_staff(tenant, "coach", "coach@roles-gym.example")
    api.create_staff(tenant, "front_desk", "desk@roles-gym.example")
    coach = api.token_for("roles-gym", "coach@roles-gym.example")
    desk = api.token_for("roles-gym", "desk@roles-gym.example")
    # Coaches see only their own classes' members, and never the list with personal data.
    _problem(api.client.get(f"/members/{member['id']}", headers=coach), 403, "classes they lead")
    _problem(api.client.get("/members", params={"q": "ama"}, headers=coach), 403, "role")
    assert api.client.get("/members", params={"q": "ama"}, headers=desk).status_code == 200
    body = {"first_name": "A", "last_name": "B"}
    _problem(api.client.post("/members", json=body, headers=coach), 403, "front desk")
    _problem(api.client.patch(f"/members/{member['id']}", json=body, headers=coach), 403, "role")
    assert api.client.delete(f"/members/{member['id']}", headers=coach).status_code == 403
    csv_headers = {**coach, "content-type": "text/csv"}
    csv = b"first_name,last_name\nA,B\n"
    assert api.client.post("/members/import", content=csv, headers=csv_headers).status_code == 403
    assert api.client.post("/members", json=body, headers=desk).status_code == 201
    assert api.client.get("/members").status_code == 401


def test_other_tenants_members_are_not_found(api: Api) -> None:
    mine = api.sign_up("mine-gym")
    theirs = api.sign_up("theirs-gym")
    member = create_member(api, theirs, email="hidden@x.example")
    url = f"/members/{member['id']}"
    png = {**mine.headers, "content-type": "image/png"}
    for response in (
        api.client.get(url, headers=mine.headers),
        api.client.patch(url, json={"first_name": "Hacked"}, headers=mine.headers),
        api.client.put(f"{url}/photo", content=image_bytes(".png"), headers=png),
        api.client.get(f"{url}/photo", headers=mine.headers),
        api.client.delete(url, headers=mine.headers),
    ):
        _problem(response, 404, "was not found")
    assert api.client.get("/members", params={"q": "hidden"}, headers=mine.headers).json() == {
        "items": [],
        "next_offset": None,
    }
    still = api.client.get(url, headers=theirs.headers).json()
    assert (still["first_name"], still["has_photo"]) == ("Ama", False)


def test_archived_member_is_gone(api: Api) -> None:
    tenant = api.sign_up("archive-members")
    member = create_member(api, tenant, email="leaver@x.example", barcode="LV-1")
    url = f"/members/{member['id']}"
    assert api.client.delete(url, headers=tenant.headers).status_code == 204
    _problem(api.client.get(url, headers=tenant.headers), 404, "was not found")
    _problem(api.client.delete(url, headers=tenant.headers), 404, "was not found")
    _problem(api.client.patch(url, json={"first_name": "B"}, headers=tenant.headers), 404, "")
    assert (
        api.client.get("/members", params={"q": "ama"}, headers=tenant.headers).json()["items"]
        == []
    )
    host = {"first_name": "G", "last_name": "H", "guest_of_id": member["id"]}
    _problem(api.client.post("/members", json=host, headers=tenant.headers), 404, member["id"])
    # The archived member still holds their card: a new member cannot take it silently.
    again = {"first_name": "New", "last_name": "One", "barcode": "LV-1"}
    _problem(api.client.post("/members", json=again, headers=tenant.headers), 409, "LV-1")
