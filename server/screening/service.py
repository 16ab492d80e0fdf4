"""Screening use cases: answering the questionnaire, staff clearances and risk flags.

Health data is sealed before it is stored and opened only for owners, managers and coaches
(coaches: the members they coach, and members of the classes they lead). Front desk staff
learn only whether a member is awaiting clearance. Nothing of the answers or flags is
published: only that a screening was completed, with its outcome.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from server.db.sealed import FieldSealer
from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden, InvalidInput
from server.members.models import Member
from server.members.repository import MemberRepository
from server.outbox import record as outbox
from server.ports.analytics import PublishedEvent
from server.ports.identity import AccessClaims
from server.ports.risk import CoachedMembers
from server.screening.models import RiskFlagRecord, Screening, ScreeningClearance
from server.screening.repository import ScreeningRepository
from server.screening.rules import ScreeningState, context
from server.screening.schemas import (
    ClearanceRead,
    ClearanceWrite,
    FollowUpRead,
    IntegrationRiskFlags,
    MyScreening,
    QuestionRead,
    RiskFlagPage,
    RiskFlagRead,
    RiskFlagWrite,
    ScreeningRead,
    ScreeningWrite,
)
from server.screening.state import screening_state, today_in
from shared.carepath.screening import (
    OUTCOME_TEXTS,
    QUESTIONS,
    FlagSource,
    InvalidAnswers,
    Outcome,
    clearance_expires,
    clearance_holds,
    flags_named,
    normalise,
    outcome,
    unresolved,
)
from shared.carepath.vocabulary import RISK_FLAG_LABELS, RiskFlag
from shared.clock import utcnow
from shared.enums import PrincipalKind, StaffRole
from shared.ids import new_id

#: Who may read and write a member's health data.
HEALTH_ROLES = frozenset({StaffRole.OWNER, StaffRole.MANAGER, StaffRole.COACH})
HEALTH_ONLY = "screening answers, clearances and risk flags are for owners, managers and coaches"
COACH_MEMBERS_ONLY = (
    "coaches see the health data of the members they coach or who book their classes only"
)


def questions() -> list[QuestionRead]:
    return [
        QuestionRead(
            key=q.key,
            text=q.text,
            follow_ups=[FollowUpRead(key=f.key, text=f.text) for f in q.follow_ups],
        )
        for q in QUESTIONS
    ]


def _health_reader(
    uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID, coached: CoachedMembers
) -> None:
    """The member exists in the tenant (404 otherwise) and the caller may see their health
    data (403 otherwise)."""
    members = MemberRepository(uow.db, claims.tenant_id)
    members.get_or_404(member_id)
    if claims.kind is not PrincipalKind.STAFF or claims.role not in HEALTH_ROLES:
        raise Forbidden(HEALTH_ONLY, code="health_data")
    if claims.role is StaffRole.COACH and not (
        members.booked_with(member_id, claims.subject_id)
        or coached.is_coached_by(uow, claims.tenant_id, member_id, claims.subject_id)
    ):
        raise Forbidden(COACH_MEMBERS_ONLY, code="not_your_member")


def _open_text(sealer: FieldSealer, value: bytes, ctx: str) -> str:
    return sealer.open(value, context=ctx).decode()


def _clearance_read(sealer: FieldSealer, row: ScreeningClearance, today: date) -> ClearanceRead:
    return ClearanceRead(
        id=row.id,
        screening_id=row.screening_id,
        cleared_by=row.cleared_by,
        cleared_on=row.cleared_on,
        expires_on=row.expires_on,
        evidence=_open_text(
            sealer,
            row.evidence,
            context("screening_clearances", "evidence", row.tenant_id, row.id),
        ),
        revoked_at=row.revoked_at,
        holds=clearance_holds(
            cleared_on=row.cleared_on,
            expires_on=row.expires_on,
            revoked=row.revoked_at is not None,
            today=today,
        ),
    )


def _flag_read(sealer: FieldSealer, row: RiskFlagRecord) -> RiskFlagRead:
    key = RiskFlag(
        _open_text(sealer, row.flag, context("risk_flags", "flag", row.tenant_id, row.id))
    )
    note = (
        None
        if row.note is None
        else _open_text(sealer, row.note, context("risk_flags", "note", row.tenant_id, row.id))
    )
    return RiskFlagRead(
        id=row.id,
        member_id=row.member_id,
        flag=key,
        label=RISK_FLAG_LABELS[key],
        source=FlagSource(row.source),
        noted_on=row.noted_on,
        recorded_by=row.recorded_by,
        note=note,
        ended_on=row.ended_on,
    )


def _read(
    uow: UnitOfWork,
    sealer: FieldSealer,
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    *,
    full: bool,
) -> ScreeningRead:
    today = today_in(uow, tenant_id)
    state = screening_state(uow, sealer, tenant_id, [member_id], today)[member_id]
    if not full:
        return ScreeningRead(member_id=member_id, awaiting_clearance=state.awaiting_clearance)
    return _full_read(uow, sealer, tenant_id, state, today)


def _full_read(
    uow: UnitOfWork,
    sealer: FieldSealer,
    tenant_id: uuid.UUID,
    state: ScreeningState,
    today: date,
) -> ScreeningRead:
    repository = ScreeningRepository(uow.db, tenant_id)
    latest = repository.latest([state.member_id]).get(state.member_id)
    answers = None
    if latest is not None:
        answers = sealer.open_json(
            latest.answers, context=context("screenings", "answers", tenant_id, latest.id)
        )
    return ScreeningRead(
        member_id=state.member_id,
        outcome=state.outcome,
        outcome_text=OUTCOME_TEXTS[state.outcome] if state.outcome else None,
        completed_at=state.completed_at,
        entered_by_kind=latest.entered_by_kind if latest else None,
        awaiting_clearance=state.awaiting_clearance,
        cleared_until=state.cleared_until,
        risk_category=state.risk_category,
        answers=answers,
        unresolved=list(unresolved(answers or {})),
        clearances=[
            _clearance_read(sealer, row, today) for row in repository.clearances([state.member_id])
        ],
    )


def my_screening(*, uow: UnitOfWork, sealer: FieldSealer, claims: AccessClaims) -> MyScreening:
    with uow:
        read = _read(uow, sealer, claims.tenant_id, claims.subject_id, full=True)
    # A member sees their own answers and outcome, not staff's evidence notes.
    return MyScreening(**read.model_dump() | {"clearances": []}, questions=questions())


def member_screening(
    *,
    uow: UnitOfWork,
    sealer: FieldSealer,
    coached: CoachedMembers,
    claims: AccessClaims,
    member_id: uuid.UUID,
) -> ScreeningRead:
    """Health roles see everything; front desk staff only whether clearance is awaited."""
    with uow:
        MemberRepository(uow.db, claims.tenant_id).get_or_404(member_id)
        if claims.role is StaffRole.FRONT_DESK:
            return _read(uow, sealer, claims.tenant_id, member_id, full=False)
        _health_reader(uow, claims, member_id, coached)
        return _read(uow, sealer, claims.tenant_id, member_id, full=True)


def record_screening(
    *,
    uow: UnitOfWork,
    sealer: FieldSealer,
    coached: CoachedMembers,
    claims: AccessClaims,
    member_id: uuid.UUID,
    cmd: ScreeningWrite,
) -> ScreeningRead:
    """Keep a completed questionnaire (the member's own, or one staff enter from paper)."""
    try:
        answers = normalise(cmd.answers)
    except InvalidAnswers as exc:
        raise InvalidInput(str(exc), code="bad_answers") from None
    staff = claims.kind is PrincipalKind.STAFF
    result = outcome(answers)
    with uow:
        if staff:
            _health_reader(uow, claims, member_id, coached)
        else:
            MemberRepository(uow.db, claims.tenant_id).get_or_404(member_id)
        screening_id = new_id()
        completed_at = utcnow()
        uow.db.add(
            Screening(
                tenant_id=claims.tenant_id,
                id=screening_id,
                member_id=member_id,
                answers=sealer.seal_json(
                    answers,
                    context=context("screenings", "answers", claims.tenant_id, screening_id),
                ),
                outcome=result.value,
                completed_at=completed_at,
                entered_by_kind="staff" if staff else "member",
                entered_by=claims.subject_id,
            )
        )
        _flags_from_answers(uow, sealer, claims, member_id, answers, staff=staff)
        uow.db.flush()
        _keep_member_limit(uow, claims.tenant_id, member_id)
        outbox.record(
            uow.db,
            [
                PublishedEvent(
                    tenant_id=claims.tenant_id,
                    name="screening.completed",
                    occurred_at=completed_at,
                    data={"member_id": str(member_id), "outcome": result.value},
                )
            ],
        )
        uow.commit()
        read = _read(uow, sealer, claims.tenant_id, member_id, full=True)
    return read


def _keep_member_limit(uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID) -> None:
    """The member row's "limited to low intensity until cleared" and the clearance's last
    day, as kiosks read them offline; written through the ORM so the members' change
    capture sends the member to every kiosk."""
    state = screening_state(uow, None, tenant_id, [member_id], today_in(uow, tenant_id))[member_id]
    member = uow.db.get(Member, (tenant_id, member_id))
    if member is None:
        return
    limited = state.outcome is Outcome.NEEDS_CLEARANCE
    until = state.cleared_until if limited else None
    if member.screening_limited != limited or member.screening_cleared_until != until:
        member.screening_limited = limited
        member.screening_cleared_until = until


def _flags_from_answers(
    uow: UnitOfWork,
    sealer: FieldSealer,
    claims: AccessClaims,
    member_id: uuid.UUID,
    answers: dict[str, bool],
    *,
    staff: bool,
) -> None:
    """Record the flags the answers name that the member does not have yet (source:
    screening, noted today). Never removes one: a later questionnaire without the yes
    leaves staff's and the integration's flags, and earlier screenings', to staff."""
    named = flags_named(answers)
    if not named:
        return
    today = today_in(uow, claims.tenant_id)
    have = screening_state(uow, sealer, claims.tenant_id, [member_id], today)[member_id].flags
    for flag in sorted(named - {RiskFlag(key) for key in have if key in _FLAG_KEYS}):
        _new_flag(
            uow,
            sealer,
            claims.tenant_id,
            member_id,
            RiskFlagWrite(flag=flag),
            source=FlagSource.SCREENING,
            recorded_by=claims.subject_id if staff else None,
            today=today,
        )


_FLAG_KEYS = frozenset(f.value for f in RiskFlag)


def clear(
    *,
    uow: UnitOfWork,
    sealer: FieldSealer,
    coached: CoachedMembers,
    claims: AccessClaims,
    member_id: uuid.UUID,
    cmd: ClearanceWrite,
) -> ClearanceRead:
    """Record that the member's latest screening is cleared, by the caller, on evidence."""
    with uow:
        _health_reader(uow, claims, member_id, coached)
        repository = ScreeningRepository(uow.db, claims.tenant_id)
        today = today_in(uow, claims.tenant_id)
        cleared_on = cmd.cleared_on or today
        if cleared_on > today:
            raise InvalidInput("a clearance cannot be dated in the future", code="bad_clearance")
        latest = repository.latest([member_id]).get(member_id)
        if latest is None or latest.outcome != Outcome.NEEDS_CLEARANCE.value:
            raise InvalidInput(
                "this member has no questionnaire that needs a clearance", code="bad_clearance"
            )
        zone = ZoneInfo(repository.zone())
        if cleared_on < latest.completed_at.astimezone(zone).date():
            raise InvalidInput(
                "a clearance cannot be dated before the questionnaire it clears",
                code="bad_clearance",
            )
        clearance_id = new_id()
        row = ScreeningClearance(
            tenant_id=claims.tenant_id,
            id=clearance_id,
            member_id=member_id,
            screening_id=latest.id,
            cleared_by=claims.subject_id,
            cleared_on=cleared_on,
            expires_on=clearance_expires(cleared_on),
            evidence=sealer.seal(
                cmd.evidence.strip().encode(),
                context=context("screening_clearances", "evidence", claims.tenant_id, clearance_id),
            ),
            created_at=utcnow(),
        )
        uow.db.add(row)
        uow.db.flush()
        _keep_member_limit(uow, claims.tenant_id, member_id)
        uow.commit()
        return _clearance_read(sealer, row, today)


def revoke_clearance(
    *,
    uow: UnitOfWork,
    sealer: FieldSealer,
    coached: CoachedMembers,
    claims: AccessClaims,
    member_id: uuid.UUID,
    clearance_id: uuid.UUID,
) -> ClearanceRead:
    with uow:
        _health_reader(uow, claims, member_id, coached)
        row = ScreeningRepository(uow.db, claims.tenant_id).clearance_or_404(
            member_id, clearance_id
        )
        if row.revoked_at is not None:
            raise Conflict("this clearance was revoked already", code="clearance_revoked")
        row.revoked_at = utcnow()
        row.revoked_by = claims.subject_id
        uow.db.flush()
        _keep_member_limit(uow, claims.tenant_id, member_id)
        uow.commit()
        return _clearance_read(sealer, row, today_in(uow, claims.tenant_id))


def member_flags(
    *,
    uow: UnitOfWork,
    sealer: FieldSealer,
    coached: CoachedMembers,
    claims: AccessClaims,
    member_id: uuid.UUID,
    limit: int = 50,
    offset: int = 0,
) -> RiskFlagPage:
    """The member's flags, active and ended, the most recently noted first (a member has a
    handful: all are read and the page cut from them)."""
    with uow:
        _health_reader(uow, claims, member_id, coached)
        rows = ScreeningRepository(uow.db, claims.tenant_id).flags([member_id])
        page = rows[offset : offset + limit]
        return RiskFlagPage(
            items=[_flag_read(sealer, row) for row in page],
            next_offset=offset + limit if len(rows) > offset + limit else None,
        )


def _new_flag(
    uow: UnitOfWork,
    sealer: FieldSealer,
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    cmd: RiskFlagWrite,
    *,
    source: FlagSource,
    recorded_by: uuid.UUID | None,
    today: date,
) -> RiskFlagRecord:
    noted_on = cmd.noted_on or today
    if noted_on > today:
        raise InvalidInput("a risk flag cannot be noted in the future", code="bad_flag")
    flag_id = new_id()
    note = (cmd.note or "").strip()
    row = RiskFlagRecord(
        tenant_id=tenant_id,
        id=flag_id,
        member_id=member_id,
        flag=sealer.seal(
            cmd.flag.value.encode(), context=context("risk_flags", "flag", tenant_id, flag_id)
        ),
        source=source.value,
        noted_on=noted_on,
        recorded_by=recorded_by,
        note=(
            sealer.seal(note.encode(), context=context("risk_flags", "note", tenant_id, flag_id))
            if note
            else None
        ),
        created_at=utcnow(),
    )
    uow.db.add(row)
    return row


def add_flag(
    *,
    uow: UnitOfWork,
    sealer: FieldSealer,
    coached: CoachedMembers,
    claims: AccessClaims,
    member_id: uuid.UUID,
    cmd: RiskFlagWrite,
) -> RiskFlagRead:
    with uow:
        _health_reader(uow, claims, member_id, coached)
        today = today_in(uow, claims.tenant_id)
        row = _new_flag(
            uow,
            sealer,
            claims.tenant_id,
            member_id,
            cmd,
            source=FlagSource.STAFF,
            recorded_by=claims.subject_id,
            today=today,
        )
        uow.commit()
        return _flag_read(sealer, row)


def receive_flags(
    *, uow: UnitOfWork, sealer: FieldSealer, claims: AccessClaims, cmd: IntegrationRiskFlags
) -> list[RiskFlagRead]:
    """Flags reported through the integration port: all are kept, or (one member unknown,
    one date in the future) none."""
    with uow:
        members = MemberRepository(uow.db, claims.tenant_id)
        for member_id in dict.fromkeys(f.member_id for f in cmd.flags):
            members.get_or_404(member_id)
        today = today_in(uow, claims.tenant_id)
        rows = [
            _new_flag(
                uow,
                sealer,
                claims.tenant_id,
                item.member_id,
                item,
                source=FlagSource.INTEGRATION,
                recorded_by=claims.subject_id,
                today=today,
            )
            for item in cmd.flags
        ]
        uow.commit()
        return [_flag_read(sealer, row) for row in rows]


def end_flag(
    *,
    uow: UnitOfWork,
    sealer: FieldSealer,
    coached: CoachedMembers,
    claims: AccessClaims,
    member_id: uuid.UUID,
    flag_id: uuid.UUID,
) -> RiskFlagRead:
    with uow:
        _health_reader(uow, claims, member_id, coached)
        row = ScreeningRepository(uow.db, claims.tenant_id).flag_or_404(member_id, flag_id)
        if row.ended_on is not None:
            raise Conflict("this risk flag has ended already", code="flag_ended")
        row.ended_on = today_in(uow, claims.tenant_id)
        row.ended_by = claims.subject_id
        uow.commit()
        return _flag_read(sealer, row)


def states(
    *, uow: UnitOfWork, sealer: FieldSealer, tenant_id: uuid.UUID, member_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ScreeningState]:
    """The members' screening state today, in its own unit of work (for pages)."""
    with uow:
        return screening_state(uow, sealer, tenant_id, member_ids, today_in(uow, tenant_id))
