"""Journeys in the console's Set-up: the template library, a template's page (weeks,
assessments, versions) and the form that edits its weeks. Thin: parse the form, call the
view builders and services in a worker thread, render."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError, NotFound
from server.ports.identity import AccessClaims
from server.web import journeys_view as view
from server.web.console import console_page
from server.web.forms import sentence
from server.web.pages import redirect
from server.web.sessions import checked_form, services
from server.web.setup_common import SECTION, admin, call, parse_id, refused
from shared.carepath.plans import WeekTarget
from shared.carepath.templates import MAX_WEEKS

router = APIRouter(include_in_schema=False)

LIBRARY = "manage/journeys/index.html"
TEMPLATE = "manage/journeys/template.html"
WEEKS = "manage/journeys/weeks.html"
SAVED = {"weeks": "Saved."}


@router.get("/manage/setup/journeys")
async def library(request: Request) -> Response:
    claims = await admin(request)
    values = await call(view.library, services(request), claims)
    return console_page(request, LIBRARY, claims, SECTION, **values)


@router.get("/manage/setup/journeys/{raw_id}")
async def template(request: Request, raw_id: str) -> Response:
    claims = await admin(request)
    values = await call(view.template_page, services(request), claims, parse_id(raw_id))
    saved = SAVED.get(request.query_params.get("saved", ""))
    return console_page(request, TEMPLATE, claims, SECTION, saved=saved, **values)


async def _weeks_page(
    request: Request,
    claims: AccessClaims,
    template_id: uuid.UUID,
    status: int = 200,
    rows: list[dict[str, str]] | None = None,
    problem: str | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    values = await call(view.weeks_form, services(request), claims, template_id, rows)
    return console_page(
        request, WEEKS, claims, SECTION, status, problem=problem, errors=errors or {}, **values
    )


@router.get("/manage/setup/journeys/{raw_id}/weeks")
async def weeks(request: Request, raw_id: str) -> Response:
    return await _weeks_page(request, await admin(request), parse_id(raw_id))


def _rows(form: dict[str, str]) -> list[dict[str, str]]:
    try:
        count = int(form.get("weeks", "0"))
    except ValueError:
        count = 0
    count = max(0, min(count, MAX_WEEKS + 1))
    return [
        {f: form.get(f"{f}-{n}", "").strip() for f, _ in view.WEEK_FIELDS}
        for n in range(1, count + 1)
    ]


def _parsed(rows: list[dict[str, str]]) -> tuple[list[WeekTarget], dict[str, str]]:
    """The weeks, or what is wrong with each cell (by its field name)."""
    weeks: list[WeekTarget] = []
    errors: dict[str, str] = {}
    for n, row in enumerate(rows, start=1):
        values: dict[str, int] = {}
        for f, heading in view.WEEK_FIELDS:
            raw = row.get(f, "") or "0"
            if not raw.isdigit():
                errors[f"{f}-{n}"] = f"Week {n}: {heading.lower()} must be a whole number."
                continue
            values[f] = int(raw)
        weeks.append(WeekTarget(week=n, **values))
    return weeks, errors


@router.post("/manage/setup/journeys/{raw_id}/weeks")
async def save_weeks(request: Request, raw_id: str) -> Response:
    form = await checked_form(request)
    claims = await admin(request)
    template_id = parse_id(raw_id)
    rows = _rows(form)
    action = form.get("action", "save")
    # Adding or removing a row changes the form only: nothing is saved until Save.
    if action == "add" and len(rows) < MAX_WEEKS:
        rows.append(dict(rows[-1]) if rows else {f: "0" for f, _ in view.WEEK_FIELDS})
        return await _weeks_page(request, claims, template_id, rows=rows)
    if action == "remove" and len(rows) > 1:
        return await _weeks_page(request, claims, template_id, rows=rows[:-1])
    parsed, errors = _parsed(rows)
    if errors:
        problem = next(iter(errors.values()))
        return await _weeks_page(request, claims, template_id, 422, rows, problem, errors)
    try:
        await run_in_worker_thread(view.save_weeks, services(request), claims, template_id, parsed)
    except NotFound as exc:
        raise refused(exc) from None
    except DomainError as exc:
        return await _weeks_page(
            request, claims, template_id, exc.status, rows, sentence(exc.detail)
        )
    return redirect(request, f"/manage/setup/journeys/{template_id}?saved=weeks")
