"""Plain records read from the kiosk cache: plans, members, memberships, check-ins, outbox."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from shared.clock import ensure_utc
from shared.enums import (
    CheckinMethod,
    LimitMode,
    LimitPeriod,
    LocationRule,
    MembershipStatus,
    PlanKind,
)
from shared.sync.snapshot import SnapshotPlan


def ts(value: datetime) -> str:
    """Fixed-width UTC text, so that stored timestamps compare correctly as strings."""
    return ensure_utc(value).isoformat(timespec="microseconds")


def opt_uuid(value: str | None) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(value)


def opt_str(value: object | None) -> str | None:
    return None if value is None else str(value)


def opt_date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


@dataclass(frozen=True)
class CachedPlan:
    """An access plan; the same fields as :class:`shared.sync.snapshot.SnapshotPlan`."""

    id: uuid.UUID
    name: str
    kind: PlanKind
    price: Decimal
    currency: str
    credits: int | None
    validity_days: int | None
    location_rule: LocationRule
    location_ids: tuple[uuid.UUID, ...]
    visit_limit: int | None
    visit_limit_period: LimitPeriod | None
    visit_limit_mode: LimitMode
    active: bool

    @classmethod
    def from_snapshot(cls, plan: SnapshotPlan) -> CachedPlan:
        data = plan.model_dump()
        data["location_ids"] = tuple(plan.location_ids)
        return cls(**data)

    @classmethod
    def from_json(cls, text: str) -> CachedPlan:
        return _plan_from_json(text)

    def to_json(self) -> str:
        data: dict[str, Any] = dict(self.__dict__)
        data["location_ids"] = list(self.location_ids)
        return SnapshotPlan(**data).model_dump_json()


@functools.lru_cache(maxsize=256)
def _plan_from_json(text: str) -> CachedPlan:
    """Plans are few and immutable: parse each stored document once."""
    return CachedPlan.from_snapshot(SnapshotPlan.model_validate_json(text))


@dataclass(frozen=True)
class CachedMembership:
    """A membership with its plan, pulled or sold here (``local``).

    ``credits_remaining`` already counts this kiosk's admissions the server has not seen.
    """

    id: uuid.UUID
    member_id: uuid.UUID
    plan: CachedPlan
    status: MembershipStatus
    starts_on: date
    ends_on: date | None
    frozen_until: date | None
    credits_remaining: int | None
    home_location_id: uuid.UUID | None
    local: bool = False

    @property
    def plan_id(self) -> uuid.UUID:
        return self.plan.id


@dataclass(frozen=True)
class MemberRecord:
    id: uuid.UUID
    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None
    barcode: str | None = None
    card_number: str | None = None
    home_location_id: uuid.UUID | None = None
    guest_of_id: uuid.UUID | None = None
    #: Registered at this kiosk and not yet part of a snapshot.
    local: bool = False

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class CheckinRecord:
    id: uuid.UUID
    member_id: uuid.UUID
    membership_id: uuid.UUID | None
    pass_id: uuid.UUID | None
    method: CheckinMethod
    admitted: bool
    reason: str
    warning: str | None
    override_staff_id: uuid.UUID | None
    override_reason: str | None
    occurred_at: datetime
    mutation_id: int = 0


@dataclass(frozen=True)
class OutboxEntry:
    mutation_id: int
    name: str
    args: dict[str, Any]
    device_time: datetime
    hlc: str
    created_at: datetime
