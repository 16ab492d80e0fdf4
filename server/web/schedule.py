"""The console's Schedule (``/manage/schedule``): a location's week, series and single
sessions (create, edit, move, cancel), and a session's roster with check-in and approvals.

Every staff role opens it; what each may change is the API's rule: owners and managers plan
series and sessions, front-desk staff (and up) approve bookings, and anyone checks a booked
member in (a coach only in a class they lead, which the booking service decides)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from server.api.threaded_route import run_in_worker_thread
from server.bookings import booking_service
from server.bookings.schemas import AttendanceCreate
from server.errors import DomainError
from server.ports.identity import AccessClaims
from server.scheduling import series, sessions
from server.scheduling.schemas import (
    ScheduleCreate,
    ScheduleUpdate,
    SessionCancel,
    SessionCreate,
    SessionMove,
    SessionUpdate,
)
from server.scheduling.session_bookings import SessionBookings
from server.web import schedule_view as view
from server.web.console import console_page, staff_in
from server.web.pages import redirect
from server.web.sessions import WebRefusal, checked_form, services

router = APIRouter(include_in_schema=False)
M = TypeVar("M", bound=BaseModel)

SECTION = "schedule"
BASE = "/manage/schedule"
#: The form-level message when a field's own message is not enough.
FORM = "form"


class FormProblems(Exception):
    """The form's fields were refused: field name -> message (``form`` for the whole)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems)
        self.problems = problems


def _session_bookings(request: Request) -> SessionBookings:
    """What bookings do when a session changes (members told), as the API's routes get it."""
    bookings: SessionBookings = request.app.state.container.session_bookings
    return bookings


def _refusal(exc: DomainError) -> WebRefusal:
    return WebRefusal(exc.status, exc.title, _sentence(exc.detail))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


async def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A service call in a worker thread; its refusal becomes the error page."""
    try:
        return await run_in_worker_thread(fn, *args, **kwargs)
    except DomainError as exc:
        raise _refusal(exc) from None


def _planner(claims: AccessClaims) -> None:
    if not view.may_plan(claims):
        raise WebRefusal(
            403, "Not for this account", "Series and sessions are planned by owners and managers."
        )


def _uuid(value: str | None, what: str) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise WebRefusal(404, "Not found", f"No such {what}.") from None


def _parsed(model: type[M], data: dict[str, Any]) -> M:
    """The command from the form's values, or the fields' problems in words."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else FORM
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.setdefault(field, _sentence(message))
        raise FormProblems(problems) from None


def _filled(fields: dict[str, str], names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields that were filled in (blank: left to the service's default)."""
    return {n: fields[n].strip() for n in names if fields.get(n, "").strip()}


def _weekdays(fields: dict[str, str]) -> list[int]:
    return [n for n, _ in view.WEEKDAYS if fields.get(f"day_{n}")]


async def _save(fn: Callable[[], Any]) -> Any:
    """A change: invalid input or a conflict is the form's problem (shown next to it), any
    other refusal (not found, not allowed) the error page."""
    try:
        return await run_in_worker_thread(fn)
    except DomainError as exc:
        if exc.status in (409, 422):
            raise FormProblems({FORM: _sentence(exc.detail)}) from None
        raise _refusal(exc) from None


# --- the week ------------------------------------------------------------------------------


@router.get(BASE)
async def week(request: Request) -> Response:
    claims = await staff_in(request, SECTION)
    location_id = _uuid(request.query_params.get("location"), "location")
    week_of: date | None = None
    if request.query_params.get("week"):
        try:
            week_of = date.fromisoformat(request.query_params["week"])
        except ValueError:
            raise WebRefusal(
                422, "Not a date", "The week is given as a date: 2026-12-07."
            ) from None
    values = await _call(view.week_view, services(request), claims, location_id, week_of)
    return console_page(request, "manage/schedule/week.html", claims, SECTION, **values)


# --- series --------------------------------------------------------------------------------

_SERIES_FIELDS = ("local_start", "duration_minutes", "capacity", "starts_on", "ends_on", "room")


def _series_data(fields: dict[str, str]) -> dict[str, Any]:
    return {
        **_filled(fields, _SERIES_FIELDS),
        "weekdays": _weekdays(fields),
        "instructor_id": fields.get("instructor_id") or None,
    }


async def _series_form(
    request: Request,
    claims: AccessClaims,
    fields: dict[str, str],
    problems: dict[str, str],
    schedule_id: uuid.UUID | None = None,
) -> Response:
    container = services(request)
    if schedule_id is None:
        values = await _call(view.form_choices, container, claims)
    else:
        values = await _call(view.series_view, container, claims, schedule_id)
    return console_page(
        request,
        "manage/schedule/series.html",
        claims,
        SECTION,
        422 if problems else 200,
        fields=fields,
        problems=problems,
        **values,
    )


@router.get(BASE + "/series/new")
async def new_series(request: Request) -> Response:
    claims = await staff_in(request, SECTION)
    _planner(claims)
    fields = {"location_id": request.query_params.get("location", "")}
    return await _series_form(request, claims, fields, {})


@router.post(BASE + "/series")
async def create_series(request: Request) -> Response:
    fields = await checked_form(request)
    claims = await staff_in(request, SECTION)
    _planner(claims)
    try:
        cmd = _parsed(
            ScheduleCreate,
            {
                **_series_data(fields),
                "location_id": fields.get("location_id") or None,
                "session_type_id": fields.get("session_type_id") or None,
            },
        )
        made = await _save(
            lambda: series.create_schedule(uow=services(request).uow(), claims=claims, cmd=cmd)
        )
    except FormProblems as exc:
        return await _series_form(request, claims, fields, exc.problems)
    schedule = made.schedule
    return redirect(request, f"{BASE}?location={schedule.location_id}&week={schedule.starts_on}")


@router.get(BASE + "/series/{schedule_id}")
async def edit_series(request: Request, schedule_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    _planner(claims)
    found = _uuid(schedule_id, "series")
    assert found is not None
    values = await _call(view.series_view, services(request), claims, found)
    s = values["schedule"]
    fields = {
        "instructor_id": str(s.instructor_id or ""),
        "local_start": s.local_start.isoformat(timespec="minutes"),
        "duration_minutes": str(s.duration_minutes),
        "capacity": str(s.capacity),
        "starts_on": s.starts_on.isoformat(),
        "ends_on": s.ends_on.isoformat(),
        "room": s.room or "",
        **{f"day_{d}": "on" for d in s.weekdays},
    }
    return await _series_form(request, claims, fields, {}, found)


@router.post(BASE + "/series/{schedule_id}")
async def update_series(request: Request, schedule_id: str) -> Response:
    fields = await checked_form(request)
    claims = await staff_in(request, SECTION)
    _planner(claims)
    found = _uuid(schedule_id, "series")
    assert found is not None
    try:
        cmd = _parsed(ScheduleUpdate, _series_data(fields))
        edited = await _save(
            lambda: series.update_schedule(
                uow=services(request).uow(),
                bookings=_session_bookings(request),
                claims=claims,
                schedule_id=found,
                cmd=cmd,
            )
        )
    except FormProblems as exc:
        return await _series_form(request, claims, fields, exc.problems, found)
    schedule = edited.schedule
    return redirect(request, f"{BASE}?location={schedule.location_id}&week={schedule.starts_on}")


# --- single sessions -----------------------------------------------------------------------


async def _session_form(
    request: Request, claims: AccessClaims, fields: dict[str, str], problems: dict[str, str]
) -> Response:
    values = await _call(view.form_choices, services(request), claims)
    return console_page(
        request,
        "manage/schedule/session_new.html",
        claims,
        SECTION,
        422 if problems else 200,
        fields=fields,
        problems=problems,
        **values,
    )


@router.get(BASE + "/sessions/new")
async def new_session(request: Request) -> Response:
    claims = await staff_in(request, SECTION)
    _planner(claims)
    return await _session_form(
        request, claims, {"location_id": request.query_params.get("location", "")}, {}
    )


@router.post(BASE + "/sessions")
async def create_session(request: Request) -> Response:
    fields = await checked_form(request)
    claims = await staff_in(request, SECTION)
    _planner(claims)
    try:
        cmd = _parsed(
            SessionCreate,
            {
                **_filled(
                    fields,
                    (
                        "location_id",
                        "session_type_id",
                        "instructor_id",
                        "local_date",
                        "local_start",
                        "duration_minutes",
                        "capacity",
                        "room",
                    ),
                ),
            },
        )
        made = await _save(
            lambda: sessions.create_session(uow=services(request).uow(), claims=claims, cmd=cmd)
        )
    except FormProblems as exc:
        return await _session_form(request, claims, fields, exc.problems)
    return redirect(request, f"{BASE}/sessions/{made.id}")


async def _session_page(
    request: Request,
    claims: AccessClaims,
    session_id: uuid.UUID,
    fields: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
) -> Response:
    values = await _call(view.session_view, services(request), claims, session_id)
    s = values["session"]
    shown = {
        "local_date": s.local_date.isoformat(),
        "local_start": s.local_start.isoformat(timespec="minutes"),
        "reason": "",
        "instructor_id": str(s.instructor_id or ""),
        "capacity": str(s.capacity),
        "room": s.room or "",
        **(fields or {}),
    }
    return console_page(
        request,
        "manage/schedule/session.html",
        claims,
        SECTION,
        422 if problems else 200,
        fields=shown,
        problems=problems or {},
        **values,
    )


def _session_id(value: str) -> uuid.UUID:
    found = _uuid(value, "session")
    assert found is not None
    return found


def _of_form(form: str, exc: FormProblems) -> dict[str, str]:
    """A refusal of one of the session page's forms, named after that form (``cancel_reason``,
    ``cancel_form``), so each form shows its own problems."""
    return {f"{form}_{k}" if k != FORM else f"{form}_form": v for k, v in exc.problems.items()}


@router.get(BASE + "/sessions/{session_id}")
async def session_page(request: Request, session_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    return await _session_page(request, claims, _session_id(session_id))


@router.post(BASE + "/sessions/{session_id}/move")
async def move_session(request: Request, session_id: str) -> Response:
    fields = await checked_form(request)
    claims = await staff_in(request, SECTION)
    _planner(claims)
    found = _session_id(session_id)
    try:
        cmd = _parsed(SessionMove, _filled(fields, ("local_date", "local_start")))
        await _save(
            lambda: sessions.move_session(
                uow=services(request).uow(),
                bookings=_session_bookings(request),
                claims=claims,
                session_id=found,
                cmd=cmd,
            )
        )
    except FormProblems as exc:
        return await _session_page(request, claims, found, fields, exc.problems)
    return redirect(request, f"{BASE}/sessions/{found}")


@router.post(BASE + "/sessions/{session_id}/change")
async def change_session(request: Request, session_id: str) -> Response:
    """Instructor, places or room of this one session. Only what was changed is sent: any
    change takes the session out of its series' later edits, so an unchanged form must not."""
    fields = await checked_form(request)
    claims = await staff_in(request, SECTION)
    _planner(claims)
    found = _session_id(session_id)
    container = services(request)
    current = await _call(
        lambda: sessions.get_session(uow=container.read_uow(), claims=claims, session_id=found)
    )
    changes: dict[str, Any] = {}
    instructor = fields.get("instructor_id", "").strip()
    if instructor != str(current.instructor_id or ""):
        changes["instructor_id"] = instructor or None
    places = fields.get("capacity", "").strip()
    if places and places != str(current.capacity):
        changes["capacity"] = places
    room = fields.get("room", "").strip()
    if room != (current.room or ""):
        changes["room"] = room or None
    if changes:
        try:
            cmd = _parsed(SessionUpdate, changes)
            await _save(
                lambda: sessions.update_session(
                    uow=container.uow(),
                    bookings=_session_bookings(request),
                    claims=claims,
                    session_id=found,
                    cmd=cmd,
                )
            )
        except FormProblems as exc:
            problems = _of_form("change", exc)
            return await _session_page(request, claims, found, fields, problems)
    return redirect(request, f"{BASE}/sessions/{found}")


@router.post(BASE + "/sessions/{session_id}/cancel")
async def cancel_session(request: Request, session_id: str) -> Response:
    fields = await checked_form(request)
    claims = await staff_in(request, SECTION)
    _planner(claims)
    found = _session_id(session_id)
    try:
        cmd = _parsed(SessionCancel, {"reason": fields.get("reason", "").strip()})
        await _save(
            lambda: sessions.cancel_session(
                uow=services(request).uow(),
                bookings=_session_bookings(request),
                claims=claims,
                session_id=found,
                cmd=cmd,
            )
        )
    except FormProblems as exc:
        return await _session_page(request, claims, found, fields, _of_form("cancel", exc))
    return redirect(request, f"{BASE}/sessions/{found}")


# --- the roster ----------------------------------------------------------------------------


async def _booking_action(
    request: Request, session_id: str, booking_id: str, act: Callable[..., Any], approver: bool
) -> Response:
    await checked_form(request)
    claims = await staff_in(request, SECTION)
    if approver and not view.may_approve(claims):
        raise WebRefusal(
            403,
            "Not for this account",
            "Bookings are approved by owners, managers and front-desk staff.",
        )
    found = _session_id(session_id)
    booking = _uuid(booking_id, "booking")
    assert booking is not None
    await _call(act, services(request), claims, booking)
    return redirect(request, f"{BASE}/sessions/{found}#roster")


def _check_in(container: Any, claims: AccessClaims, booking_id: uuid.UUID) -> Any:
    return booking_service.attend(
        uow=container.uow(),
        claims=claims,
        booking_id=booking_id,
        cmd=AttendanceCreate(),
    )


def _approve(container: Any, claims: AccessClaims, booking_id: uuid.UUID) -> Any:
    return booking_service.approve(uow=container.uow(), claims=claims, booking_id=booking_id)


def _decline(container: Any, claims: AccessClaims, booking_id: uuid.UUID) -> Any:
    return booking_service.decline(
        uow=container.uow(), claims=claims, booking_id=booking_id, reason=None
    )


@router.post(BASE + "/sessions/{session_id}/bookings/{booking_id}/checkin")
async def check_in(request: Request, session_id: str, booking_id: str) -> Response:
    return await _booking_action(request, session_id, booking_id, _check_in, approver=False)


@router.post(BASE + "/sessions/{session_id}/bookings/{booking_id}/approve")
async def approve(request: Request, session_id: str, booking_id: str) -> Response:
    return await _booking_action(request, session_id, booking_id, _approve, approver=True)


@router.post(BASE + "/sessions/{session_id}/bookings/{booking_id}/decline")
async def decline(request: Request, session_id: str, booking_id: str) -> Response:
    return await _booking_action(request, session_id, booking_id, _decline, approver=True)
