"""What every format reader shares: UTC times, stable ids, type names and safe XML.

``finish`` turns a record's fields into an activity, or into a skipped record when the rules
find it implausible. ``xml_root`` reads an XML file only up to its root element, refusing
entity declarations (the "billion laughs" bomb, external entities) before any full parse.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO
from xml.parsers import expat

from server.wearables import rules
from server.wearables.schemas import (
    ActivityType,
    HeartRateZones,
    ImportedActivity,
    ImportFileRefused,
    ImportReport,
    SkippedRecord,
    SourceFormat,
)

_CHUNK = 1 << 16
#: The root element must start within this many bytes (Apple's own DTD is about 10 kB).
_PROLOG_LIMIT = 1 << 20

Parsed = ImportedActivity | SkippedRecord


def stable_id(*parts: object) -> str:
    """An id for a workout whose file gives none: the same workout hashes the same."""
    text = "\x1f".join(str(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def utc(moment: datetime) -> datetime:
    # GPX and FIT times without an offset are UTC by their specifications.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def type_by_keywords(name: str, keywords: Iterable[tuple[str, ActivityType]]) -> ActivityType:
    lowered = name.lower()
    return next((kind for word, kind in keywords if word in lowered), ActivityType.OTHER)


KEYWORDS = (
    ("run", ActivityType.RUN),
    ("jog", ActivityType.RUN),
    ("hik", ActivityType.HIKE),
    ("walk", ActivityType.WALK),
    ("cycl", ActivityType.CYCLE),
    ("bik", ActivityType.CYCLE),
    ("ride", ActivityType.CYCLE),
    ("swim", ActivityType.SWIM),
    ("strength", ActivityType.STRENGTH),
    ("weight", ActivityType.STRENGTH),
)


def finish(
    *,
    record: str,
    source_format: SourceFormat,
    external_id: str,
    activity_type: ActivityType,
    start: datetime,
    end: datetime,
    active_minutes: float | None,
    source_name: str,
    now: datetime,
    distance_m: float | None = None,
    heart_rate: HeartRateZones | None = None,
) -> Parsed:
    start, end = utc(start), utc(end)
    minutes = (end - start).total_seconds() / 60 if active_minutes is None else active_minutes
    problem = rules.implausibility(start=start, end=end, minutes=minutes, now=now)
    if problem is not None:
        return SkippedRecord(record, problem)
    return ImportedActivity(
        source_format=source_format,
        external_id=external_id,
        activity_type=activity_type,
        start=start,
        end=end,
        minutes=max(1, round(minutes)),
        source_name=source_name,
        distance_m=distance_m if distance_m else None,
        heart_rate=heart_rate,
    )


def report(parsed: Iterable[Parsed]) -> ImportReport:
    items = list(parsed)
    return ImportReport(
        activities=tuple(i for i in items if isinstance(i, ImportedActivity)),
        skipped=tuple(i for i in items if isinstance(i, SkippedRecord)),
    )


class _RootSeen(Exception):
    pass


def xml_root(stream: IO[bytes], *, allow_doctype: bool, what: str) -> str:
    """The root element's name, read with expat up to it; refuses entities and bad XML.

    Entities can only be declared before the root element, so refusing every declaration
    there keeps entity expansion (and external entities) out of the full parse that follows.
    """
    parser = expat.ParserCreate()
    roots: list[str] = []

    def start(name: str, _attributes: object) -> None:
        roots.append(name)
        raise _RootSeen

    def entity(*_declaration: object) -> None:
        raise ImportFileRefused(f"The {what} declares XML entities; such files are refused.")

    def doctype(*_declaration: object) -> None:
        if not allow_doctype:
            raise ImportFileRefused(f"The {what} has a document type declaration; refused.")

    parser.StartElementHandler = start
    parser.EntityDeclHandler = entity
    parser.StartDoctypeDeclHandler = doctype
    read = 0
    try:
        while read <= _PROLOG_LIMIT:
            chunk = stream.read(_CHUNK)
            read += len(chunk)
            parser.Parse(chunk, not chunk)
            if not chunk:
                break
    except _RootSeen:
        return roots[0]
    except expat.ExpatError as error:
        raise ImportFileRefused(f"The {what} is not readable XML ({error}).") from error
    raise ImportFileRefused(f"The {what} has no XML root element at its start.")
