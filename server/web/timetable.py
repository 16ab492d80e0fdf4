"""The timetable pages: a provider's public page, location pages and timetable (no sign-in),
and a signed-in member's timetable with booking, the waitlist and cancelling, and their
bookings. Thin: parse, call the services in a worker thread, render."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.api.threaded_route import run_in_worker_thread
from server.bookings import booking_service
from server.bookings.queue import BookingQueue
from server.bookings.schemas import BookingRead
from server.errors import DomainError, NotFound
from server.web import bookings_view, timetable_view
from server.web.member_app import member_page
from server.web.pages import redirect, render
from server.web.sessions import MEMBERS, WebRefusal, checked_form, services, signed_in
from shared.enums import BookingStatus

router = APIRouter(include_in_schema=False)

_NO_PAGE = WebRefusal(404, "No such page", "There is nothing at this address.")
#: What the timetable says after a form, by the ``done`` of its address.
DONE = {
    "booked": "You are booked in.",
    "waitlisted": "The class is full: you are on the waitlist.",
    "pending": "Your booking waits for the studio's approval.",
    "cancelled": "Your booking is cancelled.",
}


def _refused(exc: DomainError) -> WebRefusal:
    if isinstance(exc, NotFound):
        return _NO_PAGE
    return WebRefusal(exc.status, "That did not work", exc.detail)


async def _call(fn: Any, *args: Any) -> Any:
    """A view builder in a worker thread; a service's refusal becomes the error page."""
    try:
        return await run_in_worker_thread(fn, *args)
    except DomainError as exc:
        raise _refused(exc) from None


def _back(fields: dict[str, str], default: str) -> str:
    """Where a form returns to: one of these pages only, never another site."""
    back = fields.get("back", "")
    path = back.split("?", 1)[0]
    if path in ("/app/timetable", "/app/bookings") and "//" not in back:
        return back
    return default


def _with_done(url: str, done: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}done={done}"


# --- public pages --------------------------------------------------------------------------


@router.get("/app/{tenant_slug}/timetable")
async def public_timetable(request: Request, tenant_slug: str) -> Response:
    filters, errors = timetable_view.parse_filters(request.query_params)
    view = await _call(timetable_view.timetable, services(request), tenant_slug.lower(), filters)
    template = "app/timetable/_list.html" if _fragment(request) else "app/public/timetable.html"
    return render(request, template, 422 if errors else 200, errors=errors, public=True, **view)


@router.get("/app/{tenant_slug}/locations/{location_id}")
async def public_location(request: Request, tenant_slug: str, location_id: str) -> Response:
    try:
        found = uuid.UUID(location_id)
    except ValueError:
        raise _NO_PAGE from None
    view = await _call(timetable_view.location_page, services(request), tenant_slug.lower(), found)
    return render(request, "app/public/location.html", **view)


# --- a member's timetable and bookings -----------------------------------------------------


def _fragment(request: Request) -> bool:
    """htmx asking for the list alone (the filters changed), not a whole page."""
    return request.headers.get("hx-request") == "true" and "hx-boosted" not in request.headers


async def _timetable_page(
    request: Request, status: int = 200, message: str | None = None, **extra: Any
) -> Response:
    claims = await signed_in(request, MEMBERS)
    filters, errors = timetable_view.parse_filters(request.query_params)
    view = await _call(timetable_view.member_timetable, services(request), claims, filters)
    values = {
        "errors": errors,
        "public": False,
        "message": message or DONE.get(request.query_params.get("done", "")),
        # Also after a refused booking (posted elsewhere): back to the list, not the form.
        "back": "/app/timetable" + (f"?{filters.query()}" if filters.query() else ""),
        **extra,
        **view,
    }
    status = 422 if errors else status
    if _fragment(request):
        return render(request, "app/timetable/_list.html", status, **values)
    return member_page(request, "app/timetable/index.html", "timetable", status, **values)


@router.get("/app/timetable")
async def timetable(request: Request) -> Response:
    return await _timetable_page(request)


@router.post("/app/timetable/book")
async def book(request: Request) -> Response:
    fields = await checked_form(request)
    claims = await signed_in(request, MEMBERS)
    try:
        session_id = uuid.UUID(fields.get("session_id", ""))
    except ValueError:
        raise _NO_PAGE from None
    # The API's own booking queue (group commit), with its rules and capacity checks.
    queue: BookingQueue = request.app.state.container.booking_queue
    try:
        booked: BookingRead = await queue.book(
            booking_service.book_request(
                claims=claims, session_id=session_id, member_id=claims.subject_id
            )
        )
    except NotFound:
        raise _NO_PAGE from None
    except DomainError as exc:
        # A refusal (no membership, window closed, already booked …) is the timetable
        # again with the reason, nothing booked.
        return await _timetable_page(request, exc.status, exc.detail, refused=True)
    done = {BookingStatus.WAITLISTED: "waitlisted", BookingStatus.PENDING: "pending"}.get(
        booked.status, "booked"
    )
    if booked.warnings:
        # Booked, but the class is not advised for one of the member's risk flags: the
        # timetable says so at once (a redirect would lose the warnings).
        return await _timetable_page(request, 200, DONE[done], warnings=booked.warnings)
    return redirect(request, _with_done(_back(fields, "/app/timetable"), done))


@router.post("/app/bookings/{booking_id}/cancel")
async def cancel(request: Request, booking_id: str) -> Response:
    """Cancels at once outside the late-cancel window; inside it, first the warning with
    what the policy would apply, whose own form confirms."""
    fields = await checked_form(request)
    claims = await signed_in(request, MEMBERS)
    try:
        found = uuid.UUID(booking_id)
    except ValueError:
        raise _NO_PAGE from None
    container = services(request)
    back = _back(fields, "/app/bookings")
    step = await _call(bookings_view.cancel_step, container, claims, found)
    if step.preview.late and fields.get("confirmed") != "yes":
        return member_page(request, "app/bookings/cancel.html", "bookings", step=step, back=back)
    await _call(bookings_view.cancel, container, claims, found)
    return redirect(request, _with_done(back, "cancelled"))


@router.get("/app/bookings")
async def my_bookings(request: Request) -> Response:
    claims = await signed_in(request, MEMBERS)
    view = await _call(bookings_view.my_bookings, services(request), claims)
    message = DONE.get(request.query_params.get("done", ""))
    return member_page(
        request,
        "app/bookings/index.html",
        "bookings",
        message=message,
        back="/app/bookings",
        **view,
    )


# --- the provider's page: last, as its one segment would match any other /app page -------


@router.get("/app/{tenant_slug}")
async def provider(request: Request, tenant_slug: str) -> Response:
    view = await _call(timetable_view.provider_page, services(request), tenant_slug.lower())
    return render(request, "app/public/provider.html", **view)
