"""Staff PINs at this kiosk: who a PIN belongs to, what they may do here, and the lock-out.

A check comes in three steps so that only the slow part leaves the UI thread:
:meth:`StaffPins.prepare` reads the cache (and refuses at once while locked out),
:func:`match` computes the PIN's hash (CPU only, no database: run it on a worker thread),
and :meth:`StaffPins.record` counts a wrong PIN or clears the count. :meth:`StaffPins.check`
does all three in the calling thread.

After :data:`MAX_WRONG` wrong PINs in a row this kiosk refuses every PIN for
:data:`LOCKOUT`; the count lives in the kiosk database, so a restart does not reset it.
A PIN that belongs to staff who may not do the thing asked (a coach at the desk) is "not
allowed here", not "not recognised", and is not counted as a wrong guess.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from desktop.core.store import PinLockout, PinLockoutRepository, ScopeRepository, Store
from shared.enums import KIOSK_EXIT_ROLES, StaffRole
from shared.kiosk_pins import lookup_matches, lookup_tags, verify_pin

MAX_WRONG = 5
LOCKOUT = timedelta(minutes=5)

NOT_RECOGNISED = "PIN not recognised"
NOT_ALLOWED = "This PIN is not allowed here"
#: Roles that may act at the front desk: sell, register, override, leave kiosk mode.
DESK_ROLES: frozenset[StaffRole] = KIOSK_EXIT_ROLES


@dataclass(frozen=True)
class StaffMember:
    id: uuid.UUID
    name: str
    role: StaffRole


class PinStatus(StrEnum):
    OK = "ok"
    NOT_RECOGNISED = "not_recognised"
    NOT_ALLOWED = "not_allowed"
    LOCKED = "locked"


@dataclass(frozen=True)
class PinCheck:
    status: PinStatus
    staff: StaffMember | None = None
    #: While locked out: when PINs are taken again (UTC).
    locked_until: datetime | None = None
    #: The location's time zone, for saying when the lock-out ends.
    timezone: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is PinStatus.OK

    def message(self) -> str:
        """What the PIN prompt says; empty when the PIN was accepted."""
        if self.status is PinStatus.LOCKED and self.locked_until is not None:
            until = self.locked_until
            if self.timezone:
                until = until.astimezone(ZoneInfo(self.timezone))
            return f"Too many wrong PINs; try again at {until:%H:%M}"
        if self.status is PinStatus.NOT_ALLOWED:
            return NOT_ALLOWED
        if self.status is PinStatus.NOT_RECOGNISED:
            return NOT_RECOGNISED
        return ""


@dataclass(frozen=True)
class Candidate:
    staff: StaffMember
    verifier: str | None
    lookup: str | None


@dataclass(frozen=True)
class PinAttempt:
    """Everything :func:`match` needs, read from the cache in the caller's thread."""

    pin: str
    allowed: frozenset[StaffRole]
    key: bytes | None
    candidates: tuple[Candidate, ...] = field(default=())
    #: Set when the answer is known without hashing (locked out, empty PIN).
    answer: PinCheck | None = None


def match(attempt: PinAttempt) -> PinCheck:
    """Whose PIN this is (the slow part: argon2). Touches no database: any thread.

    Staff with a keyed lookup are found with one argon2 computation for all of them; only
    staff whose PIN predates lookups are tried one by one against their own verifier."""
    if attempt.answer is not None:
        return attempt.answer
    if attempt.key is None:
        return PinCheck(PinStatus.NOT_RECOGNISED)
    with_lookup = [c for c in attempt.candidates if c.lookup]
    tags = lookup_tags(attempt.pin, attempt.key, (c.lookup for c in with_lookup))
    found = next((c.staff for c in with_lookup if lookup_matches(c.lookup, tags)), None)
    if found is None:
        for candidate in attempt.candidates:
            if candidate.lookup or not candidate.verifier:
                continue
            if verify_pin(candidate.verifier, attempt.key, attempt.pin):
                found = candidate.staff
                break
    if found is None:
        return PinCheck(PinStatus.NOT_RECOGNISED)
    if found.role not in attempt.allowed:
        return PinCheck(PinStatus.NOT_ALLOWED)
    return PinCheck(PinStatus.OK, found)


class StaffPins:
    def __init__(
        self,
        store: Store,
        pin_key: Callable[[], bytes | None],
        now: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._pin_key = pin_key
        self._now = now

    def locked_until(self) -> datetime | None:
        """When the current lock-out ends, or None when PINs are taken."""
        state = PinLockoutRepository(self._store.connection()).get()
        if state.locked_until is not None and state.locked_until > self._now():
            return state.locked_until
        return None

    def prepare(self, pin: str, allowed: Collection[StaffRole] = DESK_ROLES) -> PinAttempt:
        pin = pin.strip()
        roles = frozenset(allowed)
        until = self.locked_until()
        if until is not None:
            return PinAttempt(pin, roles, None, answer=self._locked(until))
        if not pin:
            return PinAttempt(pin, roles, None, answer=PinCheck(PinStatus.NOT_RECOGNISED))
        candidates = tuple(
            Candidate(StaffMember(id=s.id, name=s.name, role=s.role), s.pin_verifier, s.pin_lookup)
            for s in ScopeRepository(self._store.connection()).staff()
            if s.pin_verifier or s.pin_lookup
        )
        return PinAttempt(pin, roles, self._pin_key(), candidates)

    def record(self, attempt: PinAttempt, result: PinCheck) -> PinCheck:
        """Count a wrong PIN (locking the kiosk out at the limit) or clear the count."""
        if attempt.answer is not None or not attempt.pin:
            return result
        with self._store.transaction() as conn:
            repo = PinLockoutRepository(conn)
            if result.status is PinStatus.NOT_RECOGNISED:
                failures = repo.get().failures + 1
                if failures >= MAX_WRONG:
                    until = self._now() + LOCKOUT
                    repo.save(PinLockout(0, until))
                    return self._locked(until)
                repo.save(PinLockout(failures, None))
            elif result.status is PinStatus.OK:
                repo.save(PinLockout(0, None))
        return result

    def check(self, pin: str, allowed: Collection[StaffRole] = DESK_ROLES) -> PinCheck:
        """:meth:`prepare`, :func:`match` and :meth:`record` in the calling thread."""
        attempt = self.prepare(pin, allowed)
        return self.record(attempt, match(attempt))

    def _locked(self, until: datetime) -> PinCheck:
        ref = ScopeRepository(self._store.connection()).location_ref()
        return PinCheck(
            PinStatus.LOCKED, locked_until=until, timezone=ref.timezone if ref else None
        )
