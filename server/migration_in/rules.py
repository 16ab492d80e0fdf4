"""What each entity's file may hold, how a header is matched to a field, and how values
another system writes (its dates, times, yes/no words) are read. Plain functions."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

from shared.normalise import fold

ENTITIES = ("members", "memberships", "class_types", "sessions", "bookings", "schedules")
#: The entity whose records a reference column names.
REFERENCES = {
    "memberships": {"member": "members"},
    "sessions": {"class_type": "class_types"},
    "bookings": {"member": "members", "session": "sessions"},
    "schedules": {"class_type": "class_types"},
}
FIELDS: dict[str, tuple[str, ...]] = {
    "members": (
        "external_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "date_of_birth",
        "barcode",
        "card_number",
        "home_location",
    ),
    "memberships": (
        "external_id",
        "member",
        "plan",
        "starts_on",
        "ends_on",
        "status",
        "credits_remaining",
    ),
    "class_types": (
        "external_id",
        "name",
        "duration_minutes",
        "capacity",
        "category",
        "description",
    ),
    "sessions": (
        "external_id",
        "class_type",
        "location",
        "date",
        "start_time",
        "duration_minutes",
        "capacity",
        "room",
    ),
    "bookings": ("external_id", "member", "session", "status", "attendance", "booked_at"),
    "schedules": (
        "external_id",
        "class_type",
        "location",
        "weekday",
        "start_time",
        "duration_minutes",
        "capacity",
        "starts_on",
        "ends_on",
        "room",
    ),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "members": ("external_id", "first_name", "last_name"),
    "memberships": ("external_id", "member", "plan", "starts_on"),
    "class_types": ("external_id", "name", "duration_minutes"),
    "sessions": ("external_id", "class_type", "date", "start_time"),
    "bookings": ("external_id", "member", "session"),
    "schedules": ("external_id", "class_type", "weekday", "start_time", "starts_on", "ends_on"),
}
#: Header words other systems use for a field, folded (case, accents, spaces and
#: punctuation gone) before they are compared.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "external_id": (
        "id",
        "externalid",
        "memberid",
        "clientid",
        "customerid",
        "ref",
        "reference",
        "number",
        "no",
        "uid",
        "key",
        "bookingid",
        "sessionid",
        "classid",
        "membershipid",
        "contractid",
        "typeid",
        "classtypeid",
    ),
    "first_name": ("firstname", "forename", "givenname", "first", "vorname", "prenom"),
    "last_name": ("lastname", "surname", "familyname", "last", "nachname", "nom"),
    "email": ("email", "emailaddress", "mail"),
    "phone": ("phone", "mobile", "mobilephone", "telephone", "tel", "cell", "phonenumber"),
    "date_of_birth": ("dateofbirth", "dob", "birthdate", "birthday", "born"),
    "barcode": ("barcode", "code"),
    "card_number": ("cardnumber", "card", "keycard", "rfid", "fob"),
    "home_location": ("homelocation", "location", "club", "site", "branch", "homeclub"),
    "member": ("member", "memberref", "client", "customer", "memberexternalid", "memberno"),
    "plan": ("plan", "product", "membershiptype", "package", "contract", "tariff"),
    "starts_on": ("startson", "start", "startdate", "from", "validfrom", "begin"),
    "ends_on": ("endson", "end", "enddate", "to", "until", "validuntil", "expiry", "expires"),
    "status": ("status", "state"),
    "credits_remaining": ("creditsremaining", "credits", "classesleft", "remaining"),
    "name": ("name", "classname", "title", "typename", "class"),
    "duration_minutes": ("durationminutes", "duration", "length", "minutes", "mins"),
    "capacity": ("capacity", "spaces", "places", "maxattendees", "size", "spots"),
    "category": ("category", "type", "group"),
    "description": ("description", "details", "notes", "about"),
    "class_type": ("classtype", "classtypeid", "typeid", "class", "sessiontype", "activity"),
    "location": ("location", "club", "site", "studio", "branch", "venue"),
    "date": ("date", "day", "sessiondate", "classdate"),
    "start_time": ("starttime", "time", "start", "begins", "from"),
    "room": ("room", "space", "area"),
    "session": (
        "session",
        "sessionref",
        "sessionexternalid",
        "classsession",
        "class",
        "sessionid",
        "classid",
    ),
    "attendance": ("attendance", "attended", "checkedin", "present", "showed"),
    "booked_at": ("bookedat", "bookedon", "bookingdate", "created", "createdat"),
    "weekday": ("weekday", "weekdays", "dayofweek", "day", "days", "dow"),
}
DATE_FORMATS = {"iso": "%Y-%m-%d", "dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y"}
DATE_FORMAT_LABELS = {"iso": "yyyy-mm-dd", "dmy": "dd/mm/yyyy", "mdy": "mm/dd/yyyy"}
_SEPARATORS = re.compile(r"[./-]")
_TIME = re.compile(r"^(\d{1,2})[:.h](\d{2})(?::\d{2})?$")
_WORD = re.compile(r"[^a-z0-9]")
ATTENDED = {"yes", "y", "true", "1", "attended", "present", "ontime", "checkedin", "x"}
LATE = {"late"}
ABSENT = {"no", "n", "false", "0", "absent", "noshow", "missed"}
BOOKING_STATUS = {
    "confirmed": "confirmed",
    "booked": "confirmed",
    "attended": "confirmed",
    "active": "confirmed",
    "reserved": "confirmed",
    "noshow": "confirmed",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "latecancel": "cancelled",
}
MEMBERSHIP_STATUS = {
    "active": "active",
    "current": "active",
    "live": "active",
    "ok": "active",
    "frozen": "frozen",
    "paused": "frozen",
    "onhold": "frozen",
    "suspended": "frozen",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "terminated": "cancelled",
    "expired": "expired",
    "ended": "expired",
    "lapsed": "expired",
    "pending": "pending",
    "future": "pending",
}


class MappingRefused(ValueError):
    """The mapping cannot be used with this file: nothing is read."""


@lru_cache(maxsize=4096)
def key(word: str) -> str:
    """A header or a value as compared: folded, letters and digits only. (A file repeats
    its few status words on every row: each is folded once.)"""
    return _WORD.sub("", fold(word.strip()))


def suggest(entity: str, headers: list[str]) -> dict[str, str]:
    """Each header's likely field ("" for none): an exact field name first, then the
    first synonym; no field is suggested twice."""
    fields = FIELDS[entity]
    taken: set[str] = set()
    suggested: dict[str, str] = {}
    for exact in (True, False):
        for header in headers:
            if suggested.get(header):
                continue
            word = key(header)
            for field in fields:
                names = (key(field),) if exact else SYNONYMS.get(field, ())
                if field not in taken and word in names:
                    suggested[header] = field
                    taken.add(field)
                    break
    return {header: suggested.get(header, "") for header in headers}


def check_mapping(entity: str, headers: list[str], mapping: dict[str, str]) -> dict[str, int]:
    """The column index of each mapped field. Refuses headers the file does not have,
    fields the entity does not have, a field mapped twice and required fields unmapped."""
    if entity not in FIELDS:
        raise MappingRefused(f"entity must be one of {', '.join(ENTITIES)}")
    unknown = [h for h in mapping if h not in headers]
    if unknown:
        raise MappingRefused(f"the file has no column {', '.join(repr(h) for h in unknown)}")
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        field = (mapping.get(header) or "").strip()
        if not field:
            continue
        if field not in FIELDS[entity]:
            raise MappingRefused(
                f"{field!r} is not a field of {entity}; the fields are {', '.join(FIELDS[entity])}"
            )
        if field in columns:
            raise MappingRefused(f"two columns are mapped to {field}")
        columns[field] = index
    missing = [f for f in REQUIRED[entity] if f not in columns]
    if missing:
        raise MappingRefused(f"map a column to each of: {', '.join(missing)}")
    return columns


def check_date_format(name: str) -> str:
    if name not in DATE_FORMATS:
        raise MappingRefused(f"date_format must be one of {', '.join(DATE_FORMATS)}")
    return name


def parse_date(text: str, date_format: str) -> date:
    """A date as the file writes it; ``2024-3-7`` and ``7.3.2024`` read like their padded
    forms. Raises ValueError naming the expected form."""
    wanted = DATE_FORMAT_LABELS[date_format]
    parts = _SEPARATORS.split(text.strip())
    try:
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise ValueError
        numbers = [int(p) for p in parts]
        year, month, day = {
            "iso": (numbers[0], numbers[1], numbers[2]),
            "dmy": (numbers[2], numbers[1], numbers[0]),
            "mdy": (numbers[2], numbers[0], numbers[1]),
        }[date_format]
        if year < 1000:
            raise ValueError
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a date ({wanted})") from None


def parse_time(text: str) -> time:
    match = _TIME.match(text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"{text!r} is not a time (HH:MM)")
    return time(int(match[1]), int(match[2]))


def parse_moment(text: str, date_format: str) -> datetime:
    """A date, or a date and a time separated by a space or a T (naive, local)."""
    day, _, clock = text.strip().replace("T", " ").partition(" ")
    on = parse_date(day, date_format)
    at = parse_time(clock[:5] if len(clock) > 5 and clock[5] == ":" else clock) if clock else time()
    return datetime.combine(on, at)


def parse_count(text: str, name: str, *, least: int, most: int) -> int:
    if not text.strip().isdigit() or not least <= int(text) <= most:
        raise ValueError(f"{name} {text!r} must be a whole number from {least} to {most}")
    return int(text)


def attendance(text: str) -> str | None:
    """on_time, late, no_show, or None (not recorded)."""
    word = key(text)
    if not word:
        return None
    if word in ATTENDED:
        return "on_time"
    if word in LATE:
        return "late"
    if word in ABSENT:
        return "no_show"
    raise ValueError(f"attendance {text!r} is not yes, no or late")


def word_of(table: dict[str, str], text: str, name: str) -> str:
    found = table.get(key(text))
    if found is None:
        words = ", ".join(sorted(set(table.values())))
        raise ValueError(f"{name} {text!r} is not one of: {words}")
    return found


_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("1", "mon", "monday", "mo", "montag", "lundi", "lun"),
            ("2", "tue", "tues", "tuesday", "tu", "di", "dienstag", "mardi", "mar"),
            ("3", "wed", "wednesday", "we", "mi", "mittwoch", "mercredi", "mer"),
            ("4", "thu", "thur", "thurs", "thursday", "th", "do", "donnerstag", "jeudi", "jeu"),
            ("5", "fri", "friday", "fr", "freitag", "vendredi", "ven"),
            ("6", "sat", "saturday", "sa", "samstag", "samedi", "sam"),
            ("7", "sun", "sunday", "su", "so", "sonntag", "dimanche", "dim"),
        ),
        start=1,
    )
    for name in names
}
_DAY_LIST = re.compile(r"[\s,/;+&|]+")


def weekdays(text: str) -> list[int]:
    """ISO weekdays (1 = Monday) of a cell naming one or several: "Mon", "Mon/Wed/Fri",
    "Tuesday", "2". Raises ValueError naming the word it does not know."""
    found: set[int] = set()
    for word in _DAY_LIST.split(text.strip()):
        if not word:
            continue
        number = _WEEKDAYS.get(key(word))
        if number is None:
            raise ValueError(f"weekday {word!r} is not a day of the week (Mon … Sun or 1 … 7)")
        found.add(number)
    if not found:
        raise ValueError("weekday is missing")
    return sorted(found)


def digest(values: dict[str, object]) -> str:
    """The row's fingerprint: equal rows hash equal whatever their column order."""
    text = "\x1f".join(f"{name}={values[name]}" for name in sorted(values))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Outcome:
    line: int
    external_id: str
    #: created, updated, unchanged or error
    outcome: str
    message: str = ""
