"""Validation rules for tenants and locations, as plain functions."""

from __future__ import annotations

import re
import zoneinfo
from functools import lru_cache

from babel import Locale, UnknownLocaleError

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
#: How a location's pages write dates, times and money unless it says otherwise.
DEFAULT_LOCALE = "en_GB"


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_timezone(name: str) -> str:
    if name not in _zones():
        raise ValueError(f"{name!r} is not an IANA time zone such as 'Europe/London'")
    return name


#: Words the member app's own pages use after ``/app/``: a provider with one of these as
#: its slug would have a public page no one could reach.
RESERVED_SLUGS = frozenset(
    {"account", "bookings", "offline", "pass", "signin", "signout", "signup", "timetable"}
)


def check_slug(slug: str) -> str:
    if slug in RESERVED_SLUGS:
        raise ValueError(
            f"{slug!r} is a word the member app uses for its own pages; choose another"
        )
    if not SLUG.match(slug):
        raise ValueError(
            "use 3 to 63 lower-case letters, digits and dashes, starting and ending with a "
            "letter or digit"
        )
    return slug


def check_currency(code: str) -> str:
    if not CURRENCY.match(code):
        raise ValueError(f"{code!r} is not an ISO 4217 currency code; use 3 capitals such as 'GHS'")
    return code


def check_locale(tag: str) -> str:
    """A CLDR locale Babel knows ("en_GH", "fr-CI"), returned in its canonical form."""
    try:
        return str(Locale.parse(tag.replace("-", "_")))
    except (ValueError, UnknownLocaleError):
        raise ValueError(
            f"{tag!r} is not a known locale; use one such as 'en_GB' or 'fr_CI'"
        ) from None
