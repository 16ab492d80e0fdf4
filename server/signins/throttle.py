"""Sign-in throttling shared by staff and member sign-in, kept in the database so that every
server process agrees (rules in ``server.signins.rules``).

Failures count twice: per account *and client*, so that a lock-out keeps the guesser out
without locking out the account's owner signing in from elsewhere, and per client across all
accounts and tenants, so that one address cannot try a few passwords on many accounts.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy import delete, or_
from sqlalchemy.exc import IntegrityError

from server.config import Settings
from server.db.uow import UnitOfWork
from server.errors import TooManyAttempts, Unauthenticated
from server.ports.identity import IdentityService
from server.signins import rules
from server.signins.models import LoginThrottle
from shared.clock import utcnow

BAD_LOGIN = "the email or password is not correct"
#: The rows counting one client's failures across every tenant live under no tenant.
CLIENTS_TENANT = uuid.UUID(int=0)


class _Counter:
    """One throttle row: its stored state and the key it lives under."""

    def __init__(self, uow: UnitOfWork, tenant_id: uuid.UUID, key: str) -> None:
        self.tenant_id, self.key = tenant_id, key
        self.row = uow.db.get(LoginThrottle, (tenant_id, key))
        row = self.row
        self.state = (
            rules.ThrottleState(row.failures, row.window_started_at, row.locked_until)
            if row
            else None
        )

    def failed(self, now: datetime, max_failures: int, lockout_seconds: int) -> LoginThrottle:
        state = rules.after_failure(
            self.state, now, max_failures=max_failures, lockout_seconds=lockout_seconds
        )
        return LoginThrottle(
            tenant_id=self.tenant_id,
            email=self.key,
            failures=state.failures,
            window_started_at=state.window_started_at,
            locked_until=state.locked_until,
        )


class SignInThrottle:
    """Failed sign-ins of one account (``key`` within a tenant) from one ``client`` address."""

    def __init__(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, key: str, client: str, now: datetime
    ) -> None:
        self._uow, self._now = uow, now
        # Hashed: an email and an address together may not fit the column.
        pair = hashlib.sha256(f"{key.lower()}\n{client}".encode()).hexdigest()
        self._account = _Counter(uow, tenant_id, f"account-client:{pair}")
        self._client = _Counter(uow, CLIENTS_TENANT, f"client:{client}"[:320])

    def refuse_if_locked(self) -> None:
        client_wait = rules.seconds_locked(self._client.state, self._now)
        if client_wait:
            raise TooManyAttempts(
                "too many failed sign-ins from this address; "
                f"try again in {client_wait // 60 + 1} minutes",
                retry_after_seconds=client_wait,
            )
        wait = rules.seconds_locked(self._account.state, self._now)
        if wait:
            raise TooManyAttempts(
                f"too many failed sign-ins for this account; try again in {wait // 60 + 1} minutes",
                retry_after_seconds=wait,
            )

    def fail(self, settings: Settings) -> NoReturn:
        """Count the failure, commit it, and refuse the sign-in."""
        lockout = settings.login_lockout_seconds
        self._uow.db.merge(self._account.failed(self._now, settings.login_max_failures, lockout))
        self._uow.db.merge(
            self._client.failed(self._now, settings.login_client_max_failures, lockout)
        )
        # A concurrent failure may have recorded a row first; the next one counts.
        with contextlib.suppress(IntegrityError):
            self._uow.commit()
        raise Unauthenticated(BAD_LOGIN, code="invalid_credentials")

    def succeed(self) -> None:
        """Forget the account's failures from this client; the caller commits. The client's
        count stays: signing in to one's own account must not buy more guesses at others."""
        if self._account.row is not None:
            self._uow.db.delete(self._account.row)


def prune(*, uow: UnitOfWork, now: datetime, lockout_seconds: int) -> int:
    """Forget counts that can no longer lock anyone out: their window is over (the rules
    start afresh after it) and no lock-out runs. Every address that ever failed leaves a
    row, so they must not pile up. Returns how many went."""
    window_start = now - timedelta(seconds=lockout_seconds)
    with uow:
        result = uow.db.execute(
            delete(LoginThrottle).where(
                LoginThrottle.window_started_at < window_start,
                or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
            )
        )
        uow.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]


def prune_job(*, make_uow: Callable[[], UnitOfWork], lockout_seconds: int) -> int:
    return prune(uow=make_uow(), now=utcnow(), lockout_seconds=lockout_seconds)


class _DummyHash:
    """A real hash to verify against when the account does not exist, so timing tells nothing."""

    _value: str | None = None

    def get(self, identity: IdentityService) -> str:
        if self._value is None:
            self._value = identity.hash_password(secrets.token_urlsafe(16))
        return self._value


DUMMY_HASH = _DummyHash()
