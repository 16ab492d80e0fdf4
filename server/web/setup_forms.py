"""The set-up pages' forms: which fields a kind's form has, how a posted form becomes the
service's command, and how the command's validation errors are put next to their fields.

A form posts flat text fields; lists that a person ticks (locations) arrive as one field
per choice (``location_ids.<id>``) because the form reader keeps one value per name.
Opening hours are typed per weekday ("06:00-12:00, 14:00-22:00") and off-peak windows one
per line ("mon tue wed 10:00-16:00"), so the page needs no script to add rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shared.opening_hours import WEEKDAY_NAMES, WEEKDAYS

M = TypeVar("M", bound=BaseModel)

#: How one field is typed and turned into the command's value.
TEXT, EMAIL, NUMBER, SELECT, CHECKBOX, CHOICES, TEXTAREA, LINES, HOURS, WINDOWS, SECRET = (
    "text",
    "email",
    "number",
    "select",
    "checkbox",
    "choices",
    "textarea",
    "lines",
    "hours",
    "windows",
    "secret",
)
#: One day's time ranges on one line: "10:00-14:00, 16:00-18:00".
INTERVALS = "intervals"
#: A date (the browser's date picker sends YYYY-MM-DD).
DATE = "date"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = TEXT
    #: (value, label) pairs of a select or of ticked choices.
    options: Sequence[tuple[str, str]] = ()
    hint: str = ""
    required: bool = False
    #: Shown on the new form only (what never changes once made).
    create_only: bool = False
    #: Left out of the command when blank (a PIN or password kept as it is).
    keep_if_blank: bool = False
    #: Attributes for the input ("inputmode", "autocomplete", …).
    attrs: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Filled:
    """A form as shown: its fields, their values and the messages next to them."""

    fields: list[Field]
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)


_INTERVAL = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")
_DAY_NAMES = {d: d for d in WEEKDAYS} | {WEEKDAY_NAMES[d].lower(): d for d in WEEKDAYS}


class FieldProblem(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name, self.message = name, message


def _padded(hhmm: str) -> str:
    return hhmm.zfill(5)


def intervals(name: str, text: str) -> list[dict[str, str]]:
    found = []
    for part in text.split(","):
        if not part.strip():
            continue
        matched = _INTERVAL.match(part)
        if not matched:
            raise FieldProblem(
                name, f"“{part.strip()}” is not a time range: write it as 06:00-22:00"
            )
        found.append({"opens": _padded(matched[1]), "closes": _padded(matched[2])})
    return found


def _windows(name: str, text: str) -> list[dict[str, Any]]:
    windows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        *days, span = line.replace(",", " ").split()
        matched = _INTERVAL.match(span) if days else None
        unknown = [d for d in days if d.lower() not in _DAY_NAMES]
        if not matched or unknown:
            raise FieldProblem(
                name, f"“{line.strip()}” is not a window: write it as mon tue wed 10:00-16:00"
            )
        windows.append(
            {
                "days": [_DAY_NAMES[d.lower()] for d in days],
                "starts": _padded(matched[1]),
                "ends": _padded(matched[2]),
            }
        )
    return windows


def hours_text(intervals: Sequence[Any]) -> str:
    return ", ".join(f"{i.opens}-{i.closes}" for i in intervals)


def windows_text(windows: Sequence[Any]) -> str:
    return "\n".join(f"{' '.join(w.days)} {w.starts}-{w.ends}" for w in windows)


def values_of(fields: Sequence[Field], form: Mapping[str, str]) -> dict[str, Any]:
    """What the form shows again after a refused post: what the person typed."""
    values: dict[str, Any] = {}
    for f in fields:
        if f.kind == CHECKBOX:
            values[f.name] = f.name in form
        elif f.kind == CHOICES:
            values[f.name] = [v for v, _ in f.options if f"{f.name}.{v}" in form]
        elif f.kind == HOURS:
            values[f.name] = {d: form.get(f"{f.name}.{d}", "") for d in WEEKDAYS}
        elif f.kind == SECRET:
            values[f.name] = ""
        else:
            values[f.name] = form.get(f.name, "")
    return values


def command_fields(fields: Sequence[Field], form: Mapping[str, str]) -> dict[str, Any]:
    """The command's fields from the form; raises ``FieldProblem`` on what it cannot read."""
    payload: dict[str, Any] = {}
    for f in fields:
        if f.kind == CHECKBOX:
            payload[f.name] = f.name in form
            continue
        if f.kind == CHOICES:
            payload[f.name] = [v for v, _ in f.options if f"{f.name}.{v}" in form]
            continue
        if f.kind == HOURS:
            payload[f.name] = {
                d: intervals(f.name, form.get(f"{f.name}.{d}", "")) for d in WEEKDAYS
            }
            continue
        raw = form.get(f.name, "").strip()
        if not raw:
            if f.required:
                raise FieldProblem(f.name, f"Enter the {f.label.lower()}.")
            if not f.keep_if_blank:
                payload[f.name] = [] if f.kind in (LINES, WINDOWS, INTERVALS) else None
            continue
        if f.kind == LINES:
            payload[f.name] = [line.strip() for line in raw.splitlines() if line.strip()]
        elif f.kind == WINDOWS:
            payload[f.name] = _windows(f.name, raw)
        elif f.kind == INTERVALS:
            payload[f.name] = intervals(f.name, raw)
        else:
            payload[f.name] = raw
    return payload


def _message(error: Mapping[str, Any]) -> str:
    text = str(error["msg"]).removeprefix("Value error, ")
    return text[:1].upper() + text[1:]


def _named(message: str, fields: Sequence[Field]) -> str:
    """A whole-form message with the fields called as the form labels them."""
    for f in fields:
        if "_" in f.name:
            message = message.replace(f.name, f"“{f.label.lower()}”")
    first = next((i for i, c in enumerate(message) if c.isalpha()), 0)
    return message[:first] + message[first : first + 1].upper() + message[first + 1 :]


def validated(
    model: type[M], fields: Sequence[Field], form: Mapping[str, str]
) -> tuple[M | None, dict[str, str], list[str]]:
    """The command, or the messages to show: by field name, and those of the whole form."""
    try:
        payload = command_fields(fields, form)
    except FieldProblem as problem:
        return None, {problem.name: problem.message}, []
    try:
        return model.model_validate(payload), {}, []
    except ValidationError as exc:
        names = {f.name for f in fields}
        errors: dict[str, str] = {}
        general: list[str] = []
        for error in exc.errors():
            loc = error.get("loc", ())
            name = str(loc[0]) if loc else ""
            if name in names:
                day = WEEKDAY_NAMES.get(str(loc[1])) if len(loc) > 1 else None
                said = f"{day}: {_message(error)}" if day else _message(error)
                errors.setdefault(name, said)
            else:
                general.append(_named(str(error["msg"]).removeprefix("Value error, "), fields))
        return None, errors, general
