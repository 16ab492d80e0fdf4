"""Small pieces both ways of deciding locally share: zones, and the rules' decision as the
port's."""

from __future__ import annotations

import uuid
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from server.errors import NotFound
from server.ports.eligibility import EligibilityDecision
from server.tenants.models import Location
from shared import eligibility as rules


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def location_zone(db: Session, tenant_id: uuid.UUID, location_id: uuid.UUID) -> ZoneInfo:
    """The location's zone, from the unit of work when the caller has read the location already."""
    location = db.get(Location, (tenant_id, location_id))
    if location is None:
        raise NotFound(f"location {location_id} was not found")
    return zone(location.timezone)


def as_decision(decision: rules.Decision) -> EligibilityDecision:
    return EligibilityDecision(
        admitted=decision.admitted,
        reason=decision.reason,
        membership_id=decision.membership_id,
        warning=decision.warning,
        consumes_credit=decision.consumes_credit,
    )
