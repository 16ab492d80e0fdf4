"""Reading an eligibility roster (CSV) and working out what it would change, as plain
functions (no database): the service reads the account's state, asks :func:`plan` what
each line would do, and applies the plan or only reports it (a dry run).

The format is the big corporate-wellness platforms' one: a header, then one row per
eligible person with ``employee_id``, ``work_email``, ``first_name``, ``last_name``,
``department``, ``location``, ``status`` and ``package``. A row is keyed on the employee
id, or the work email when it has none. A full file ends everyone it does not list; a
delta changes only the rows it has. Line numbers are the file's own (the header is 1).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import EmailStr, TypeAdapter, ValidationError

from server.corporate.rules import ACTIVE, ENDED, STATUSES
from shared.normalise import fold, normalise_email

COLUMNS = (
    "employee_id",
    "work_email",
    "first_name",
    "last_name",
    "department",
    "location",
    "status",
    "package",
)
MAX_ROWS = 20_000
_EMAIL = TypeAdapter(EmailStr)
#: What a line does: add a person, change one, leave one as is, end one (a full file's
#: missing people), or nothing (an error).
ADD, UPDATE, UNCHANGED, END, ERROR = "add", "update", "unchanged", "end", "error"


class RosterRefused(ValueError):
    """The whole file is refused (not text, no key column, unknown columns)."""


@dataclass(frozen=True)
class Existing:
    """One roster row already stored, as far as a plan needs it."""

    id: uuid.UUID
    employee_ref: str | None
    work_email: str | None
    first_name: str | None
    last_name: str | None
    department_id: uuid.UUID | None
    location_id: uuid.UUID | None
    package_id: uuid.UUID | None
    status: str


@dataclass(frozen=True)
class Names:
    """The names a file may use, folded (case and accents aside), to their ids."""

    departments: Mapping[str, uuid.UUID]
    locations: Mapping[str, uuid.UUID]
    packages: Mapping[str, uuid.UUID]


@dataclass(frozen=True)
class Values:
    employee_ref: str | None
    work_email: str | None
    first_name: str | None
    last_name: str | None
    department_id: uuid.UUID | None
    location_id: uuid.UUID | None
    package_id: uuid.UUID | None
    status: str


@dataclass(frozen=True)
class Step:
    line: int | None
    key: str
    action: str
    detail: str
    existing_id: uuid.UUID | None = None
    values: Values | None = None


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)

    @property
    def errors(self) -> list[Step]:
        return [s for s in self.steps if s.action == ERROR]

    def count(self, action: str) -> int:
        return sum(1 for s in self.steps if s.action == action)


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as (line, column → text); RosterRefused when it cannot be read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterRefused("the file is not UTF-8 text") from None
    if not text.strip():
        raise RosterRefused("the file is empty")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise RosterRefused("the file has no header row") from None
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise RosterRefused(f"unknown columns: {', '.join(unknown)}; expected {', '.join(COLUMNS)}")
    if len(set(header)) != len(header):
        raise RosterRefused("a column is named twice in the header")
    if "employee_id" not in header and "work_email" not in header:
        raise RosterRefused("the header needs an employee_id or a work_email column")
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        line = reader.line_num + 1
        for cells in reader:
            if len(rows) >= MAX_ROWS:
                raise RosterRefused(f"the file has more than {MAX_ROWS} rows")
            if any(c.strip() for c in cells):
                padded = [*cells, *[""] * (len(header) - len(cells))]
                row = {h: padded[i].strip() for i, h in enumerate(header)}
                if len(cells) > len(header):
                    row["__extra__"] = "yes"
                rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise RosterRefused(
            f"the file is not valid CSV near line {reader.line_num}: {exc}"
        ) from None
    return rows


def _named(kind: str, text: str, names: Mapping[str, uuid.UUID]) -> uuid.UUID:
    found = names.get(fold(text))
    if found is None:
        raise ValueError(f"unknown {kind} {text!r}")
    return found


def _values(row: dict[str, str], names: Names, before: Existing | None) -> Values:
    """The row's values over what is stored: a column the file does not have keeps the
    stored value; a blank cell clears it (status: blank is active)."""
    if row.get("__extra__"):
        raise ValueError("the row has more cells than the header")
    ref = row.get("employee_id") or None
    if ref is not None and len(ref) > 64:
        raise ValueError("employee_id is longer than 64 characters")
    email: str | None = None
    if row.get("work_email"):
        try:
            _EMAIL.validate_python(row["work_email"])
        except ValidationError:
            raise ValueError(f"work_email {row['work_email']!r} is not an email address") from None
        email = normalise_email(row["work_email"])
    if ref is None and email is None:
        raise ValueError("the row has neither an employee_id nor a work_email")
    status = (row.get("status") or ACTIVE).lower()
    if status not in STATUSES:
        raise ValueError(f"status {row['status']!r} is not one of {', '.join(STATUSES)}")

    def keep(
        column: str, stored: uuid.UUID | None, kind: str, pool: Mapping[str, uuid.UUID]
    ) -> uuid.UUID | None:
        if column not in row:
            return stored
        return _named(kind, row[column], pool) if row[column] else None

    for column in ("first_name", "last_name"):
        if len(row.get(column, "")) > 100:
            raise ValueError(f"{column} is longer than 100 characters")
    return Values(
        employee_ref=ref if "employee_id" in row else (before.employee_ref if before else None),
        work_email=email if "work_email" in row else (before.work_email if before else None),
        first_name=(row["first_name"] or None)
        if "first_name" in row
        else (before.first_name if before else None),
        last_name=(row["last_name"] or None)
        if "last_name" in row
        else (before.last_name if before else None),
        department_id=keep(
            "department", before.department_id if before else None, "department", names.departments
        ),
        location_id=keep(
            "location", before.location_id if before else None, "location", names.locations
        ),
        package_id=keep(
            "package", before.package_id if before else None, "package", names.packages
        ),
        status=status,
    )


def _same(before: Existing, after: Values) -> bool:
    return (
        before.employee_ref == after.employee_ref
        and before.work_email == after.work_email
        and before.first_name == after.first_name
        and before.last_name == after.last_name
        and before.department_id == after.department_id
        and before.location_id == after.location_id
        and before.package_id == after.package_id
        and before.status == after.status
    )


def plan(
    rows: list[tuple[int, dict[str, str]]],
    existing: list[Existing],
    names: Names,
    *,
    full: bool,
) -> Plan:
    """What each line would do to the roster ``existing``; with ``full``, the people the
    file does not list are ended too (those already ended are left alone)."""
    by_ref = {e.employee_ref: e for e in existing if e.employee_ref}
    by_email = {e.work_email: e for e in existing if e.work_email}
    seen_keys: dict[str, int] = {}
    touched: set[uuid.UUID] = set()
    result = Plan()
    for line, row in rows:
        ref = row.get("employee_id") or None
        email = normalise_email(row.get("work_email") or None)
        key = ref or email or "(none)"
        for k in (f"id:{ref}" if ref else None, f"email:{email}" if email else None):
            if k is not None and k in seen_keys:
                what = "employee_id" if k.startswith("id:") else "work_email"
                result.steps.append(
                    Step(line, key, ERROR, f"the same {what} is on line {seen_keys[k]} too")
                )
                break
        else:
            for k in (f"id:{ref}" if ref else None, f"email:{email}" if email else None):
                if k is not None:
                    seen_keys[k] = line
            result.steps.append(_step(line, key, row, ref, email, by_ref, by_email, names, touched))
    if full:
        for e in existing:
            if e.id not in touched and e.status != ENDED:
                key = e.employee_ref or e.work_email or str(e.id)
                result.steps.append(Step(None, key, END, "not in the full file: ends", e.id))
    return result


def _step(
    line: int,
    key: str,
    row: dict[str, str],
    ref: str | None,
    email: str | None,
    by_ref: dict[str, Existing],
    by_email: dict[str, Existing],
    names: Names,
    touched: set[uuid.UUID],
) -> Step:
    before = by_ref.get(ref) if ref else None
    if before is None and email:
        before = by_email.get(email)
        if before is not None and ref and before.employee_ref and before.employee_ref != ref:
            return Step(line, key, ERROR, f"work_email belongs to employee {before.employee_ref}")
    elif before is not None and email and email in by_email and by_email[email].id != before.id:
        return Step(line, key, ERROR, "work_email belongs to another employee")
    if before is not None:
        # Listed, even with an error: a full file does not end them.
        touched.add(before.id)
    try:
        values = _values(row, names, before)
    except ValueError as exc:
        return Step(line, key, ERROR, str(exc))
    if before is None:
        return Step(line, key, ADD, f"adds as {values.status}", None, values)
    if _same(before, values):
        return Step(line, key, UNCHANGED, "no change", before.id, values)
    detail = (
        f"{before.status} → {values.status}"
        if before.status != values.status
        else "updates details"
    )
    return Step(line, key, UPDATE, detail, before.id, values)
