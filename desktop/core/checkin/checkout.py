"""Check a member out at the desk: find their open visit today at this location, suggest its
minutes, and queue the confirmation (``checkin.checkout.v1``) like any check-in."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from desktop.core.checkin.model import CheckinError
from desktop.core.checkin.outbox import CHECKIN_CHECKOUT, OutboxWriter
from desktop.core.checkin.periods import zone
from desktop.core.store import MemberRepository, ScopeRepository, Store
from desktop.core.store.codec import decode_time, encode_time
from desktop.core.store.door import DoorRows
from shared.eligibility import local_midnight

#: The minutes a check-out may confirm (the server refuses others).
MIN_MINUTES, MAX_MINUTES = 1, 600


class NoOpenVisit(CheckinError):
    """The member has no visit today at this location to check out of; nothing was queued."""


def elapsed_minutes(admitted_at: datetime, now: datetime) -> int:
    """Whole minutes from admission to now on the UTC time line (a DST change in between
    counts as the hour it really was), clamped to what a check-out may confirm."""
    minutes = round((now - admitted_at).total_seconds() / 60)
    return min(MAX_MINUTES, max(MIN_MINUTES, minutes))


@dataclass(frozen=True)
class PastCheckout:
    minutes: int
    completed: bool
    at: datetime


@dataclass(frozen=True)
class OpenVisit:
    checkin_id: uuid.UUID
    member_id: uuid.UUID
    member_name: str
    admitted_at: datetime
    #: The minutes from admission to now, clamped: what the dialog suggests.
    minutes: int
    #: This kiosk's check-out of the visit already (checking out again replaces it).
    previous: PastCheckout | None = None


@dataclass(frozen=True)
class Checkout:
    visit: OpenVisit
    minutes: int
    completed: bool
    at: datetime
    mutation_id: int


class CheckoutService:
    def __init__(self, store: Store, outbox: OutboxWriter, now: Callable[[], datetime]) -> None:
        self._store = store
        self._outbox = outbox
        self._now = now

    def open_visit(self, member_id: uuid.UUID) -> OpenVisit:
        """The member's latest visit today here not checked out yet; else the latest one
        checked out (to correct it). Raises :class:`NoOpenVisit` when there is none."""
        conn = self._store.connection()
        location = ScopeRepository(conn).location_ref()
        if location is None:
            raise CheckinError("This kiosk has no location data yet; enrol it and sync")
        member = MemberRepository(conn).get(member_id)
        if member is None:
            raise NoOpenVisit("This member is not in this kiosk's data; sync, or search again")
        now = self._now()
        tz = zone(location.timezone)
        midnight = local_midnight(now.astimezone(tz).date(), tz)
        visits = sorted(
            (
                v
                for v in DoorRows(conn).visits_here(
                    member_id, location.id, midnight - timedelta(seconds=1)
                )
                if midnight <= v.occurred_at <= now
            ),
            key=lambda v: v.occurred_at,
        )
        if not visits:
            raise NoOpenVisit(f"{member.display_name} has no visit today to check out of")
        done = _checkouts(conn, [v.id for v in visits])
        open_now = [v for v in visits if v.id not in done]
        visit = open_now[-1] if open_now else visits[-1]
        previous = done.get(visit.id)
        if previous is not None and not previous.completed:
            raise NoOpenVisit(
                f"{member.display_name}'s visit today was checked out as not trained already"
            )
        return OpenVisit(
            checkin_id=visit.id,
            member_id=member_id,
            member_name=member.display_name,
            admitted_at=visit.occurred_at,
            minutes=elapsed_minutes(visit.occurred_at, now),
            previous=previous,
        )

    def check_out(self, visit: OpenVisit, *, minutes: int, completed: bool = True) -> Checkout:
        """Queue the check-out; again for the same visit, the latest replaces the first."""
        if not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise CheckinError(f"Minutes must be between {MIN_MINUTES} and {MAX_MINUTES}")
        at = self._now()
        args = {
            "checkin_id": str(visit.checkin_id),
            "member_id": str(visit.member_id),
            "minutes": minutes,
            "completed": completed,
            "checked_out_at": at.isoformat(),
        }
        with self._store.transaction() as conn:
            mutation_id = self._outbox.append(conn, CHECKIN_CHECKOUT, args, at)
            conn.execute(
                """INSERT OR REPLACE INTO local_checkout
                   (checkin_id, member_id, minutes, completed, checked_out_at, mutation_id)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (
                    str(visit.checkin_id),
                    str(visit.member_id),
                    minutes,
                    int(completed),
                    encode_time(at),
                    mutation_id,
                ),
            )
        return Checkout(visit, minutes, completed, at, mutation_id)


def _checkouts(conn: sqlite3.Connection, ids: list[uuid.UUID]) -> dict[uuid.UUID, PastCheckout]:
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"""SELECT checkin_id, minutes, completed, checked_out_at FROM local_checkout
            WHERE checkin_id IN ({marks})""",
        [str(i) for i in ids],
    )
    return {
        uuid.UUID(cid): PastCheckout(int(m), bool(c), decode_time(at)) for cid, m, c, at in rows
    }
