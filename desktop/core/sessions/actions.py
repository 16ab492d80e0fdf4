"""What staff do at the classes screen: today's and tomorrow's sessions with live places,
rosters, check-ins into a session (from the roster, a search or a scan) and bookings. Every
action works offline: only the cache and the outbox are used."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from desktop.core.checkin.model import CheckinOutcome, OverrideArg, as_override
from desktop.core.checkin.search import MemberSearch, unknown_code_message
from desktop.core.checkin.typed_pass import TypedPassReader
from desktop.core.sessions.service import SessionBooking, SessionCheckin, SessionService
from desktop.core.store import RosterEntry, SessionView
from shared.enums import CheckinMethod

if TYPE_CHECKING:
    from desktop.core.scanning import ScanResult


class SessionActions:
    def __init__(
        self, *, sessions: SessionService, search: MemberSearch, passes: TypedPassReader
    ) -> None:
        self._sessions = sessions
        self._search = search
        self._passes = passes

    # -- queries ---------------------------------------------------------------------------

    def today(self) -> list[SessionView]:
        return self._sessions.today()

    def tomorrow(self) -> list[SessionView]:
        return self._sessions.tomorrow()

    def session(self, session_id: uuid.UUID) -> SessionView:
        return self._sessions.session(session_id)

    def roster(self, session_id: uuid.UUID) -> list[RosterEntry]:
        return self._sessions.roster(session_id)

    # -- commands --------------------------------------------------------------------------

    def check_in(
        self,
        session_id: uuid.UUID,
        member_id: uuid.UUID,
        method: CheckinMethod = CheckinMethod.MANUAL,
        *,
        override: OverrideArg = None,
        pass_id: uuid.UUID | None = None,
    ) -> SessionCheckin:
        """Check a member into a session (from the roster, a search or a scan)."""
        return self._sessions.check_in(
            session_id, member_id, method, override=as_override(override), pass_id=pass_id
        )

    def check_in_code(self, session_id: uuid.UUID, code: str) -> SessionCheckin:
        """A barcode or card scanned while a session is selected (or a pass a 2D scanner
        typed: verified like one the camera read)."""
        if self._passes.is_pass(code):
            verdict = self._passes.verify(code)
            if verdict is None or not verdict.ok or verdict.claims is None:
                reason = verdict.reason if verdict is not None else "This pass cannot be checked"
                refused = CheckinOutcome(False, reason, CheckinMethod.QR)
                return SessionCheckin(refused, self._sessions.session(session_id))
            claims = verdict.claims
            return self.check_in(
                session_id, claims.member_id, CheckinMethod.QR, pass_id=claims.pass_id
            )
        member, method = self._search.by_scanned_code(code)
        if member is None:
            refused = CheckinOutcome(False, unknown_code_message(code), CheckinMethod.CARD)
            return SessionCheckin(refused, self._sessions.session(session_id))
        return self.check_in(session_id, member.id, method)

    def check_in_scan(self, session_id: uuid.UUID, result: ScanResult) -> SessionCheckin | None:
        """A camera scan while a session is selected; a refused pass records nothing."""
        kind = str(result.kind)
        if kind == "pass_ok" and result.claims is not None:
            claims = result.claims
            return self.check_in(
                session_id, claims.member_id, CheckinMethod.QR, pass_id=claims.pass_id
            )
        if kind == "pass_refused":
            refused = CheckinOutcome(
                False, result.reason or "This pass is not valid", CheckinMethod.QR
            )
            return SessionCheckin(refused, self._sessions.session(session_id))
        if kind == "barcode":
            return self.check_in_code(session_id, result.text)
        return None

    def book(
        self, session_id: uuid.UUID, member_id: uuid.UUID, *, staff_id: uuid.UUID | None = None
    ) -> SessionBooking:
        """Book a walk-in (an existing member, or one just registered here) into a session
        with free places."""
        return self._sessions.book(session_id, member_id, staff_id=staff_id)
