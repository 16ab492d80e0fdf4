"""Use cases of coaching: a coach's members, a member's timeline, contacts and messages,
lead coaches and the tenant's threshold.

A coach reaches only their own members (lead coach, or coach of a live journey): any
other member answers 404, as another tenant's would. Owners and managers reach every
member their locations reach."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from server.coaching import repository as repo
from server.coaching import rules
from server.coaching import timeline as tl
from server.coaching.models import (
    CoachAssignment,
    CoachAssignmentChange,
    CoachContact,
    CoachingPolicy,
    contact_context,
)
from server.coaching.schemas import (
    CoachingMemberPage,
    CoachingMemberRead,
    CoachingPolicyBody,
    CoachingPolicyRead,
    CoachMessageCreate,
    CoachMessageRead,
    ContactCreate,
    ContactRead,
    JourneyBrief,
    LeadCoachRead,
    LeadCoachWrite,
    TimelineEntry,
    TimelinePage,
)
from server.db.sealed import FieldSealer
from server.db.settings_rows import save_settings
from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.members.models import Member
from server.notices import rules as notice_rules
from server.notices import service as notices
from server.nudges import repository as nudges_repo
from server.nudges import rules as nudge_rules
from server.nudges.models import Nudge
from server.ports.identity import AccessClaims
from server.ports.risk import RiskReader
from server.tenants.repository import tenant_zone
from shared.clock import utcnow
from shared.enums import StaffRole
from shared.ids import new_id

_MANAGERS = frozenset({StaffRole.OWNER, StaffRole.MANAGER})


def is_coach(claims: AccessClaims) -> bool:
    """Coaches see their own members; everyone else who may open coaching sees all."""
    return claims.role not in _MANAGERS


def _member(db: Session, claims: AccessClaims, member_id: uuid.UUID) -> Member:
    member = repo.live_member(db, claims.tenant_id, member_id)
    if member is None or (
        is_coach(claims)
        and not repo.is_coached_by(db, claims.tenant_id, member_id, claims.subject_id)
    ):
        raise NotFound(f"member {member_id} was not found")
    return member


def _coach_filter(
    db: Session, claims: AccessClaims, coach_id: uuid.UUID | None
) -> uuid.UUID | None:
    if is_coach(claims):
        if coach_id is not None and coach_id != claims.subject_id:
            raise NotFound(f"coach {coach_id} was not found")
        return claims.subject_id
    if coach_id is not None and repo.staff(db, claims.tenant_id, coach_id) is None:
        raise NotFound(f"coach {coach_id} was not found")
    return coach_id


def list_members(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    risk: RiskReader,
    coach_id: uuid.UUID | None,
    standing: str | None,
    limit: int,
    offset: int,
    now: datetime | None = None,
    member_id: uuid.UUID | None = None,
) -> CoachingMemberPage:
    """A coach's members (a manager's: everyone's, or one coach's), slipping first.
    ``member_id``: that member's line only (not found unless the caller reaches them)."""
    now = now or utcnow()
    with uow:
        db = uow.db
        chosen = _coach_filter(db, claims, coach_id)
        if member_id is not None:
            _member(db, claims, member_id)
        today = now.astimezone(ZoneInfo(tenant_zone(db, claims.tenant_id))).date()
        f = repo.ListFilter(
            coach_id=chosen,
            standing=standing,
            location_ids=claims.location_ids,
            threshold=repo.slipping_below(db, claims.tenant_id),
            today=today,
            member_id=member_id,
        )
        rows, total = repo.page(db, claims.tenant_id, f, limit, offset)
        if total is None:
            total = repo.count(db, claims.tenant_id, f) if offset else 0
        ids = [r.member_id for r in rows]
        journeys = repo.live_journeys(db, claims.tenant_id, ids)
        categories = risk.categories(uow, claims.tenant_id, ids) if ids else {}
    by_member: dict[uuid.UUID, list[JourneyBrief]] = {}
    for j in journeys:
        by_member.setdefault(j.member_id, []).append(
            JourneyBrief(
                enrolment_id=j.enrolment_id, name=j.name, status=j.status, adherence=j.adherence
            )
        )
    items = []
    for r in rows:
        inactive = rules.days_inactive(r.last_active_on, today)
        items.append(
            CoachingMemberRead(
                member_id=r.member_id,
                first_name=r.first_name,
                last_name=r.last_name,
                score_percent=round(r.score * 100),
                weekly_streak=r.weekly,
                daily_streak=r.daily,
                days_inactive=inactive,
                slipping=rules.slipping(r.score, inactive, f.threshold),
                lead_coach_id=r.coach_id,
                lead_coach_name=r.coach_name,
                journeys=by_member.get(r.member_id, []),
                last_contact_at=r.last_contact_at,
                risk_category=categories.get(r.member_id),
            )
        )
    more = offset + len(items) < total
    return CoachingMemberPage(
        items=items,
        total=total,
        next_offset=offset + len(items) if more else None,
        slipping_below=f.threshold,
        today=today,
    )


def timeline(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    sealer: FieldSealer,
    member_id: uuid.UUID,
    before: datetime | None,
    limit: int,
    offset: int = 0,
    sources: tuple[tl.Source, ...] = tl.SOURCES,
) -> TimelinePage:
    """The member's timeline, newest first: a page of entries older than ``before``,
    ``offset`` entries in."""
    with uow:
        db = uow.db
        _member(db, claims, member_id)
        # A moment just ahead of now: an entry stored this instant is on the first page.
        start = before or utcnow() + timedelta(seconds=1)
        query = tl.TimelineQuery(db, claims.tenant_id, member_id, start, limit, sealer)
        entries, more = tl.merged(query, sources, offset)
        named = {e.by for e in entries} | {e.subject for e in entries}
        names = repo.staff_names(db, claims.tenant_id, {i for i in named if i is not None})
    items = [
        TimelineEntry(
            at=e.at,
            source=e.source,
            title=e.title,
            detail=e.detail or (f"Now {names[e.subject]}" if e.subject in names else ""),
            by_name=names.get(e.by) if e.by else None,
        )
        for e in entries
    ]
    return TimelinePage(
        items=items,
        next_offset=offset + len(items) if more else None,
        next_before=items[-1].at if more and items else None,
    )


def _contact_read(row: CoachContact, text: str) -> ContactRead:
    return ContactRead(
        id=row.id,
        member_id=row.member_id,
        coach_id=row.coach_id,
        kind=rules.ContactKind(row.kind),
        at=row.at,
        outcome=row.outcome,
        referred_to=row.referred_to,
        text=text,
    )


def _contact(
    claims: AccessClaims,
    sealer: FieldSealer,
    member_id: uuid.UUID,
    kind: rules.ContactKind,
    text: str,
    at: datetime,
    **fields: object,
) -> CoachContact:
    contact_id = new_id()
    return CoachContact(
        tenant_id=claims.tenant_id,
        id=contact_id,
        member_id=member_id,
        coach_id=claims.subject_id,
        kind=kind.value,
        at=at,
        sealed_text=sealer.seal(
            text.encode(), context=contact_context(claims.tenant_id, contact_id)
        ),
        **fields,
    )


def add_contact(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    sealer: FieldSealer,
    member_id: uuid.UUID,
    cmd: ContactCreate,
) -> ContactRead:
    """A note, call or referral about the member (append-only; the text sealed)."""
    problem = rules.contact_problem(cmd.kind, cmd.text, cmd.outcome, cmd.referred_to)
    if problem:
        raise InvalidInput(problem)
    with uow:
        _member(uow.db, claims, member_id)
        row = _contact(
            claims,
            sealer,
            member_id,
            cmd.kind,
            cmd.text.strip(),
            utcnow(),
            outcome=None if cmd.outcome is None else cmd.outcome.value,
            referred_to=None if cmd.referred_to is None else cmd.referred_to.value,
        )
        uow.db.add(row)
        uow.flush()
        uow.commit()
    return _contact_read(row, cmd.text.strip())


def send_message(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    sealer: FieldSealer,
    member_id: uuid.UUID,
    cmd: CoachMessageCreate,
    now: datetime | None = None,
) -> CoachMessageRead:
    """A short message to the member as a nudge of kind ``coach``: dropped if they opted
    out of coach messages, held until their quiet hours end, else sent now. A coach's own
    message is not counted against the weekly cap of automatic nudges."""
    now = now or utcnow()
    text = cmd.text.strip()
    if not text:
        raise InvalidInput("a message needs its text")
    with uow:
        db = uow.db
        _member(db, claims, member_id)
        person = nudges_repo.recipients(db, claims.tenant_id, [member_id]).get(member_id)
        if person is None:
            raise Conflict("this member has no email address to send a message to")
        coach = repo.staff(db, claims.tenant_id, claims.subject_id)
        why = rules.message_why(coach.name if coach else "your coach")
        key = f"coach:{new_id()}"
        candidate = nudge_rules.Candidate(nudge_rules.NudgeKind.COACH, key, due_at=now, why=why)
        prefs = nudges_repo.preferences_of(db, claims.tenant_id, [member_id])[member_id]
        # sent_in_window 0 of a cap of 1: the cap never stops a coach's own message.
        decision = nudge_rules.decide(
            candidate, prefs, person.zone, now, sent_in_window=0, weekly_cap=1
        )
        goes_at: datetime | None = None
        if decision.action is nudge_rules.Action.SKIP:
            outcome = rules.MessageOutcome.SKIPPED
        elif decision.action is nudge_rules.Action.WAIT:
            outcome, goes_at = rules.MessageOutcome.HELD, decision.retry_at
        else:
            outcome, goes_at = rules.MessageOutcome.SENT, now
        skipped = None if decision.reason is None else decision.reason.value
        nudge = Nudge(
            tenant_id=claims.tenant_id,
            id=new_id(),
            member_id=member_id,
            kind=nudge_rules.NudgeKind.COACH.value,
            subject_key=key,
            why=why[:300],
            due_at=goes_at or now,
            created_at=now,
            sent_at=goes_at,
            skipped=skipped,
        )
        db.add(nudge)
        contact = _contact(
            claims,
            sealer,
            member_id,
            rules.ContactKind.MESSAGE,
            text,
            now,
            outcome=outcome.value,
            nudge_id=nudge.id,
        )
        db.add(contact)
        uow.flush()
        if goes_at is not None:
            headline = f"A message from {coach.name if coach else 'your coach'}"
            mail = nudge_rules.message(nudge_rules.NudgeKind.COACH, why, headline)
            notices.to_member(
                uow=uow,
                tenant_id=claims.tenant_id,
                member_id=member_id,
                kind=notice_rules.Kind.NUDGE,
                subject=mail.subject,
                body=f"Hello {person.first_name},\n\n{text}\n\n{mail.body}",
                topic="nudge.coach",
                quiet=prefs.quiet,
                not_before=goes_at,
            )
        uow.commit()
    return CoachMessageRead(
        contact_id=contact.id,
        nudge_id=nudge.id,
        outcome=outcome,
        skipped=skipped,
        goes_at=goes_at,
        why=why,
    )


def _lead_read(db: Session, tenant_id: uuid.UUID, member_id: uuid.UUID) -> LeadCoachRead:
    row = db.get(CoachAssignment, (tenant_id, member_id))
    if row is None:
        return LeadCoachRead(member_id=member_id, coach_id=None, coach_name=None, since=None)
    names = repo.staff_names(db, tenant_id, [row.coach_id])
    return LeadCoachRead(
        member_id=member_id,
        coach_id=row.coach_id,
        coach_name=names.get(row.coach_id),
        since=row.since,
    )


def get_lead_coach(*, uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID) -> LeadCoachRead:
    with uow:
        _member(uow.db, claims, member_id)
        return _lead_read(uow.db, claims.tenant_id, member_id)


def set_lead_coach(
    *, uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID, cmd: LeadCoachWrite
) -> LeadCoachRead:
    """Owners and managers name (or remove) a member's lead coach; the change is kept."""
    if is_coach(claims):
        raise Forbidden("only owners and managers choose a member's lead coach")
    now = utcnow()
    with uow:
        db = uow.db
        _member(db, claims, member_id)
        if cmd.coach_id is not None:
            coach = repo.staff(db, claims.tenant_id, cmd.coach_id)
            if coach is None:
                raise NotFound(f"staff {cmd.coach_id} was not found")
            if coach.role != StaffRole.COACH or not coach.active:
                raise InvalidInput(f"{coach.name} is not an active coach")
        row = db.get(CoachAssignment, (claims.tenant_id, member_id))
        previous = None if row is None else row.coach_id
        if previous == cmd.coach_id:
            return _lead_read(db, claims.tenant_id, member_id)
        if cmd.coach_id is None:
            db.delete(row)
        elif row is None:
            db.add(
                CoachAssignment(
                    tenant_id=claims.tenant_id,
                    member_id=member_id,
                    coach_id=cmd.coach_id,
                    since=now,
                    assigned_by=claims.subject_id,
                )
            )
        else:
            row.coach_id, row.since, row.assigned_by = cmd.coach_id, now, claims.subject_id
        db.add(
            CoachAssignmentChange(
                tenant_id=claims.tenant_id,
                id=new_id(),
                member_id=member_id,
                coach_id=cmd.coach_id,
                previous_coach_id=previous,
                at=now,
                by=claims.subject_id,
            )
        )
        uow.flush()
        result = _lead_read(db, claims.tenant_id, member_id)
        uow.commit()
    return result


def get_policy(*, uow: UnitOfWork, claims: AccessClaims) -> CoachingPolicyRead:
    with uow:
        return CoachingPolicyRead(slipping_below=repo.slipping_below(uow.db, claims.tenant_id))


def put_policy(
    *, uow: UnitOfWork, claims: AccessClaims, cmd: CoachingPolicyBody
) -> CoachingPolicyRead:
    with uow:
        save_settings(uow.db, CoachingPolicy, claims.tenant_id, cmd.model_dump())
        uow.commit()
    return CoachingPolicyRead(slipping_below=cmd.slipping_below)


def coaches(*, uow: UnitOfWork, claims: AccessClaims) -> list[tuple[uuid.UUID, str]]:
    """Who may lead members (for the pages' choices)."""
    with uow:
        return repo.coaches(uow.db, claims.tenant_id)


class CoachesMembers:
    """``CoachedMembers`` from the coaching tables: lead coaches and live journeys."""

    def is_coached_by(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID, coach_id: uuid.UUID
    ) -> bool:
        return repo.is_coached_by(uow.db, tenant_id, member_id, coach_id)
