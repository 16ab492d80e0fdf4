"""Passes typed by a 2D USB scanner: the QR text arrives as keystrokes, not a camera frame.

Verified with the same keys, revocations and checks as a pass the camera reads, so a forged
or expired pass is refused for what it is rather than looked up as an unknown card.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from desktop.core.checkin.keyring import StorePassKeyring
from desktop.core.checkin.periods import zone
from desktop.core.store import ScopeRepository, Store
from shared.qr import PassVerdict, looks_like_pass, verify_pass


class _Revoked:
    def __init__(self, keyring: StorePassKeyring) -> None:
        self._keyring = keyring

    def __contains__(self, pass_id: object) -> bool:
        return isinstance(pass_id, uuid.UUID) and self._keyring.is_revoked(pass_id)


class TypedPassReader:
    def __init__(self, store: Store, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now

    @staticmethod
    def is_pass(text: str) -> bool:
        return looks_like_pass(text)

    def verify(self, text: str) -> PassVerdict | None:
        """The verdict on ``text``; None before enrolment (nothing to verify against)."""
        location = ScopeRepository(self._store.connection()).location_ref()
        if location is None:
            return None
        keyring = StorePassKeyring(self._store)
        return verify_pass(
            text.strip(),
            keyring.public_keys(location.tenant_id),
            tenant_id=location.tenant_id,
            now=self._now(),
            revoked_pass_ids=_Revoked(keyring),
            tz=zone(location.timezone),
        )
