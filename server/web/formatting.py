"""Dates, times and money as a location writes them: in its time zone and its locale
(Babel, from CLDR): Accra (en_GH) reads "GH₵120.00" and "2:30 pm", London (en_GB)
"£12.50" and "14:30"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.numbers import format_currency, format_decimal, format_percent

from server.tenants.rules import DEFAULT_LOCALE


@lru_cache(maxsize=64)
def _locale(tag: str) -> Locale:
    return Locale.parse(tag)


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True)
class Formats:
    """One location's way of writing things. Pages get one per location they show and
    call it from the templates: ``{{ fmt.time(session.starts_at) }}``."""

    locale_tag: str = DEFAULT_LOCALE
    timezone: str = "UTC"
    #: The money a location charges in when an amount does not say.
    currency: str | None = None

    @classmethod
    def of(cls, location: Any, tenant_currency: str | None = None) -> Formats:
        """A location's (anything with ``locale``, ``timezone`` and ``currency``, such as
        the API's ``LocationRead``); its currency, else the tenant's."""
        return cls(location.locale, location.timezone, location.currency or tenant_currency)

    @property
    def locale(self) -> Locale:
        return _locale(self.locale_tag)

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.timezone)

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone)

    def time(self, at: datetime) -> str:
        """The wall-clock time there: "14:30" (en_GB), "2:30 PM" (en_US)."""
        return format_time(self.local(at), format="short", locale=self.locale)

    def day(self, on: date | datetime) -> str:
        """A day with its weekday: "Sat 5 Dec 2026"."""
        when = self.local(on).date() if isinstance(on, datetime) else on
        return format_skeleton("yMMMEd", when, locale=self.locale)

    def short_day(self, on: date | datetime) -> str:
        """Within a week's view: "Sat 5 Dec"."""
        when = self.local(on).date() if isinstance(on, datetime) else on
        return format_skeleton("MMMEd", when, locale=self.locale)

    def month(self, on: date) -> str:
        """A calendar month: "Dec 2026"."""
        return format_skeleton("yMMM", on, locale=self.locale)

    def date(self, on: date | datetime) -> str:
        """A date on its own: "5 Dec 2026"."""
        when = self.local(on).date() if isinstance(on, datetime) else on
        return format_date(when, format="medium", locale=self.locale)

    def datetime(self, at: datetime) -> str:
        """A moment: "5 Dec 2026, 14:30"."""
        return format_datetime(self.local(at), format=self._datetime_pattern(), locale=self.locale)

    def _datetime_pattern(self) -> str:
        date_part = self.locale.date_formats["medium"].pattern
        time_part = self.locale.time_formats["short"].pattern
        pattern: str = self.locale.datetime_formats["medium"].format(time_part, date_part)
        return pattern

    def money(self, amount: Decimal | int | float, currency: str | None = None) -> str:
        """ "GH₵120.00", "£12.50"; in the location's currency unless the amount's own."""
        code = currency or self.currency
        if code is None:
            return format_decimal(amount, format="#,##0.00", locale=self.locale)
        return format_currency(amount, code, locale=self.locale)

    def number(self, value: int | float | Decimal) -> str:
        return format_decimal(value, locale=self.locale)

    def percent(self, ratio: float | Decimal) -> str:
        """A ratio as a percentage: 0.853 → "85%"."""
        return format_percent(ratio, locale=self.locale)
