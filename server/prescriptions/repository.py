"""Data access of movement prescription profiles, always within one tenant. Never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from server.db.repository import TenantRepository
from server.prescriptions.models import PrescriptionProfile, PrescriptionProfileVersion


class ProfileRepository(TenantRepository[PrescriptionProfile]):
    model = PrescriptionProfile
    noun = "prescription profile"

    def page(
        self, *, include_archived: bool, limit: int, offset: int
    ) -> list[tuple[PrescriptionProfile, PrescriptionProfileVersion]]:
        """By the current version's name, one row past the page (whether another follows)."""
        query = (
            select(PrescriptionProfile, PrescriptionProfileVersion)
            .join(
                PrescriptionProfileVersion,
                (PrescriptionProfileVersion.tenant_id == PrescriptionProfile.tenant_id)
                & (PrescriptionProfileVersion.profile_id == PrescriptionProfile.id)
                & (PrescriptionProfileVersion.version == PrescriptionProfile.current_version),
            )
            .where(PrescriptionProfile.tenant_id == self.tenant_id)
        )
        if not include_archived:
            query = query.where(PrescriptionProfile.archived_at.is_(None))
        query = (
            query.order_by(PrescriptionProfileVersion.name, PrescriptionProfile.id)
            .limit(limit + 1)
            .offset(offset)
        )
        return [(row[0], row[1]) for row in self.db.execute(query)]

    def starter_keys(self) -> set[str]:
        query = select(PrescriptionProfile.starter_key).where(
            PrescriptionProfile.tenant_id == self.tenant_id,
            PrescriptionProfile.starter_key.is_not(None),
        )
        return {key for key in self.db.execute(query).scalars() if key is not None}

    def count(self) -> int:
        query = select(func.count()).where(PrescriptionProfile.tenant_id == self.tenant_id)
        return int(self.db.execute(query).scalar_one())


class VersionRepository(TenantRepository[PrescriptionProfileVersion]):
    model = PrescriptionProfileVersion
    noun = "prescription profile version"

    def of(self, profile_id: uuid.UUID, version: int) -> PrescriptionProfileVersion | None:
        query = self._select().where(
            PrescriptionProfileVersion.profile_id == profile_id,
            PrescriptionProfileVersion.version == version,
        )
        return self.db.execute(query).scalar_one_or_none()

    def history(
        self, profile_id: uuid.UUID, *, limit: int, offset: int
    ) -> list[PrescriptionProfileVersion]:
        """Newest first, one row past the page."""
        query = (
            self._select()
            .where(PrescriptionProfileVersion.profile_id == profile_id)
            .order_by(PrescriptionProfileVersion.version.desc())
            .limit(limit + 1)
            .offset(offset)
        )
        return list(self.db.execute(query).scalars())
