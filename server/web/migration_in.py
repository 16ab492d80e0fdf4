"""The console's import from another system (under Set-up): upload another system's CSV
export, map its columns (suggested from their names), dry-run it, read the per-row report,
import it. The import runs on a thread of its own; the page polls its progress, kept in the
database so any server process can answer."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError
from server.migration_in import rules
from server.migration_in import service as migration
from server.ports.identity import AccessClaims
from server.web.console import console_page, staff_in
from server.web.forms import sentence
from server.web.member_uploads import checked_upload
from server.web.pages import redirect, render
from server.web.sessions import WebRefusal, checked_form, services

router = APIRouter(include_in_schema=False)
T = TypeVar("T")
SECTION = "setup"
BASE = "/manage/migration-in"
POLL = "every 700ms"
MAX_BYTES = 32 * 1024 * 1024
ENTITY_LABELS = {
    "members": "Members",
    "memberships": "Memberships",
    "class_types": "Class types",
    "sessions": "Sessions (dated classes)",
    "bookings": "Bookings and attendance",
    "schedules": "Weekly timetable (recurring classes)",
}


async def _run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return await run_in_worker_thread(lambda: fn(*args, **kwargs))
    except DomainError as exc:
        raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from None


def _id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise WebRefusal(404, "Not found", "There is no such import.") from None


async def _index(
    request: Request, claims: AccessClaims, status: int = 200, **values: Any
) -> Response:
    container = services(request)
    runs = await _run(migration.recent_runs, uow=container.uow(), claims=claims)
    return console_page(
        request,
        "manage/migration_in/index.html",
        claims,
        SECTION,
        status,
        runs=runs,
        entities=ENTITY_LABELS,
        formats=rules.DATE_FORMAT_LABELS,
        **{"error": None, "form": {}, **values},
    )


@router.get(BASE)
async def index(request: Request) -> Response:
    claims = await staff_in(request, SECTION)
    migration.check_caller(claims)
    return await _index(request, claims)


@router.post(BASE)
async def upload(request: Request) -> Response:
    claims = await staff_in(request, SECTION)
    sent = await checked_upload(request, "file", MAX_BYTES)
    form = sent.fields
    if not sent.data.strip():
        return await _index(request, claims, 422, error="Choose a CSV file.", form=form)
    container = services(request)
    try:
        run_id = await run_in_worker_thread(
            lambda: migration.create_run(
                uow=container.uow(),
                claims=claims,
                entity=form.get("entity", ""),
                source=form.get("source_system", ""),
                filename=sent.filename,
                data=sent.data,
                date_format=form.get("date_format", "iso"),
            )
        )
    except DomainError as exc:
        if exc.status != 422:
            raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from None
        return await _index(request, claims, 422, error=sentence(exc.detail), form=form)
    return redirect(request, f"{BASE}/{run_id}")


async def _run_page(
    request: Request, claims: AccessClaims, run_id: uuid.UUID, status: int = 200, **values: Any
) -> Response:
    container = services(request)
    found = await _run(migration.get_run, uow=container.uow(), claims=claims, run_id=run_id)
    return console_page(
        request,
        "manage/migration_in/run.html",
        claims,
        SECTION,
        status,
        run=found,
        entity_label=ENTITY_LABELS[found.entity],
        fields=rules.FIELDS[found.entity],
        required=rules.REQUIRED[found.entity],
        formats=rules.DATE_FORMAT_LABELS,
        percent=_percent(found.done, found.total, found.status),
        poll=POLL,
        **{"error": None, **values},
    )


def _percent(done: int, total: int, status: str) -> int:
    if status in ("done", "failed"):
        return 100
    return int(100 * done / total) if total else 0


@router.get(BASE + "/{run_id}")
async def run_page(request: Request, run_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    return await _run_page(request, claims, _id(run_id))


@router.post(BASE + "/{run_id}")
async def start(request: Request, run_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    form = await checked_form(request)
    found_id = _id(run_id)
    container = services(request)
    found = await _run(migration.get_run, uow=container.uow(), claims=claims, run_id=found_id)
    mapping = {
        header: str(form.get(f"map-{index}", "")) for index, header in enumerate(found.headers)
    }
    try:
        started = await run_in_worker_thread(
            lambda: migration.start_run(
                uow=container.uow(),
                claims=claims,
                run_id=found_id,
                mapping=mapping,
                date_format=str(form.get("date_format", "iso")),
                dry_run=form.get("action") != "import",
                apply_good_rows=form.get("apply_good_rows") == "yes",
                link_existing_by_email=form.get("link_existing_by_email") == "yes",
            )
        )
    except DomainError as exc:
        if exc.status != 422:
            raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from None
        return await _run_page(request, claims, found_id, 422, error=sentence(exc.detail))
    if started:
        threading.Thread(
            target=migration.execute_run,
            kwargs={"make_uow": container.uow, "claims": claims, "run_id": found_id},
            name=f"zmos-migration-{found_id}",
            daemon=True,
        ).start()
    return redirect(request, f"{BASE}/{found_id}")


@router.get(BASE + "/{run_id}/progress")
async def progress(request: Request, run_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    container = services(request)
    found = await _run(migration.get_run, uow=container.uow(), claims=claims, run_id=_id(run_id))
    response = render(
        request,
        "manage/migration_in/_progress.html",
        run=found,
        percent=_percent(found.done, found.total, found.status),
        poll=POLL,
    )
    response.headers["cache-control"] = "no-store"
    if found.status != "running":
        # The report replaces the whole page (the mapping form comes back with it).
        response.headers["HX-Refresh"] = "true"
    return response
