"""Between members' health data (screening, risk flags) and the domains that act on it:
where a coach's list reads each member's risk category, whom a coach looks after (who may
read their health data), and whether a member may join a journey."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
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


class CoachedMembers(Protocol):
    def is_coached_by(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID, coach_id: uuid.UUID
    ) -> bool:
        """Whether the member is one the coach looks after (their lead coach, or the coach
        of a live journey of theirs), read inside ``uow``'s open transaction."""
        ...


class EnrolmentGate(Protocol):
    """Whether a member may join a journey of this ceiling and these contra-indications
    (screening and risk flags decide); ``(False, why)`` refuses, nothing is written."""

    def check(
        self,
        uow: UnitOfWork,
        tenant_id: uuid.UUID,
        member_id: uuid.UUID,
        *,
        intensity_ceiling: str,
        contraindications: Sequence[str],
    ) -> tuple[bool, str]: ...

    def health(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID
    ) -> tuple[frozenset[str], bool]:
        """The member's active risk flags and whether a screening answer awaits a
        clearance: what recommendations are matched on."""
        ...
