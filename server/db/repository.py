"""A repository scoped to one tenant: every query it makes carries ``tenant_id``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from server.errors import NotFound

M = TypeVar("M")


class TenantRepository(Generic[M]):
    """Subclasses set ``model`` and ``noun``; another tenant's row is simply not found."""

    model: ClassVar[type[Any]]
    noun: ClassVar[str] = "item"

    def __init__(self, session: Session, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def _select(self) -> Select[Any]:
        return select(self.model).where(self.model.tenant_id == self.tenant_id)

    def get(self, item_id: uuid.UUID, *, for_update: bool = False) -> M | None:
        query = self._select().where(self.model.id == item_id)
        if for_update:
            query = query.with_for_update()
        row: M | None = self.session.execute(query).scalar_one_or_none()
        return row

    def get_or_404(self, item_id: uuid.UUID, *, for_update: bool = False) -> M:
        row = self.get(item_id, for_update=for_update)
        if row is None:
            raise NotFound(f"{self.noun} {item_id} was not found")
        return row

    def list(self, *, limit: int = 100, offset: int = 0) -> Sequence[M]:
        query = self._select().order_by(self.model.id).limit(limit).offset(offset)
        rows: Sequence[M] = self.session.execute(query).scalars().all()
        return rows

    def add(self, row: M) -> M:
        row.tenant_id = self.tenant_id  # type: ignore[attr-defined]
        self.session.add(row)
        return row
