"""Staff-side member use cases: create, edit, search, archive, photo, and CSV import."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError

from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden, InvalidInput, NotFound, PayloadTooLarge
from server.members import csv_import, passwords, photos, rules
from server.members.models import Member
from server.members.repository import MemberFilters, MemberRepository
from server.members.schemas import (
    ImportResult,
    MemberCreate,
    MemberPage,
    MemberRead,
    MemberUpdate,
    RejectedRow,
)
from server.ports.identity import AccessClaims, AccessGrants
from server.ports.notifications import NotificationService
from server.signins.repository import RefreshTokenRepository
from server.tenants.repository import LocationRepository, TenantDirectory
from shared.clock import utcnow
from shared.enums import MemberSource, PrincipalKind, StaffRole
from shared.ids import new_id
from shared.normalise import email_key, normalise_email

_RACE = "another change to members happened at the same time; nothing was saved, try again"


@dataclass(frozen=True)
class MemberPhoto:
    content: bytes
    content_type: str


def to_read(member: Member) -> MemberRead:
    return MemberRead(
        id=member.id,
        first_name=member.first_name,
        last_name=member.last_name,
        email=member.email,
        email_verified=member.email_verified_at is not None,
        phone=member.phone,
        date_of_birth=member.date_of_birth,
        fitness_goals=list(member.fitness_goals or []),
        preferences=dict(member.preferences or {}),
        barcode=member.barcode,
        card_number=member.card_number,
        home_location_id=member.home_location_id,
        guest_of_id=member.guest_of_id,
        emergency_contact=member.emergency_contact,
        waiver_accepted_at=member.waiver_accepted_at,
        source=MemberSource(member.source),
        has_photo=member.photo_content_type is not None,
        created_at=member.created_at,
        updated_at=member.updated_at,
        party_id=member.party_id,
    )


def check_unique(
    repo: MemberRepository, values: dict[str, Any], *, member_id: uuid.UUID | None = None
) -> None:
    """409 when another member (even an archived one) has this email, barcode or card."""
    for field in csv_import.UNIQUE:
        value = values.get(field)
        if value is not None and repo.holder_of(field, value, excluding=member_id) is not None:
            code = "email_taken" if field == "email" else f"{field}_taken"
            raise Conflict(csv_import.taken_reason(field, value), code=code)


def _check_links(
    uow: UnitOfWork, repo: MemberRepository, values: dict[str, Any], member_id: uuid.UUID | None
) -> None:
    location_id = values.get("home_location_id")
    if location_id is not None:
        LocationRepository(uow.db, repo.tenant_id).get_or_404(location_id)
    host_id = values.get("guest_of_id")
    if host_id is not None:
        if host_id == member_id:
            raise InvalidInput("a member cannot be their own guest")
        repo.get_or_404(host_id)


def _check_home_in_scope(claims: AccessClaims, values: dict[str, Any]) -> None:
    """Staff limited to some locations give members a home among those."""
    location_id = values.get("home_location_id")
    if location_id is not None and not claims.sees_location(location_id):
        raise NotFound(f"location {location_id} was not found")


def commit_or_conflict(uow: UnitOfWork, message: str = _RACE) -> None:
    try:
        uow.commit()
    except IntegrityError:
        raise Conflict(message) from None


def create_member(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    cmd: MemberCreate,
    notifications: NotificationService | None = None,
    public_url: str | None = None,
) -> MemberRead:
    """With ``notifications``, a member with an email is invited to set a password (the
    mail links to the member app at ``public_url`` when given)."""
    values = cmd.model_dump()
    values["email"] = normalise_email(values["email"])
    values["source"] = cmd.source.value
    with uow:
        repo = MemberRepository(uow.db, claims.tenant_id)
        _check_links(uow, repo, values, None)
        _check_home_in_scope(claims, values)
        check_unique(repo, values)
        member = repo.add(Member(id=new_id(), **values))
        uow.flush()
        mails = _invitations(uow, repo, [member]) if notifications is not None else []
        queued = passwords.queue_mails(uow, claims.tenant_id, mails, public_url)
        commit_or_conflict(uow)
        read = to_read(member)
    if notifications is not None:
        passwords.send(uow, notifications, claims.tenant_id, queued)
    return read


def _invitations(
    uow: UnitOfWork, repo: MemberRepository, members: list[Member]
) -> list[passwords.PasswordMail]:
    invited = [member for member in members if member.email and not member.password_hash]
    if not invited:
        return []
    tenant = TenantDirectory(uow.db, repo.tenant_id).current()
    return [passwords.invitation_for(repo, member, tenant.name, tenant.slug) for member in invited]


def resend_invitation(
    *,
    uow: UnitOfWork,
    notifications: NotificationService,
    claims: AccessClaims,
    member_id: uuid.UUID,
    public_url: str | None = None,
) -> None:
    """A new invitation link (earlier ones keep working until they expire or one is used)."""
    with uow:
        repo = MemberRepository(uow.db, claims.tenant_id)
        member = repo.get_or_404(member_id)
        if member.email is None:
            raise InvalidInput(
                "this member has no email address to invite: add one first", code="no_email"
            )
        if member.password_hash is not None:
            raise Conflict(
                "this member already has an online account; they can reset their password",
                code="already_has_account",
            )
        mails = _invitations(uow, repo, [member])
        queued = passwords.queue_mails(uow, claims.tenant_id, mails, public_url)
        uow.commit()
    passwords.send(uow, notifications, claims.tenant_id, queued)


def get_member(*, uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID) -> MemberRead:
    """A member; coaches see only those of the classes they lead, without personal data."""
    with uow:
        repo = MemberRepository(uow.db, claims.tenant_id)
        read = to_read(repo.get_or_404(member_id))
        if claims.role is not StaffRole.COACH:
            return read
        if not repo.booked_with(member_id, claims.subject_id):
            raise Forbidden(rules.COACH_MEMBERS_ONLY, code="not_your_member")
    return read.model_copy(update=dict.fromkeys(rules.PERSONAL_FIELDS))


def update_member(
    *, uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID, cmd: MemberUpdate
) -> MemberRead:
    changes = cmd.model_dump(exclude_unset=True)
    for required in ("first_name", "last_name"):
        if required in changes and changes[required] is None:
            raise InvalidInput(f"{required} cannot be empty")
    if changes.get("email"):
        changes["email"] = email_key(changes["email"])
    with uow:
        repo = MemberRepository(uow.db, claims.tenant_id)
        member = repo.get_or_404(member_id, for_update=True)
        _check_links(uow, repo, changes, member.id)
        _check_home_in_scope(claims, changes)
        check_unique(repo, changes, member_id=member.id)
        if "email" in changes and changes["email"] != member.email:
            member.email_verified_at = None  # the new address has not been proven yet
        defaults: dict[str, Any] = {"fitness_goals": [], "preferences": {}}
        for field, value in changes.items():
            setattr(member, field, defaults.get(field) if value is None else value)
        commit_or_conflict(uow)
        return to_read(member)


def search_members(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    query: str | None,
    limit: int,
    offset: int,
    filters: MemberFilters = MemberFilters(),
) -> MemberPage:
    with uow:
        rows = MemberRepository(uow.db, claims.tenant_id).search(
            query,
            limit=limit + 1,
            offset=offset,
            location_ids=claims.location_ids,
            filters=filters,
        )
        return MemberPage(
            items=[to_read(row) for row in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def archive_member(
    *, uow: UnitOfWork, grants: AccessGrants, claims: AccessClaims, member_id: uuid.UUID
) -> None:
    """The member disappears from searches and can no longer sign in, nor use a token
    issued before; their history stays."""
    with uow:
        member = MemberRepository(uow.db, claims.tenant_id).get_or_404(member_id, for_update=True)
        now = utcnow()
        member.archived_at = now
        member.token_generation += 1
        RefreshTokenRepository(uow.db, claims.tenant_id).revoke_all_of(member.id, now)
        uow.commit()
    grants.forget(PrincipalKind.MEMBER, claims.tenant_id, member_id)


def set_photo(
    *, uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID, data: bytes, content_type: str
) -> MemberRead:
    try:
        kind = rules.check_photo(data, content_type)
        data = photos.reencode(data, kind)
    except ValueError as exc:
        raise InvalidInput(str(exc), code="bad_photo") from None
    with uow:
        member = MemberRepository(uow.db, claims.tenant_id).get_or_404(member_id, for_update=True)
        member.photo, member.photo_content_type = data, kind
        member.photo_updated_at = utcnow()
        uow.commit()
        return to_read(member)


def get_photo(*, uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID) -> MemberPhoto:
    """A member's photo; coaches see only those of the members of the classes they lead."""
    with uow:
        repo = MemberRepository(uow.db, claims.tenant_id)
        found = repo.photo(member_id)
        if (
            found is not None
            and claims.role is StaffRole.COACH
            and not repo.booked_with(member_id, claims.subject_id)
        ):
            raise Forbidden(rules.COACH_MEMBERS_ONLY, code="not_your_member")
    if found is None:
        raise NotFound(f"member {member_id} was not found")
    content, content_type = found
    if content is None or content_type is None:
        raise NotFound(f"member {member_id} has no photo", code="no_photo")
    return MemberPhoto(content, content_type)


def get_thumbnail(*, uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID) -> bytes:
    """The photo made small; the same rules as :func:`get_photo` (kiosks see every member)."""
    return photos.thumbnail(get_photo(uow=uow, claims=claims, member_id=member_id).content)


class ImportMemberships(Protocol):
    """What an import needs of plans (which builds on members): the plans it may name, and
    a membership started in the import's own transaction."""

    def plans(self, uow: UnitOfWork, tenant_id: uuid.UUID) -> list[csv_import.ImportPlan]: ...

    def start(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, member: Member, plan_id: uuid.UUID
    ) -> None: ...


def import_members(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    data: bytes,
    notifications: NotificationService | None = None,
    memberships: ImportMemberships | None = None,
    public_url: str | None = None,
) -> ImportResult:
    """Good rows are created together in one transaction; bad rows are reported by line.
    With ``notifications``, members with an email are invited to set a password; with
    ``memberships``, a row naming a plan starts a membership of it today."""
    try:
        parsed = csv_import.read_csv(data)
    except csv_import.TooManyRows as exc:
        raise PayloadTooLarge(str(exc)) from None
    except csv_import.CsvRefused as exc:
        raise InvalidInput(str(exc), code="bad_csv") from None
    today = utcnow().date()
    checked = [
        item if isinstance(item, csv_import.RowError) else csv_import.validate_row(*item, today)
        for item in parsed
    ]
    rejected = [item for item in checked if isinstance(item, csv_import.RowError)]
    valid = [item for item in checked if isinstance(item, csv_import.ImportRow)]
    if memberships is None and any(row.plan for row in valid):
        raise InvalidInput("plans cannot be given in this import", code="bad_csv")
    with uow:
        repo = MemberRepository(uow.db, claims.tenant_id)
        valid, unresolved = _resolve(uow, repo, valid, memberships)
        taken = {
            field: repo.taken(field, [v for row in valid if (v := getattr(row, field))])
            for field in csv_import.UNIQUE
        }
        locations = LocationRepository(uow.db, claims.tenant_id)
        wanted = {row.home_location_id for row in valid if row.home_location_id}
        known = {location_id for location_id in wanted if locations.get(location_id)}
        valid, clashes = csv_import.reject_taken(valid, taken, known)
        valid, duplicates = csv_import.drop_duplicates(valid)
        members = [
            repo.add(Member(id=new_id(), source=MemberSource.IMPORT.value, **_fields(row)))
            for row in valid
        ]
        uow.flush()
        for row, member in zip(valid, members, strict=True):
            if row.plan_id is not None and memberships is not None:
                memberships.start(uow, claims.tenant_id, member, row.plan_id)
        mails = _invitations(uow, repo, members) if notifications is not None else []
        queued = passwords.queue_mails(uow, claims.tenant_id, mails, public_url)
        commit_or_conflict(uow)
    if notifications is not None:
        passwords.send(uow, notifications, claims.tenant_id, queued)
    errors = sorted([*rejected, *unresolved, *clashes, *duplicates], key=lambda error: error.line)
    return ImportResult(
        created=len(members),
        rejected=[RejectedRow(line=error.line, reason=error.reason) for error in errors],
        member_ids=[member.id for member in members],
    )


def _resolve(
    uow: UnitOfWork,
    repo: MemberRepository,
    rows: list[csv_import.ImportRow],
    memberships: ImportMemberships | None,
) -> tuple[list[csv_import.ImportRow], list[csv_import.RowError]]:
    """Home locations and plans given by name, named by id (a cheap no-op without names)."""
    if not any(row.location_name or row.plan for row in rows):
        return rows, []
    locations = [
        csv_import.ImportLocation(location.id, location.name)
        for location in LocationRepository(uow.db, repo.tenant_id).list(limit=10_000)
    ]
    plans = memberships.plans(uow, repo.tenant_id) if memberships is not None else []
    return csv_import.resolve_names(rows, locations, plans)


def _fields(row: csv_import.ImportRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in csv_import.MEMBER_FIELDS} | {
        "fitness_goals": [],
        "preferences": {},
    }
