"""What the health pages show: the member app's questionnaire and its outcome, and the
console's Health page of one member (outcome, clearance, risk flags), in the location's
formats. The services decide who sees what (front desk: only whether a clearance is awaited)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import ValidationError

from server.api.deps import Services
from server.db.sealed import FieldSealer
from server.members import service as members_service
from server.ports.identity import AccessClaims
from server.screening import service
from server.screening.schemas import ClearanceWrite, RiskFlagWrite, ScreeningWrite
from server.web.account_view import places as member_places
from server.web.members_view import places as staff_places
from shared.carepath.screening import QUESTIONS, Outcome
from shared.carepath.vocabulary import RISK_FLAG_LABELS, RiskCategory
from shared.enums import StaffRole

OUTCOME_WORDS = {
    Outcome.CLEAR: "Clear to take part",
    Outcome.NEEDS_CLEARANCE: "Needs a staff clearance",
}
CATEGORY_WORDS = {
    RiskCategory.LOW: "Low",
    RiskCategory.MODERATE: "Moderate",
    RiskCategory.HIGH: "High",
}


class FormRefused(Exception):
    """A form the page shows again, with this message (422)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _questions(answers: Mapping[str, object]) -> list[dict[str, Any]]:
    """Each question with what was answered (True, False or None), follow-ups alike."""
    return [
        {
            "key": q.key,
            "text": q.text,
            "answer": answers.get(q.key),
            "follow_ups": [
                {"key": f.key, "text": f.text, "answer": answers.get(f.key)} for f in q.follow_ups
            ],
            "conditions": [
                {"key": c.key, "text": c.text, "answer": answers.get(c.key)} for c in q.conditions
            ],
        }
        for q in QUESTIONS
    ]


def questions_sent(answers: Mapping[str, bool]) -> list[dict[str, Any]]:
    return _questions(answers)


def answers_of(fields: Mapping[str, str]) -> dict[str, bool]:
    """The posted radios as answers: "yes" and "no"; an unanswered one is left out (the
    rules then name it). Follow-ups of a no are ignored by the rules."""
    keys = [
        *(q.key for q in QUESTIONS),
        *(f.key for q in QUESTIONS for f in q.follow_ups),
        *(c.key for q in QUESTIONS for c in q.conditions),
    ]
    return {key: fields[key] == "yes" for key in keys if fields.get(key) in ("yes", "no")}


def questionnaire_view(
    container: Services, sealer: FieldSealer, claims: AccessClaims
) -> dict[str, Any]:
    fmt = member_places(container, claims).home
    mine = service.my_screening(uow=container.uow(), sealer=sealer, claims=claims)
    return {
        "questions": _questions(mine.answers or {}),
        "outcome": mine.outcome,
        "outcome_words": OUTCOME_WORDS[mine.outcome] if mine.outcome else None,
        "outcome_text": mine.outcome_text,
        "completed": fmt.date(mine.completed_at) if mine.completed_at else None,
        "awaiting": mine.awaiting_clearance,
        "cleared_until": fmt.date(mine.cleared_until) if mine.cleared_until else None,
    }


def answer(
    container: Services, sealer: FieldSealer, claims: AccessClaims, fields: Mapping[str, str]
) -> None:
    service.record_screening(
        uow=container.uow(),
        sealer=sealer,
        coached=container.coached_members,
        claims=claims,
        member_id=claims.subject_id,
        cmd=ScreeningWrite(answers=answers_of(fields)),
    )


def member_health(
    container: Services, sealer: FieldSealer, claims: AccessClaims, member_id: uuid.UUID
) -> dict[str, Any]:
    member = members_service.get_member(
        uow=container.read_uow(), claims=claims, member_id=member_id
    )
    fmt = staff_places(container, claims).fmt(member.home_location_id)
    read = service.member_screening(
        uow=container.uow(),
        sealer=sealer,
        coached=container.coached_members,
        claims=claims,
        member_id=member_id,
    )
    full = claims.role is not StaffRole.FRONT_DESK
    flags = (
        service.member_flags(
            uow=container.uow(),
            sealer=sealer,
            coached=container.coached_members,
            claims=claims,
            member_id=member_id,
            limit=500,
        ).items
        if full
        else []
    )
    answered = read.answers or {}
    return {
        "member": member,
        "full": full,
        "outcome": read.outcome,
        "outcome_words": OUTCOME_WORDS[read.outcome] if read.outcome else None,
        "completed": fmt.date(read.completed_at) if read.completed_at else None,
        "entered_by": read.entered_by_kind,
        "awaiting": read.awaiting_clearance,
        "cleared_until": fmt.date(read.cleared_until) if read.cleared_until else None,
        "category": CATEGORY_WORDS[read.risk_category] if read.risk_category else None,
        "unresolved": [q.text for q in QUESTIONS if q.key in read.unresolved],
        "answered_yes": [q.text for q in QUESTIONS if answered.get(q.key)],
        "clearances": [
            {
                "id": c.id,
                "cleared_on": fmt.date(c.cleared_on),
                "expires_on": fmt.date(c.expires_on),
                "evidence": c.evidence,
                "holds": c.holds,
                "revoked": c.revoked_at is not None,
            }
            for c in read.clearances
        ],
        "flags": [
            {
                "id": f.id,
                "label": f.label,
                "source": f.source.value,
                "noted_on": fmt.date(f.noted_on),
                "note": f.note,
                "ended_on": fmt.date(f.ended_on) if f.ended_on else None,
            }
            for f in flags
        ],
        "flag_choices": [(key.value, label) for key, label in RISK_FLAG_LABELS.items()],
    }


def clear(
    container: Services,
    sealer: FieldSealer,
    claims: AccessClaims,
    member_id: uuid.UUID,
    fields: Mapping[str, str],
) -> None:
    try:
        cleared_on = date.fromisoformat(fields["cleared_on"]) if fields.get("cleared_on") else None
    except ValueError:
        raise FormRefused("Write the date the clearance was given as a date.") from None
    try:
        cmd = ClearanceWrite(evidence=fields.get("evidence", "").strip(), cleared_on=cleared_on)
    except ValidationError:
        raise FormRefused("Say what the clearance rests on (up to 500 characters).") from None
    service.clear(
        uow=container.uow(),
        sealer=sealer,
        coached=container.coached_members,
        claims=claims,
        member_id=member_id,
        cmd=cmd,
    )


def revoke(
    container: Services,
    sealer: FieldSealer,
    claims: AccessClaims,
    member_id: uuid.UUID,
    clearance_id: uuid.UUID,
) -> None:
    service.revoke_clearance(
        uow=container.uow(),
        sealer=sealer,
        coached=container.coached_members,
        claims=claims,
        member_id=member_id,
        clearance_id=clearance_id,
    )


def add_flag(
    container: Services,
    sealer: FieldSealer,
    claims: AccessClaims,
    member_id: uuid.UUID,
    fields: Mapping[str, str],
) -> None:
    try:
        cmd = RiskFlagWrite.model_validate(
            {"flag": fields.get("flag", ""), "note": fields.get("note", "").strip() or None}
        )
    except ValidationError:
        raise FormRefused("Choose one of the risk flags in the list.") from None
    service.add_flag(
        uow=container.uow(),
        sealer=sealer,
        coached=container.coached_members,
        claims=claims,
        member_id=member_id,
        cmd=cmd,
    )


def end_flag(
    container: Services,
    sealer: FieldSealer,
    claims: AccessClaims,
    member_id: uuid.UUID,
    flag_id: uuid.UUID,
) -> None:
    service.end_flag(
        uow=container.uow(),
        sealer=sealer,
        coached=container.coached_members,
        claims=claims,
        member_id=member_id,
        flag_id=flag_id,
    )
