"""Where a coach's list reads each member's risk category from (the risk flags)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from typing import Protocol

from server.db.uow import UnitOfWork


class RiskReader(Protocol):
    def categories(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, member_ids: Collection[uuid.UUID]
    ) -> Mapping[uuid.UUID, str]:
        """Each listed member's risk category, read inside ``uow``'s open transaction;
        members without one are left out."""
        ...


class NoRiskCategories:
    """No risk flags known: every member is left out."""

    def categories(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, member_ids: Collection[uuid.UUID]
    ) -> Mapping[uuid.UUID, str]:
        return {}
