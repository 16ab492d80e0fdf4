"""Data access of Movement Tiles, always within one tenant. Never commits."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select

from server.db.repository import TenantRepository
from server.tiles.models import Tile, TileCompletion


class TileRepository(TenantRepository[Tile]):
    model = Tile
    noun = "Tile"

    def page(self, *, include_archived: bool, limit: int, offset: int) -> list[Tile]:
        """By title, one row past the page (whether another page follows)."""
        query = self._select()
        if not include_archived:
            query = query.where(Tile.archived_at.is_(None))
        query = query.order_by(Tile.title, Tile.id).limit(limit + 1).offset(offset)
        return list(self.db.execute(query).scalars())

    def starter_keys(self) -> set[str]:
        query = select(Tile.starter_key).where(
            Tile.tenant_id == self.tenant_id, Tile.starter_key.is_not(None)
        )
        return {key for key in self.db.execute(query).scalars() if key is not None}


class CompletionRepository(TenantRepository[TileCompletion]):
    model = TileCompletion
    noun = "Tile completion"

    def used_on(self, member_id: uuid.UUID, day: date) -> int:
        query = select(func.count()).where(
            TileCompletion.tenant_id == self.tenant_id,
            TileCompletion.member_id == member_id,
            TileCompletion.local_date == day,
        )
        return int(self.db.execute(query).scalar_one())

    def on(self, member_id: uuid.UUID, day: date) -> list[TileCompletion]:
        query = self._select().where(
            TileCompletion.member_id == member_id, TileCompletion.local_date == day
        )
        return list(self.db.execute(query.order_by(TileCompletion.slot)).scalars())
