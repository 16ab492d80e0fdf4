"""HTTP routes of access plans, memberships and desk sales. Thin: parse, call, return."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from server.api.deps import Admin, AnyStaff, ContainerDep, ReadUowDep, UowDep
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.members import service as members_service
from server.members.deps import CsvBody, MemberEditor
from server.members.schemas import ImportResult
from server.plans import membership_service, sales_service, service
from server.plans.deps import FrontDeskOrKiosk, FrontDeskStaff
from server.plans.member_import import ImportMemberships
from server.plans.schemas import (
    MembershipCancel,
    MembershipCreate,
    MembershipFreeze,
    MembershipPage,
    MembershipRead,
    PlanCreate,
    PlanPage,
    PlanRead,
    PlanUpdate,
    SaleCreate,
    SaleRead,
)
from shared.enums import PlanKind

router = APIRouter(route_class=ThreadedRoute, tags=["plans and memberships"])


@router.post("/plans", response_model=PlanRead, status_code=status.HTTP_201_CREATED)
def create_plan(cmd: PlanCreate, claims: Admin, uow: UowDep) -> PlanRead:
    """A new access plan: recurring, class pack, day pass, guest pass or corporate."""
    return service.create_plan(uow=uow, claims=claims, cmd=cmd)


@router.get("/plans", response_model=PlanPage)
def list_plans(
    claims: AnyStaff,
    uow: UowDep,
    kind: PlanKind | None = None,
    active: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PlanPage:
    return service.list_plans(
        uow=uow, claims=claims, kind=kind, active=active, limit=limit, offset=offset
    )


@router.get("/plans/{plan_id}", response_model=PlanRead)
def get_plan(plan_id: uuid.UUID, claims: AnyStaff, uow: ReadUowDep) -> PlanRead:
    return service.get_plan(uow=uow, claims=claims, plan_id=plan_id)


@router.patch("/plans/{plan_id}", response_model=PlanRead)
def update_plan(plan_id: uuid.UUID, cmd: PlanUpdate, claims: Admin, uow: UowDep) -> PlanRead:
    """Change a plan; existing memberships keep the credits and dates they were sold with."""
    return service.update_plan(uow=uow, claims=claims, plan_id=plan_id, cmd=cmd)


_CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        },
    }
}


@router.post(
    "/members/import",
    response_model=ImportResult,
    status_code=200,
    openapi_extra=_CSV_BODY,
    tags=["members"],
)
def import_members(claims: MemberEditor, data: CsvBody, container: ContainerDep) -> ImportResult:
    """Bulk import of members from a CSV file (UTF-8, at most 5 MB and 10,000 rows): the file
    itself as the body with `Content-Type: text/csv`, or uploaded as the `file` field of a
    `multipart/form-data` form. Fields are separated by commas or semicolons (found from the
    header). The header row names the columns: first_name and last_name are required;
    email, phone, date_of_birth (YYYY-MM-DD), barcode, card_number, home_location (a
    location's name or id; or home_location_id) and plan (a plan's name or id; or plan_id)
    are optional; other columns refuse the whole file. A row with a plan starts a membership
    of it today. Good rows are created together; bad rows are listed with their line number
    (the header is line 1) and reason. Members with an email are sent an invitation to set
    a password."""
    return members_service.import_members(
        uow=container.uow(),
        claims=claims,
        data=data,
        notifications=container.notifications,
        memberships=ImportMemberships(),
        public_url=container.settings.public_url,
    )


@router.post(
    "/members/{member_id}/memberships",
    response_model=MembershipRead,
    status_code=status.HTTP_201_CREATED,
)
def create_membership(
    member_id: uuid.UUID, cmd: MembershipCreate, claims: FrontDeskStaff, uow: UowDep
) -> MembershipRead:
    """Give a member a plan; ``ends_on`` and credits default from the plan."""
    return membership_service.create_membership(
        uow=uow, claims=claims, member_id=member_id, cmd=cmd
    )


@router.get("/members/{member_id}/memberships", response_model=MembershipPage)
def list_memberships(
    member_id: uuid.UUID,
    claims: AnyStaff,
    uow: UowDep,
    limit: Limit = 100,
    offset: Offset = 0,
) -> MembershipPage:
    return membership_service.list_memberships(
        uow=uow, claims=claims, member_id=member_id, limit=limit, offset=offset
    )


@router.get("/memberships/{membership_id}", response_model=MembershipRead)
def get_membership(membership_id: uuid.UUID, claims: AnyStaff, uow: ReadUowDep) -> MembershipRead:
    return membership_service.get_membership(uow=uow, claims=claims, membership_id=membership_id)


@router.post("/memberships/{membership_id}/freeze", response_model=MembershipRead)
def freeze_membership(
    membership_id: uuid.UUID, cmd: MembershipFreeze, claims: FrontDeskStaff, uow: UowDep
) -> MembershipRead:
    """Freeze until a day (the day it resumes). A cancelled or expired one cannot be frozen."""
    return membership_service.freeze(uow=uow, claims=claims, membership_id=membership_id, cmd=cmd)


@router.post("/memberships/{membership_id}/unfreeze", response_model=MembershipRead)
def unfreeze_membership(
    membership_id: uuid.UUID, claims: FrontDeskStaff, uow: UowDep
) -> MembershipRead:
    return membership_service.unfreeze(uow=uow, claims=claims, membership_id=membership_id)


@router.post("/memberships/{membership_id}/cancel", response_model=MembershipRead)
def cancel_membership(
    membership_id: uuid.UUID,
    claims: FrontDeskStaff,
    container: ContainerDep,
    cmd: MembershipCancel | None = None,
) -> MembershipRead:
    return membership_service.cancel(
        uow=container.uow(),
        claims=claims,
        membership_id=membership_id,
        cmd=cmd or MembershipCancel(),
    )


@router.post("/sales", response_model=SaleRead, status_code=status.HTTP_201_CREATED)
def sell_pass(cmd: SaleCreate, claims: FrontDeskOrKiosk, container: ContainerDep) -> SaleRead:
    """Sell a day or guest pass at the desk. Replaying the same ``sale_id`` changes nothing."""
    return sales_service.sell(
        uow=container.uow(), payments=container.payments, claims=claims, cmd=cmd
    )
