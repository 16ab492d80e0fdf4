"""Pages write dates, times and money as each location does, in its own time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from server.tenants.rules import check_locale
from server.web.formatting import Formats


def plain(text: str) -> str:
    """CLDR puts narrow and no-break spaces where a plain one reads the same."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


AT = datetime(2026, 3, 29, 13, 30, tzinfo=UTC)  # the day London moves to summer time


def test_each_location_writes_the_same_moment_its_own_way() -> None:
    london = Formats("en_GB", "Europe/London", "GBP")
    accra = Formats("en_GH", "Africa/Accra", "GHS")
    new_york = Formats("en_US", "America/New_York", "USD")
    abidjan = Formats("fr_CI", "Africa/Abidjan", "XOF")
    assert london.time(AT) == "14:30"  # BST since 01:00 UTC that day
    assert plain(accra.time(AT)) == "1:30 pm"  # Accra keeps GMT all year
    assert plain(new_york.time(AT)) == "9:30 AM"
    assert london.day(AT) == "Sun, 29 Mar 2026"
    assert new_york.day(AT) == "Sun, Mar 29, 2026"
    assert abidjan.day(AT) == "dim. 29 mars 2026"
    assert london.money(Decimal("1234.5")) == "£1,234.50"
    assert accra.money(Decimal("120")) == "GH₵120.00"
    assert plain(abidjan.money(Decimal("1500"))) == "1 500 F CFA"
    assert london.money(Decimal("5"), "EUR") == "€5.00"
    assert london.datetime(AT) == "29 Mar 2026, 14:30"


def test_a_date_is_not_moved_by_the_zone() -> None:
    assert Formats("en_US", "Pacific/Kiritimati").date(date(2026, 12, 31)) == "Dec 31, 2026"


@pytest.mark.parametrize(("tag", "canonical"), [("en-GH", "en_GH"), ("fr_CI", "fr_CI")])
def test_locales_are_stored_canonically(tag: str, canonical: str) -> None:
    assert check_locale(tag) == canonical


def test_an_unknown_locale_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="is not a known locale"):
        check_locale("xx_QQ")
