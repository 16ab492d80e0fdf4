"""A unit of work without a database, for use cases tested on their own (rules, guards)."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session


@dataclass
class FakeUnitOfWork:
    """Counts what the use case did with its transaction. Given a session it hands that out;
    without one, touching the database fails the test (the use case was meant not to)."""

    given_db: Session | None = None
    entered: int = 0
    commits: int = 0
    is_open: bool = False

    @property
    def db(self) -> Session:
        if not self.is_open:
            raise RuntimeError("unit of work used outside its 'with' block")
        if self.given_db is None:
            raise AssertionError("the use case touched the database; this unit of work has none")
        return self.given_db

    def __enter__(self) -> Self:
        if self.is_open:
            raise RuntimeError("unit of work is already open")
        self.is_open = True
        self.entered += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.is_open = False

    def commit(self) -> None:
        if not self.is_open:
            raise RuntimeError("commit outside the unit of work")
        self.commits += 1

    def flush(self) -> None:
        if self.given_db is not None:
            self.given_db.flush()
