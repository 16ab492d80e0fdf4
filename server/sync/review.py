"""Review items: what the server accepted from a kiosk but a person should look at."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.repository import TenantRepository, within
from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.ports.identity import AccessClaims
from server.sync.changes import SyncedTables
from server.sync.kiosks import Kiosks
from server.sync.models import ReviewItem
from server.sync.schemas import (
    KioskReviewResolve,
    ReviewItemPage,
    ReviewItemRead,
    ReviewItemResolve,
)
from shared.clock import utcnow
from shared.ids import new_id
from shared.sync import messages as wire
from shared.sync.snapshot import SnapshotReviewItem

OPEN, RESOLVED = "open", "resolved"
#: Kinds of review item.
INELIGIBLE_ADMISSION = "ineligible_admission"
PASS_USED_TWICE = "pass_used_at_two_kiosks"
POSSIBLE_DUPLICATE = "possible_duplicate_member"
CLOCK_AHEAD = "kiosk_clock_ahead"
SALE_CHANGED = "sale_plan_changed"


class ReviewItemRepository(TenantRepository[ReviewItem]):
    model = ReviewItem
    noun = "review item"

    def search(
        self,
        *,
        status: str | None,
        location_id: uuid.UUID | None,
        limit: int,
        offset: int,
        location_ids: frozenset[uuid.UUID] | None = None,
    ) -> list[ReviewItem]:
        query = self._select().where(*within(ReviewItem.location_id, location_ids))
        if status is not None:
            query = query.where(ReviewItem.status == status)
        if location_id is not None:
            query = query.where(ReviewItem.location_id == location_id)
        query = query.order_by(ReviewItem.created_at.desc(), ReviewItem.id.desc())
        return list(self.db.execute(query.limit(limit).offset(offset)).scalars())

    def open_of_device(self, device_id: uuid.UUID, kind: str) -> ReviewItem | None:
        query = self._select().where(
            ReviewItem.device_id == device_id, ReviewItem.kind == kind, ReviewItem.status == OPEN
        )
        found: ReviewItem | None = self.db.execute(query.limit(1)).scalars().first()
        return found


def new_item(
    tenant_id: uuid.UUID,
    *,
    location_id: uuid.UUID,
    kind: str,
    summary: str,
    member_id: uuid.UUID | None,
    checkin_id: uuid.UUID | None,
    device_id: uuid.UUID | None,
    mutation_id: int | None,
    now: datetime,
) -> ReviewItem:
    """An open review item, not yet added to any session."""
    return ReviewItem(
        tenant_id=tenant_id,
        id=new_id(),
        location_id=location_id,
        kind=kind,
        summary=summary[:1000],
        member_id=member_id,
        checkin_id=checkin_id,
        device_id=device_id,
        mutation_id=mutation_id,
        status=OPEN,
        created_at=now,
    )


def open_item(db: Session, tenant_id: uuid.UUID, **fields: Any) -> ReviewItem:
    """Open a review item in db's open transaction (fields as for :func:`new_item`)."""
    return ReviewItemRepository(db, tenant_id).add(new_item(tenant_id, **fields))


def open_for_location(
    db: Session, tenant_id: uuid.UUID, location_id: uuid.UUID
) -> list[ReviewItem]:
    query = (
        select(ReviewItem)
        .where(
            ReviewItem.tenant_id == tenant_id,
            ReviewItem.location_id == location_id,
            ReviewItem.status == OPEN,
        )
        .order_by(ReviewItem.created_at, ReviewItem.id)
    )
    return list(db.execute(query).scalars())


def list_review_items(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    status: str | None,
    location_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> ReviewItemPage:
    with uow:
        rows = ReviewItemRepository(uow.db, claims.tenant_id).search(
            status=status,
            location_id=location_id,
            limit=limit + 1,
            offset=offset,
            location_ids=claims.location_ids,
        )
        return ReviewItemPage(
            items=[ReviewItemRead.model_validate(row) for row in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def resolve_review_item(
    *, uow: UnitOfWork, claims: AccessClaims, review_item_id: uuid.UUID, cmd: ReviewItemResolve
) -> ReviewItemRead:
    with uow:
        item = ReviewItemRepository(uow.db, claims.tenant_id).get_or_404(
            review_item_id, for_update=True
        )
        if item.status == RESOLVED:
            raise Conflict("this review item was resolved already", code="already_resolved")
        item.status = RESOLVED
        item.resolution_note = cmd.note
        item.resolved_by = claims.subject_id
        item.resolved_at = utcnow()
        uow.commit()
        return ReviewItemRead.model_validate(item)


def open_items_of_kiosk(
    *, uow: UnitOfWork, kiosks: Kiosks, claims: AccessClaims
) -> list[SnapshotReviewItem]:
    with uow:
        device = kiosks.live_device(uow=uow, claims=claims)
        rows = open_for_location(uow.db, claims.tenant_id, device.location_id)
        return [review_shape(row) for row in rows]


def resolve_for_kiosk(
    *,
    uow: UnitOfWork,
    kiosks: Kiosks,
    claims: AccessClaims,
    review_item_id: uuid.UUID,
    cmd: KioskReviewResolve,
) -> SnapshotReviewItem:
    """Resolve one of the calling kiosk's location's review items; another location's is
    not found (a kiosk sees only its own location's)."""
    with uow:
        device = kiosks.live_device(uow=uow, claims=claims)
        item = ReviewItemRepository(uow.db, claims.tenant_id).get(review_item_id, for_update=True)
        if item is None or item.location_id != device.location_id:
            raise NotFound(f"review item {review_item_id} was not found")
        if not kiosks.serves_here(uow=uow, device=device, staff_id=cmd.staff_id):
            raise InvalidInput(
                "staff_id is not staff of this location", code="staff_not_at_location"
            )
        if item.status == RESOLVED:
            raise Conflict("this review item was resolved already", code="already_resolved")
        item.status = RESOLVED
        item.resolution_note = cmd.note
        item.resolved_by = cmd.staff_id
        item.resolved_at = utcnow()
        uow.commit()
        return review_shape(item)


def review_shape(row: ReviewItem) -> SnapshotReviewItem:
    return SnapshotReviewItem.model_validate(row, from_attributes=True)


def register(tables: SyncedTables) -> None:
    """Kiosks hold their location's review items."""
    tables.register(
        wire.TABLE_REVIEW_ITEMS,
        ReviewItem,
        serialise=lambda row: review_shape(row).model_dump(mode="json"),
        location=lambda row: row.location_id,
    )
