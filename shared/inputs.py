"""What any input may hold, on every route and in every kiosk mutation: the one place that
bounds dates and refuses control characters.

Dates are held to years :data:`MIN_YEAR`–:data:`MAX_YEAR`: the product has no use for any
other, and a date near either end of Python's range overflows as soon as it is moved to
another time zone or a duration is added to it. Text may hold tab, line feed and carriage
return (free text is typed in multi-line boxes) but no other control character: NUL cannot
be stored by PostgreSQL, and the others only ever come from tampering or broken clients.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator

MIN_YEAR = 1900
MAX_YEAR = 2200

_D = TypeVar("_D", bound=date)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def text_problem(value: str) -> str | None:
    """Why ``value`` may not be taken as text, or None."""
    if _CONTROL.search(value):
        return "must not contain control characters"
    return None


def date_problem(value: date) -> str | None:
    """Why ``value`` (a date or a datetime) is out of bounds, or None."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return f"must be a date in the years {MIN_YEAR} to {MAX_YEAR}"
    return None


#: Values that hold neither text nor a date: most fields of a kiosk's check-in (ids, flags),
#: skipped at once since every pushed mutation's fields are looked at.
_PLAIN: frozenset[type] = frozenset({type(None), bool, int, float, Decimal, uuid.UUID})


def problem(value: object) -> str | None:
    """Why a validated value (text, a date, or a container of them) may not be taken."""
    if type(value) in _PLAIN:
        return None
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, date):  # datetime included
        return date_problem(value)
    if isinstance(value, BaseModel):
        return None if isinstance(value, InputModel) else _fields_problem(value)
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = problem(key) or problem(item)
            if found:
                return found
        return None
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            found = problem(item)
            if found:
                return found
    return None


def _fields_problem(model: BaseModel) -> str | None:
    for name in type(model).model_fields:
        found = problem(getattr(model, name))
        if found:
            return f"{name}: {found}"
    return None


class InputModel(BaseModel):
    """Base of every request body and mutation's arguments: the checks above on each field,
    nested values included. Unknown fields are refused (subclasses may say otherwise)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _bounded(self) -> InputModel:
        found = _fields_problem(self)
        if found:
            raise ValueError(found)
        return self


def _checked_text(value: str) -> str:
    found = text_problem(value)
    if found:
        raise ValueError(found)
    return value


def _checked_date(value: _D) -> _D:
    found = date_problem(value)
    if found:
        raise ValueError(found)
    return value


#: Text of a query parameter or of a message outside :class:`InputModel`.
Text = Annotated[str, AfterValidator(_checked_text)]
#: A date of a query parameter or of a message outside :class:`InputModel`.
Day = Annotated[date, AfterValidator(_checked_date)]
Moment = Annotated[datetime, AfterValidator(_checked_date)]
