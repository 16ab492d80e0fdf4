"""A repository scoped to one tenant: every query it makes carries ``tenant_id``."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import ColumnElement, Row, Select, Table, bindparam, select
from sqlalchemy.orm import Session

from server.errors import NotFound

M = TypeVar("M")

#: The primary-key lookup of each repository class, built once: reads are the hot path, and
#: building the same statement on every call costs more than running it.
_GET_STATEMENTS: dict[tuple[type[Any], bool], Select[Any]] = {}
#: The same lookup of the table's columns, for reads that need the row, not an object.
_READ_STATEMENTS: dict[type[Any], Select[Any]] = {}


def within(
    column: Any, location_ids: Collection[uuid.UUID] | None
) -> tuple[ColumnElement[bool], ...]:
    """The condition that keeps a list to a caller's locations (none for the whole tenant)."""
    if location_ids is None:
        return ()
    return (column.in_(sorted(location_ids)),)


class TenantRepository(Generic[M]):
    """Subclasses set ``model`` and ``noun``; another tenant's row is simply not found."""

    model: ClassVar[type[Any]]
    noun: ClassVar[str] = "item"

    def __init__(self, db: Session, tenant_id: uuid.UUID) -> None:
        self.db = db
        self.tenant_id = tenant_id

    @classmethod
    def _criteria(cls) -> tuple[ColumnElement[bool], ...]:
        """Conditions every query of this repository adds (e.g. not archived)."""
        return ()

    def _select(self) -> Select[Any]:
        return select(self.model).where(self.model.tenant_id == self.tenant_id, *self._criteria())

    @classmethod
    def _get_statement(cls, for_update: bool) -> Select[Any]:
        key = (cls, for_update)
        statement = _GET_STATEMENTS.get(key)
        if statement is None:
            statement = select(cls.model).where(
                cls.model.tenant_id == bindparam("tenant_id"),
                cls.model.id == bindparam("item_id"),
                *cls._criteria(),
            )
            if for_update:
                statement = statement.with_for_update()
            _GET_STATEMENTS[key] = statement
        return statement

    def get(self, item_id: uuid.UUID, *, for_update: bool = False) -> M | None:
        row: M | None = self.db.execute(
            self._get_statement(for_update), {"tenant_id": self.tenant_id, "item_id": item_id}
        ).scalar_one_or_none()
        return row

    @classmethod
    def _read_statement(cls) -> Select[Any]:
        statement = _READ_STATEMENTS.get(cls)
        if statement is None:
            table: Table = cls.model.__table__
            statement = select(table).where(
                table.c.tenant_id == bindparam("tenant_id"),
                table.c.id == bindparam("item_id"),
                *cls._criteria(),
            )
            _READ_STATEMENTS[cls] = statement
        return statement

    def read_or_404(self, item_id: uuid.UUID) -> Row[Any]:
        """The row itself (its columns as attributes), for a use case that only turns it
        into a response model: no ORM object is built or tracked, which is a third of the
        cost of a one-row read (measured on SQLite and PostgreSQL)."""
        row: Row[Any] | None = self.db.execute(
            self._read_statement(), {"tenant_id": self.tenant_id, "item_id": item_id}
        ).first()
        if row is None:
            raise NotFound(f"{self.noun} {item_id} was not found")
        return row

    def get_or_404(self, item_id: uuid.UUID, *, for_update: bool = False) -> M:
        row = self.get(item_id, for_update=for_update)
        if row is None:
            raise NotFound(f"{self.noun} {item_id} was not found")
        return row

    def list(
        self, *, limit: int = 100, offset: int = 0, where: Sequence[ColumnElement[bool]] = ()
    ) -> Sequence[M]:
        query = self._select().where(*where).order_by(self.model.id).limit(limit).offset(offset)
        rows: Sequence[M] = self.db.execute(query).scalars().all()
        return rows

    def add(self, row: M) -> M:
        row.tenant_id = self.tenant_id  # type: ignore[attr-defined]
        self.db.add(row)
        return row
