"""Sign-in throttling shared by staff and member sign-in, kept in the database so that every
server process agrees (rules in ``server.signins.rules``)."""

from __future__ import annotations

import contextlib
import secrets
import uuid
from datetime import datetime
from typing import NoReturn

from sqlalchemy.exc import IntegrityError

from server.config import Settings
from server.db.uow import UnitOfWork
from server.errors import TooManyAttempts, Unauthenticated
from server.ports.identity import IdentityService
from server.signins import rules
from server.signins.models import LoginThrottle

BAD_LOGIN = "the email or password is not correct"


class SignInThrottle:
    """Failed sign-ins of one account, identified by ``key`` within a tenant."""

    def __init__(self, uow: UnitOfWork, tenant_id: uuid.UUID, key: str, now: datetime) -> None:
        self._uow, self._tenant_id, self._key, self._now = uow, tenant_id, key.lower(), now
        row = uow.db.get(LoginThrottle, (tenant_id, self._key))
        self._row = row
        self._state = (
            rules.ThrottleState(row.failures, row.window_started_at, row.locked_until)
            if row
            else None
        )

    def refuse_if_locked(self) -> None:
        wait = rules.seconds_locked(self._state, self._now)
        if wait:
            raise TooManyAttempts(
                f"too many failed sign-ins for this account; try again in {wait // 60 + 1} minutes",
                retry_after_seconds=wait,
            )

    def fail(self, settings: Settings) -> NoReturn:
        """Count the failure, commit it, and refuse the sign-in."""
        state = rules.after_failure(
            self._state,
            self._now,
            max_failures=settings.login_max_failures,
            lockout_seconds=settings.login_lockout_seconds,
        )
        self._uow.db.merge(
            LoginThrottle(
                tenant_id=self._tenant_id,
                email=self._key,
                failures=state.failures,
                window_started_at=state.window_started_at,
                locked_until=state.locked_until,
            )
        )
        # A concurrent failure may have recorded the row first; the next one counts.
        with contextlib.suppress(IntegrityError):
            self._uow.commit()
        raise Unauthenticated(BAD_LOGIN, code="invalid_credentials")

    def succeed(self) -> None:
        """Forget earlier failures; the caller commits."""
        if self._row is not None:
            self._uow.db.delete(self._row)


class _DummyHash:
    """A real hash to verify against when the account does not exist, so timing tells nothing."""

    _value: str | None = None

    def get(self, identity: IdentityService) -> str:
        if self._value is None:
            self._value = identity.hash_password(secrets.token_urlsafe(16))
        return self._value


DUMMY_HASH = _DummyHash()
