"""Unit of work: one use case is one transaction (DESIGN.md §3)."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from sqlalchemy.orm import Session, sessionmaker


class UnitOfWork(Protocol):
    """``with uow: ...; uow.commit()`` — anything not committed is rolled back on exit."""

    @property
    def session(self) -> Session:
        """The open transaction's SQLAlchemy session (only inside ``with``)."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def flush(self) -> None: ...


class SqlAlchemyUnitOfWork:
    """A unit of work on a session of ``session_factory``."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'with' block")
        return self._session

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("unit of work is already open")
        self._session = self._session_factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        self._session = None
        # close() rolls back whatever was not committed; an explicit rollback() first would
        # also expire every loaded object, which costs time and changes nothing here.
        session.close()

    def commit(self) -> None:
        self.session.commit()

    def flush(self) -> None:
        self.session.flush()
