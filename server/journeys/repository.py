"""Data access of enrolments: the rows a use case reads, scoped to one tenant."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.repository import TenantRepository
from server.journeys.models import (
    JourneyAssessmentResult,
    JourneyEnrolment,
    JourneyEnrolmentEvent,
    JourneyEnrolmentWeek,
    JourneyTemplate,
    JourneyVersion,
)
from shared.carepath.enrolment import LIVE


class TemplateRepository(TenantRepository[JourneyTemplate]):
    model = JourneyTemplate
    noun = "journey"

    def offered(self) -> list[JourneyTemplate]:
        return list(
            self.db.scalars(
                self._select()
                .where(JourneyTemplate.archived_at.is_(None))
                .order_by(JourneyTemplate.name, JourneyTemplate.id)
            )
        )


class EnrolmentRepository(TenantRepository[JourneyEnrolment]):
    model = JourneyEnrolment
    noun = "enrolment"

    def of_member(self, member_id: uuid.UUID) -> list[JourneyEnrolment]:
        return list(
            self.db.scalars(
                self._select()
                .where(JourneyEnrolment.member_id == member_id)
                .order_by(JourneyEnrolment.starts_on.desc(), JourneyEnrolment.id)
            )
        )

    def live_on(self, member_id: uuid.UUID, template_id: uuid.UUID) -> JourneyEnrolment | None:
        return self.db.scalars(
            self._select().where(
                JourneyEnrolment.member_id == member_id,
                JourneyEnrolment.template_id == template_id,
                JourneyEnrolment.status.in_(sorted(LIVE)),
            )
        ).first()


def version(db: Session, tenant_id: uuid.UUID, version_id: uuid.UUID) -> JourneyVersion | None:
    return db.get(JourneyVersion, (tenant_id, version_id))


def current_version(db: Session, template: JourneyTemplate) -> JourneyVersion | None:
    return db.scalars(
        select(JourneyVersion).where(
            JourneyVersion.tenant_id == template.tenant_id,
            JourneyVersion.template_id == template.id,
            JourneyVersion.version == template.current_version,
        )
    ).one_or_none()


def versions(
    db: Session, tenant_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, JourneyVersion]:
    if not ids:
        return {}
    rows = db.scalars(
        select(JourneyVersion).where(
            JourneyVersion.tenant_id == tenant_id, JourneyVersion.id.in_(list(set(ids)))
        )
    )
    return {row.id: row for row in rows}


def templates(
    db: Session, tenant_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, JourneyTemplate]:
    if not ids:
        return {}
    rows = db.scalars(
        select(JourneyTemplate).where(
            JourneyTemplate.tenant_id == tenant_id, JourneyTemplate.id.in_(list(set(ids)))
        )
    )
    return {row.id: row for row in rows}


def weeks(db: Session, tenant_id: uuid.UUID, enrolment_id: uuid.UUID) -> list[JourneyEnrolmentWeek]:
    return list(
        db.scalars(
            select(JourneyEnrolmentWeek)
            .where(
                JourneyEnrolmentWeek.tenant_id == tenant_id,
                JourneyEnrolmentWeek.enrolment_id == enrolment_id,
            )
            .order_by(JourneyEnrolmentWeek.week)
        )
    )


def events(
    db: Session, tenant_id: uuid.UUID, enrolment_id: uuid.UUID
) -> list[JourneyEnrolmentEvent]:
    return list(
        db.scalars(
            select(JourneyEnrolmentEvent)
            .where(
                JourneyEnrolmentEvent.tenant_id == tenant_id,
                JourneyEnrolmentEvent.enrolment_id == enrolment_id,
            )
            .order_by(JourneyEnrolmentEvent.at, JourneyEnrolmentEvent.id)
        )
    )


def assessments(
    db: Session, tenant_id: uuid.UUID, enrolment_id: uuid.UUID
) -> list[JourneyAssessmentResult]:
    return list(
        db.scalars(
            select(JourneyAssessmentResult)
            .where(
                JourneyAssessmentResult.tenant_id == tenant_id,
                JourneyAssessmentResult.enrolment_id == enrolment_id,
            )
            .order_by(JourneyAssessmentResult.week, JourneyAssessmentResult.key)
        )
    )
