"""Use cases of movement prescription profiles: the starter library loaded per tenant,
owners and managers add, edit (a new version) and archive profiles, every staff role reads
them. Session types and Tiles that follow a profile take its values, from the same
transaction that writes its new version."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.outbox import record as outbox
from server.ports.analytics import PublishedEvent
from server.ports.identity import AccessClaims
from server.prescriptions import rules
from server.prescriptions.models import PrescriptionProfile, PrescriptionProfileVersion
from server.prescriptions.repository import ProfileRepository, VersionRepository
from server.prescriptions.schemas import (
    ProfileContent,
    ProfileCreate,
    ProfilePage,
    ProfileRead,
    ProfileUpdate,
    ProfileVersionPage,
    ProfileVersionRead,
)
from server.prescriptions.starter import starter_profiles
from shared.clock import utcnow
from shared.enums import ADMIN_ROLES, PrincipalKind
from shared.ids import new_id
from shared.movement import MovementIntensity

CHANGED = "prescription_profile.changed"
#: Text a PATCH may clear with null.
CLEARABLE = frozenset({"summary", "notes", "sources"})


@dataclass(frozen=True)
class ProfileValues:
    """What a session type or Tile following a profile takes from its current version."""

    profile_id: uuid.UUID
    version: int
    #: shared.enums.Intensity, the session types' scale.
    intensity: str
    #: The Tiles' scale.
    tile_intensity: MovementIntensity
    contraindications: list[str]
    primary_goal: str | None
    suggested_per_week: int


class ProfileFollower(Protocol):
    """A domain whose rows follow profiles (session types, Tiles): given a profile's new
    values, it updates its rows in the caller's transaction and says how many changed."""

    def follow(self, db: Session, tenant_id: uuid.UUID, values: ProfileValues) -> int: ...


def _staff(claims: AccessClaims) -> None:
    if claims.kind is not PrincipalKind.STAFF:
        raise Forbidden("this needs a staff account")


def _writer(claims: AccessClaims) -> None:
    _staff(claims)
    if claims.role not in ADMIN_ROLES:
        raise Forbidden("only owners and managers change the prescription profiles")


def values_of(version: PrescriptionProfileVersion) -> ProfileValues:
    return ProfileValues(
        profile_id=version.profile_id,
        version=version.version,
        intensity=version.intensity,
        tile_intensity=rules.tile_intensity(version.intensity),
        contraindications=list(version.contraindications),
        primary_goal=rules.primary_goal(version.indications),
        suggested_per_week=rules.suggested_per_week(version.frequency_min),
    )


def followed_profile(db: Session, tenant_id: uuid.UUID, profile_id: uuid.UUID) -> ProfileValues:
    """The values a session type or Tile set to follow ``profile_id`` takes: an unknown,
    archived or other tenant's profile is bad input (422), never a 404 of the row."""
    profile = ProfileRepository(db, tenant_id).get(profile_id)
    if profile is None:
        raise InvalidInput(f"profile_id: no prescription profile {profile_id}")
    if profile.archived_at is not None:
        raise InvalidInput(f"profile_id: the prescription profile {profile_id} is archived")
    version = VersionRepository(db, tenant_id).of(profile_id, profile.current_version)
    if version is None:  # pragma: no cover - every profile is written with its version
        raise InvalidInput(f"profile_id: no prescription profile {profile_id}")
    return values_of(version)


def current_values(db: Session, tenant_id: uuid.UUID, profile_id: uuid.UUID) -> ProfileValues:
    """The values of a profile a row follows already (archived or not)."""
    return values_of(_current(db, tenant_id, profile_id)[1])


def _version_read(version: PrescriptionProfileVersion) -> ProfileVersionRead:
    return ProfileVersionRead.model_validate(version)


def _read(profile: PrescriptionProfile, version: PrescriptionProfileVersion) -> ProfileRead:
    return ProfileRead(
        id=profile.id,
        starter_key=profile.starter_key,
        current_version=profile.current_version,
        archived_at=profile.archived_at,
        created_at=profile.created_at,
        current=_version_read(version),
    )


def _new_version(
    profile: PrescriptionProfile, version: int, content: ProfileContent, by: uuid.UUID | None
) -> PrescriptionProfileVersion:
    return PrescriptionProfileVersion(
        id=new_id(),
        tenant_id=profile.tenant_id,
        profile_id=profile.id,
        version=version,
        created_by=by,
        **content.model_dump(mode="json"),
    )


def _add_profile(
    db: Session,
    tenant_id: uuid.UUID,
    content: ProfileContent,
    *,
    by: uuid.UUID | None,
    starter_key: str | None = None,
) -> tuple[PrescriptionProfile, PrescriptionProfileVersion]:
    profile = ProfileRepository(db, tenant_id).add(
        PrescriptionProfile(id=new_id(), starter_key=starter_key, current_version=1, created_by=by)
    )
    db.flush()
    version = VersionRepository(db, tenant_id).add(_new_version(profile, 1, content, by))
    db.flush()
    return profile, version


def load_starter(db: Session, tenant_id: uuid.UUID) -> int:
    """Add the shipped profiles the tenant lacks, in the caller's transaction; how many.
    Archived ones count as there: archiving is the tenant's choice, and loading again must
    not undo it."""
    repo = ProfileRepository(db, tenant_id)
    shipped = starter_profiles()
    have = repo.starter_keys()
    added = 0
    for key, content in shipped.items():
        if key in have:
            continue
        try:
            with db.begin_nested():
                _add_profile(db, tenant_id, content, by=None, starter_key=key)
        except IntegrityError:
            continue  # loaded by another request at the same moment
        added += 1
    return added


def _ensure_starter(uow: UnitOfWork, tenant_id: uuid.UUID) -> None:
    """Tenants that existed before the library shipped get it on their first read."""
    if ProfileRepository(uow.db, tenant_id).starter_keys() >= set(starter_profiles()):
        return
    if load_starter(uow.db, tenant_id):
        uow.commit()


def list_profiles(
    *, uow: UnitOfWork, claims: AccessClaims, include_archived: bool, limit: int, offset: int
) -> ProfilePage:
    _staff(claims)
    with uow:
        _ensure_starter(uow, claims.tenant_id)
        rows = ProfileRepository(uow.db, claims.tenant_id).page(
            include_archived=include_archived, limit=limit, offset=offset
        )
        return ProfilePage(
            items=[_read(profile, version) for profile, version in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def _current(
    db: Session, tenant_id: uuid.UUID, profile_id: uuid.UUID, *, for_update: bool = False
) -> tuple[PrescriptionProfile, PrescriptionProfileVersion]:
    profile = ProfileRepository(db, tenant_id).get_or_404(profile_id, for_update=for_update)
    version = VersionRepository(db, tenant_id).of(profile_id, profile.current_version)
    if version is None:  # pragma: no cover - every profile is written with its version
        raise NotFound(f"prescription profile {profile_id} was not found")
    return profile, version


def get_profile(*, uow: UnitOfWork, claims: AccessClaims, profile_id: uuid.UUID) -> ProfileRead:
    _staff(claims)
    with uow:
        _ensure_starter(uow, claims.tenant_id)
        return _read(*_current(uow.db, claims.tenant_id, profile_id))


def list_versions(
    *, uow: UnitOfWork, claims: AccessClaims, profile_id: uuid.UUID, limit: int, offset: int
) -> ProfileVersionPage:
    """Every version the profile had, newest first: old ones stay readable."""
    _staff(claims)
    with uow:
        ProfileRepository(uow.db, claims.tenant_id).get_or_404(profile_id)
        rows = VersionRepository(uow.db, claims.tenant_id).history(
            profile_id, limit=limit, offset=offset
        )
        return ProfileVersionPage(
            items=[_version_read(row) for row in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def _changed(
    claims: AccessClaims, profile_id: uuid.UUID, version: int, change: str, followers: int = 0
) -> PublishedEvent:
    return PublishedEvent(
        tenant_id=claims.tenant_id,
        name=CHANGED,
        occurred_at=utcnow(),
        data={
            "profile_id": str(profile_id),
            "version": version,
            "change": change,
            "followers_updated": followers,
            "by": str(claims.subject_id),
        },
    )


def create_profile(*, uow: UnitOfWork, claims: AccessClaims, cmd: ProfileCreate) -> ProfileRead:
    _writer(claims)
    with uow:
        read = _read(*_add_profile(uow.db, claims.tenant_id, cmd, by=claims.subject_id))
        outbox.record(uow.db, [_changed(claims, read.id, 1, "created")])
        uow.commit()
    return read


def merged(current: PrescriptionProfileVersion, cmd: ProfileUpdate) -> ProfileContent:
    """The current version with the fields sent, checked as a whole (422 when the result
    contradicts itself, e.g. a new minimum above the kept maximum)."""
    changes = cmd.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None and field not in CLEARABLE:
            raise InvalidInput(f"{field}: may not be null")
    base = ProfileVersionRead.model_validate(current).model_dump(
        mode="json", include=set(ProfileContent.model_fields)
    )
    try:
        return ProfileContent.model_validate(base | cmd.model_dump(mode="json", exclude_unset=True))
    except ValidationError as exc:
        raise InvalidInput("; ".join(str(error["msg"]) for error in exc.errors())) from None


def update_profile(
    *,
    uow: UnitOfWork,
    followers: Sequence[ProfileFollower],
    claims: AccessClaims,
    profile_id: uuid.UUID,
    cmd: ProfileUpdate,
) -> ProfileRead:
    """An edit that changes what the profile prescribes writes the next version and moves
    the session types and Tiles that follow it onto it; one that changes nothing writes
    nothing. An archived profile is not edited (409)."""
    _writer(claims)
    with uow:
        profile, current = _current(uow.db, claims.tenant_id, profile_id, for_update=True)
        if profile.archived_at is not None:
            raise Conflict(
                f"prescription profile {profile_id} is archived", code="profile_archived"
            )
        content = merged(current, cmd)
        before = ProfileContent.model_validate(
            ProfileVersionRead.model_validate(current).model_dump(
                mode="json", include=set(ProfileContent.model_fields)
            )
        )
        number = rules.next_version(profile.current_version, changed=content != before)
        if number == profile.current_version:
            return _read(profile, current)
        version = VersionRepository(uow.db, claims.tenant_id).add(
            _new_version(profile, number, content, claims.subject_id)
        )
        profile.current_version = number
        uow.flush()
        values = values_of(version)
        updated = sum(f.follow(uow.db, claims.tenant_id, values) for f in followers)
        read = _read(profile, version)
        outbox.record(uow.db, [_changed(claims, profile_id, number, "edited", updated)])
        uow.commit()
    return read


def archive_profile(*, uow: UnitOfWork, claims: AccessClaims, profile_id: uuid.UUID) -> ProfileRead:
    """No new session type or Tile may choose it; those following it keep their values.
    Archiving twice changes nothing."""
    _writer(claims)
    with uow:
        profile, current = _current(uow.db, claims.tenant_id, profile_id, for_update=True)
        if profile.archived_at is not None:
            return _read(profile, current)
        profile.archived_at = utcnow()
        uow.flush()
        read = _read(profile, current)
        outbox.record(uow.db, [_changed(claims, profile_id, read.current_version, "archived")])
        uow.commit()
    return read
