"""Who is acting in the current request, kiosk push or background job: the audit log's
"who" and "from where", carried in a context variable so that no service has to pass it.

The API's claims dependency, the web session, and the job runner set it; the audit log's
flush listener reads it. It lives below every domain so that each of them may set it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Actor:
    #: staff, member, device, corporate_admin or system
    kind: str
    id: uuid.UUID | None = None
    tenant_id: uuid.UUID | None = None
    #: The staff role, for staff.
    role: str | None = None
    ip: str | None = None
    #: What a system actor is (a job's name).
    name: str | None = None


SYSTEM = Actor("system")

_current: ContextVar[Actor | None] = ContextVar("zmos_actor", default=None)


def current_actor() -> Actor:
    """The acting principal; the system when nobody set one (a job, a CLI command)."""
    return _current.get() or SYSTEM


def set_actor(actor: Actor) -> None:
    """For the rest of this context (a request's task: its worker threads copy it)."""
    _current.set(actor)


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    token = _current.set(actor)
    try:
        yield
    finally:
        _current.reset(token)


#: Told of rows written with a Core bulk insert, which no ORM event sees: (db, table, rows).
BulkObserver = Callable[[Session, str, Sequence[dict[str, Any]]], None]

#: Where a session factory's sessions keep their bulk observer (``sessionmaker(info=…)``).
BULK_OBSERVER_KEY = "zmos_bulk_observer"


#: An execution option on a statement whose rows were already told to the bulk observer: the
#: audit log's statement hook leaves it alone (``insert_rows`` sets it).
OBSERVED_OPTION = "zmos_observed"


def observe_bulk(db: Session, table: str, rows: Sequence[dict[str, Any]]) -> None:
    observer: BulkObserver | None = db.info.get(BULK_OBSERVER_KEY)
    if observer is not None and rows:
        observer(db, table, rows)
