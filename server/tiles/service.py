"""Use cases of Movement Tiles: staff keep the library; members complete Tiles, which
enter the movement ledger as self-reported events, at most a few a day. One use case is
one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.db.uow import UnitOfWork
from server.engagement.models import MovementEvent
from server.engagement.repository import MemberDays
from server.engagement.service import MovementFacts, enter_movement
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.ports.identity import AccessClaims
from server.tiles import profiles, rules
from server.tiles.models import Tile, TileCompletion
from server.tiles.repository import CompletionRepository, TileRepository
from server.tiles.schemas import (
    CompletionRead,
    MyTiles,
    StarterLoaded,
    TileCreate,
    TilePage,
    TileRead,
    TileUpdate,
)
from server.tiles.starter import STARTER_TILES
from shared.clock import ensure_utc, utcnow
from shared.enums import ADMIN_ROLES, MovementKind, PrincipalKind
from shared.movement import MovementIntensity, MovementSource, Provenance, local_date


def _staff(claims: AccessClaims) -> None:
    if claims.kind is not PrincipalKind.STAFF:
        raise Forbidden("this needs a staff account")


def _writer(claims: AccessClaims) -> None:
    _staff(claims)
    if claims.role not in ADMIN_ROLES:
        raise Forbidden("only owners and managers change the Tile library")


def _member(claims: AccessClaims) -> None:
    if claims.kind is not PrincipalKind.MEMBER:
        raise Forbidden("this needs a member account")


def _active(db: Session, claims: AccessClaims, tile_id: uuid.UUID) -> Tile:
    """A Tile as members reach it: an archived one is gone for them."""
    tile = TileRepository(db, claims.tenant_id).get_or_404(tile_id)
    if tile.archived_at is not None:
        raise NotFound(f"Tile {tile_id} was not found")
    return tile


def list_tiles(
    *, uow: UnitOfWork, claims: AccessClaims, include_archived: bool, limit: int, offset: int
) -> TilePage:
    _staff(claims)
    with uow:
        rows = TileRepository(uow.db, claims.tenant_id).page(
            include_archived=include_archived, limit=limit, offset=offset
        )
        return TilePage(
            items=[TileRead.model_validate(row) for row in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def get_tile(*, uow: UnitOfWork, claims: AccessClaims, tile_id: uuid.UUID) -> TileRead:
    _staff(claims)
    with uow:
        return TileRead.model_validate(TileRepository(uow.db, claims.tenant_id).get_or_404(tile_id))


def _new_tile(
    db: Session, claims: AccessClaims, cmd: TileCreate, starter_key: str | None = None
) -> Tile:
    fields = profiles.apply_profile(
        db,
        claims.tenant_id,
        {
            "intensity": cmd.intensity.value if cmd.intensity else None,
            "contraindications": list(cmd.contraindications),
            "profile_id": cmd.profile_id,
        },
    )
    return Tile(
        tenant_id=claims.tenant_id,
        title=cmd.title,
        summary=cmd.summary,
        steps=list(cmd.steps),
        minutes=cmd.minutes,
        video_url=cmd.video_url,
        starter_key=starter_key,
        created_by=claims.subject_id,
        **fields,
    )


def create_tile(*, uow: UnitOfWork, claims: AccessClaims, cmd: TileCreate) -> TileRead:
    _writer(claims)
    with uow:
        tile = TileRepository(uow.db, claims.tenant_id).add(_new_tile(uow.db, claims, cmd))
        uow.flush()
        read = TileRead.model_validate(tile)
        uow.commit()
        return read


def update_tile(
    *, uow: UnitOfWork, claims: AccessClaims, tile_id: uuid.UUID, cmd: TileUpdate
) -> TileRead:
    """Change the fields sent; past completions keep the minutes they were recorded with."""
    _writer(claims)
    changes = cmd.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None and field not in ("video_url", "profile_id"):
            raise InvalidInput(f"{field}: may not be null")
    with uow:
        tile = TileRepository(uow.db, claims.tenant_id).get_or_404(tile_id, for_update=True)
        # The profile's values, read before the edit moves ``profile_id``, win over the
        # edit's own: a type or Tile that follows a profile prescribes what it says.
        followed = profiles.followed_fields(uow.db, claims.tenant_id, tile.profile_id, changes)
        for field, value in changes.items():
            setattr(tile, field, value.value if isinstance(value, MovementIntensity) else value)
        for field, value in followed.items():
            setattr(tile, field, value)
        uow.flush()
        read = TileRead.model_validate(tile)
        uow.commit()
        return read


def archive_tile(*, uow: UnitOfWork, claims: AccessClaims, tile_id: uuid.UUID) -> TileRead:
    """Archiving twice changes nothing; members stop seeing the Tile at once."""
    _writer(claims)
    with uow:
        tile = TileRepository(uow.db, claims.tenant_id).get_or_404(tile_id, for_update=True)
        if tile.archived_at is None:
            tile.archived_at = utcnow()
        uow.flush()
        read = TileRead.model_validate(tile)
        uow.commit()
        return read


def load_starter(*, uow: UnitOfWork, claims: AccessClaims) -> StarterLoaded:
    """Add the starter Tiles the library lacks (archived ones count as there: archiving a
    starter Tile is the tenant's choice, and loading again must not undo it)."""
    _writer(claims)
    with uow:
        repo = TileRepository(uow.db, claims.tenant_id)
        have = repo.starter_keys()
        added: list[Tile] = []
        for key, cmd in STARTER_TILES.items():
            if key in have:
                continue
            try:
                with uow.db.begin_nested():
                    added.append(repo.add(_new_tile(uow.db, claims, cmd, starter_key=key)))
                    uow.db.flush()
            except IntegrityError:
                continue  # loaded by another request at the same moment
        items = [TileRead.model_validate(tile) for tile in added]
        uow.commit()
        return StarterLoaded(added=len(items), items=items)


def my_tiles(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    limit: int = 100,
    offset: int = 0,
    now: datetime | None = None,
) -> MyTiles:
    """The active library by title, and the member's completions on their local today."""
    _member(claims)
    with uow:
        days = MemberDays(uow.db, claims.tenant_id)
        today = local_date(
            ensure_utc(now or utcnow()),
            days.zone(claims.subject_id, None),
            days.day_start_hour(),
        )
        rows = TileRepository(uow.db, claims.tenant_id).page(
            include_archived=False, limit=limit, offset=offset
        )
        done = CompletionRepository(uow.db, claims.tenant_id).on(claims.subject_id, today)
        return MyTiles(
            items=[TileRead.model_validate(row) for row in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
            today=today,
            done_today=[CompletionRead.model_validate(row) for row in done],
        )


def my_tile(*, uow: UnitOfWork, claims: AccessClaims, tile_id: uuid.UUID) -> TileRead:
    _member(claims)
    with uow:
        return TileRead.model_validate(_active(uow.db, claims, tile_id))


_RACE = "tile_completion_race"


@dataclass(frozen=True)
class Completed:
    completion: CompletionRead
    #: False when the id was known already: the first completion is the answer.
    created: bool


def _known(
    uow: UnitOfWork, claims: AccessClaims, tile_id: uuid.UUID, completion_id: uuid.UUID
) -> Completed | None:
    found = CompletionRepository(uow.db, claims.tenant_id).get(completion_id)
    if found is None:
        return None
    if found.member_id != claims.subject_id or found.tile_id != tile_id:
        raise Conflict(
            f"completion {completion_id} was recorded already for another Tile",
            code="tile_completion_conflict",
        )
    return Completed(CompletionRead.model_validate(found), created=False)


def complete_tile(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    tile_id: uuid.UUID,
    completion_id: uuid.UUID,
    now: datetime | None = None,
) -> Completed:
    """Record a member's completion as a self-reported movement event (the Tile's minutes
    and intensity). Idempotent by ``completion_id``; an archived Tile, or one more than the
    daily cap on the member's local day, is a 409 and stores nothing."""
    _member(claims)
    now = ensure_utc(now or utcnow())
    with uow:
        tile = TileRepository(uow.db, claims.tenant_id).get_or_404(tile_id)
        known = _known(uow, claims, tile_id, completion_id)
        if known is not None:
            return known
        if tile.archived_at is not None:
            raise Conflict(f"Tile {tile_id} is archived", code="tile_archived")
        facts = MovementFacts(
            member_id=claims.subject_id,
            kind=MovementKind.TILE,
            occurred_at=now,
            minutes=tile.minutes,
            intensity=MovementIntensity(tile.intensity),
            provenance=Provenance.SELF_REPORTED,
            source=MovementSource.APP.value,
            recorded_by=claims.subject_id,
            data={"tile_id": str(tile_id)},
        )

    def take_slot(inner: UnitOfWork, event: MovementEvent) -> None:
        repo = CompletionRepository(inner.db, claims.tenant_id)
        used = repo.used_on(claims.subject_id, event.local_date)
        refusal = rules.slot_refusal(used)
        if refusal is not None:
            raise Conflict(refusal, code="tile_daily_cap")
        # No savepoint: this is the transaction's first write, and on SQLite a savepoint
        # opened before any write commits when released.
        repo.add(
            TileCompletion(
                id=completion_id,
                tile_id=tile_id,
                member_id=claims.subject_id,
                local_date=event.local_date,
                slot=used + 1,
                completed_at=now,
            )
        )
        try:
            inner.db.flush()
        except IntegrityError as exc:
            # The same id, or another completion taking this slot, at the same moment.
            raise Conflict(
                "another Tile was completed at the same moment: try again",
                code=_RACE,
            ) from exc

    try:
        entered = enter_movement(
            uow=uow,
            tenant_id=claims.tenant_id,
            facts=facts,
            event_id=completion_id,
            now=now,
            along=take_slot,
        )
    except Conflict as exc:
        # The same id sent twice at once: the first request's completion is the answer.
        if exc.code not in ("movement_event_conflict", _RACE):
            raise
        with uow:
            known = _known(uow, claims, tile_id, completion_id)
        if known is None:
            raise
        return known
    if not entered.created:
        # The id names a movement event that is no Tile completion of this member.
        with uow:
            known = _known(uow, claims, tile_id, completion_id)
        if known is None:
            raise Conflict(
                f"id {completion_id} names another movement event", code="tile_completion_conflict"
            )
        return known
    read = CompletionRead(
        id=completion_id, tile_id=tile_id, local_date=entered.entry.local_date, completed_at=now
    )
    return Completed(read, created=True)
