"""HTTP routes of bookings. Thin: parse, call, return."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Query, Request, Response, status

from server.api.deps import Admin, AnyStaff, ContainerDep, UowDep
from server.api.params import Day, Limit, Offset
from server.api.threaded_route import ThreadedRoute, run_in_worker_thread
from server.bookings import (
    booking_service,
    calendar,
    coaching,
    overview_service,
    policy_service,
)
from server.bookings.queue import BookingQueue
from server.bookings.schemas import (
    AttendanceCreate,
    AttendanceOverview,
    BookingCancel,
    BookingDecline,
    BookingPolicyPatch,
    BookingPolicyRead,
    BookingPolicyReplace,
    BookingRead,
    MemberBookingCreate,
    MemberCalendar,
    PenaltyPage,
    PenaltyRead,
    PenaltyWaive,
    Roster,
    StaffBookingCreate,
    TodayOverview,
)
from server.members.deps import MemberClaims, MemberEditor
from server.scheduling import ical

router = APIRouter(route_class=ThreadedRoute, tags=["bookings"])
#: A member's bookings calendar, documented with the timetable and its public feeds.
calendar_router = APIRouter(route_class=ThreadedRoute, tags=["scheduling"])
calendar_feed_router = APIRouter(route_class=ThreadedRoute, tags=["public browsing"])


async def get_booking_queue(request: Request) -> BookingQueue:
    """The process's booking queue (group commit), built with the container."""
    queue: BookingQueue = request.app.state.container.booking_queue
    return queue


QueueDep = Annotated[BookingQueue, Depends(get_booking_queue)]


@router.post("/me/bookings", response_model=BookingRead, status_code=status.HTTP_201_CREATED)
async def book_myself(
    cmd: MemberBookingCreate, claims: MemberClaims, queue: QueueDep
) -> BookingRead:
    """Book a place; when the session is full, a place in line (status ``waitlisted``)."""
    return await queue.book(
        booking_service.book_request(
            claims=claims, session_id=cmd.session_id, member_id=claims.subject_id
        )
    )


@router.post("/me/bookings/{booking_id}/cancel", response_model=BookingRead)
def cancel_mine(
    booking_id: uuid.UUID, claims: MemberClaims, container: ContainerDep
) -> BookingRead:
    return booking_service.cancel(
        uow=container.uow(),
        payments=container.payments,
        claims=claims,
        booking_id=booking_id,
        waiver_reason=None,
    )


@router.post(
    "/sessions/{session_id}/bookings",
    response_model=BookingRead,
    status_code=status.HTTP_201_CREATED,
)
async def book_for_member(
    session_id: uuid.UUID,
    cmd: StaffBookingCreate,
    claims: AnyStaff,
    queue: QueueDep,
    container: ContainerDep,
) -> BookingRead:
    """Staff book a member in; the same rules as a member's own booking apply. Coaches book
    only into the classes they lead."""
    if coaching.is_coach(claims):
        await run_in_worker_thread(
            booking_service.check_coach_session,
            uow=container.read_uow(),
            claims=claims,
            session_id=session_id,
        )
    return await queue.book(
        booking_service.book_request(claims=claims, session_id=session_id, member_id=cmd.member_id)
    )


@router.get("/sessions/{session_id}/roster", response_model=Roster)
def roster(
    session_id: uuid.UUID,
    claims: AnyStaff,
    uow: UowDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Roster:
    """Everyone booked, pending or waiting, in arrival order, with attendance."""
    return booking_service.roster(
        uow=uow, claims=claims, session_id=session_id, limit=limit, offset=offset
    )


@router.get("/bookings/{booking_id}", response_model=BookingRead)
def get_booking(booking_id: uuid.UUID, claims: AnyStaff, uow: UowDep) -> BookingRead:
    return booking_service.get(uow=uow, claims=claims, booking_id=booking_id)


@router.post("/bookings/{booking_id}/cancel", response_model=BookingRead)
def cancel_booking(
    booking_id: uuid.UUID,
    claims: AnyStaff,
    container: ContainerDep,
    cmd: BookingCancel | None = Body(None),
) -> BookingRead:
    """Cancel for a member; with ``waiver_reason`` a late cancellation costs nothing."""
    return booking_service.cancel(
        uow=container.uow(),
        payments=container.payments,
        claims=claims,
        booking_id=booking_id,
        waiver_reason=cmd.waiver_reason if cmd else None,
    )


@router.post("/bookings/{booking_id}/approve", response_model=BookingRead)
def approve_booking(booking_id: uuid.UUID, claims: MemberEditor, uow: UowDep) -> BookingRead:
    return booking_service.approve(uow=uow, claims=claims, booking_id=booking_id)


@router.post("/bookings/{booking_id}/decline", response_model=BookingRead)
def decline_booking(
    booking_id: uuid.UUID,
    claims: MemberEditor,
    uow: UowDep,
    cmd: BookingDecline | None = Body(None),
) -> BookingRead:
    """The place goes to the first in line; the member is told and any credit returned."""
    return booking_service.decline(
        uow=uow, claims=claims, booking_id=booking_id, reason=cmd.reason if cmd else None
    )


@router.post("/bookings/{booking_id}/attendance", response_model=BookingRead)
def record_attendance(
    booking_id: uuid.UUID,
    claims: AnyStaff,
    container: ContainerDep,
    cmd: AttendanceCreate | None = Body(None),
) -> BookingRead:
    """Check a booked member in: on time or late (policy), once."""
    return booking_service.attend(
        uow=container.uow(),
        claims=claims,
        booking_id=booking_id,
        cmd=cmd or AttendanceCreate(),
    )


@router.get("/booking-policy", response_model=BookingPolicyRead)
def get_policy(claims: Admin, uow: UowDep) -> BookingPolicyRead:
    return policy_service.get_policy(uow=uow, claims=claims)


@router.put("/booking-policy", response_model=BookingPolicyRead)
def put_policy(cmd: BookingPolicyReplace, claims: Admin, uow: UowDep) -> BookingPolicyRead:
    """Replace the whole policy: every field is sent (PATCH changes some)."""
    return policy_service.put_policy(uow=uow, claims=claims, cmd=cmd)


@router.patch("/booking-policy", response_model=BookingPolicyRead)
def patch_policy(cmd: BookingPolicyPatch, claims: Admin, uow: UowDep) -> BookingPolicyRead:
    """Change the fields sent; the others keep their values, null clears a fee."""
    return policy_service.patch_policy(uow=uow, claims=claims, cmd=cmd)


@router.get("/members/{member_id}/penalties", response_model=PenaltyPage)
def member_penalties(
    member_id: uuid.UUID,
    claims: AnyStaff,
    uow: UowDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PenaltyPage:
    return policy_service.member_penalties(
        uow=uow, claims=claims, member_id=member_id, limit=limit, offset=offset
    )


@router.post("/penalties/{penalty_id}/waive", response_model=PenaltyRead)
def waive_penalty(
    penalty_id: uuid.UUID, cmd: PenaltyWaive, claims: MemberEditor, uow: UowDep
) -> PenaltyRead:
    return policy_service.waive(uow=uow, claims=claims, penalty_id=penalty_id, reason=cmd.reason)


@router.get("/overview/today", response_model=TodayOverview)
def overview_today(
    claims: Admin,
    uow: UowDep,
    location_id: uuid.UUID | None = Query(None, description="One location only; default all"),
    day: Day | None = Query(None, description="Another local day than today"),
) -> TodayOverview:
    """Every branch you manage (or the one asked for) on its local day: sessions with
    booked, waitlisted, checked-in and no-show counts, ended ones shown as ended, and each
    location's door visits and class check-ins."""
    return overview_service.today(uow=uow, claims=claims, location_id=location_id, day=day)


@router.get("/overview/attendance", response_model=AttendanceOverview)
def overview_attendance(
    claims: Admin,
    uow: UowDep,
    start: Day = Query(alias="from"),
    end: Day = Query(alias="to"),
    group_by: Literal["session_type", "time_slot", "instructor"] = "session_type",
    location_id: uuid.UUID | None = None,
) -> AttendanceOverview:
    return overview_service.attendance(
        uow=uow,
        claims=claims,
        start=start,
        end=end,
        group_by=group_by,
        location_id=location_id,
    )


@calendar_router.get("/me/calendar", response_model=MemberCalendar)
def my_calendar(claims: MemberClaims, container: ContainerDep, request: Request) -> MemberCalendar:
    """The private address of your bookings' calendar feed (keep it to yourself)."""
    return calendar.my_calendar(
        uow=container.uow(),
        secret_key=container.settings.resolved_secret_key,
        tenant_id=claims.tenant_id,
        member_id=claims.subject_id,
        base_url=str(request.base_url),
    )


@calendar_router.post("/me/calendar/reset", response_model=MemberCalendar)
def reset_my_calendar(
    claims: MemberClaims, container: ContainerDep, request: Request
) -> MemberCalendar:
    """A new private address for your calendar feed; the old one stops working at once
    (calendar apps subscribed to it must be given the new one)."""
    return calendar.my_calendar(
        uow=container.uow(),
        secret_key=container.settings.resolved_secret_key,
        tenant_id=claims.tenant_id,
        member_id=claims.subject_id,
        base_url=str(request.base_url),
        reset=True,
    )


@calendar_feed_router.get(
    "/calendars/{token}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def member_calendar_feed(token: str, container: ContainerDep) -> Response:
    """A member's bookings as iCalendar; the address itself is the credential."""
    body = calendar.member_feed(
        uow=container.uow(), secret_key=container.settings.resolved_secret_key, token=token
    )
    return Response(body, media_type=ical.MEDIA_TYPE)
