"""Bulk import of members from a CSV file, with a per-line report of refused rows."""

from __future__ import annotations

import uuid
from typing import Any

from tests.integration.helpers import Api, Tenant
from tests.integration.members_helpers import create_member


def _import(api: Api, tenant: Tenant, csv: str | bytes, content_type: str = "text/csv") -> Any:
    data = csv.encode() if isinstance(csv, str) else csv
    headers = {**tenant.headers, "content-type": content_type}
    return api.client.post("/members/import", content=data, headers=headers)


def _everyone(api: Api, tenant: Tenant) -> list[dict[str, Any]]:
    response = api.client.get("/members", params={"limit": 500}, headers=tenant.headers)
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_good_rows_are_created_and_bad_rows_reported_by_line(api: Api) -> None:
    tenant = api.sign_up("import-gym")
    location = api.create_location(tenant)
    create_member(api, tenant, "Old", "Timer", email="existing@x.example", card_number="CARD-9")
    ghost = uuid.uuid4()
    csv = (
        "First_Name, last_name,email,phone,date_of_birth,barcode,card_number,home_location_id\n"
        f"Ama,Mensah,ama@x.example,+233 20 111 2222,1990-01-31,B-1,,{location['id']}\n"  # 2
        "Kofi,Boateng,not-an-email,,,,,\n"  # 3
        "Yaa,Asantewaa,yaa@x.example,,31/01/1990,,,\n"  # 4
        "Esi,Owusu,AMA@x.example,,,,,\n"  # 5: same email as line 2
        "Kojo,Antwi,EXISTING@x.example,,,,,\n"  # 6
        "Abena,,abena@x.example,,,,,\n"  # 7
        f"Kwesi,Appiah,kwesi@x.example,,,,,{ghost}\n"  # 8
        "\n"  # 9: blank lines are skipped
        '"Adwoa ""Ady""",Darko,,0201234567,2001-02-03,B-2,CARD-1,\n'  # 10
        "Yaw,Ofori,,,,B-1,,\n"  # 11: same barcode as line 2
        "Akua,Badu,,,,,CARD-9,\n"  # 12: card of an existing member
        "Too,Few,fields\n"  # 13
        "Efua,Sam,,,2999-01-01,,,\n"  # 14
    )
    response = _import(api, tenant, csv)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["created"] == 2
    assert [(r["line"], r["reason"]) for r in result["rejected"]] == [
        (3, "email 'not-an-email' is not a valid email address"),
        (4, "date_of_birth '31/01/1990' is not a date (YYYY-MM-DD)"),
        (5, "duplicate within the file: email ama@x.example is already on line 2"),
        (6, "there is already a member with the email existing@x.example"),
        (7, "last_name is missing"),
        (8, f"home_location_id {ghost} is not one of your locations"),
        (11, "duplicate within the file: barcode B-1 is already on line 2"),
        (12, "card number CARD-9 is already linked to another member"),
        (13, "has 3 fields; the header has 8"),
        (14, "date of birth cannot be in the future"),
    ]
    members = {m["id"]: m for m in _everyone(api, tenant)}
    assert len(members) == 3
    imported = [members[member_id] for member_id in result["member_ids"]]
    ama, adwoa = imported
    assert (ama["first_name"], ama["email"], ama["phone"], ama["date_of_birth"]) == (
        "Ama",
        "ama@x.example",
        "+233201112222",
        "1990-01-31",
    )
    assert (ama["home_location_id"], ama["barcode"], ama["source"]) == (
        location["id"],
        "B-1",
        "import",
    )
    assert (adwoa["first_name"], adwoa["card_number"], adwoa["email"]) == (
        'Adwoa "Ady"',
        "CARD-1",
        None,
    )


def test_a_wrong_header_refuses_the_whole_file(api: Api) -> None:
    tenant = api.sign_up("header-gym")
    cases: list[tuple[str | bytes, int, str]] = [
        (
            "first_name,last_name,nickname\nA,B,C\n",
            422,
            "unknown columns in the header: 'nickname'",
        ),
        ("first_name,email\nA,a@x.example\n", 422, "lacks required columns: last_name"),
        ("first_name,last_name,last_name\nA,B,C\n", 422, "appear twice"),
        ("", 422, "needs a header row"),
        (b"first_name,last_name\n\xff\xfe,B\n", 422, "not UTF-8"),
        ("first_name,last_name\nA,B\n", 415, "text/csv"),
    ]
    for csv, status, text in cases:
        content_type = "application/json" if status == 415 else "text/csv"
        response = _import(api, tenant, csv, content_type)
        assert response.status_code == status, (csv, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert text in response.json()["detail"], response.json()
    assert _everyone(api, tenant) == []


def test_size_limits(api: Api) -> None:
    tenant = api.sign_up("big-gym")
    rows = "".join(f"First{i},Last{i}\n" for i in range(10_001))
    too_many = _import(api, tenant, "first_name,last_name\n" + rows)
    assert too_many.status_code == 413
    assert "more than 10,000 rows" in too_many.json()["detail"]
    too_big = _import(api, tenant, "first_name,last_name\n" + "A," + "b" * (5 * 1024 * 1024))
    assert too_big.status_code == 413
    assert "larger than 5 MB" in too_big.json()["detail"]
    assert _everyone(api, tenant) == []
    # A BOM from a spreadsheet program is fine, and a full-size file of good rows goes in whole.
    ok = _import(api, tenant, "\ufefffirst_name,last_name\n" + rows.split("\n", 1)[1])
    assert ok.status_code == 200, ok.text
    assert (ok.json()["created"], ok.json()["rejected"]) == (10_000, [])


def test_import_is_per_tenant(api: Api) -> None:
    mine = api.sign_up("import-mine")
    theirs = api.sign_up("import-theirs")
    their_location = api.create_location(theirs)
    create_member(api, theirs, email="shared@x.example")
    csv = (
        "first_name,last_name,email,home_location_id\n"
        "A,B,shared@x.example,\n"
        f"C,D,,{their_location['id']}\n"
    )
    result = _import(api, mine, csv).json()
    assert result["created"] == 1
    assert [r["line"] for r in result["rejected"]] == [3]
    assert [m["email"] for m in _everyone(api, mine)] == ["shared@x.example"]
    assert len(_everyone(api, theirs)) == 1


def _plan(api: Api, tenant: Tenant, **body: Any) -> dict[str, Any]:
    base = {"kind": "recurring", "billing_period": "month", "price": "45.00", "currency": "GBP"}
    response = api.client.post("/plans", json={**base, **body}, headers=tenant.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _memberships(api: Api, tenant: Tenant, member_id: str) -> list[dict[str, Any]]:
    response = api.client.get(f"/members/{member_id}/memberships", headers=tenant.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_semicolons_locations_by_name_and_plans_that_start_memberships(api: Api) -> None:
    tenant = api.sign_up("import-plans")
    accra = api.create_location(tenant, name="Accra Osu")
    london = api.create_location(tenant, name="London")
    monthly = _plan(api, tenant, name="Monthly Unlimited")
    home_only = _plan(api, tenant, name="Home club", location_rule="home")
    csv = (
        "first_name;last_name;home_location;plan\n"
        "Ama;Mensah;accra osu;monthly unlimited\n"  # 2
        f"Kofi;Boateng;{london['id']};{home_only['id']}\n"  # 3
        "Yaa;Asantewaa;LONDON;\n"  # 4
        "Esi;Owusu;Kumasi;Monthly Unlimited\n"  # 5: no such location
        "Kojo;Antwi;;Yearly\n"  # 6: no such plan
        "Abena;Darko;;Home club\n"  # 7: home-only plan without a home
    )
    response = _import(api, tenant, csv)
    assert response.status_code == 200, response.text
    result = response.json()
    assert [(r["line"], r["reason"]) for r in result["rejected"]] == [
        (5, "home_location 'Kumasi' is not one of your locations"),
        (6, "plan 'Yearly' is not one of the plans you sell"),
        (7, "plan 'Home club' is valid at the member's home location only: give home_location"),
    ]
    ama, kofi, yaa = (
        api.client.get(f"/members/{member_id}", headers=tenant.headers).json()
        for member_id in result["member_ids"]
    )
    assert [m["home_location_id"] for m in (ama, kofi, yaa)] == [
        accra["id"],
        london["id"],
        london["id"],
    ]
    [ama_plan] = _memberships(api, tenant, ama["id"])
    [kofi_plan] = _memberships(api, tenant, kofi["id"])
    assert (ama_plan["plan_id"], ama_plan["status"]) == (monthly["id"], "active")
    assert kofi_plan["plan_id"] == home_only["id"]
    assert _memberships(api, tenant, yaa["id"]) == []
    assert len(_everyone(api, tenant)) == 3


def test_a_file_uploaded_as_a_form_is_imported_like_a_body(api: Api) -> None:
    tenant = api.sign_up("import-form")
    csv = b"first_name,last_name,email\nAma,Mensah,ama@x.example\nKofi,,\n"
    response = api.client.post(
        "/members/import",
        files={"file": ("members.csv", csv, "text/csv")},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1
    assert [(r["line"], r["reason"]) for r in response.json()["rejected"]] == [
        (3, "last_name is missing")
    ]
    wrong_field = api.client.post(
        "/members/import",
        files={"upload": ("members.csv", csv, "text/csv")},
        headers=tenant.headers,
    )
    assert wrong_field.status_code == 422
    assert "no 'file' field" in wrong_field.json()["detail"]
    too_big = api.client.post(
        "/members/import",
        files={"file": ("big.csv", b"first_name,last_name\nA," + b"b" * (5 * 1024 * 1024))},
        headers=tenant.headers,
    )
    assert too_big.status_code == 413
    assert [m["first_name"] for m in _everyone(api, tenant)] == ["Ama"]


def test_other_tenants_locations_and_plans_are_not_found_by_name_or_id(api: Api) -> None:
    mine, theirs = api.sign_up("import-names-mine"), api.sign_up("import-names-theirs")
    api.create_location(theirs, name="Kumasi")
    their_plan = _plan(api, theirs, name="Gold")
    csv = (
        "first_name,last_name,home_location_id,plan\n"
        "A,B,Kumasi,\n"
        f"C,D,,{their_plan['id']}\n"
        "E,F,,Gold\n"
    )
    result = _import(api, mine, csv).json()
    assert result["created"] == 0
    assert [r["line"] for r in result["rejected"]] == [2, 3, 4]
    assert _everyone(api, mine) == []
