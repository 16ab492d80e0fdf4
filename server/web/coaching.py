"""The console's Coaching (``/manage/coaching``): a coach's members, slipping first; each
member's timeline with the coach's actions (log a call, write a note, refer out, send a
message) and, for owners and managers, the choice of lead coach."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from server.coaching import service as coaching
from server.coaching.schemas import CoachMessageCreate, ContactCreate, LeadCoachWrite
from server.errors import NotFound
from server.journeys import service as journeys
from server.journeys.schemas import Adjustment, StaffEnrol, Transition
from server.ports.identity import AccessClaims
from server.web.coaching_view import list_view, member_view
from server.web.console import console_page, staff_in
from server.web.pages import redirect
from server.web.sessions import WebRefusal, checked_form, services
from server.web.setup_common import call, parse_id
from shared.carepath.enrolment import EnrolmentStatus

TARGETS = ("minutes", "sessions", "strength_days", "tiles")

router = APIRouter(include_in_schema=False)
SECTION = "coaching"


def _optional_id(raw: str | None) -> uuid.UUID | None:
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise WebRefusal(404, "Not found", "There is no such coach here.") from None


def _offset(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else 0


@router.get("/manage/coaching")
async def list_page(request: Request) -> Response:
    claims = await staff_in(request, SECTION)
    q = request.query_params
    standing = q.get("status") if q.get("status") in ("slipping", "steady") else None
    coach_id = _optional_id(q.get("coach_id"))
    offset = _offset(q.get("offset"))
    view = await call(list_view, services(request), claims, coach_id, standing, offset)
    return console_page(
        request,
        "manage/coaching/list.html",
        claims,
        SECTION,
        chosen_coach=str(coach_id or ""),
        chosen_status=standing or "",
        **view,
    )


async def _member_page(
    request: Request,
    claims: AccessClaims,
    member_id: uuid.UUID,
    *,
    problem: tuple[str, str] | None = None,
    sent: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    offset = _offset(request.query_params.get("offset"))
    view = await call(member_view, services(request), claims, member_id, offset)
    return console_page(
        request,
        "manage/coaching/member.html",
        claims,
        SECTION,
        status,
        problem=problem,
        sent=sent or {},
        done=request.query_params.get("done", ""),
        older=offset > 0,
        **view,
    )


@router.get("/manage/coaching/members/{raw_id}")
async def member_page(request: Request, raw_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    return await _member_page(request, claims, parse_id(raw_id))


def _message(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    text = str(first.get("msg", "is not valid")).removeprefix("Value error, ")
    return f"{where}: {text}" if where else text


async def _act(
    request: Request,
    raw_id: str,
    form_name: str,
    build: Any,
    act: Any,
    done: str,
    anchor: str = "timeline",
) -> Response:
    """Parse the form, call the service; a refusal of the input (422) or of the move (409)
    shows the page again with the message by the form it came from, and nothing recorded."""
    form = await checked_form(request)
    claims = await staff_in(request, SECTION)
    member_id = parse_id(raw_id)
    try:
        cmd = build(form)
    except ValidationError as exc:
        return await _member_page(
            request, claims, member_id, problem=(form_name, _message(exc)), sent=form, status=422
        )
    except WebRefusal as refusal:
        if refusal.status != 422:
            raise
        return await _member_page(
            request, claims, member_id, problem=(form_name, refusal.detail), sent=form, status=422
        )
    try:
        await call(act, services(request), claims, member_id, cmd)
    except WebRefusal as refusal:
        if refusal.status not in (409, 422):
            raise
        return await _member_page(
            request,
            claims,
            member_id,
            problem=(form_name, refusal.detail),
            sent=form,
            status=refusal.status,
        )
    if form.get("back") == "profile":  # the control on the console's member page
        return redirect(request, f"/manage/members/{member_id}#lead-coach")
    return redirect(request, f"/manage/coaching/members/{member_id}?done={done}#{anchor}")


def _contact(form: dict[str, str]) -> ContactCreate:
    return ContactCreate.model_validate(
        {
            "kind": form.get("kind", ""),
            "text": form.get("text", ""),
            "outcome": form.get("outcome") or None,
            "referred_to": form.get("referred_to") or None,
        }
    )


def _add_contact(container: Any, claims: AccessClaims, member_id: uuid.UUID, cmd: Any) -> Any:
    return coaching.add_contact(
        uow=container.uow(), claims=claims, sealer=container.sealer, member_id=member_id, cmd=cmd
    )


def _send(container: Any, claims: AccessClaims, member_id: uuid.UUID, cmd: Any) -> Any:
    return coaching.send_message(
        uow=container.uow(), claims=claims, sealer=container.sealer, member_id=member_id, cmd=cmd
    )


def _lead(container: Any, claims: AccessClaims, member_id: uuid.UUID, cmd: Any) -> Any:
    return coaching.set_lead_coach(uow=container.uow(), claims=claims, member_id=member_id, cmd=cmd)


@router.post("/manage/coaching/members/{raw_id}/contacts")
async def add_contact(request: Request, raw_id: str) -> Response:
    form_name = (await checked_form(request)).get("kind", "note")
    if form_name not in ("note", "call", "referral"):
        form_name = "note"
    return await _act(request, raw_id, form_name, _contact, _add_contact, form_name)


@router.post("/manage/coaching/members/{raw_id}/messages")
async def send_message(request: Request, raw_id: str) -> Response:
    def build(form: dict[str, str]) -> CoachMessageCreate:
        return CoachMessageCreate.model_validate({"text": form.get("text", "").strip()})

    return await _act(request, raw_id, "message", build, _send, "message")


@router.post("/manage/coaching/members/{raw_id}/coach")
async def set_lead_coach(request: Request, raw_id: str) -> Response:
    def build(form: dict[str, str]) -> LeadCoachWrite:
        return LeadCoachWrite.model_validate({"coach_id": form.get("coach_id") or None})

    return await _act(request, raw_id, "coach", build, _lead, "coach")


# --- journeys: enrol, move along the lifecycle, adjust -----------------------------------

_MOVES = {
    "pause": EnrolmentStatus.PAUSED,
    "resume": EnrolmentStatus.ACTIVE,
    "complete": EnrolmentStatus.COMPLETED,
    "drop": EnrolmentStatus.DROPPED,
}


def _reason(form: dict[str, str]) -> str:
    reason = form.get("reason", "").strip()
    if not reason:
        raise WebRefusal(422, "Cannot do that", "Give a reason: it goes in the journey's history.")
    return reason


def _reach(container: Any, claims: AccessClaims, member_id: uuid.UUID) -> None:
    """Not found, as the page is, when a coach does not coach the member."""
    coaching.get_lead_coach(uow=container.read_uow(), claims=claims, member_id=member_id)


def _theirs(container: Any, claims: AccessClaims, member_id: uuid.UUID, raw: str) -> uuid.UUID:
    """The enrolment id if it is this member's (and the caller reaches it): the address
    names both, and an enrolment of someone else is not found here."""
    _reach(container, claims, member_id)
    enrolment_id = parse_id(raw)
    found = journeys.enrolment(container.uow(), claims, enrolment_id, sealer=container.sealer)
    if found.member_id != member_id:
        raise NotFound(f"enrolment {enrolment_id} was not found")
    return enrolment_id


@router.post("/manage/coaching/members/{raw_id}/journeys")
async def enrol(request: Request, raw_id: str) -> Response:
    def build(form: dict[str, str]) -> StaffEnrol:
        if not form.get("template_id"):
            raise WebRefusal(422, "Cannot do that", "Choose a journey.")
        return StaffEnrol.model_validate(
            {
                "template_id": form["template_id"],
                "coach_id": form.get("coach_id") or None,
                "starts_on": form.get("starts_on") or None,
            }
        )

    def act(container: Any, claims: AccessClaims, member_id: uuid.UUID, cmd: StaffEnrol) -> None:
        _reach(container, claims, member_id)
        journeys.enrol(
            container.uow(),
            container.enrolment_gate,
            claims,
            member_id=member_id,
            template_id=cmd.template_id,
            starts_on=cmd.starts_on,
            coach_id=cmd.coach_id,
        )

    return await _act(request, raw_id, "enrol", build, act, "enrolled", "journeys")


@router.post("/manage/coaching/members/{raw_id}/journeys/{raw_enrolment}/move")
async def move(request: Request, raw_id: str, raw_enrolment: str) -> Response:
    def build(form: dict[str, str]) -> tuple[EnrolmentStatus, str]:
        to = _MOVES.get(form.get("to", ""))
        if to is None:
            raise WebRefusal(422, "Cannot do that", "Choose pause, resume, complete or drop.")
        return to, Transition.model_validate({"reason": _reason(form)}).reason

    def act(
        container: Any,
        claims: AccessClaims,
        member_id: uuid.UUID,
        cmd: tuple[EnrolmentStatus, str],
    ) -> None:
        enrolment_id = _theirs(container, claims, member_id, raw_enrolment)
        journeys.move(container.uow(), claims, enrolment_id, cmd[0], cmd[1])

    form_name = f"move-{raw_enrolment}"
    return await _act(request, raw_id, form_name, build, act, "journey", "journeys")


@router.post("/manage/coaching/members/{raw_id}/journeys/{raw_enrolment}/adjust")
async def adjust(request: Request, raw_id: str, raw_enrolment: str) -> Response:
    def build(form: dict[str, str]) -> Adjustment:
        targets = {k: form[k] for k in TARGETS if form.get(k, "").strip()}
        week = form.get("week") or None
        return Adjustment.model_validate(
            {
                "reason": _reason(form),
                "intensity_ceiling": form.get("intensity_ceiling") or None,
                "mix": form.get("mix") or None,
                # A week is chosen by default: without any target, no week changes.
                "week": week if targets else None,
                "targets": targets or None,
            }
        )

    def act(container: Any, claims: AccessClaims, member_id: uuid.UUID, cmd: Adjustment) -> None:
        enrolment_id = _theirs(container, claims, member_id, raw_enrolment)
        journeys.adjust(container.uow(), claims, enrolment_id, cmd)

    form_name = f"adjust-{raw_enrolment}"
    return await _act(request, raw_id, form_name, build, act, "adjusted", "journeys")
