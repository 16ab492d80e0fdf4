"""Sessions at the kiosk's location: today's and tomorrow's timetable with live places, the
roster, check-ins into a session and walk-in bookings. Offline, from the local cache; every
action is one SQLite transaction writing its local rows and outbox rows.

The server has the last word: a booking made here that no longer fits when
it arrives is waitlisted, and if the member was also checked in here a review item is opened;
the pulled booking then shows it ("waitlisted — review").
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from desktop.core.checkin.model import CheckinError, CheckinOutcome, Override
from desktop.core.checkin.outbox import BOOKING_ATTEND, BOOKING_CREATE, OutboxWriter
from desktop.core.checkin.periods import zone
from desktop.core.checkin.service import CheckinService
from desktop.core.store import (
    CheckinRecord,
    MemberRepository,
    RosterEntry,
    ScopeRepository,
    SessionView,
    Store,
)
from desktop.core.store.codec import opt_str
from desktop.core.store.door import DoorRows
from desktop.core.store.sessions import SessionRows
from shared.carepath.screening import above_low, limited_offline
from shared.door_rules import DoorPolicy, class_checkin_refusal
from shared.enums import BookingStatus, CheckinMethod
from shared.ids import new_id

#: How far back a class that is still running can have started.
LONGEST_SESSION = timedelta(hours=12)


@dataclass(frozen=True)
class SessionCheckin:
    """A check-in into a session: the door decision, and the booking marked attended."""

    outcome: CheckinOutcome
    session: SessionView
    #: The booking attended (None when the door refused).
    booking_id: uuid.UUID | None = None
    #: A booking was made for this check-in (the member had none).
    booked_now: bool = False
    #: The member had already been checked into this session: nothing was recorded.
    already: bool = False


class NeedsPass(CheckinError):
    """The member holds nothing that admits them to the session: sell them a pass first.
    ``today``: the session is on the location's today, so a day pass sold now covers it."""

    def __init__(self, message: str, *, member_id: uuid.UUID, today: bool) -> None:
        super().__init__(message)
        self.member_id = member_id
        self.today = today


@dataclass(frozen=True)
class SessionBooking:
    booking_id: uuid.UUID
    member_id: uuid.UUID
    member_name: str
    session: SessionView


class SessionService:
    def __init__(
        self,
        *,
        store: Store,
        checkins: CheckinService,
        outbox: OutboxWriter,
        now: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._checkins = checkins
        self._outbox = outbox
        self._now = now

    # -- queries -----------------------------------------------------------------------------

    def _rows(self) -> SessionRows:
        return SessionRows(self._store.connection())

    def local_clock(self, at: datetime) -> str:
        return at.astimezone(zone(self._timezone())).strftime("%H:%M")

    def local_today(self) -> date:
        return self._now().astimezone(zone(self._timezone())).date()

    def _timezone(self) -> str:
        ref = ScopeRepository(self._store.connection()).location_ref()
        return ref.timezone if ref else "UTC"

    def on_day(self, day: date) -> list[SessionView]:
        """Sessions starting on ``day`` (the location's local date), in time order."""
        tz = zone(self._timezone())
        start = datetime.combine(day, time(), tz)
        end = datetime.combine(day + timedelta(days=1), time(), tz)
        return self._rows().sessions(start, end)

    def today(self) -> list[SessionView]:
        return self.on_day(self.local_today())

    def tomorrow(self) -> list[SessionView]:
        return self.on_day(self.local_today() + timedelta(days=1))

    def session(self, session_id: uuid.UUID) -> SessionView:
        found = self._rows().session(session_id)
        if found is None:
            raise CheckinError("This session is not in this kiosk's data; sync and try again")
        return found

    def door_policy(self) -> DoorPolicy:
        return DoorRows(self._store.connection()).policy()

    def checkin_refusal(self, session: SessionView) -> str | None:
        """Why the session cannot be checked into now (its check-in opens a while before
        the start and closes at the end), or None."""
        return class_checkin_refusal(
            session.name,
            session.starts_at,
            session.ends_at,
            self._now(),
            self.door_policy(),
            zone(self._timezone()),
        )

    def booked_now(self, member_id: uuid.UUID) -> SessionView | None:
        """The class here the member holds a place in whose check-in is open (from the
        policy's window before the start until the end): a check-in at the door is a
        check-in into it."""
        now = self._now()
        rows = self._rows()
        # Inclusive, as the server's: a class starting exactly the window ahead is open.
        opens = self.door_policy().class_checkin_opens + timedelta(microseconds=1)
        start, end = now - LONGEST_SESSION, now + opens
        # Most people at the door have no booking: one query says so.
        booked = rows.booked_in(member_id, start, end)
        if not booked:
            return None
        for view in rows.sessions(start, end):
            if view.id not in booked or view.cancelled or view.ends_at <= now:
                continue
            booking = rows.booking_of(view.id, member_id)
            # Attended already: a scan now is a re-entry at the door, as on the server.
            confirmed = booking is not None and booking.status is BookingStatus.CONFIRMED
            if confirmed and booking is not None and not booking.attended:
                return view
        return None

    def roster(self, session_id: uuid.UUID) -> list[RosterEntry]:
        return self._rows().roster(session_id)

    # -- check-in ----------------------------------------------------------------------------

    def check_in_if_booked(
        self,
        member_id: uuid.UUID,
        method: CheckinMethod,
        *,
        override: Override | None,
        pass_id: uuid.UUID | None,
    ) -> CheckinOutcome | None:
        """At the door: a member with a place in a class whose check-in is open is checked
        into that class, which marks the booking attended. None when
        they hold no such place (a check-in to the floor, then)."""
        booked = self.booked_now(member_id)
        if booked is None:
            return None
        result = self.check_in(booked.id, member_id, method, override=override, pass_id=pass_id)
        outcome = result.outcome
        if outcome.admitted and not result.already:
            starts = self.local_clock(booked.starts_at)
            outcome = replace(outcome, reason=f"{outcome.reason} · into {booked.name} {starts}")
        return outcome

    def check_in(
        self,
        session_id: uuid.UUID,
        member_id: uuid.UUID,
        method: CheckinMethod,
        *,
        override: Override | None = None,
        pass_id: uuid.UUID | None = None,
    ) -> SessionCheckin:
        """The door rules decide as for any check-in; if admitted, the member's booking is
        marked attended, or (no booking) a booking is made and attended, in the same
        transaction as the check-in. Only while the class's check-in is open: from the
        policy's window before the start until the end."""
        session = self._open(session_id)
        refusal = self.checkin_refusal(session)
        if refusal is not None:
            raise CheckinError(refusal)
        rows = self._rows()
        member = MemberRepository(self._store.connection()).get(member_id)
        if member is None:
            raise CheckinError("This member is not in this kiosk's data; sync, or search again")
        booking = rows.booking_of(session_id, member_id)
        if booking is not None and booking.attended:
            outcome = CheckinOutcome(
                True,
                f"already checked into {session.name}",
                method,
                member_id=member_id,
                member_name=member.display_name,
                repeated=True,
            )
            return SessionCheckin(outcome, session, booking.id, already=True)
        if booking is not None and booking.status is BookingStatus.WAITLISTED:
            line = f"#{booking.waitlist_place} in line" if booking.waitlist_place else "pending"
            raise CheckinError(
                f"{member.display_name} is on the waitlist for {session.name} "
                f"({line}), without a place"
            )
        if booking is None and session.free <= 0:
            raise CheckinError(f"{session.name} is full: {member.display_name} has no booking")
        booking_id = booking.id if booking is not None else new_id()
        new = booking is None

        def attend(conn: sqlite3.Connection, record: CheckinRecord) -> None:
            if new:
                self._write_booking(conn, session_id, member_id, booking_id, record.occurred_at)
            args = {
                "booking_id": str(booking_id),
                "session_id": str(session_id),
                "member_id": str(member_id),
                "checked_in_at": record.occurred_at.isoformat(),
                "checkin_id": str(record.id),
            }
            mutation_id = self._outbox.append(conn, BOOKING_ATTEND, args, record.occurred_at)
            SessionRows(conn).add_attendance(
                booking_id=booking_id,
                session_id=session_id,
                member_id=member_id,
                checked_in_at=record.occurred_at,
                checkin_id=record.id,
                mutation_id=mutation_id,
            )

        outcome = self._checkins.check_in(
            member_id,
            method,
            override=override,
            pass_id=pass_id,
            booking_id=booking_id,
            # A booking the server already holds took its class-pack credit when it was made.
            credit_prepaid=not new,
            also=attend,
        )
        if not outcome.admitted:
            return SessionCheckin(outcome, session)
        return SessionCheckin(outcome, self.session(session_id), booking_id, booked_now=new)

    # -- booking -----------------------------------------------------------------------------

    def book(
        self, session_id: uuid.UUID, member_id: uuid.UUID, *, staff_id: uuid.UUID | None = None
    ) -> SessionBooking:
        """Book a member (a walk-in, or anyone at the desk) into a session with free places."""
        session = self._open(session_id)
        conn = self._store.connection()
        members = MemberRepository(conn)
        member = members.get(member_id)
        if member is None:
            raise CheckinError("Choose who to book")
        if self._rows().booking_of(session_id, member_id) is not None:
            raise CheckinError(f"{member.display_name} is already booked on {session.name}")
        if session.free <= 0:
            raise CheckinError(f"{session.name} is full")
        self._screening_gate(members, member_id, member.display_name, session)
        decider = self._checkins.decider
        ref = ScopeRepository(conn).location_ref()
        if decider is not None and ref is not None:
            decision = decider(
                memberships=members.memberships([member_id]),
                member_home_location_id=member.home_location_id,
                location_id=ref.id,
                location_timezone=ref.timezone,
                at=session.starts_at,
                visits_used={},
            )
            if not decision.admitted:
                local = zone(ref.timezone)
                raise NeedsPass(
                    f"{member.display_name} cannot book {session.name}: {decision.reason}. "
                    "Sell a pass first",
                    member_id=member_id,
                    today=session.starts_at.astimezone(local).date()
                    == self._now().astimezone(local).date(),
                )
        booking_id = new_id()
        with self._store.transaction() as tx:
            self._write_booking(tx, session_id, member_id, booking_id, self._now(), staff_id)
        return SessionBooking(booking_id, member_id, member.display_name, self.session(session_id))

    # -- internals ---------------------------------------------------------------------------

    def _screening_gate(
        self, members: MemberRepository, member_id: uuid.UUID, name: str, session: SessionView
    ) -> None:
        """As the server's booking gate, offline: a member whose screening needs a clearance
        books low-intensity classes only (the server would refuse the booking when it
        arrives). A class whose intensity the kiosk does not know counts as above low."""
        limited, cleared_until = members.screening_limit(member_id)
        on = session.starts_at.astimezone(zone(self._timezone())).date()
        if not limited_offline(limited, cleared_until, on):
            return
        if above_low(self._rows().intensity(session.id)):
            raise CheckinError(
                f"{name} cannot book {session.name}: their health questionnaire needs a "
                "staff clearance before moderate or harder classes (low-intensity classes "
                "only until then)"
            )

    def _open(self, session_id: uuid.UUID) -> SessionView:
        session = self.session(session_id)
        if session.cancelled:
            raise CheckinError(f"{session.name} was cancelled")
        if session.ends_at <= self._now():
            raise CheckinError(f"{session.name} is over")
        return session

    def _write_booking(
        self,
        conn: sqlite3.Connection,
        session_id: uuid.UUID,
        member_id: uuid.UUID,
        booking_id: uuid.UUID,
        at: datetime,
        staff_id: uuid.UUID | None = None,
    ) -> None:
        """The booking and its outbox row, in the caller's transaction, if a place is still
        free as seen inside it."""
        live = SessionRows(conn).session(session_id)
        if live is None or live.free <= 0:
            raise CheckinError("That session has just filled up")
        args = {
            "id": str(booking_id),
            "session_id": str(session_id),
            "member_id": str(member_id),
            "booked_at": at.isoformat(),
            "staff_id": opt_str(staff_id),
        }
        mutation_id = self._outbox.append(conn, BOOKING_CREATE, args, at)
        SessionRows(conn).add_booking(
            booking_id=booking_id,
            session_id=session_id,
            member_id=member_id,
            booked_at=at,
            staff_id=staff_id,
            mutation_id=mutation_id,
        )
