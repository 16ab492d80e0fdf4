"""What the console's Coaching pages show, gathered through the coaching service with
the caller's claims (a coach reaches only their own members)."""

from __future__ import annotations

import uuid
from typing import Any

from server.api.deps import Services
from server.coaching import service as coaching
from server.coaching.rules import OUTCOME_LABELS, REFERRAL_LABELS
from server.errors import NotFound
from server.journeys import service as journeys
from server.journeys.rules import next_monday
from server.journeys.schemas import EnrolmentDetail
from server.ports.identity import AccessClaims
from server.tenants import service as tenants
from server.web.formatting import Formats
from shared.carepath.enrolment import LIVE, EnrolmentStatus, may_move
from shared.carepath.vocabulary import intensity_rank
from shared.clock import utcnow
from shared.enums import Intensity

PAGE = 25
TIMELINE_PAGE = 30
STANDINGS = (("", "Everyone"), ("slipping", "Slipping"), ("steady", "On track"))
OUTCOMES = [(k.value, label) for k, label in OUTCOME_LABELS.items()]
REFERRALS = [(k.value, label) for k, label in REFERRAL_LABELS.items()]


def _formats(container: Services, claims: AccessClaims) -> Formats:
    tenant = tenants.get_tenant(uow=container.read_uow(), claims=claims)
    page = tenants.list_locations(uow=container.read_uow(), claims=claims, limit=1, offset=0)
    return Formats.of(page.items[0], tenant.currency) if page.items else Formats()


def list_view(
    container: Services,
    claims: AccessClaims,
    coach_id: uuid.UUID | None,
    standing: str | None,
    offset: int,
) -> dict[str, Any]:
    page = coaching.list_members(
        uow=container.read_uow(),
        claims=claims,
        risk=container.risk_reader,
        coach_id=coach_id,
        standing=standing,
        limit=PAGE,
        offset=offset,
    )
    sees_all = not coaching.is_coach(claims)
    return {
        "page": page,
        "fmt": _formats(container, claims),
        "sees_all": sees_all,
        "coaches": coaching.coaches(uow=container.read_uow(), claims=claims) if sees_all else [],
        "standings": STANDINGS,
    }


def member_view(
    container: Services, claims: AccessClaims, member_id: uuid.UUID, offset: int
) -> dict[str, Any]:
    line = coaching.list_members(
        uow=container.read_uow(),
        claims=claims,
        risk=container.risk_reader,
        coach_id=None,
        standing=None,
        limit=1,
        offset=0,
        member_id=member_id,
    )
    if not line.items:
        raise NotFound(f"member {member_id} was not found")
    timeline = coaching.timeline(
        uow=container.read_uow(),
        claims=claims,
        sealer=container.sealer,
        member_id=member_id,
        before=None,
        limit=TIMELINE_PAGE,
        offset=offset,
    )
    sees_all = not coaching.is_coach(claims)
    member = line.items[0]
    return {
        **journeys_view(container, claims, member_id, member.lead_coach_id),
        "m": member,
        "threshold": line.slipping_below,
        "timeline": timeline,
        "fmt": _formats(container, claims),
        "sees_all": sees_all,
        "coaches": coaching.coaches(uow=container.read_uow(), claims=claims) if sees_all else [],
        "outcomes": OUTCOMES,
        "referrals": REFERRALS,
    }


# --- a member's journeys: what the coach acts on ------------------------------------------

MIXES = (
    ("", "Leave as it is"),
    ("as_planned", "As planned"),
    ("more_tiles", "More Movement Tiles"),
    ("more_classes", "More classes"),
)
TARGET_FIELDS = (
    ("minutes", "Minutes"),
    ("sessions", "Sessions"),
    ("strength_days", "Strength days"),
    ("tiles", "Tiles"),
)
_EVENT_LABELS = {
    "enrolled": "Enrolled",
    "resumed": "Resumed",
    "paused": "Paused",
    "completed": "Completed",
    "dropped": "Dropped",
    "adjusted": "Adjusted",
}


def _moves(status: EnrolmentStatus) -> list[tuple[str, str]]:
    """The lifecycle moves open from ``status``, as (form value, button label)."""
    found = []
    if status is EnrolmentStatus.ACTIVE:
        found.append(("pause", "Pause"))
    if status is EnrolmentStatus.PAUSED:
        found.append(("resume", "Resume"))
    if may_move(status, EnrolmentStatus.COMPLETED):
        found.append(("complete", "Complete"))
    if may_move(status, EnrolmentStatus.DROPPED):
        found.append(("drop", "Drop"))
    return found


def _changes(detail: dict[str, Any]) -> str:
    """An adjustment's changes in words ("week 3: minutes 150, tiles 2")."""
    parts = []
    if "intensity_ceiling" in detail:
        parts.append(f"ceiling {detail['intensity_ceiling']}")
    if "mix" in detail:
        parts.append(dict(MIXES).get(str(detail["mix"]), str(detail["mix"])).lower())
    if "week" in detail:
        targets = ", ".join(
            f"{label.lower()} {detail.get('targets', {})[key]}"
            for key, label in TARGET_FIELDS
            if key in (detail.get("targets") or {})
        )
        parts.append(f"week {detail['week']}: {targets}")
    return "; ".join(parts)


def _card(detail: EnrolmentDetail, names: dict[uuid.UUID, str]) -> dict[str, Any]:
    status = EnrolmentStatus(detail.status)
    this_week = next((w for w in detail.weeks if w.week == detail.current_week), None)
    ceiling = detail.journey_intensity_ceiling or detail.intensity_ceiling
    history = [
        {
            "at": e.at,
            "what": _EVENT_LABELS.get(e.kind, e.kind.capitalize()),
            "who": names.get(e.by, "Staff")
            if e.by and e.by_kind == "staff"
            else {"member": "The member", "system": "Automatically"}.get(e.by_kind, "Staff"),
            "reason": e.reason,
            "changes": _changes(e.detail) if e.kind == "adjusted" else "",
        }
        for e in sorted(detail.events, key=lambda e: e.at, reverse=True)
    ]
    return {
        "e": detail,
        "status": status.value,
        "this_week": this_week,
        "moves": _moves(status),
        "ceilings": [
            i.value for i in Intensity if intensity_rank(i.value) <= intensity_rank(ceiling)
        ],
        "weeks": list(range(max(1, detail.current_week), detail.weeks_total + 1)),
        "mix": str(detail.adjustments.get("mix", "")),
        "mix_label": dict(MIXES).get(str(detail.adjustments.get("mix", "")), "").lower(),
        "history": history,
        "coach": names.get(detail.coach_id) if detail.coach_id else None,
    }


def journeys_view(
    container: Services, claims: AccessClaims, member_id: uuid.UUID, lead: uuid.UUID | None
) -> dict[str, Any]:
    """The member's live enrolments (a coach's own) with their weeks and history, and the
    journeys the member may join, recommended first."""
    reads = journeys.enrolments_of(container.uow(), claims, member_id)
    details = [
        journeys.enrolment(container.uow(), claims, r.id, sealer=container.sealer)
        for r in reads
        if r.status in LIVE
    ]
    names = dict(coaching.coaches(uow=container.read_uow(), claims=claims))
    with container.read_uow() as uow:
        today = journeys.member_today(uow, claims.tenant_id, member_id, utcnow())
    enrol_as = claims.subject_id if coaching.is_coach(claims) else lead
    return {
        "enrolments": [_card(d, names) for d in details],
        "offers": journeys.offers(container.uow(), container.enrolment_gate, claims, member_id),
        "start_default": next_monday(today).isoformat(),
        "start_min": today.isoformat(),
        "enrol_coach": enrol_as,
        "mixes": MIXES,
        "target_fields": TARGET_FIELDS,
    }
