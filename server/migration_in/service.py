"""Use cases of migration in: suggest a mapping for a file, import it (or dry-run it),
and the console's runs that import in the background while the page shows progress."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update

from server.db.uow import UnitOfWork
from server.errors import Forbidden, InvalidInput, NotFound, PayloadTooLarge
from server.members.csv_import import CsvRefused, TooManyRows, read_table
from server.migration_in import rules
from server.migration_in.classes import ClassTypes, Sessions
from server.migration_in.history import Bookings
from server.migration_in.importer import MAX_ROWS, Context, Entity, ImportReport, run
from server.migration_in.models import MigrationRun
from server.migration_in.people import Members, Memberships
from server.migration_in.schedules import Schedules
from server.migration_in.schemas import (
    ImportCounts,
    ImportReportRead,
    ImportRowRead,
    MappingSuggestion,
)
from server.ports.identity import AccessClaims
from shared.clock import utcnow
from shared.enums import PrincipalKind, StaffRole
from shared.inputs import text_problem

HANDLERS: dict[str, Entity] = {
    "members": Members(),
    "memberships": Memberships(),
    "class_types": ClassTypes(),
    "sessions": Sessions(),
    "bookings": Bookings(),
    "schedules": Schedules(),
}
#: How far each run this process is importing has got (done, total rows). PostgreSQL
#: keeps it in the run's row too, for pages served by other processes; a SQLite database
#: is one process's, and its one writer is busy with the import itself.
LIVE: dict[uuid.UUID, tuple[int, int]] = {}
#: Rows of a report kept with a console run besides every error (a page shows a few).
KEPT_ROWS = 500


def check_caller(claims: AccessClaims) -> None:
    """Owners and managers of the whole tenant: an import reaches every location."""
    allowed = (
        claims.kind == PrincipalKind.STAFF
        and claims.role in (StaffRole.OWNER, StaffRole.MANAGER)
        and claims.location_ids is None
    )
    if not allowed:
        raise Forbidden("only owners and managers of every location import from other systems")


def _source(text: str) -> str:
    source = text.strip()
    if not source or len(source) > 60 or text_problem(source):
        raise InvalidInput(
            "source_system must be 1 to 60 printable characters (the other system's name)",
            code="bad_source",
        )
    return source


def _entity(name: str) -> Entity:
    if name not in HANDLERS:
        raise InvalidInput(f"entity must be one of {', '.join(rules.ENTITIES)}", code="bad_entity")
    return HANDLERS[name]


def headers_of(data: bytes, entity: str) -> list[str]:
    try:
        header, _ = read_table(data, max_rows=MAX_ROWS, example=",".join(rules.FIELDS[entity]))
    except TooManyRows as exc:
        raise PayloadTooLarge(str(exc)) from None
    except CsvRefused as exc:
        raise InvalidInput(str(exc), code="bad_csv") from None
    return [h.strip() for h in header]


def suggest_mapping(*, claims: AccessClaims, entity: str, data: bytes) -> MappingSuggestion:
    check_caller(claims)
    _entity(entity)
    headers = headers_of(data, entity)
    return MappingSuggestion(
        entity=entity,
        headers=headers,
        mapping=rules.suggest(entity, headers),
        fields=list(rules.FIELDS[entity]),
        required=list(rules.REQUIRED[entity]),
    )


def import_file(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    entity: str,
    source: str,
    data: bytes,
    mapping: dict[str, str],
    date_format: str = "iso",
    dry_run: bool = True,
    apply_good_rows: bool = False,
    link_existing_by_email: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReportRead:
    """The file's rows as ``mapping`` reads them, checked and (unless a dry run) written in
    one transaction: all of them, or none if one is bad, unless ``apply_good_rows``.
    ``link_existing_by_email``: a new member row whose email an existing member holds is
    that member (given the source id, and only what they lack), not a clash."""
    check_caller(claims)
    handler = _entity(entity)
    source = _source(source)
    try:
        rules.check_date_format(date_format)
    except rules.MappingRefused as exc:
        raise InvalidInput(str(exc), code="bad_mapping") from None
    now = utcnow()
    with uow:
        ctx = Context(
            db=uow.db,
            tenant_id=claims.tenant_id,
            source=source,
            date_format=date_format,
            today=now.date(),
            now=now,
            actor=claims.subject_id,
            link_by_email=link_existing_by_email,
        )
        try:
            report = run(
                ctx,
                handler,
                data,
                {str(k).strip(): str(v) for k, v in mapping.items()},
                dry_run=dry_run,
                apply_good_rows=apply_good_rows,
                progress=progress,
            )
        except TooManyRows as exc:
            raise PayloadTooLarge(str(exc)) from None
        except CsvRefused as exc:
            raise InvalidInput(str(exc), code="bad_csv") from None
        except rules.MappingRefused as exc:
            raise InvalidInput(str(exc), code="bad_mapping") from None
        if report.applied:
            uow.commit()
    return report_read(report)


def report_read(report: ImportReport) -> ImportReportRead:
    return ImportReportRead(
        entity=report.entity,
        source_system=report.source,
        dry_run=report.dry_run,
        applied=report.applied,
        counts=ImportCounts(**report.counts),
        # Built unchecked: the rows are the importer's own, and a file has 100,000 of them.
        rows=[
            ImportRowRead.model_construct(
                line=o.line, external_id=o.external_id, outcome=o.outcome, message=o.message
            )
            for o in report.rows
        ],
    )


# ── the console's runs ────────────────────────────────────────────────────────────────


def create_run(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    entity: str,
    source: str,
    filename: str,
    data: bytes,
    date_format: str,
) -> uuid.UUID:
    """A file uploaded for mapping; its headers are read now (a bad file is refused)."""
    check_caller(claims)
    _entity(entity)
    source = _source(source)
    try:
        rules.check_date_format(date_format)
    except rules.MappingRefused as exc:
        raise InvalidInput(str(exc), code="bad_mapping") from None
    headers = headers_of(data, entity)
    with uow:
        run_row = MigrationRun(
            tenant_id=claims.tenant_id,
            source_system=source,
            entity=entity,
            filename=(filename or "upload.csv")[:200],
            data=data,
            headers=headers,
            mapping=rules.suggest(entity, headers),
            date_format=date_format,
            created_by=claims.subject_id,
        )
        uow.db.add(run_row)
        uow.commit()
        return run_row.id


def get_run(*, uow: UnitOfWork, claims: AccessClaims, run_id: uuid.UUID) -> MigrationRun:
    check_caller(claims)
    with uow:
        found = uow.db.get(MigrationRun, (claims.tenant_id, run_id))
        if found is None:
            raise NotFound("no such import")
        uow.db.expunge(found)
    if found.status == "running" and run_id in LIVE:
        found.done, found.total = LIVE[run_id]
    return found


def recent_runs(*, uow: UnitOfWork, claims: AccessClaims, limit: int = 10) -> list[MigrationRun]:
    check_caller(claims)
    with uow:
        rows = list(
            uow.db.execute(
                select(MigrationRun)
                .where(MigrationRun.tenant_id == claims.tenant_id)
                .order_by(MigrationRun.created_at.desc())
                .limit(limit)
            ).scalars()
        )
        for row in rows:
            uow.db.expunge(row)
        return rows


def start_run(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    run_id: uuid.UUID,
    mapping: dict[str, str],
    date_format: str,
    dry_run: bool,
    apply_good_rows: bool,
    link_existing_by_email: bool = False,
) -> bool:
    """Saves the mapping and marks the run running; False if it is running already. The
    mapping is checked first, so a bad one is refused on the page (nothing starts)."""
    found = get_run(uow=uow, claims=claims, run_id=run_id)
    try:
        rules.check_date_format(date_format)
        rules.check_mapping(found.entity, found.headers, mapping)
    except rules.MappingRefused as exc:
        raise InvalidInput(str(exc), code="bad_mapping") from None
    with uow:
        result = uow.db.execute(
            update(MigrationRun)
            .where(
                MigrationRun.tenant_id == claims.tenant_id,
                MigrationRun.id == run_id,
                MigrationRun.status != "running",
            )
            .values(
                mapping=mapping,
                date_format=date_format,
                dry_run=dry_run,
                apply_good_rows=apply_good_rows,
                link_existing_by_email=link_existing_by_email,
                status="running",
                done=0,
                total=0,
                report=None,
                updated_at=utcnow(),
            )
        )
        uow.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def execute_run(
    *, make_uow: Callable[[], UnitOfWork], claims: AccessClaims, run_id: uuid.UUID
) -> None:
    """The import of a started run (on a thread of its own): progress is written in
    transactions of its own as the import goes, the report at the end."""
    found = get_run(uow=make_uow(), claims=claims, run_id=run_id)
    with make_uow() as uow:
        data = uow.db.execute(
            select(MigrationRun.data).where(
                MigrationRun.tenant_id == claims.tenant_id, MigrationRun.id == run_id
            )
        ).scalar_one()

    with make_uow() as uow:
        # SQLite has one writer: the import's own transaction holds it until the end.
        concurrent = uow.db.get_bind().dialect.name == "postgresql"

    def progress(done: int, total: int) -> None:
        LIVE[run_id] = (done, total)
        if concurrent:
            _set(make_uow, claims.tenant_id, run_id, done=done, total=total)

    try:
        report = import_file(
            uow=make_uow(),
            claims=claims,
            entity=found.entity,
            source=found.source_system,
            data=data,
            mapping=found.mapping,
            date_format=found.date_format,
            dry_run=found.dry_run,
            apply_good_rows=found.apply_good_rows,
            link_existing_by_email=found.link_existing_by_email,
            progress=progress,
        )
    except Exception as exc:
        message = getattr(exc, "detail", None) or str(exc) or type(exc).__name__
        _set(make_uow, claims.tenant_id, run_id, status="failed", report={"failure": message})
        LIVE.pop(run_id, None)
        return
    kept = [r for r in report.rows if r.outcome == "error"]
    kept += [r for r in report.rows if r.outcome != "error"][:KEPT_ROWS]
    kept.sort(key=lambda r: r.line)
    stored = report.model_dump(mode="json") | {"rows": [r.model_dump() for r in kept]}
    # An imported file's people now live in their own rows (where erasure finds them): its
    # copy goes; a dry run's stays, to be mapped again and imported.
    emptied = {"data": b""} if report.applied else {}
    _set(make_uow, claims.tenant_id, run_id, status="done", report=stored, **emptied)
    LIVE.pop(run_id, None)


def _set(
    make_uow: Callable[[], UnitOfWork], tenant_id: uuid.UUID, run_id: uuid.UUID, **values: Any
) -> None:
    with make_uow() as uow:
        uow.db.execute(
            update(MigrationRun)
            .where(MigrationRun.tenant_id == tenant_id, MigrationRun.id == run_id)
            .values(**values, updated_at=utcnow())
        )
        uow.commit()
