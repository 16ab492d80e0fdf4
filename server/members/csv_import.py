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
from dataclasses import dataclass, replace
from datetime import date

from pydantic import EmailStr, TypeAdapter, ValidationError

from server.members import rules
from shared.inputs import text_problem
from shared.normalise import fold, normalise_email

#: What a row sets on the member it creates.
MEMBER_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "date_of_birth",
    "barcode",
    "card_number",
    "home_location_id",
)
#: The home location may be named (or given by id) in ``home_location``; a plan (name or
#: id, in ``plan`` or ``plan_id``) gives the member a membership starting on the import day.
COLUMNS = (*MEMBER_FIELDS, "home_location", "plan", "plan_id")
#: Columns that say the same thing: a header may hold one of each pair.
_ALIASES = (("home_location_id", "home_location"), ("plan", "plan_id"))
DELIMITERS = ",;\t"
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
    #: A home location given by name, and the column it was given in.
    location_name: str | None = None
    location_column: str = "home_location_id"
    #: The plan as given (a name or an id), and the one it names once resolved.
    plan: str | None = None
    plan_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ImportPlan:
    """A plan an import may start memberships of."""

    id: uuid.UUID
    name: str
    home_only: bool


@dataclass(frozen=True)
class ImportLocation:
    id: uuid.UUID
    name: str


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
    for one, other in _ALIASES:
        if one in names and other in names:
            raise CsvRefused(f"give either {one} or {other}, not both")
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise CsvRefused(f"the header lacks required columns: {', '.join(missing)}")
    return names


def read_csv(data: bytes, *, max_rows: int = MAX_ROWS) -> list[RawRow | RowError]:
    """The file's data rows with their line numbers; a row with too few or many fields is
    already a :class:`RowError`. Raises :class:`CsvRefused` for a file that cannot be used."""
    header, rows = read_table(data, max_rows=max_rows, example=",".join(COLUMNS))
    names = _check_header(header)
    return [
        row if isinstance(row, RowError) else (row[0], dict(zip(names, row[1], strict=True)))
        for row in rows
    ]


TableRow = tuple[int, list[str]]


def read_table(
    data: bytes, *, max_rows: int, example: str
) -> tuple[list[str], list[TableRow | RowError]]:
    """The header as written and the data rows (blank lines skipped), whatever the columns
    are called; a row with too few or many fields is already a :class:`RowError`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvRefused("the file is not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise CsvRefused(f"the file needs a header row, such as: {example}")
        rows: list[TableRow | RowError] = []
        start = reader.line_num + 1
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not any(field.strip() for field in fields):
                continue
            if len(rows) >= max_rows:
                raise TooManyRows(f"the file has more than {max_rows:,} rows; split it")
            if len(fields) != len(header):
                rows.append(
                    RowError(line, f"has {len(fields)} fields; the header has {len(header)}")
                )
                continue
            rows.append((line, fields))
    except csv.Error as exc:
        raise CsvRefused(f"line {reader.line_num}: the file is not valid CSV ({exc})") from None
    return header, rows


def _delimiter(text: str) -> str:
    """Commas, or what the header is separated by (spreadsheets set to a European locale
    write semicolons)."""
    header = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


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
    location, location_name, location_column = _home_location(value)
    plan = value["plan"] or value["plan_id"] or None
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
        location_name=location_name,
        location_column=location_column,
        plan=plan,
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


def _home_location(value: dict[str, str]) -> tuple[uuid.UUID | None, str | None, str]:
    """(the id given, the name given, the column it came from)."""
    column = "home_location" if value["home_location"] else "home_location_id"
    text = value[column]
    if not text:
        return None, None, column
    try:
        return uuid.UUID(text), None, column
    except ValueError:
        return None, text, column


def resolve_names(
    rows: Iterable[ImportRow], locations: list[ImportLocation], plans: list[ImportPlan]
) -> tuple[list[ImportRow], list[RowError]]:
    """Rows with their home location and plan named by id; a name that names nothing or
    several things refuses the row. Names match whatever their case and accents."""
    by_name: dict[str, list[uuid.UUID]] = {}
    for location in locations:
        by_name.setdefault(fold(location.name.strip()), []).append(location.id)
    kept: list[ImportRow] = []
    errors: list[RowError] = []
    for row in rows:
        reasons: list[str] = []
        location_id = row.home_location_id
        if row.location_name is not None:
            found = by_name.get(fold(row.location_name), [])
            if len(found) == 1:
                location_id = found[0]
            else:
                why = (
                    "names several of your locations: use its id"
                    if found
                    else ("is not one of your locations")
                )
                reasons.append(f"{row.location_column} {row.location_name!r} {why}")
        plan = _plan(row, location_id, plans, reasons)
        if reasons:
            errors.append(RowError(row.line, "; ".join(reasons)))
        else:
            kept.append(replace(row, home_location_id=location_id, plan_id=plan))
    return kept, errors


def _plan(
    row: ImportRow, location_id: uuid.UUID | None, plans: list[ImportPlan], reasons: list[str]
) -> uuid.UUID | None:
    if row.plan is None:
        return None
    wanted = fold(row.plan)
    found = [p for p in plans if str(p.id) == wanted or fold(p.name.strip()) == wanted]
    if len(found) != 1:
        why = (
            "names several of your plans: use its id"
            if found
            else ("is not one of the plans you sell")
        )
        reasons.append(f"plan {row.plan!r} {why}")
        return None
    plan = found[0]
    if plan.home_only and location_id is None:
        reasons.append(
            f"plan {plan.name!r} is valid at the member's home location only: give home_location"
        )
    return plan.id


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
