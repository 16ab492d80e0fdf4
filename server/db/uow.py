"""Unit of work: one use case is one transaction."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from sqlalchemy.orm import Session, sessionmaker


class UnitOfWork(Protocol):
    """``with uow: ...; uow.commit()`` — anything not committed is rolled back on exit."""

    @property
    def db(self) -> Session:
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
        self._db: Session | None = None

    @property
    def db(self) -> Session:
        if self._db is None:
            raise RuntimeError("unit of work used outside its 'with' block")
        return self._db

    def __enter__(self) -> Self:
        if self._db is not None:
            raise RuntimeError("unit of work is already open")
        self._db = self._session_factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        db = self.db
        self._db = None
        # close() rolls back whatever was not committed; an explicit rollback() first would
        # also expire every loaded object, which costs time and changes nothing here.
        db.close()

    def commit(self) -> None:
        self.db.commit()

    def flush(self) -> None:
        self.db.flush()


class InTransaction:
    """The caller's open transaction on ``db``, for code that takes a unit of work but runs
    inside it: it neither opens, closes nor commits (the caller does)."""

    def __init__(self, db: Session) -> None:
        self._db = db

    @property
    def db(self) -> Session:
        return self._db

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def commit(self) -> None:
        raise RuntimeError("the caller's transaction: the caller commits")

    def flush(self) -> None:
        self._db.flush()
