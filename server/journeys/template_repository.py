"""Data access of journey templates and their versions, always within one tenant. Never
commits."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from server.db.repository import TenantRepository
from server.journeys.models import (
    JourneyEnrolment,
    JourneyEnrolmentWeek,
    JourneyTemplate,
    JourneyVersion,
)


class TemplateRepository(TenantRepository[JourneyTemplate]):
    model = JourneyTemplate
    noun = "journey template"

    def page(self, *, include_archived: bool, limit: int, offset: int) -> list[JourneyTemplate]:
        """By name, one row past the page (whether another page follows)."""
        query = self._select()
        if not include_archived:
            query = query.where(JourneyTemplate.archived_at.is_(None))
        query = query.order_by(JourneyTemplate.name, JourneyTemplate.id)
        return list(self.db.execute(query.limit(limit + 1).offset(offset)).scalars())

    def starter_keys(self) -> set[str]:
        query = select(JourneyTemplate.starter_key).where(
            JourneyTemplate.tenant_id == self.tenant_id, JourneyTemplate.starter_key.is_not(None)
        )
        return {key for key in self.db.execute(query).scalars() if key is not None}


class VersionRepository(TenantRepository[JourneyVersion]):
    model = JourneyVersion
    noun = "journey version"

    def of(self, template_id: uuid.UUID) -> list[JourneyVersion]:
        query = self._select().where(JourneyVersion.template_id == template_id)
        return list(self.db.execute(query.order_by(JourneyVersion.version)).scalars())

    def number(self, template_id: uuid.UUID, version: int) -> JourneyVersion | None:
        query = self._select().where(
            JourneyVersion.template_id == template_id, JourneyVersion.version == version
        )
        return self.db.execute(query).scalar_one_or_none()

    def current(self, templates: list[JourneyTemplate]) -> dict[uuid.UUID, JourneyVersion]:
        """Each template's current version, in one query."""
        if not templates:
            return {}
        wanted = {(t.id, t.current_version) for t in templates}
        query = self._select().where(JourneyVersion.template_id.in_([t.id for t in templates]))
        return {
            v.template_id: v
            for v in self.db.execute(query).scalars()
            if (v.template_id, v.version) in wanted
        }

    def enrolment_counts(self, version_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
        """Enrolments on each version, in any status."""
        if not version_ids:
            return {}
        query = (
            select(JourneyEnrolment.version_id, func.count())
            .where(
                JourneyEnrolment.tenant_id == self.tenant_id,
                JourneyEnrolment.version_id.in_(version_ids),
            )
            .group_by(JourneyEnrolment.version_id)
        )
        return {row[0]: int(row[1]) for row in self.db.execute(query)}


class EnrolmentReader(TenantRepository[JourneyEnrolment]):
    """Reads an enrolment for its export; the enrolment use cases own every write."""

    model = JourneyEnrolment
    noun = "journey enrolment"

    def weeks(self, enrolment_id: uuid.UUID) -> list[JourneyEnrolmentWeek]:
        query = (
            select(JourneyEnrolmentWeek)
            .where(
                JourneyEnrolmentWeek.tenant_id == self.tenant_id,
                JourneyEnrolmentWeek.enrolment_id == enrolment_id,
            )
            .order_by(JourneyEnrolmentWeek.week)
        )
        return list(self.db.execute(query).scalars())
