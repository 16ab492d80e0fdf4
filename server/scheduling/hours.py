"""Warnings for classes outside their location's opening hours, special hours or on a
closure day: allowed (outdoor and early classes exist), but never silent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from server.db.uow import UnitOfWork
from server.scheduling.models import ClassSession
from server.tenants.models import Location
from server.tenants.repository import ClosureRepository, closure_days
from shared.closures import hours_warning
from shared.enums import SessionStatus
from shared.opening_hours import OpeningHours

#: A series of a year makes hundreds of instances: name this many, count the rest.
MAX_NAMED = 5


def hours_warnings(
    uow: UnitOfWork, location: Location, sessions: Sequence[ClassSession]
) -> list[str]:
    """One warning per scheduled session outside the hours (the first few named, then a
    count), in the location's local time."""
    scheduled = [s for s in sessions if s.status == SessionStatus.SCHEDULED.value]
    if not scheduled:
        return []
    zone = ZoneInfo(location.timezone)
    first_day = min(s.starts_at for s in scheduled).astimezone(zone).date() - timedelta(days=1)
    closures = [
        closure_days(c)
        for c in ClosureRepository(uow.db, location.tenant_id).of_locations(
            [location.id], ending_from=first_day
        )
    ]
    weekly = OpeningHours.model_validate(location.opening_hours)
    found = []
    for session in sorted(scheduled, key=lambda s: s.starts_at):
        warning = hours_warning(
            weekly, closures, session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
        )
        if warning is not None:
            found.append(warning)
    if len(found) <= MAX_NAMED:
        return found
    more = len(found) - MAX_NAMED
    return [
        *found[:MAX_NAMED],
        f"and {more} more of the {len(scheduled)} classes are outside the location's hours",
    ]
