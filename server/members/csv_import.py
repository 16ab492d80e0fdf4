"""Reading and checking a members CSV file, as plain functions (no database).

Line numbers are the file's own: the header is line 1, and a row whose quoted field spans
several lines is reported at the line where it starts.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from pydantic import EmailStr, TypeAdapter, ValidationError

from server.members import rules
from shared.inputs import text_problem
from shared.normalise import normalise_email

COLUMNS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "date_of_birth",
    "barcode",
    "card_number",
    "home_location_id",
)
REQUIRED = ("first_name", "last_name")
MAX_ROWS = 10_000
#: Columns whose values must be unique within the tenant, and how a reason names them.
UNIQUE = {"email": "email", "barcode": "barcode", "card_number": "card number"}
_EMAIL = TypeAdapter(EmailStr)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CODE = re.compile(rules.CODE_PATTERN)


class CsvRefused(ValueError):
    """The whole file is refused (not text, bad header): nothing is imported."""


class TooManyRows(CsvRefused):
    pass


@dataclass(frozen=True)
class ImportRow:
    line: int
    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None
    date_of_birth: date | None = None
    barcode: str | None = None
    card_number: str | None = None
    home_location_id: uuid.UUID | None = None


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


RawRow = tuple[int, dict[str, str]]


def _check_header(header: list[str]) -> list[str]:
    names = [name.strip().lower() for name in header]
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        raise CsvRefused(
            f"unknown columns in the header: {', '.join(repr(n) for n in unknown)}; "
            f"the columns are {', '.join(COLUMNS)}"
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise CsvRefused(f"columns appear twice in the header: {', '.join(repeated)}")
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise CsvRefused(f"the header lacks required columns: {', '.join(missing)}")
    return names


def read_csv(data: bytes, *, max_rows: int = MAX_ROWS) -> list[RawRow | RowError]:
    """The file's data rows with their line numbers; a row with too few or many fields is
    already a :class:`RowError`. Raises :class:`CsvRefused` for a file that cannot be used."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvRefused("the file is not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise CsvRefused(f"the file needs a header row, such as: {','.join(COLUMNS)}")
        names = _check_header(header)
        rows: list[RawRow | RowError] = []
        start = reader.line_num + 1
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not any(field.strip() for field in fields):
                continue
            if len(rows) >= max_rows:
                raise TooManyRows(f"the file has more than {max_rows:,} rows; split it")
            if len(fields) != len(names):
                rows.append(
                    RowError(line, f"has {len(fields)} fields; the header has {len(names)}")
                )
                continue
            rows.append((line, dict(zip(names, fields, strict=True))))
    except csv.Error as exc:
        raise CsvRefused(f"line {reader.line_num}: the file is not valid CSV ({exc})") from None
    return rows


def validate_row(line: int, raw: dict[str, str], today: date) -> ImportRow | RowError:
    """One row checked on its own; every problem of the row is named in its reason."""
    value = {name: (raw.get(name) or "").strip() for name in COLUMNS}
    reasons: list[str] = [
        f"{name} {found}" for name, text in value.items() if (found := text_problem(text))
    ]
    _check_required(value, reasons)
    email = _email(value, reasons)
    phone = _phone(value, reasons)
    birth = _date_of_birth(value, today, reasons)
    for name in ("barcode", "card_number"):
        if value[name] and not _CODE.match(value[name]):
            reasons.append(f"{name} must be 1 to 64 printable characters without spaces")
    location = _home_location(value, reasons)
    if reasons:
        return RowError(line, "; ".join(reasons))
    return ImportRow(
        line=line,
        first_name=value["first_name"],
        last_name=value["last_name"],
        email=email,
        phone=phone,
        date_of_birth=birth,
        barcode=value["barcode"] or None,
        card_number=value["card_number"] or None,
        home_location_id=location,
    )


def _check_required(value: dict[str, str], reasons: list[str]) -> None:
    for name in REQUIRED:
        if not value[name]:
            reasons.append(f"{name} is missing")
        elif len(value[name]) > 100:
            reasons.append(f"{name} is longer than 100 characters")


def _email(value: dict[str, str], reasons: list[str]) -> str | None:
    email = normalise_email(value["email"])
    if email:
        try:
            _EMAIL.validate_python(email)
        except ValidationError:
            reasons.append(f"email {email!r} is not a valid email address")
    return email


def _phone(value: dict[str, str], reasons: list[str]) -> str | None:
    phone = None
    if value["phone"]:
        try:
            phone = rules.normalise_phone(value["phone"])
        except ValueError as exc:
            reasons.append(str(exc))
    return phone


def _date_of_birth(value: dict[str, str], today: date, reasons: list[str]) -> date | None:
    text = value["date_of_birth"]
    if not text:
        return None
    try:
        if not _ISO_DATE.match(text):
            raise ValueError
        birth = date.fromisoformat(text)
    except ValueError:
        reasons.append(f"date_of_birth {text!r} is not a date (YYYY-MM-DD)")
        return None
    try:
        rules.check_date_of_birth(birth, today)
    except ValueError as exc:
        reasons.append(str(exc))
    return birth


def _home_location(value: dict[str, str], reasons: list[str]) -> uuid.UUID | None:
    if not value["home_location_id"]:
        return None
    try:
        return uuid.UUID(value["home_location_id"])
    except ValueError:
        reasons.append(f"home_location_id {value['home_location_id']!r} is not a valid id")
        return None


def taken_reason(field: str, value: str) -> str:
    """Why ``value`` cannot be used: another member already has it."""
    if field == "email":
        return f"there is already a member with the email {value}"
    return f"{UNIQUE[field]} {value} is already linked to another member"


def reject_taken(
    rows: Iterable[ImportRow], taken: dict[str, set[str]], locations: set[uuid.UUID]
) -> tuple[list[ImportRow], list[RowError]]:
    """Rows clashing with existing members, or naming a location that is not the tenant's."""
    kept: list[ImportRow] = []
    errors: list[RowError] = []
    for row in rows:
        reasons = [
            taken_reason(field, getattr(row, field))
            for field in UNIQUE
            if getattr(row, field) is not None and getattr(row, field) in taken.get(field, set())
        ]
        if row.home_location_id is not None and row.home_location_id not in locations:
            reasons.append(f"home_location_id {row.home_location_id} is not one of your locations")
        if reasons:
            errors.append(RowError(row.line, "; ".join(reasons)))
        else:
            kept.append(row)
    return kept, errors


def drop_duplicates(rows: Iterable[ImportRow]) -> tuple[list[ImportRow], list[RowError]]:
    """The first row with a given email, barcode or card number wins; later ones are refused."""
    seen: dict[tuple[str, str], int] = {}
    kept: list[ImportRow] = []
    errors: list[RowError] = []
    for row in rows:
        clashes = [
            f"{label} {getattr(row, field)} is already on line {seen[(field, getattr(row, field))]}"
            for field, label in UNIQUE.items()
            if (field, getattr(row, field)) in seen
        ]
        if clashes:
            errors.append(RowError(row.line, "duplicate within the file: " + "; ".join(clashes)))
            continue
        kept.append(row)
        for field in UNIQUE:
            if getattr(row, field) is not None:
                seen[(field, getattr(row, field))] = row.line
    return kept, errors
