"""Reading other systems' headers and values for migration in (no database)."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.migration_in import rules


def test_headers_are_suggested_from_names_and_synonyms_once_each() -> None:
    headers = ["Client No", "Forename", "SURNAME", "E-mail", "Mobile", "Date of Birth", "Email"]
    assert rules.suggest("members", headers) == {
        "Client No": "",  # "clientno" is no synonym: the manager maps it
        "Forename": "first_name",
        "SURNAME": "last_name",
        # Both fold to "email": the first takes the field, the second is left to the manager.
        "E-mail": "email",
        "Mobile": "phone",
        "Date of Birth": "date_of_birth",
        "Email": "",
    }


def test_a_mapping_needs_every_required_field_once() -> None:
    headers = ["id", "first", "last"]
    assert rules.check_mapping(
        "members", headers, {"id": "external_id", "first": "first_name", "last": "last_name"}
    ) == {"external_id": 0, "first_name": 1, "last_name": 2}
    with pytest.raises(rules.MappingRefused, match="map a column to each of: last_name"):
        rules.check_mapping("members", headers, {"id": "external_id", "first": "first_name"})
    with pytest.raises(rules.MappingRefused, match="two columns are mapped to first_name"):
        rules.check_mapping(
            "members", headers, {"id": "external_id", "first": "first_name", "last": "first_name"}
        )


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("2026-03-07", "iso", date(2026, 3, 7)),
        ("7/3/2026", "dmy", date(2026, 3, 7)),
        ("07.03.2026", "dmy", date(2026, 3, 7)),
        ("3/7/2026", "mdy", date(2026, 3, 7)),
    ],
)
def test_dates_are_read_in_the_files_own_order(text: str, fmt: str, expected: date) -> None:
    assert rules.parse_date(text, fmt) == expected


@pytest.mark.parametrize(
    ("text", "fmt"), [("31/02/2026", "dmy"), ("2026-03-07", "dmy"), ("", "iso")]
)
def test_impossible_or_misordered_dates_are_refused(text: str, fmt: str) -> None:
    with pytest.raises(ValueError, match="is not a date"):
        rules.parse_date(text, fmt)


@given(st.dates(min_value=date(1000, 1, 1)), st.sampled_from(sorted(rules.DATE_FORMATS)))
def test_every_date_written_in_a_format_reads_back(day: date, fmt: str) -> None:
    written = day.strftime(rules.DATE_FORMATS[fmt])
    assert rules.parse_date(written, fmt) == day


def test_times_attendance_and_status_words() -> None:
    assert rules.parse_time("7:05") == time(7, 5)
    assert rules.parse_time("18.30") == time(18, 30)
    with pytest.raises(ValueError):
        rules.parse_time("25:00")
    assert [rules.attendance(w) for w in ("Yes", "LATE", "no-show", "")] == [
        "on_time",
        "late",
        "no_show",
        None,
    ]
    assert rules.word_of(rules.BOOKING_STATUS, "Canceled", "status") == "cancelled"


def test_a_rows_digest_ignores_the_order_of_its_fields() -> None:
    assert rules.digest({"a": 1, "b": None}) == rules.digest({"b": None, "a": 1})
    assert rules.digest({"a": 1}) != rules.digest({"a": 2})
