"""The member app's activity imports (under Account): upload a file from a watch or an app,
read what became of each workout, and the history of one's imports. Thin: read the upload
(its own bounded reader and CSRF check: forms with files are not urlencoded), call the
import service with the member's claims in a worker thread, render."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.api.deps import Services
from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError
from server.ports.identity import AccessClaims
from server.web import activity_imports_view as view
from server.web.forms import sentence
from server.web.member_app import member_page
from server.web.member_uploads import checked_upload
from server.web.pages import redirect
from server.web.sessions import MEMBERS, WebRefusal, services, signed_in

router = APIRouter(include_in_schema=False)
T = TypeVar("T")
#: The pages belong to the Account section: four sections fit a phone's bar, five do not.
SECTION = "account"
_PAGE = "app/account/imports.html"


async def _run(fn: Callable[..., T], *args: Any) -> T:
    """A view builder in a worker thread; its refusal becomes an error page."""
    try:
        return await run_in_worker_thread(fn, *args)
    except DomainError as exc:
        raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from None


async def _member(request: Request) -> tuple[Services, AccessClaims]:
    return services(request), await signed_in(request, MEMBERS)


def _offset(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 9 else 0


async def _history_page(request: Request, status: int = 200, /, **values: Any) -> Response:
    container, claims = await _member(request)
    found = await _run(view.history_view, container, claims, values.pop("offset", 0))
    return member_page(request, _PAGE, SECTION, status, **{"error": None, **found, **values})


@router.get("/app/account/imports")
async def my_imports(request: Request, offset: str = "0") -> Response:
    return await _history_page(request, offset=_offset(offset))


@router.post("/app/account/imports")
async def upload_activity_file(request: Request) -> Response:
    container, claims = await _member(request)
    upload = await checked_upload(request, "file", container.settings.activity_import_max_bytes)
    if not upload.data:
        return await _history_page(request, 422, error="Choose a file to import first.")
    try:
        import_id = await run_in_worker_thread(
            view.import_file, container, claims, upload.filename, upload.data
        )
    except DomainError as exc:
        if exc.status != 422:
            raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from None
        return await _history_page(request, 422, error=sentence(exc.detail))
    return redirect(request, f"/app/account/imports/{import_id}")


@router.get("/app/account/imports/{import_id}")
async def my_import(request: Request, import_id: str) -> Response:
    container, claims = await _member(request)
    try:
        wanted = uuid.UUID(import_id)
    except ValueError:
        raise WebRefusal(404, "Not found", "There is no import at this address.") from None
    values = await _run(view.report_view, container, claims, wanted)
    return member_page(request, "app/account/import.html", SECTION, **values)
