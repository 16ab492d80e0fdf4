"""The normal forms the server and the kiosk share: one answer on both sides."""

from __future__ import annotations

import pytest

from server.members import rules as member_rules
from server.sync import rules as sync_rules
from shared.normalise import (
    code_norm,
    email_key,
    fold,
    looks_like_phone,
    name_tokens,
    normalise_email,
    phone_digits,
    sort_name,
    words,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Ana.Smith@Example.COM ", "ana.smith@example.com"),
        ("ana@example.com", "ana@example.com"),
        # lower(), not casefold(): "ß" stays, as the server stores it.
        ("Bea.STRASSE@x.de", "bea.strasse@x.de"),
        ("bea.straße@x.de", "bea.straße@x.de"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_emails_are_trimmed_and_lower_cased(raw: str | None, expected: str | None) -> None:
    assert normalise_email(raw) == expected
    if raw is not None and expected is not None:
        assert email_key(raw) == expected


def test_the_server_and_the_kiosk_normalise_an_email_the_same_way() -> None:
    # The sync rules import these without re-exporting them: read the module's own names.
    assert vars(sync_rules)["normalise_email"] is normalise_email
    assert vars(sync_rules)["phone_digits"] is phone_digits
    assert member_rules.looks_like_phone is looks_like_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+44 (20) 7946-0000", "442079460000"),
        ("020.7946.0000", "02079460000"),
        ("no digits", None),
        ("", None),
        (None, None),
    ],
)
def test_phone_digits_keep_only_digits(raw: str | None, expected: str | None) -> None:
    assert phone_digits(raw) == expected


@pytest.mark.parametrize(
    ("query", "is_phone"),
    [
        ("020-111", True),
        (" +233 20 000 ", True),
        ("(020) 7946", True),
        ("12", False),
        ("Ama", False),
        ("020 111x", False),
        ("", False),
    ],
)
def test_a_phone_search_is_digits_and_phone_punctuation_with_at_least_three_digits(
    query: str, is_phone: bool
) -> None:
    assert looks_like_phone(query) is is_phone


def test_names_fold_case_and_accents_and_split_on_punctuation() -> None:
    assert fold("Ísa Núñez") == "isa nunez"
    assert fold("ANA") == "ana"
    assert words("  Mary-Jane O'Brien ") == ["mary", "jane", "o", "brien"]
    assert name_tokens("Mary-Jane", "O'Brien") == {
        "mary",
        "jane",
        "maryjane",
        "o",
        "brien",
        "obrien",
    }
    assert sort_name("Ísa", "Núñez García") == "nunez garcia isa"
    assert sort_name("", "") == ""


def test_scanned_codes_lose_spaces_dashes_and_case() -> None:
    assert code_norm(" zm-0001 42 ") == "ZM000142"
    assert code_norm("--") is None
    assert code_norm(None) is None
