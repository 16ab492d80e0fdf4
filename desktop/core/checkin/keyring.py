"""The scanner's :class:`~desktop.core.scanning.PassKeyring` over the kiosk cache."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from desktop.core.store import CacheRepository, ScopeRepository, Store


class StorePassKeyring:
    """Public keys and revocations from the last snapshot; only this kiosk's tenant."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def public_keys(self, tenant_id: uuid.UUID) -> Mapping[int, bytes]:
        conn = self._store.connection()
        location = ScopeRepository(conn).location_ref()
        if location is None or location.tenant_id != tenant_id:
            return {}
        return CacheRepository(conn).public_keys()

    def is_revoked(self, pass_id: uuid.UUID) -> bool:
        return CacheRepository(self._store.connection()).is_revoked(pass_id)
