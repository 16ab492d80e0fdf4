"""The session operations of :class:`~desktop.core.kiosk.KioskCore` (a mixin, to keep the
facade small). Every method works offline: only the cache and the outbox are used."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import TYPE_CHECKING

from desktop.core.checkin.model import CheckinOutcome, Override
from desktop.core.checkin.search import unknown_code_message
from desktop.core.sessions.service import SessionBooking, SessionCheckin, SessionService
from desktop.core.store import RosterEntry, SessionView
from shared.enums import CheckinMethod

if TYPE_CHECKING:
    from desktop.core.checkin.desk import CheckinOperations
    from desktop.core.scanning import ScanResult

    _Base = CheckinOperations
else:
    _Base = object


class SessionOperations(_Base):
    def _init_sessions(self) -> None:
        self.sessions = SessionService(
            store=self.store,
            checkins=self.checkins,
            decider=lambda: self.decider,
            outbox=self._outbox,
            now=self._now,
        )

    # -- queries ---------------------------------------------------------------------------

    def sessions_today(self) -> list[SessionView]:
        return self.sessions.today()

    def sessions_tomorrow(self) -> list[SessionView]:
        return self.sessions.tomorrow()

    def session_view(self, session_id: uuid.UUID) -> SessionView:
        return self.sessions.session(session_id)

    def roster(self, session_id: uuid.UUID) -> list[RosterEntry]:
        return self.sessions.roster(session_id)

    # -- commands --------------------------------------------------------------------------

    def check_in(
        self,
        member_id: uuid.UUID,
        method: CheckinMethod,
        *,
        override: Override | tuple[uuid.UUID, str] | None = None,
        pass_id: uuid.UUID | None = None,
    ) -> CheckinOutcome:
        """At the door: a member with a place in a class starting within half an hour (or
        running) is checked into that class, which marks the booking attended; anyone else
        is checked in to the floor."""
        booked = self.sessions.booked_now(member_id)
        if booked is None:
            return super().check_in(member_id, method, override=override, pass_id=pass_id)
        result = self.check_in_session(
            booked.id, member_id, method, override=override, pass_id=pass_id
        )
        outcome = result.outcome
        if outcome.admitted and not result.already:
            starts = self.sessions.local_clock(booked.starts_at)
            outcome = replace(outcome, reason=f"{outcome.reason} · into {booked.name} {starts}")
        return outcome

    def check_in_session(
        self,
        session_id: uuid.UUID,
        member_id: uuid.UUID,
        method: CheckinMethod = CheckinMethod.MANUAL,
        *,
        override: Override | tuple[uuid.UUID, str] | None = None,
        pass_id: uuid.UUID | None = None,
    ) -> SessionCheckin:
        """Check a member into a session (from the roster, a search or a scan)."""
        if isinstance(override, tuple):
            override = Override(*override)
        return self.sessions.check_in(
            session_id, member_id, method, override=override, pass_id=pass_id
        )

    def check_in_session_code(self, session_id: uuid.UUID, code: str) -> SessionCheckin:
        """A barcode or card scanned while a session is selected."""
        member = self.search.by_barcode(code)
        method = CheckinMethod.BARCODE
        if member is None:
            member, method = self.search.by_card(code), CheckinMethod.CARD
        if member is None:
            refused = CheckinOutcome(False, unknown_code_message(code), CheckinMethod.CARD)
            return SessionCheckin(refused, self.sessions.session(session_id))
        return self.check_in_session(session_id, member.id, method)

    def check_in_session_scan(
        self, session_id: uuid.UUID, result: ScanResult
    ) -> SessionCheckin | None:
        """A camera scan while a session is selected; a refused pass records nothing."""
        kind = str(result.kind)
        if kind == "pass_ok" and result.claims is not None:
            claims = result.claims
            return self.check_in_session(
                session_id, claims.member_id, CheckinMethod.QR, pass_id=claims.pass_id
            )
        if kind == "pass_refused":
            refused = CheckinOutcome(
                False, result.reason or "This pass is not valid", CheckinMethod.QR
            )
            return SessionCheckin(refused, self.sessions.session(session_id))
        if kind == "barcode":
            return self.check_in_session_code(session_id, result.text)
        return None

    def book_session(
        self, session_id: uuid.UUID, member_id: uuid.UUID, *, staff_id: uuid.UUID | None = None
    ) -> SessionBooking:
        """Book a walk-in (an existing member, or one just registered here) into a session
        with free places."""
        return self.sessions.book(session_id, member_id, staff_id=staff_id)
