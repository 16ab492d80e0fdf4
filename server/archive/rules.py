"""The archive's format, as pure functions: which tables go in, how each column's values are
written as CSV text and read back, and how a CSV record is split (NULL and the empty string
stay apart, which Python's csv module cannot read back)."""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    Numeric,
    Table,
    Time,
    TypeDecorator,
    Uuid,
)

FORMAT = "zmos-tenant-archive"
VERSION = 1
MANIFEST = "manifest.json"

Kind = Literal[
    "uuid",
    "text",
    "integer",
    "boolean",
    "decimal",
    "date",
    "time",
    "datetime",
    "json",
    "binary",
    "sealed",
]

#: Tables left out: sign-in secrets and one-time links (they name this server's sessions),
#: the pass signing keys (sealed under this server's secret; a tenant gets a new key on
#: first use), the kiosks' sync bookkeeping (kiosks start again from a full download), and
#: the event outbox: events and their deliveries are in transit (kept for days, facts of
#: the tables archived), and webhook subscriptions carry signing secrets sealed under this
#: server's secret (a tenant makes its subscriptions again, with new secrets).
EXCLUDED = frozenset(
    {
        "refresh_tokens",
        "login_throttle",
        "email_verifications",
        "member_password_tokens",
        "staff_password_tokens",
        "pass_keys",
        "sync_changes",
        "sync_mutations",
        "device_sync_state",
        "location_sync_seq",
        # PSP secret keys, sealed to this server's secret: the owner sets them again.
        "payment_accounts",
        "outbox_events",
        "outbox_deliveries",
        "webhook_subscriptions",
    }
)

#: Text a spreadsheet would evaluate as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ArchiveError(ValueError):
    """The file is not an archive this server reads, or does not match its manifest."""


def kind_of(table: Table, column: str, sealed: Iterable[tuple[str, str]]) -> Kind:
    """The archive type of a column, from its SQL type."""
    sql: Any = table.c[column].type
    if isinstance(sql, TypeDecorator):
        sql = sql.impl
    if isinstance(sql, LargeBinary):
        return "sealed" if (table.name, column) in set(sealed) else "binary"
    for types, kind in (
        (Uuid, "uuid"),
        (Boolean, "boolean"),
        ((Integer, BigInteger), "integer"),
        (Numeric, "decimal"),
        (DateTime, "datetime"),
        (Date, "date"),
        (Time, "time"),
        (JSON, "json"),
    ):
        if isinstance(sql, types):
            return kind  # type: ignore[return-value]
    return "text"


def encode(kind: Kind, value: Any) -> str | None:
    """A value as archive text; None stays None (an empty, unquoted field)."""
    if value is None:
        return None
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "datetime":
        return str(value.astimezone(UTC).isoformat().replace("+00:00", "Z"))
    if kind in ("date", "time"):
        return str(value.isoformat())
    if kind == "json":
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    if kind in ("binary", "sealed"):
        return base64.b64encode(value).decode("ascii")
    return str(value)


def _boolean(text: str) -> bool:
    if text not in ("true", "false"):
        raise ValueError(text)
    return text == "true"


def _datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(text)
    return value.astimezone(UTC)


_READERS: dict[str, Callable[[str], Any]] = {
    "uuid": uuid.UUID,
    "boolean": _boolean,
    "integer": int,
    "decimal": Decimal,
    "datetime": _datetime,
    "date": date.fromisoformat,
    "time": time.fromisoformat,
    "json": json.loads,
    "binary": lambda text: base64.b64decode(text, validate=True),
    "sealed": lambda text: base64.b64decode(text, validate=True),
}


def decode(kind: Kind, text: str | None) -> Any:
    """Archive text back to a value (ArchiveError if it is not one)."""
    if text is None:
        return None
    reader = _READERS.get(kind)
    if reader is None:
        return text
    try:
        return reader(text)
    except (ValueError, ArithmeticError) as exc:
        raise ArchiveError(f"{text[:40]!r} is not a {kind}") from exc


def csv_field(text: str | None) -> str:
    """NULL is an empty field; every other value is quoted, so ``""`` is the empty string."""
    if text is None:
        return ""
    return '"' + text.replace('"', '""') + '"'


def csv_line(fields: Iterable[str | None]) -> str:
    return ",".join(csv_field(f) for f in fields) + "\n"


_FIELD = re.compile(r'"((?:[^"]|"")*)"|([^,"\r\n]*)')


def csv_records(lines: Iterable[str]) -> Iterator[list[str | None]]:
    """Records of archive CSV (RFC 4180 but LF line ends, CRLF read too; quoted values
    may hold line breaks)."""
    pending = ""
    for line in lines:
        pending += line
        if pending.count('"') % 2:
            continue  # a quoted value goes on over the line break
        record = pending.rstrip("\r\n")
        pending = ""
        yield _split(record)
    if pending:
        raise ArchiveError("the file ends inside a quoted value")


def _split(record: str) -> list[str | None]:
    fields: list[str | None] = []
    at = 0
    while True:
        match = _FIELD.match(record, at)
        if match is None:  # pragma: no cover - the pattern matches the empty string
            raise ArchiveError("a malformed CSV record")
        quoted, bare = match.group(1), match.group(2)
        if quoted is not None:
            fields.append(quoted.replace('""', '"'))
        elif bare:
            raise ArchiveError(f"an unquoted value {bare[:40]!r}: values are quoted")
        else:
            fields.append(None)
        at = match.end()
        if at == len(record):
            return fields
        if record[at] != ",":
            raise ArchiveError("a malformed CSV record")
        at += 1


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet shows it and never evaluates it."""
    return "'" + text if text.startswith(FORMULA_START) else text
