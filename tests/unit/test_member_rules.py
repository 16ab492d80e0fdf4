"""Member rules without a database: phones, birth dates, goals, photos, tokens, CSV rows."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from server.members import csv_import, rules
from server.members.csv_import import ImportLocation, ImportPlan, ImportRow, RowError

TODAY = date(2026, 11, 21)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+233 (20) 000-0000", "+233200000000"),
        ("020 000 0000", "0200000000"),
        (" +44 7700.900.123 ", "+447700900123"),
        ("911", "911"),
    ],
)
def test_phone_normalisation(raw: str, expected: str) -> None:
    assert rules.normalise_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("call me", "use digits"),
        ("12", "3 to 15 digits"),
        ("+1234567890123456", "3 to 15 digits"),
        ("++233", "use digits"),
        ("", "use digits"),
    ],
)
def test_bad_phones_are_explained(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rules.normalise_phone(raw)


def test_phone_search_patterns() -> None:
    assert rules.phone_patterns("+233 20") == ["+23320%"]
    assert rules.phone_patterns("2222") == ["%2222", "2222%", "+2222%"]
    assert rules.phone_patterns("020 111 2222") == [
        "%0201112222",
        "0201112222%",
        "+0201112222%",
        "%201112222",
    ]
    assert rules.looks_like_phone("020-111") and not rules.looks_like_phone("Ama")
    assert not rules.looks_like_phone("12")


def test_date_of_birth_rules() -> None:
    assert rules.check_date_of_birth(date(1990, 1, 1), TODAY) == date(1990, 1, 1)
    assert rules.check_date_of_birth(TODAY, TODAY) == TODAY
    assert rules.check_date_of_birth(date(1906, 11, 21), TODAY) == date(1906, 11, 21)
    with pytest.raises(ValueError, match="future"):
        rules.check_date_of_birth(date(2026, 11, 22), TODAY)
    with pytest.raises(ValueError, match="120 years"):
        rules.check_date_of_birth(date(1906, 11, 20), TODAY)
    leap_day = date(2020, 2, 29)  # 1900 was not a leap year
    assert rules.check_date_of_birth(date(1900, 2, 28), leap_day) == date(1900, 2, 28)
    with pytest.raises(ValueError, match="120 years"):
        rules.check_date_of_birth(date(1900, 2, 27), leap_day)


def test_goals_and_preferences() -> None:
    assert rules.clean_goals([" run  5k ", "run 5k", "yoga"]) == ["run 5k", "yoga"]
    with pytest.raises(ValueError, match="empty"):
        rules.clean_goals(["  "])
    with pytest.raises(ValueError, match="at most 20"):
        rules.clean_goals([f"goal {i}" for i in range(21)])
    assert rules.check_preferences({"a": [1, 2]}) == {"a": [1, 2]}
    with pytest.raises(ValueError, match="4096 bytes"):
        rules.check_preferences({"a": "x" * 4096})


def test_photo_magic_bytes() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 10
    assert rules.check_photo(png, "image/png; charset=binary") == "image/png"
    assert rules.check_photo(b"\xff\xd8\xff\xe0rest", "IMAGE/JPEG") == "image/jpeg"
    for data, kind, message in (
        (png, "image/jpeg", "not a JPEG"),
        (b"GIF89a", "image/png", "not a PNG"),
        (png, "image/gif", "image/png or image/jpeg"),
        (b"", "image/png", "empty"),
        (png + b"\0" * rules.MAX_PHOTO_BYTES, "image/png", "larger than 2 MB"),
    ):
        with pytest.raises(ValueError, match=message):
            rules.check_photo(data, kind)


def test_verification_tokens_round_trip_and_store_only_a_hash() -> None:
    tenant_id, verification_id = uuid.uuid4(), uuid.uuid4()
    token, stored = rules.new_verification_token(tenant_id, verification_id)
    parsed_tenant, parsed_id, secret = rules.parse_verification_token(token)
    assert (parsed_tenant, parsed_id) == (tenant_id, verification_id)
    assert stored == rules.sha256(secret) and secret not in stored
    for garbage in ("nonsense", "rt.a.b.c", f"ev.{tenant_id.hex}.{verification_id.hex}."):
        with pytest.raises(ValueError):
            rules.parse_verification_token(garbage)


def _row(**values: str) -> dict[str, str]:
    return {"first_name": "Ama", "last_name": "Mensah", **values}


def test_csv_row_validation() -> None:
    location = uuid.uuid4()
    good = csv_import.validate_row(
        2,
        _row(
            email=" Ama@X.example ",
            phone="+233 20 111 2222",
            date_of_birth="1990-01-31",
            barcode="B-1",
            home_location_id=str(location),
        ),
        TODAY,
    )
    assert good == ImportRow(
        line=2,
        first_name="Ama",
        last_name="Mensah",
        email="ama@x.example",
        phone="+233201112222",
        date_of_birth=date(1990, 1, 31),
        barcode="B-1",
        home_location_id=location,
    )
    bad = csv_import.validate_row(
        7, {"first_name": "", "email": "nope", "date_of_birth": "1990-02-30"}, TODAY
    )
    assert bad == RowError(
        7,
        "first_name is missing; last_name is missing; email 'nope' is not a valid email address; "
        "date_of_birth '1990-02-30' is not a date (YYYY-MM-DD)",
    )
    for values, message in (
        ({"phone": "abc"}, "not a phone number"),
        ({"date_of_birth": "20200101"}, "YYYY-MM-DD"),
        ({"date_of_birth": "1800-01-01"}, "120 years"),
        ({"card_number": "with space"}, "card_number must be"),
        ({"last_name": "x" * 101}, "longer than 100"),
    ):
        result = csv_import.validate_row(3, _row(**values), TODAY)
        assert isinstance(result, RowError) and message in result.reason, (values, result)


def test_csv_reading_keeps_file_line_numbers() -> None:
    data = b'first_name,last_name\nA,B\n\n"Multi\nline",C\nD\nE,F\n'
    assert csv_import.read_csv(data) == [
        (2, {"first_name": "A", "last_name": "B"}),
        (4, {"first_name": "Multi\nline", "last_name": "C"}),
        RowError(6, "has 1 fields; the header has 2"),
        (7, {"first_name": "E", "last_name": "F"}),
    ]
    with pytest.raises(csv_import.TooManyRows):
        csv_import.read_csv(b"first_name,last_name\nA,B\nC,D\n", max_rows=1)
    for header, message in (
        (b"first_name,surname\n", "unknown columns"),
        (b"first_name\n", "lacks required columns: last_name"),
        (b"\n", "needs a header row"),
    ):
        with pytest.raises(csv_import.CsvRefused, match=message):
            csv_import.read_csv(header)


def test_duplicates_and_clashes_keep_the_first_row() -> None:
    rows = [
        ImportRow(2, "A", "B", email="a@x.example", barcode="1"),
        ImportRow(3, "C", "D", email="a@x.example"),
        ImportRow(4, "E", "F", barcode="1", card_number="9"),
        ImportRow(5, "G", "H", card_number="9"),
    ]
    kept, errors = csv_import.drop_duplicates(rows)
    assert [row.line for row in kept] == [2, 5]
    assert errors == [
        RowError(3, "duplicate within the file: email a@x.example is already on line 2"),
        RowError(4, "duplicate within the file: barcode 1 is already on line 2"),
    ]
    location = uuid.uuid4()
    kept, errors = csv_import.reject_taken(
        [*rows[:1], ImportRow(6, "I", "J", home_location_id=location)],
        {"email": {"a@x.example"}},
        set(),
    )
    assert kept == []
    assert errors == [
        RowError(2, "there is already a member with the email a@x.example"),
        RowError(6, f"home_location_id {location} is not one of your locations"),
    ]


def test_csv_separators_are_found_from_the_header() -> None:
    """Spreadsheets in a European locale write semicolons; commas inside quotes stay."""
    semicolons = b'first_name;last_name;email\nAma;"Mensah, Jr";ama@x.example\n'
    assert csv_import.read_csv(semicolons) == [
        (2, {"first_name": "Ama", "last_name": "Mensah, Jr", "email": "ama@x.example"})
    ]
    commas = b'first_name,last_name\n"Ama; A",Mensah\n'
    assert csv_import.read_csv(commas) == [(2, {"first_name": "Ama; A", "last_name": "Mensah"})]
    for header in (b"first_name,last_name,home_location,home_location_id\n", b"a;b;plan;plan_id\n"):
        with pytest.raises(csv_import.CsvRefused, match=r"not both|unknown"):
            csv_import.read_csv(header)


def test_home_locations_and_plans_are_named_by_name_or_id() -> None:
    accra, kumasi, twin_a, twin_b = (uuid.uuid4() for _ in range(4))
    locations = [
        ImportLocation(accra, "Accra Osu"),
        ImportLocation(kumasi, "Kumasi"),
        ImportLocation(twin_a, "Twin"),
        ImportLocation(twin_b, "twin"),
    ]
    monthly, home_only = uuid.uuid4(), uuid.uuid4()
    plans = [ImportPlan(monthly, "Monthly Unlimited", False), ImportPlan(home_only, "Home", True)]

    def row(line: int, **values: str) -> ImportRow:
        result = csv_import.validate_row(line, _row(**values), TODAY)
        assert isinstance(result, ImportRow), result
        return result

    rows = [
        row(2, home_location="ACCRA OSU", plan="monthly unlimited"),
        row(3, home_location=str(kumasi), plan_id=str(home_only)),
        row(4, home_location_id="Kumasi", plan="Home"),
        row(5, home_location="Nowhere"),
        row(6, home_location="twin"),
        row(7, plan="Yearly"),
        row(8, plan="Home"),
        row(9),
    ]
    kept, errors = csv_import.resolve_names(rows, locations, plans)
    assert [(r.line, r.home_location_id, r.plan_id) for r in kept] == [
        (2, accra, monthly),
        (3, kumasi, home_only),
        (4, kumasi, home_only),
        (9, None, None),
    ]
    assert errors == [
        RowError(5, "home_location 'Nowhere' is not one of your locations"),
        RowError(6, "home_location 'twin' names several of your locations: use its id"),
        RowError(7, "plan 'Yearly' is not one of the plans you sell"),
        RowError(8, "plan 'Home' is valid at the member's home location only: give home_location"),
    ]
