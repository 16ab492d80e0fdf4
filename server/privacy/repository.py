"""Data access of privacy requests."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, select

from server.db.repository import TenantRepository
from server.privacy.models import PrivacyRequest


class PrivacyRequestRepository(TenantRepository[PrivacyRequest]):
    model = PrivacyRequest
    noun = "privacy request"

    def page(
        self, *, where: list[ColumnElement[bool]], limit: int, offset: int
    ) -> list[PrivacyRequest]:
        """Newest first; one more than ``limit`` says there is a next page."""
        query = (
            select(PrivacyRequest)
            .where(PrivacyRequest.tenant_id == self.tenant_id, *where)
            .order_by(PrivacyRequest.requested_at.desc(), PrivacyRequest.id)
            .limit(limit + 1)
            .offset(offset)
        )
        return list(self.db.execute(query).scalars())

    def erased_at(self, member_id: uuid.UUID) -> datetime | None:
        """When the member was erased, if they were."""
        return self.db.execute(
            select(PrivacyRequest.completed_at).where(
                PrivacyRequest.tenant_id == self.tenant_id,
                PrivacyRequest.member_id == member_id,
                PrivacyRequest.kind == "erasure",
                PrivacyRequest.completed_at.is_not(None),
            )
        ).scalar()
