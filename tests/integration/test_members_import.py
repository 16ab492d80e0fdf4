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
