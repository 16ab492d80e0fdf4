"""Use cases of journey templates: the library (three shipped, loaded per tenant on first
read), versions (an edit of a version that has enrolments makes the next one; enrolments
keep theirs), the members' view and the FHIR exports. One use case is one transaction."""

from __future__ import annotations

import json
import uuid
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.db.uow import UnitOfWork
from server.errors import Forbidden, InvalidInput, NotFound
from server.journeys import fhir
from server.journeys.models import JourneyTemplate, JourneyVersion
from server.journeys.template_repository import (
    EnrolmentReader,
    TemplateRepository,
    VersionRepository,
)
from server.journeys.template_schemas import (
    MemberTemplate,
    MemberTemplates,
    MemberWeek,
    TemplateCreate,
    TemplatePage,
    TemplateRead,
    TemplateSummary,
    TemplateUpdate,
    VersionRead,
    VersionSummary,
)
from server.ports.identity import AccessClaims
from server.prescriptions.service import followed_profile
from shared.carepath.plans import JourneyPlan, from_json, to_json
from shared.carepath.templates import label_problems, plan_problems
from shared.clock import utcnow
from shared.enums import ADMIN_ROLES, PrincipalKind, StaffRole

#: Fields of a version: changing one of a version in use makes a new version.
_VERSION_FIELDS = ("intensity_ceiling", "indications", "contraindications", "profile_id", "plan")


def _staff(claims: AccessClaims) -> None:
    if claims.kind is not PrincipalKind.STAFF:
        raise Forbidden("this needs a staff account")


def _writer(claims: AccessClaims) -> None:
    _staff(claims)
    if claims.role not in ADMIN_ROLES:
        raise Forbidden("only owners and managers change journey templates")


def _member(claims: AccessClaims) -> None:
    if claims.kind is not PrincipalKind.MEMBER:
        raise Forbidden("this needs a member account")


def _checked(
    plan: JourneyPlan, ceiling: str, indications: list[str], contraindications: list[str]
) -> None:
    problems = plan_problems(plan) + label_problems(
        ceiling=ceiling, indications=indications, contraindications=contraindications
    )
    if problems:
        raise InvalidInput("; ".join(problems))


# --- the shipped templates -----------------------------------------------------------------


@cache
def starter_journeys() -> tuple[dict[str, Any], ...]:
    text = resources.files("server.journeys").joinpath("starter_journeys.json").read_text("utf-8")
    return tuple(json.loads(text))


def _ensure_starters(db: Session, tenant_id: uuid.UUID) -> None:
    """Adds the shipped templates the tenant lacks (archived ones count as there)."""
    repo = TemplateRepository(db, tenant_id)
    have = repo.starter_keys()
    for item in starter_journeys():
        if item["key"] in have:
            continue
        try:
            with db.begin_nested():
                template = JourneyTemplate(
                    tenant_id=tenant_id,
                    name=item["name"],
                    summary=item["summary"],
                    starter_key=item["key"],
                    current_version=1,
                )
                db.add(template)
                db.flush()
                db.add(
                    JourneyVersion(
                        tenant_id=tenant_id,
                        template_id=template.id,
                        version=1,
                        intensity_ceiling=item["intensity_ceiling"],
                        indications=list(item["indications"]),
                        contraindications=list(item["contraindications"]),
                        plan=to_json(from_json(item["plan"])),
                    )
                )
                db.flush()
        except IntegrityError:
            continue  # loaded by another request at the same moment


def with_starters(uow: UnitOfWork, claims: AccessClaims) -> None:
    """The shipped templates, loaded by the first read that finds them missing."""
    if len(TemplateRepository(uow.db, claims.tenant_id).starter_keys()) < len(starter_journeys()):
        _ensure_starters(uow.db, claims.tenant_id)
        uow.commit()


# --- reads ---------------------------------------------------------------------------------


def _summary(t: JourneyTemplate, v: JourneyVersion) -> TemplateSummary:
    return TemplateSummary(
        id=t.id,
        name=t.name,
        summary=t.summary,
        starter_key=t.starter_key,
        current_version=t.current_version,
        weeks=len(v.plan.get("weeks", ())),
        intensity_ceiling=v.intensity_ceiling,
        indications=list(v.indications),
        contraindications=list(v.contraindications),
        archived_at=t.archived_at,
    )


def _version_read(v: JourneyVersion, enrolments: int) -> VersionRead:
    return VersionRead(
        version=v.version,
        profile_id=v.profile_id,
        intensity_ceiling=v.intensity_ceiling,
        indications=list(v.indications),
        contraindications=list(v.contraindications),
        plan=v.plan,
        created_at=v.created_at,
        enrolments=enrolments,
    )


def _read(db: Session, tenant_id: uuid.UUID, t: JourneyTemplate) -> TemplateRead:
    versions = VersionRepository(db, tenant_id).of(t.id)
    counts = VersionRepository(db, tenant_id).enrolment_counts([v.id for v in versions])
    current = next(v for v in versions if v.version == t.current_version)
    return TemplateRead(
        **_summary(t, current).model_dump(),
        created_at=t.created_at,
        current=_version_read(current, counts.get(current.id, 0)),
        versions=[
            VersionSummary(
                version=v.version, created_at=v.created_at, enrolments=counts.get(v.id, 0)
            )
            for v in versions
        ],
    )


def list_templates(
    *, uow: UnitOfWork, claims: AccessClaims, include_archived: bool, limit: int, offset: int
) -> TemplatePage:
    _staff(claims)
    with uow:
        with_starters(uow, claims)
        rows = TemplateRepository(uow.db, claims.tenant_id).page(
            include_archived=include_archived, limit=limit, offset=offset
        )
        current = VersionRepository(uow.db, claims.tenant_id).current(rows[:limit])
        return TemplatePage(
            items=[_summary(t, current[t.id]) for t in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def get_template(*, uow: UnitOfWork, claims: AccessClaims, template_id: uuid.UUID) -> TemplateRead:
    _staff(claims)
    with uow:
        with_starters(uow, claims)
        t = TemplateRepository(uow.db, claims.tenant_id).get_or_404(template_id)
        return _read(uow.db, claims.tenant_id, t)


def _version_or_404(
    db: Session, claims: AccessClaims, template_id: uuid.UUID, version: int
) -> JourneyVersion:
    TemplateRepository(db, claims.tenant_id).get_or_404(template_id)
    found = VersionRepository(db, claims.tenant_id).number(template_id, version)
    if found is None:
        raise NotFound(f"journey template {template_id} has no version {version}")
    return found


def get_version(
    *, uow: UnitOfWork, claims: AccessClaims, template_id: uuid.UUID, version: int
) -> VersionRead:
    _staff(claims)
    with uow:
        v = _version_or_404(uow.db, claims, template_id, version)
        count = VersionRepository(uow.db, claims.tenant_id).enrolment_counts([v.id])
        return _version_read(v, count.get(v.id, 0))


def member_templates(
    *, uow: UnitOfWork, claims: AccessClaims, limit: int = 50, offset: int = 0
) -> MemberTemplates:
    """The journeys on offer (not archived), as a member reads them."""
    _member(claims)
    with uow:
        with_starters(uow, claims)
        rows = TemplateRepository(uow.db, claims.tenant_id).page(
            include_archived=False, limit=limit, offset=offset
        )
        current = VersionRepository(uow.db, claims.tenant_id).current(rows[:limit])
        items = []
        for t in rows[:limit]:
            plan = from_json(current[t.id].plan)
            items.append(
                MemberTemplate(
                    id=t.id,
                    name=t.name,
                    summary=t.summary,
                    weeks=[MemberWeek(**vars(w)) for w in plan.weeks],
                    counts=[p.kind.value for p in plan.permitted],
                )
            )
        return MemberTemplates(
            items=items, next_offset=offset + limit if len(rows) > limit else None
        )


# --- writes --------------------------------------------------------------------------------


def create_template(*, uow: UnitOfWork, claims: AccessClaims, cmd: TemplateCreate) -> TemplateRead:
    _writer(claims)
    plan = cmd.plan.to_plan()
    _checked(plan, cmd.intensity_ceiling.value, cmd.indications, cmd.contraindications)
    with uow:
        t = TemplateRepository(uow.db, claims.tenant_id).add(
            JourneyTemplate(
                tenant_id=claims.tenant_id,
                name=cmd.name,
                summary=cmd.summary,
                current_version=1,
                created_by=claims.subject_id,
            )
        )
        uow.flush()
        if cmd.profile_id is not None:
            followed_profile(uow.db, claims.tenant_id, cmd.profile_id)  # 422 if not usable
        uow.db.add(
            JourneyVersion(
                tenant_id=claims.tenant_id,
                template_id=t.id,
                version=1,
                profile_id=cmd.profile_id,
                intensity_ceiling=cmd.intensity_ceiling.value,
                indications=list(cmd.indications),
                contraindications=list(cmd.contraindications),
                plan=to_json(plan),
                created_by=claims.subject_id,
            )
        )
        uow.flush()
        read = _read(uow.db, claims.tenant_id, t)
        uow.commit()
        return read


def update_template(
    *, uow: UnitOfWork, claims: AccessClaims, template_id: uuid.UUID, cmd: TemplateUpdate
) -> TemplateRead:
    """Name and summary change in place. A version change replaces the current version when
    no one is enrolled on it, and otherwise writes the next version and makes it current,
    leaving the old one and its enrolments as they were."""
    _writer(claims)
    changes = cmd.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None and field != "profile_id":
            raise InvalidInput(f"{field}: may not be null")
    with uow:
        templates = TemplateRepository(uow.db, claims.tenant_id)
        with_starters(uow, claims)
        t = templates.get_or_404(template_id, for_update=True)
        versions = VersionRepository(uow.db, claims.tenant_id)
        current = versions.number(t.id, t.current_version)
        assert current is not None  # a template is written with its first version
        if "name" in changes:
            t.name = changes["name"]
        if "summary" in changes:
            t.summary = changes["summary"]
        if any(field in changes for field in _VERSION_FIELDS):
            _change_version(uow.db, claims, t, current, cmd, changes)
        uow.flush()
        read = _read(uow.db, claims.tenant_id, t)
        uow.commit()
        return read


def _change_version(
    db: Session,
    claims: AccessClaims,
    t: JourneyTemplate,
    current: JourneyVersion,
    cmd: TemplateUpdate,
    changes: dict[str, Any],
) -> None:
    plan = cmd.plan.to_plan() if cmd.plan is not None else from_json(current.plan)
    ceiling = cmd.intensity_ceiling.value if cmd.intensity_ceiling else current.intensity_ceiling
    indications = list(cmd.indications if cmd.indications is not None else current.indications)
    contra = list(
        cmd.contraindications if cmd.contraindications is not None else current.contraindications
    )
    profile_id = changes.get("profile_id", current.profile_id)
    if profile_id is not None and profile_id != current.profile_id:
        followed_profile(db, claims.tenant_id, profile_id)  # 422 if not usable
    _checked(plan, ceiling, indications, contra)
    used = VersionRepository(db, claims.tenant_id).enrolment_counts([current.id])
    if used.get(current.id, 0):
        target = JourneyVersion(
            tenant_id=claims.tenant_id,
            template_id=t.id,
            version=current.version + 1,
            created_by=claims.subject_id,
        )
        db.add(target)
        t.current_version = target.version
    else:
        target = current
        target.created_at = utcnow()
        target.created_by = claims.subject_id
    target.profile_id = profile_id
    target.intensity_ceiling = ceiling
    target.indications = indications
    target.contraindications = contra
    target.plan = to_json(plan)


def archive_template(
    *, uow: UnitOfWork, claims: AccessClaims, template_id: uuid.UUID
) -> TemplateRead:
    """Archiving twice changes nothing; enrolments on it carry on."""
    _writer(claims)
    with uow:
        t = TemplateRepository(uow.db, claims.tenant_id).get_or_404(template_id, for_update=True)
        if t.archived_at is None:
            t.archived_at = utcnow()
        uow.flush()
        read = _read(uow.db, claims.tenant_id, t)
        uow.commit()
        return read


# --- FHIR ----------------------------------------------------------------------------------


def version_fhir(
    *, uow: UnitOfWork, claims: AccessClaims, template_id: uuid.UUID, version: int
) -> str:
    """The version as a FHIR R4 PlanDefinition (JSON)."""
    _staff(claims)
    with uow:
        t = TemplateRepository(uow.db, claims.tenant_id).get_or_404(template_id)
        v = _version_or_404(uow.db, claims, template_id, version)
        return fhir.plan_definition(t, v).model_dump_json()


def enrolment_fhir(
    *, uow: UnitOfWork, claims: AccessClaims, enrolment_id: uuid.UUID, today: date | None = None
) -> str:
    """An enrolment as a FHIR R4 CarePlan (JSON), with each week's progress; a coach
    exports only the enrolments they coach."""
    _staff(claims)
    with uow:
        e = EnrolmentReader(uow.db, claims.tenant_id).get_or_404(enrolment_id)
        if claims.role is StaffRole.COACH and e.coach_id != claims.subject_id:
            # A member's progress on a health programme is for the coach looking after it.
            raise Forbidden("coaches export only the enrolments they coach", code="not_your_member")
        t = TemplateRepository(uow.db, claims.tenant_id).get_or_404(e.template_id)
        v = VersionRepository(uow.db, claims.tenant_id).get_or_404(e.version_id)
        weeks = EnrolmentReader(uow.db, claims.tenant_id).weeks(e.id)
        return fhir.care_plan(t, v, e, weeks, today or utcnow().date()).model_dump_json()
