"""Coaches act on their own classes: a class session names its coach (``instructor_id``),
and a coach may book into, read the roster of, cancel and mark attendance in only those.
Front desk staff, managers and owners act on every class."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import Forbidden, NotFound
from server.ports.identity import AccessClaims
from server.scheduling.models import ClassSession
from shared.enums import PrincipalKind, StaffRole

NOT_YOUR_CLASS = "coaches act only on the classes they lead; ask the front desk"


def is_coach(claims: AccessClaims) -> bool:
    return claims.kind is PrincipalKind.STAFF and claims.role is StaffRole.COACH


def check_leads(claims: AccessClaims, instructor_id: uuid.UUID | None) -> None:
    """Refuse a coach acting on a class that ``instructor_id`` leads (or nobody does)."""
    if is_coach(claims) and instructor_id != claims.subject_id:
        raise Forbidden(NOT_YOUR_CLASS, code="not_your_class")


def check_session(db: Session, claims: AccessClaims, session_id: uuid.UUID) -> None:
    """For coaches: 404 for no such session, 403 for another's; nothing to read for others."""
    if not is_coach(claims):
        return
    found = db.execute(
        select(ClassSession.id, ClassSession.instructor_id).where(
            ClassSession.tenant_id == claims.tenant_id, ClassSession.id == session_id
        )
    ).one_or_none()
    if found is None:
        raise NotFound(f"session {session_id} was not found")
    check_leads(claims, found.instructor_id)
