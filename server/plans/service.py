"""Access plan use cases: what a tenant sells."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, cast

from server.db.uow import UnitOfWork
from server.errors import InvalidInput, NotFound
from server.plans.models import AccessPlan
from server.plans.repository import PlanRepository
from server.plans.rules import PlanSpec, default_validity_days, plan_problems
from server.plans.schemas import BillingPeriod, PlanCreate, PlanPage, PlanRead, PlanUpdate
from server.plans.terms import windows_of
from server.ports.identity import AccessClaims
from server.tenants.repository import LocationRepository
from shared.enums import LimitMode, LimitPeriod, LocationRule, PlanKind
from shared.ids import new_id


def to_read(plan: AccessPlan) -> PlanRead:
    period = plan.visit_limit_period if plan.visit_limit is not None else None
    return PlanRead(
        id=plan.id,
        name=plan.name,
        kind=PlanKind(plan.kind),
        price=plan.price,
        currency=plan.currency,
        # stored from a checked PlanCreate/PlanUpdate; PlanRead checks it again
        billing_period=cast("BillingPeriod | None", plan.billing_period),
        credits=plan.credits,
        validity_days=plan.validity_days,
        location_rule=LocationRule(plan.location_rule),
        location_ids=[uuid.UUID(str(i)) for i in plan.location_ids],
        visit_limit=plan.visit_limit,
        visit_limit_period=LimitPeriod(period) if period else None,
        visit_limit_mode=LimitMode(plan.visit_limit_mode) if period else None,
        time_windows=list(windows_of(plan.time_windows)),
        active=plan.active,
        created_at=plan.created_at,
        updated_at=plan.updated_at,
    )


def _check_locations(uow: UnitOfWork, tenant_id: uuid.UUID, ids: Iterable[uuid.UUID]) -> None:
    locations = LocationRepository(uow.db, tenant_id)
    for location_id in ids:
        if locations.get(location_id) is None:
            raise NotFound(f"location {location_id} was not found")


def _apply(plan: AccessPlan, spec: PlanSpec) -> None:
    plan.kind = spec.kind.value
    plan.price = spec.price
    plan.billing_period = spec.billing_period
    plan.credits = spec.credits
    plan.validity_days = default_validity_days(spec.kind, spec.validity_days)
    plan.location_rule = spec.location_rule.value
    plan.location_ids = [str(i) for i in spec.location_ids]
    plan.visit_limit = spec.visit_limit
    plan.visit_limit_period = spec.visit_limit_period.value if spec.visit_limit_period else None
    plan.visit_limit_mode = (spec.visit_limit_mode or LimitMode.BLOCK).value


def create_plan(*, uow: UnitOfWork, claims: AccessClaims, cmd: PlanCreate) -> PlanRead:
    spec = cmd.spec()
    with uow:
        _check_locations(uow, claims.tenant_id, spec.location_ids)
        plan = AccessPlan(
            id=new_id(),
            name=cmd.name,
            currency=cmd.currency,
            active=cmd.active,
            time_windows=[w.model_dump(mode="json") for w in cmd.time_windows],
        )
        _apply(plan, spec)
        PlanRepository(uow.db, claims.tenant_id).add(plan)
        uow.commit()
        return to_read(plan)


def list_plans(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    kind: PlanKind | None,
    active: bool | None,
    limit: int,
    offset: int,
) -> PlanPage:
    with uow:
        rows = PlanRepository(uow.db, claims.tenant_id).search(
            kind=kind.value if kind else None, active=active, limit=limit + 1, offset=offset
        )
        return PlanPage(
            items=[to_read(r) for r in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def get_plan(*, uow: UnitOfWork, claims: AccessClaims, plan_id: uuid.UUID) -> PlanRead:
    with uow:
        return to_read(PlanRepository(uow.db, claims.tenant_id).get_or_404(plan_id))


def _merged_spec(plan: AccessPlan, changes: dict[str, Any]) -> PlanSpec:
    current = to_read(plan)

    def value(field: str) -> Any:
        return changes[field] if field in changes else getattr(current, field)

    rule = value("location_rule") or LocationRule(plan.location_rule)
    ids = value("location_ids") or []
    if "location_ids" not in changes and rule is not LocationRule.LISTED:
        ids = []  # moving away from 'listed' forgets the list
    limit = value("visit_limit")
    mode = changes.get("visit_limit_mode") if "visit_limit_mode" in changes else None
    if mode is None and limit is not None and "visit_limit_mode" not in changes:
        mode = current.visit_limit_mode
    price = value("price")
    if price is None:
        raise InvalidInput("price cannot be empty")
    return PlanSpec(
        kind=PlanKind(plan.kind),
        price=price,
        billing_period=value("billing_period"),
        credits=value("credits"),
        validity_days=value("validity_days"),
        location_rule=rule,
        location_ids=tuple(dict.fromkeys(ids)),
        visit_limit=limit,
        visit_limit_period=value("visit_limit_period"),
        visit_limit_mode=mode,
    )


def update_plan(
    *, uow: UnitOfWork, claims: AccessClaims, plan_id: uuid.UUID, cmd: PlanUpdate
) -> PlanRead:
    changes = cmd.model_dump(exclude_unset=True)
    for required in ("name", "currency", "location_rule", "active"):
        if required in changes and changes[required] is None:
            raise InvalidInput(f"{required} cannot be empty")
    with uow:
        plan = PlanRepository(uow.db, claims.tenant_id).get_or_404(plan_id, for_update=True)
        spec = _merged_spec(plan, changes)
        problems = plan_problems(spec)
        if problems:
            raise InvalidInput("; ".join(problems))
        _check_locations(uow, claims.tenant_id, spec.location_ids)
        _apply(plan, spec)
        for field in ("name", "currency", "active"):
            if field in changes:
                setattr(plan, field, changes[field])
        if "time_windows" in changes:
            windows = cmd.time_windows or []
            plan.time_windows = [w.model_dump(mode="json") for w in windows]
        uow.commit()
        return to_read(plan)
