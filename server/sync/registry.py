"""What domains plug into sync: their pushed mutations, their synced tables, their parts of
the kiosk snapshot, and (the devices domain) who a kiosk is.

``registry.mutations.register("checkin.create.v1", CheckinCreateArgs, handler)``: the push engine
validates a mutation's args with the model and calls the handler inside a savepoint of the
push transaction. A handler raises :class:`MutationRejected` (or a domain error) for a
mutation that can never apply; the queue moves on.

A mutation registered with a ``batch`` factory is applied many at a time: consecutive
mutations of that name share one :class:`MutationBatch` (data read up front, rows written
together) and one savepoint; its handler must raise only before it has changed anything.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.db.uow import UnitOfWork
from server.errors import DomainError
from server.ports.analytics import PublishedEvent
from server.ports.eligibility import EligibilityService
from server.ports.identity import AccessClaims
from server.ports.payments import PaymentService
from server.sync import review
from server.sync.changes import SyncedTables
from server.sync.kiosks import KioskDevice, KioskLocation, Kiosks, OutboxReport
from server.sync.models import ReviewItem
from shared.sync.messages import Mutation, is_versioned_mutation_name

A = TypeVar("A", bound=BaseModel)


class MutationRejected(Exception):
    """This mutation can never apply; ``str(exc)`` says why, for staff to read."""


def readable(exc: BaseException) -> str:
    """Why a mutation was rejected, for staff to read."""
    if isinstance(exc, ValidationError):
        problems = [
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        ]
        return "the arguments are not valid: " + "; ".join(problems)
    if isinstance(exc, DomainError):
        return exc.detail
    if isinstance(exc, IntegrityError):
        return "it clashes with data already on the server"
    return str(exc) or type(exc).__name__


class MutationBatch(Protocol):
    """Consecutive mutations of one name, applied together (see the module's docstring)."""

    def prepare(self, args: list[Any]) -> None:
        """Read up front what the handler will need for all of ``args``."""

    def staged(self) -> int:
        """How many changes are staged so far (a handler that failed after staging one
        makes the batch fall back to one savepoint per mutation)."""

    def write(self) -> None:
        """Write the staged rows into the open transaction."""


@dataclass
class MutationContext:
    uow: UnitOfWork
    tenant_id: uuid.UUID
    device: KioskDevice
    location: KioskLocation
    eligibility: EligibilityService
    payments: PaymentService
    mutation: Mutation
    now: datetime
    #: Events to publish once the push has committed.
    published: list[PublishedEvent] = field(default_factory=list)
    review_items: list[ReviewItem] = field(default_factory=list)
    clamped: bool = False
    #: The batch this mutation is applied in, for a mutation registered with one.
    batch: Any = None
    #: Who serves where (the push sets it; domains that may not import staff ask here).
    kiosks: Kiosks | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.location.timezone)

    def local(self, at: datetime) -> str:
        return at.astimezone(self.tz).strftime("%d %b %Y %H:%M")

    def check_staff(self, staff_id: uuid.UUID | None) -> None:
        """Refuse the mutation unless ``staff_id`` (when given) is staff of the tenant who
        may work at this kiosk's location."""
        if staff_id is None:
            return
        if self.kiosks is None or not self.kiosks.serves_here(
            uow=self.uow, device=self.device, staff_id=staff_id
        ):
            raise MutationRejected(f"staff_id {staff_id} is not staff of this location")

    def review(
        self,
        kind: str,
        summary: str,
        *,
        member_id: uuid.UUID | None = None,
        checkin_id: uuid.UUID | None = None,
    ) -> ReviewItem:
        item = review.open_item(
            self.uow.db,
            self.tenant_id,
            location_id=self.location.id,
            kind=kind,
            summary=summary,
            member_id=member_id,
            checkin_id=checkin_id,
            device_id=self.device.id,
            mutation_id=self.mutation.mutation_id,
            now=self.now,
        )
        self.review_items.append(item)
        return item


#: What the handler wants said in the mutation's result, besides "applied".
Handler = Callable[[MutationContext, A], str | None]


BatchFactory = Callable[[MutationContext], MutationBatch]


@dataclass(frozen=True)
class Registration(Generic[A]):
    name: str
    args: type[A]
    handler: Handler[A]
    batch: BatchFactory | None = None

    def apply(self, context: MutationContext, raw_args: dict[str, Any]) -> str | None:
        return self.handler(context, self.args.model_validate(raw_args))


class MutationRegistry:
    """The mutations this server applies, by versioned name."""

    def __init__(self) -> None:
        self._by_name: dict[str, Registration[Any]] = {}

    def register(
        self, name: str, args: type[A], handler: Handler[A], *, batch: BatchFactory | None = None
    ) -> None:
        if not is_versioned_mutation_name(name):
            raise ValueError(f"{name!r} is not a versioned mutation name like 'checkin.create.v1'")
        if name in self._by_name:
            raise ValueError(f"mutation {name!r} is registered twice")
        self._by_name[name] = Registration(name, args, handler, batch)

    def registration(self, name: str) -> Registration[Any] | None:
        return self._by_name.get(name)


@dataclass(frozen=True)
class SnapshotScope:
    """What a part of a kiosk's snapshot is read for: one location, as of ``now``."""

    db: Session
    tenant_id: uuid.UUID
    location: KioskLocation
    now: datetime
    tz: ZoneInfo
    #: The fields the parts before this one gave (a part may build on them).
    fields: Mapping[str, Any]
    #: The calling kiosk's PIN key (None for a device the server has no key of yet).
    device_key: bytes | None = None


#: Some fields of :class:`shared.sync.snapshot.KioskSnapshot`, read in the snapshot's
#: transaction.
SnapshotPart = Callable[[SnapshotScope], dict[str, Any]]


class _NoKiosks:
    def live_device(self, *, uow: UnitOfWork, claims: AccessClaims) -> KioskDevice:
        raise RuntimeError("no domain registered the kiosk directory")

    def location(self, *, uow: UnitOfWork, device: KioskDevice) -> KioskLocation:
        raise RuntimeError("no domain registered the kiosk directory")

    def serves_here(self, *, uow: UnitOfWork, device: KioskDevice, staff_id: uuid.UUID) -> bool:
        raise RuntimeError("no domain registered the kiosk directory")

    def note_contact(
        self, *, uow: UnitOfWork, device: KioskDevice, report: OutboxReport | None
    ) -> bool:
        raise RuntimeError("no domain registered the kiosk directory")


@dataclass
class SyncRegistry:
    """Built by bootstrap; each domain's ``register`` adds what it brings."""

    mutations: MutationRegistry = field(default_factory=MutationRegistry)
    tables: SyncedTables = field(default_factory=SyncedTables)
    #: Run in order, each seeing the fields of those before it.
    snapshot_parts: list[SnapshotPart] = field(default_factory=list)
    kiosks: Kiosks = field(default_factory=_NoKiosks)
