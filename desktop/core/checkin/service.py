"""Check a member in: decide with the injected eligibility rules, then record the decision
and its outbox row in one transaction."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from desktop.core.checkin import streak
from desktop.core.checkin.benefits import with_benefit
from desktop.core.checkin.model import (
    CheckinError,
    CheckinOutcome,
    Decider,
    Decision,
    Override,
)
from desktop.core.checkin.outbox import CHECKIN_CREATE, OutboxWriter
from desktop.core.checkin.periods import period_start, zone
from desktop.core.store import (
    CachedMembership,
    CheckinRecord,
    LocalRepository,
    LocationRef,
    MemberRepository,
    ScopeRepository,
    Store,
)
from desktop.core.store.codec import decode_time, opt_str
from desktop.core.store.door import DoorRows
from desktop.core.store.pulled import PulledRows
from shared.door_rules import Admission, reentry_of, reentry_reason
from shared.enums import CheckinMethod
from shared.ids import new_id

#: The same member again within this many seconds is the same visit (a double scan).
DEBOUNCE_SECONDS = 5.0
MEMBER_NOT_FOUND = "This member is not in this kiosk's data; sync, or search again"


#: Runs inside an admission's transaction (e.g. marks a session booking attended); raising
#: undoes the whole check-in.
AlsoWrite = Callable[[sqlite3.Connection, CheckinRecord], None]


@dataclass
class _Recent:
    at: float
    outcome: CheckinOutcome


class CheckinService:
    def __init__(
        self,
        *,
        store: Store,
        decider: Decider | None,
        outbox: OutboxWriter,
        now: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
        debounce_seconds: float = DEBOUNCE_SECONDS,
    ) -> None:
        self._store = store
        #: The eligibility rules; None refuses every check-in with a message saying so.
        self.decider = decider
        self._outbox = outbox
        self._now = now
        self._monotonic = monotonic
        self._debounce = debounce_seconds
        self._recent: dict[uuid.UUID, _Recent] = {}
        self._lock = threading.Lock()

    def forget(self, member_id: uuid.UUID) -> None:
        """Let the next check-in of this member be decided afresh (e.g. after a sale)."""
        with self._lock:
            self._recent.pop(member_id, None)

    def check_in(
        self,
        member_id: uuid.UUID,
        method: CheckinMethod,
        *,
        override: Override | None = None,
        pass_id: uuid.UUID | None = None,
        booking_id: uuid.UUID | None = None,
        credit_prepaid: bool = False,
        also: AlsoWrite | None = None,
    ) -> CheckinOutcome:
        """``booking_id``: a check-in into that booking's session, which holds the class-pack
        credit (none is taken here; with ``credit_prepaid`` the member already holds that
        booking, so a pack spent on it still admits); ``also`` runs in the same transaction
        if admitted. Such
        check-ins are never debounced (the session's roster says whether it happened)."""
        if override is None and booking_id is None:
            with self._lock:
                recent = self._recent.get(member_id)
                if recent and self._monotonic() - recent.at < self._debounce:
                    return replace(recent.outcome, repeated=True)
        if override is not None and not override.reason.strip():
            raise CheckinError("Give a reason for the override")
        decider = self.decider
        if decider is None:
            raise CheckinError("This kiosk has no eligibility rules configured")
        conn = self._store.connection()
        location = ScopeRepository(conn).location_ref()
        if location is None:
            raise CheckinError("This kiosk has no location data yet; enrol it and sync")
        member = MemberRepository(conn).get(member_id)
        if member is None:
            return CheckinOutcome(False, MEMBER_NOT_FOUND, method, member_id=member_id)
        at = self._now()
        memberships = MemberRepository(conn).memberships([member_id])
        repeat = self._reentry(conn, member_id, location, at)
        if repeat is not None:
            # Already in: admitted as that visit, with nothing taken (the server agrees).
            decision = Decision(True, reentry_reason(repeat, zone(location.timezone)))
        else:
            decision = decider(
                memberships=memberships,
                member_home_location_id=member.home_location_id,
                location_id=location.id,
                location_timezone=location.timezone,
                at=at,
                visits_used=self._visits_used(memberships, location, at),
                credit_prepaid=credit_prepaid,
            )
            decision = with_benefit(conn, member_id, decision, at)
        admitted = decision.admitted or override is not None
        record = CheckinRecord(
            id=new_id(),
            member_id=member_id,
            membership_id=decision.membership_id,
            pass_id=pass_id,
            method=method,
            admitted=admitted,
            reason=decision.reason,
            warning=decision.warning,
            override_staff_id=override.staff_id if override else None,
            override_reason=override.reason.strip() if override else None,
            occurred_at=at,
            repeat_of=repeat.id if repeat is not None else None,
        )
        charged = next((m for m in memberships if m.id == decision.membership_id), None)
        if booking_id is not None:
            charged = None
        self._record(
            record, location, charged if admitted else None, booking_id, also if admitted else None
        )
        warning = decision.warning
        if repeat is not None:
            warning = decision.reason[:1].upper() + decision.reason[1:]
        elif override is not None:
            warning = f"Staff override: {record.override_reason}"
        outcome = CheckinOutcome(
            admitted=admitted,
            reason=decision.reason,
            method=method,
            warning=warning,
            member_id=member_id,
            member_name=member.display_name,
            membership_id=decision.membership_id,
            checkin_id=record.id,
            override=override,
            reentry=repeat is not None,
            staff_note=decision.staff_note,
        )
        with self._lock:
            self._recent[member_id] = _Recent(self._monotonic(), outcome)
        return outcome

    def _record(
        self,
        c: CheckinRecord,
        location: LocationRef,
        charged: CachedMembership | None,
        booking_id: uuid.UUID | None = None,
        also: AlsoWrite | None = None,
    ) -> None:
        args = {
            "checkin_id": str(c.id),
            "member_id": str(c.member_id),
            "location_id": str(location.id),
            "membership_id": opt_str(c.membership_id),
            "pass_id": opt_str(c.pass_id),
            "method": c.method.value,
            "admitted": c.admitted,
            "reason": c.reason,
            "warning": c.warning,
            "override_by": opt_str(c.override_staff_id),
            "override_reason": c.override_reason,
            "occurred_at": c.occurred_at.isoformat(),
        }
        if booking_id is not None:
            args["booking_id"] = str(booking_id)
        with self._store.transaction() as conn:
            mutation_id = self._outbox.append(conn, CHECKIN_CREATE, args, c.occurred_at)
            local = LocalRepository(conn)
            local.add_checkin(replace(c, mutation_id=mutation_id))
            if charged is not None and charged.credits_remaining is not None:
                local.use_credit(charged.id, local=charged.local)
            if also is not None:
                also(conn, c)
            # A re-entry is the same visit: the server records no movement for it.
            if c.admitted and c.repeat_of is None:
                streak.record_admission(conn, c.member_id, c.id, c.occurred_at, location.timezone)

    def _reentry(
        self, conn: sqlite3.Connection, member_id: uuid.UUID, location: LocationRef, at: datetime
    ) -> Admission | None:
        window = DoorRows(conn).policy().reentry_window
        if window.total_seconds() <= 0:
            return None
        visits = DoorRows(conn).visits_here(member_id, location.id, at - window)
        return reentry_of(visits, at, window)

    def _visits_used(
        self, memberships: list[CachedMembership], location: LocationRef, at: datetime
    ) -> dict[uuid.UUID, int]:
        """Per limited membership: admissions in the current period, wherever they happened.

        The server sends the period's admissions with the snapshot and every new one since
        through pulls; this kiosk's own are in its local rows until the server's copy comes
        back. The same visit in both places counts once (by its id).
        """
        limited = [m for m in memberships if m.plan.visit_limit_period is not None]
        if not limited:
            return {}
        conn = self._store.connection()
        pulled, local = PulledRows(conn), LocalRepository(conn)
        used: dict[uuid.UUID, int] = {}
        for m in limited:
            assert m.plan.visit_limit_period is not None
            start = period_start(at, m.plan.visit_limit_period, location.timezone)
            visits = {**pulled.admissions(m.id), **local.admissions(m.id)}
            times = (decode_time(when) for when in visits.values())
            used[m.id] = sum(1 for when in times if when >= start)
        return used
