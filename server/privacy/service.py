"""Use cases of the member's rights: their data exported, erased or corrected, each logged."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select, update

from server.audit import rules as audit_rules
from server.audit.recorder import record_action
from server.db.base import Base
from server.db.sealed import FieldSealer
from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.members import service as member_service
from server.members.models import Member, MemberAlert
from server.members.schemas import MemberRead
from server.outbox import erasure as outbox_erasure
from server.ports.identity import AccessClaims, AccessGrants
from server.privacy import records, rules
from server.privacy.models import PrivacyRequest
from server.privacy.repository import PrivacyRequestRepository
from server.privacy.rules import RequestKind
from server.privacy.schemas import (
    ErasureCommand,
    ErasureRead,
    MemberPrivacy,
    PrivacyRequestPage,
    PrivacyRequestRead,
    RectificationAsk,
    StaffRectification,
)
from server.signins.repository import RefreshTokenRepository
from shared.clock import utcnow
from shared.enums import ADMIN_ROLES, PrincipalKind, StaffRole


def _member(
    uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID, *, for_update: bool = False
) -> Member:
    """Archived members too (their data is still held); for staff kept to some locations,
    members at home elsewhere are not found."""
    member = uow.db.get(Member, (claims.tenant_id, member_id), with_for_update=for_update)
    if member is None or (
        claims.kind is PrincipalKind.STAFF
        and claims.location_ids is not None
        and member.home_location_id is not None
        and not claims.sees_location(member.home_location_id)
    ):
        raise NotFound(f"member {member_id} was not found")
    return member


def _staff_of(claims: AccessClaims, roles: frozenset[StaffRole]) -> None:
    if claims.kind is not PrincipalKind.STAFF or claims.role not in roles:
        names = ", ".join(sorted(role.value.replace("_", " ") for role in roles))
        raise Forbidden(f"this needs one of these roles: {names}")


def _self_or_admin(claims: AccessClaims, member_id: uuid.UUID) -> None:
    if claims.kind is PrincipalKind.MEMBER and claims.subject_id == member_id:
        return
    _staff_of(claims, ADMIN_ROLES)


def _by(claims: AccessClaims) -> str:
    return "member" if claims.kind is PrincipalKind.MEMBER else "staff"


def _log(
    uow: UnitOfWork,
    claims: AccessClaims,
    member_id: uuid.UUID,
    kind: RequestKind,
    *,
    done: bool,
    details: str | None = None,
    outcome: str | None = None,
) -> PrivacyRequest:
    now = utcnow()
    row = PrivacyRequest(
        tenant_id=claims.tenant_id,
        id=uuid.uuid4(),
        member_id=member_id,
        kind=kind.value,
        requested_by_kind=_by(claims),
        requested_by=claims.subject_id,
        requested_at=now,
        completed_at=now if done else None,
        details=details,
        outcome=outcome,
    )
    uow.db.add(row)
    return row


def export_member(
    *, uow: UnitOfWork, sealer: FieldSealer, claims: AccessClaims, member_id: uuid.UUID
) -> dict[str, Any]:
    """Everything held about the member as one JSON document (see README "Member's rights"),
    health data opened; the export is logged."""
    _self_or_admin(claims, member_id)
    with uow:
        _member(uow, claims, member_id)
        tables = records.gather(uow.db, sealer, claims.tenant_id, member_id)
        held = sum(1 for rows in tables.values() if rows)
        row = _log(
            uow,
            claims,
            member_id,
            RequestKind.EXPORT,
            done=True,
            outcome=f"exported {sum(len(r) for r in tables.values())} rows of {held} tables",
        )
        record_action(
            uow.db,
            tenant_id=claims.tenant_id,
            action=audit_rules.PRIVACY_EXPORT,
            entity="members",
            entity_id=member_id,
        )
        uow.commit()
        return {
            "format": rules.EXPORT_FORMAT,
            "exported_at": row.requested_at.isoformat(),
            "tenant_id": str(claims.tenant_id),
            "member_id": str(member_id),
            "request_id": str(row.id),
            "tables": tables,
        }


def _erase_table(db: Any, table_name: str, policy: rules.Policy, where: Any) -> str:
    table = Base.metadata.tables[table_name]
    if isinstance(policy, rules.Delete):
        count = db.execute(delete(table).where(where)).rowcount
        return f"deleted {count}"
    if policy.scrub:
        # Cleared: None where the column allows it, else the empty text.
        blank = {c: None if table.c[c].nullable else "" for c in policy.scrub}
        count = db.execute(update(table).where(where).values(blank)).rowcount
        return f"kept {count} (cleared: {', '.join(policy.scrub)})"
    return "kept"


def _forget_imports(
    db: Any, tenant_id: uuid.UUID, member_id: uuid.UUID, needles: list[str]
) -> dict[str, str]:
    """Migration in keeps the other system's id of each imported member, and the files of
    runs not yet applied with their reports: the member's link goes, and any stored file or
    report that names them is emptied (the run's counts stay)."""
    keys = Base.metadata.tables["migration_keys"]
    gone = db.execute(
        keys.delete().where(
            keys.c.tenant_id == tenant_id, keys.c.entity == "members", keys.c.zmos_id == member_id
        )
    ).rowcount
    runs = Base.metadata.tables["migration_runs"]
    found = db.execute(
        select(runs.c.id, runs.c.data, runs.c.report).where(
            runs.c.tenant_id == tenant_id, runs.c.status != "running"
        )
    ).all()
    folded = [n.casefold() for n in needles]
    naming = [
        run_id
        for run_id, data, report in found
        if any(
            n in (bytes(data or b"").decode("utf-8", "replace") + json.dumps(report)).casefold()
            for n in folded
        )
    ]
    if naming:
        db.execute(
            runs.update()
            .where(runs.c.tenant_id == tenant_id, runs.c.id.in_(naming))
            .values(data=b"", report=None)
        )
    return {
        "migration_keys": f"deleted {gone}",
        "migration_runs": f"emptied {len(naming)} stored files",
    }


def _forget_synced_copies(db: Any, tenant_id: uuid.UUID, row_ids: list[uuid.UUID]) -> str:
    """Older changes kiosks pull carry copies of the member's row and alerts: they become
    removals (what a kiosk replaying them ends with anyway), their copies dropped."""
    changes = Base.metadata.tables["sync_changes"]
    count = db.execute(
        update(changes)
        .where(
            changes.c.tenant_id == tenant_id,
            changes.c.table_name.in_(("members", "member_alerts")),
            changes.c.row_id.in_(row_ids),
            changes.c.data.is_not(None),
        )
        .values(deleted=True, data=None)
    ).rowcount
    return f"{count} copies removed"


def _forget_pushed_reasons(db: Any, tenant_id: uuid.UUID, member_id: uuid.UUID) -> str:
    """The server's answers to kiosks' pushed mutations about the member (found through
    the review items that name them) may name the member: cleared, the rows kept (their
    ids and outcomes are the kiosks' replay log)."""
    mutations = Base.metadata.tables["sync_mutations"]
    reviews = Base.metadata.tables["review_items"]
    about_member = (
        select(reviews.c.id)
        .where(
            reviews.c.tenant_id == tenant_id,
            reviews.c.member_id == member_id,
            reviews.c.device_id == mutations.c.device_id,
            reviews.c.mutation_id == mutations.c.mutation_id,
        )
        .exists()
    )
    count = db.execute(
        update(mutations)
        .where(mutations.c.tenant_id == tenant_id, mutations.c.reason.is_not(None), about_member)
        .values(reason=None)
    ).rowcount
    return f"kept (cleared: reason of {count})"


def erase_member(
    *,
    uow: UnitOfWork,
    grants: AccessGrants,
    claims: AccessClaims,
    member_id: uuid.UUID,
    cmd: ErasureCommand,
) -> ErasureRead:
    """Personal data removed or anonymised, records the law keeps kept with the member
    anonymised. A second erasure is a 409 and changes nothing."""
    _staff_of(claims, frozenset({StaffRole.OWNER}))
    with uow:
        # Locked: of two erasures at once, the second waits and finds the first done.
        member = _member(uow, claims, member_id, for_update=True)
        requests = PrivacyRequestRepository(uow.db, claims.tenant_id)
        if requests.erased_at(member_id) is not None:
            raise Conflict("this member's personal data was already erased", code="already_erased")
        if not rules.confirms(
            cmd.confirmation,
            email=member.email,
            first_name=member.first_name,
            last_name=member.last_name,
        ):
            raise InvalidInput(
                "to confirm, type the member's email or full name exactly",
                code="erasure_not_confirmed",
            )
        now = utcnow()
        email = member.email
        db = uow.db
        done: dict[str, str] = {}
        # Before the review items are scrubbed: they lead to the mutations.
        done["sync_mutations"] = _forget_pushed_reasons(db, claims.tenant_id, member_id)
        # Children first: their parents' ids are still there to find them by.
        for child, column, parent in records.child_links():
            policy = rules.CHILD_ERASURE[child.name]
            parents = Base.metadata.tables[parent.name]
            ids = (
                db.execute(
                    parents.select()
                    .with_only_columns(parents.c.id)
                    .where(
                        parents.c.tenant_id == claims.tenant_id, parents.c.member_id == member_id
                    )
                )
                .scalars()
                .all()
            )
            where = (child.c.tenant_id == claims.tenant_id) & child.c[column].in_(ids)
            done[child.name] = _erase_table(db, child.name, policy, where) if ids else "none"
        # Alerts reach kiosks through sync, which follows the ORM: deleted as objects.
        alerts = list(
            db.execute(
                select(MemberAlert).where(
                    MemberAlert.tenant_id == claims.tenant_id, MemberAlert.member_id == member_id
                )
            ).scalars()
        )
        synced = [member_id, *(alert.id for alert in alerts)]
        for alert in alerts:
            db.delete(alert)
        db.flush()
        ordered = sorted(rules.ERASURE.items(), key=lambda item: item[0] not in rules.DELETE_ORDER)
        for name, policy in ordered:
            table = Base.metadata.tables[name]
            where = (table.c.tenant_id == claims.tenant_id) & (table.c.member_id == member_id)
            if name == "notices" and email:
                # Messages queued before they named their member are found by address.
                where = (table.c.tenant_id == claims.tenant_id) & (
                    (table.c.member_id == member_id) | (table.c.to_email == email)
                )
            done[name] = _erase_table(db, name, policy, where)
        done.update(outbox_erasure.forget_member(db, claims.tenant_id, member_id))
        done.update(
            _forget_imports(
                db,
                claims.tenant_id,
                member_id,
                [v for v in (email, member.phone, member.last_name) if v and len(v) >= 3],
            )
        )
        for field in rules.MEMBER_CLEARED:
            setattr(member, field, None)
        member.first_name = rules.ERASED_FIRST_NAME
        member.last_name = rules.ERASED_LAST_NAME
        member.fitness_goals = []
        member.preferences = {}
        member.guest_of_id = None
        # Archived, it leaves every kiosk at the next sync and cannot sign in again.
        if member.archived_at is None:
            member.archived_at = now
        member.token_generation += 1
        RefreshTokenRepository(db, claims.tenant_id).revoke_all_of(member.id, now)
        db.flush()
        done["sync_changes"] = _forget_synced_copies(db, claims.tenant_id, synced)
        row = _log(
            uow,
            claims,
            member_id,
            RequestKind.ERASURE,
            done=True,
            outcome="personal data erased; financial records kept, anonymised",
        )
        row.requested_at = row.completed_at = now
        # The many Core statements above are one named action in the audit log.
        record_action(
            db,
            tenant_id=claims.tenant_id,
            action="erasure",
            entity="members",
            entity_id=member_id,
            fields=sorted(done),
        )
        uow.commit()
        read = ErasureRead(member_id=member_id, request_id=row.id, erased_at=now, tables=done)
    grants.forget(PrincipalKind.MEMBER, claims.tenant_id, member_id)
    return read


def ask_rectification(
    *, uow: UnitOfWork, claims: AccessClaims, cmd: RectificationAsk
) -> PrivacyRequestRead:
    """A member asks staff to correct something; it waits in the log until staff answer."""
    if claims.kind is not PrincipalKind.MEMBER:
        raise Forbidden("this needs a member account")
    if not cmd.details.strip():
        raise InvalidInput("say what is wrong, in up to 2,000 characters", code="empty_details")
    with uow:
        _member(uow, claims, claims.subject_id)
        row = _log(
            uow,
            claims,
            claims.subject_id,
            RequestKind.RECTIFICATION,
            done=False,
            details=cmd.details.strip(),
        )
        uow.commit()
        return PrivacyRequestRead.model_validate(row)


def rectify_member(
    *, uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID, cmd: StaffRectification
) -> MemberRead:
    """Staff correct a member's data as ``PATCH /members/{id}`` does, logged as a
    rectification (answering the member's request when one is named)."""
    _staff_of(claims, ADMIN_ROLES)
    with uow:
        _member(uow, claims, member_id)
        if cmd.request_id is not None:
            _open_request(uow, claims, member_id, cmd.request_id)
    read = member_service.update_member(
        uow=uow, claims=claims, member_id=member_id, cmd=cmd.changes
    )
    changed = ", ".join(sorted(cmd.changes.model_dump(exclude_unset=True)))
    outcome = (f"corrected: {changed}" if changed else "answered") + (
        f" ({cmd.note.strip()})" if cmd.note else ""
    )
    with uow:
        if cmd.request_id is not None:
            asked = _open_request(uow, claims, member_id, cmd.request_id)
            asked.completed_at = utcnow()
            asked.outcome = outcome[:500]
        else:
            _log(
                uow, claims, member_id, RequestKind.RECTIFICATION, done=True, outcome=outcome[:500]
            )
        uow.commit()
    return read


def _open_request(
    uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID, request_id: uuid.UUID
) -> PrivacyRequest:
    row = PrivacyRequestRepository(uow.db, claims.tenant_id).get_or_404(request_id, for_update=True)
    if row.member_id != member_id or row.kind != RequestKind.RECTIFICATION.value:
        raise NotFound(f"privacy request {request_id} was not found")
    if row.completed_at is not None:
        raise Conflict("this request was already answered", code="already_answered")
    return row


def list_requests(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    member_id: uuid.UUID | None,
    kind: RequestKind | None,
    open_only: bool,
    limit: int,
    offset: int,
) -> PrivacyRequestPage:
    """Newest first; staff limited to some locations see their members' requests only."""
    _staff_of(claims, ADMIN_ROLES)
    where: list[ColumnElement[bool]] = []
    if member_id is not None:
        where.append(PrivacyRequest.member_id == member_id)
    if kind is not None:
        where.append(PrivacyRequest.kind == kind.value)
    if open_only:
        where.append(PrivacyRequest.completed_at.is_(None))
    if claims.location_ids is not None:
        # As the location scope reads a member: their home, or everyone's when they have none.
        homes = select(Member.id).where(
            Member.tenant_id == claims.tenant_id,
            or_(
                Member.home_location_id.in_(claims.location_ids),
                Member.home_location_id.is_(None),
            ),
        )
        where.append(PrivacyRequest.member_id.in_(homes))
    with uow:
        rows = PrivacyRequestRepository(uow.db, claims.tenant_id).page(
            where=where, limit=limit, offset=offset
        )
        return PrivacyRequestPage(
            items=[PrivacyRequestRead.model_validate(r) for r in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def my_requests(
    *, uow: UnitOfWork, claims: AccessClaims, limit: int, offset: int
) -> PrivacyRequestPage:
    if claims.kind is not PrincipalKind.MEMBER:
        raise Forbidden("this needs a member account")
    with uow:
        rows = PrivacyRequestRepository(uow.db, claims.tenant_id).page(
            where=[PrivacyRequest.member_id == claims.subject_id], limit=limit, offset=offset
        )
        return PrivacyRequestPage(
            items=[PrivacyRequestRead.model_validate(r) for r in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def member_privacy(*, uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID) -> MemberPrivacy:
    """A member (archived or erased too) and their requests, for owners and managers."""
    _staff_of(claims, ADMIN_ROLES)
    with uow:
        member = _member(uow, claims, member_id)
        repo = PrivacyRequestRepository(uow.db, claims.tenant_id)
        rows = repo.page(where=[PrivacyRequest.member_id == member_id], limit=200, offset=0)
        return MemberPrivacy(
            member_id=member.id,
            first_name=member.first_name,
            last_name=member.last_name,
            email=member.email,
            home_location_id=member.home_location_id,
            erased_at=repo.erased_at(member_id),
            requests=[PrivacyRequestRead.model_validate(r) for r in rows[:200]],
        )
