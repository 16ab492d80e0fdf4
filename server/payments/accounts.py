"""The tenants' PSP accounts as the payment adapters read them (``PaymentAccounts``): each
read is its own short read-only session, outside the sale's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from server.db.sealed import FieldSealer
from server.db.uow import UnitOfWork
from server.payments import repository
from server.ports.payments import ProviderKeys, StoredCard


class SqlPaymentAccounts:
    def __init__(self, make_uow: Callable[[], UnitOfWork], sealer: FieldSealer) -> None:
        self._make_uow = make_uow
        self._sealer = sealer

    def keys(self, tenant_id: uuid.UUID, provider: str) -> ProviderKeys | None:
        with self._make_uow() as uow:
            row = repository.account(uow.db, tenant_id, provider)
            return repository.open_keys(self._sealer, row) if row is not None else None

    def card(self, tenant_id: uuid.UUID, member_id: uuid.UUID) -> StoredCard | None:
        with self._make_uow() as uow:
            row = repository.card(uow.db, tenant_id, member_id)
            return repository.stored_card(row) if row is not None else None
