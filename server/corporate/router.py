"""HTTP routes of corporate accounts: owners and managers manage accounts, departments,
admins, the roster and invitations; a company's admins sign in here and read their own
account; employees accept their invitation."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status

from server.api.deps import ContainerDep, ReadUowDep, UowDep, caller_where
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.corporate import admins, invitations, service
from server.corporate.access import MANAGING
from server.corporate.schemas import (
    AccountCreate,
    AccountPage,
    AccountRead,
    AccountUpdate,
    AdminInvite,
    AdminPage,
    AdminPasswordSet,
    AdminRead,
    AdminSignIn,
    DepartmentCreate,
    DepartmentPage,
    DepartmentRead,
    EmployeePage,
    InvitationAccept,
    InvitationAccepted,
    InvitationsSent,
    RosterReport,
)
from server.errors import Forbidden
from server.members.deps import CsvBody
from server.ports.identity import AccessClaims
from server.signins.deps import ClientAddress
from server.signins.schemas import RefreshRequest, TokenPair
from shared.enums import PrincipalKind

router = APIRouter(route_class=ThreadedRoute, tags=["corporate"])


def _managing_or_admin(claims: AccessClaims) -> None:
    """Which account the caller sees is the service's rule (``visible_account``)."""
    if claims.kind is PrincipalKind.CORPORATE_ADMIN:
        return
    if claims.kind is not PrincipalKind.STAFF or claims.role not in MANAGING:
        raise Forbidden("this needs an owner, a manager or the company's own admin")


def _corporate_admin(claims: AccessClaims) -> None:
    if claims.kind is not PrincipalKind.CORPORATE_ADMIN:
        raise Forbidden("this needs a corporate admin's sign-in")


Corporate = Annotated[AccessClaims, Depends(caller_where(_managing_or_admin))]
CorporateAdmin = Annotated[AccessClaims, Depends(caller_where(_corporate_admin))]

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


@router.get("/corporate/accounts", response_model=AccountPage)
def list_accounts(
    claims: Corporate,
    uow: ReadUowDep,
    include_archived: bool = Query(False, description="Owners and managers: archived too"),
    limit: Limit = 50,
    offset: Offset = 0,
) -> AccountPage:
    """Owners and managers: every account of the tenant; a company's admin: their own."""
    return service.list_accounts(
        uow=uow, claims=claims, include_archived=include_archived, limit=limit, offset=offset
    )


@router.post("/corporate/accounts", response_model=AccountRead, status_code=201)
def create_account(cmd: AccountCreate, claims: Corporate, uow: UowDep) -> AccountRead:
    """A new corporate account (owners and managers); names are unique in the tenant."""
    return service.create_account(uow=uow, claims=claims, cmd=cmd)


@router.get("/corporate/accounts/{account_id}", response_model=AccountRead)
def get_account(account_id: uuid.UUID, claims: Corporate, uow: ReadUowDep) -> AccountRead:
    return service.get_account(uow=uow, claims=claims, account_id=account_id)


@router.patch("/corporate/accounts/{account_id}", response_model=AccountRead)
def update_account(
    account_id: uuid.UUID, cmd: AccountUpdate, claims: Corporate, uow: UowDep
) -> AccountRead:
    """Only the fields sent change (owners and managers)."""
    return service.update_account(uow=uow, claims=claims, account_id=account_id, cmd=cmd)


@router.post("/corporate/accounts/{account_id}/archive", response_model=AccountRead)
def archive_account(account_id: uuid.UUID, claims: Corporate, uow: UowDep) -> AccountRead:
    """The account leaves the list and its admins' sign-ins end; its rows are kept."""
    return service.archive_account(uow=uow, claims=claims, account_id=account_id)


@router.post("/corporate/accounts/{account_id}/restore", response_model=AccountRead)
def restore_account(account_id: uuid.UUID, claims: Corporate, uow: UowDep) -> AccountRead:
    return service.restore_account(uow=uow, claims=claims, account_id=account_id)


@router.get("/corporate/accounts/{account_id}/departments", response_model=DepartmentPage)
def list_departments(
    account_id: uuid.UUID,
    claims: Corporate,
    uow: UowDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> DepartmentPage:
    return service.list_departments(
        uow=uow, claims=claims, account_id=account_id, limit=limit, offset=offset
    )


@router.post(
    "/corporate/accounts/{account_id}/departments", response_model=DepartmentRead, status_code=201
)
def add_department(
    account_id: uuid.UUID, cmd: DepartmentCreate, claims: Corporate, uow: UowDep
) -> DepartmentRead:
    """A department and the cost centre its share of an invoice goes to."""
    return service.add_department(uow=uow, claims=claims, account_id=account_id, cmd=cmd)


@router.get("/corporate/accounts/{account_id}/admins", response_model=AdminPage)
def list_admins(
    account_id: uuid.UUID,
    claims: Corporate,
    uow: UowDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> AdminPage:
    return admins.list_admins(
        uow=uow, claims=claims, account_id=account_id, limit=limit, offset=offset
    )


@router.post("/corporate/accounts/{account_id}/admins", response_model=AdminRead, status_code=201)
def invite_admin(
    account_id: uuid.UUID, cmd: AdminInvite, claims: Corporate, container: ContainerDep
) -> AdminRead:
    """A new admin of the company, emailed a one-time link to choose a password."""
    return admins.invite_admin(
        uow=container.uow(),
        notifications=container.notifications,
        claims=claims,
        account_id=account_id,
        cmd=cmd,
        public_url=container.settings.public_url,
    )


@router.post(
    "/corporate/accounts/{account_id}/admins/{admin_id}/invitation", response_model=AdminRead
)
def resend_admin_invitation(
    account_id: uuid.UUID, admin_id: uuid.UUID, claims: Corporate, container: ContainerDep
) -> AdminRead:
    """A new link for an admin who has not chosen a password (409 once they have)."""
    return admins.resend_admin_invitation(
        uow=container.uow(),
        notifications=container.notifications,
        claims=claims,
        account_id=account_id,
        admin_id=admin_id,
        public_url=container.settings.public_url,
    )


@router.post(
    "/corporate/accounts/{account_id}/admins/{admin_id}/deactivate", response_model=AdminRead
)
def deactivate_admin(
    account_id: uuid.UUID, admin_id: uuid.UUID, claims: Corporate, container: ContainerDep
) -> AdminRead:
    """The admin's sign-ins end at once and they may not sign in again."""
    return admins.deactivate_admin(
        uow=container.uow(),
        grants=container.grants,
        claims=claims,
        account_id=account_id,
        admin_id=admin_id,
    )


@router.post(
    "/corporate/accounts/{account_id}/roster", response_model=RosterReport, openapi_extra=_CSV_BODY
)
def upload_roster(
    account_id: uuid.UUID,
    claims: Corporate,
    data: CsvBody,
    uow: UowDep,
    mode: Literal["full", "delta"] = Query(
        "delta", description="full: everyone not in the file ends; delta: only the rows given"
    ),
    dry_run: bool = Query(False, description="Report what each line would do; change nothing"),
    apply_good_rows: bool = Query(False, description="Apply the good rows of a file with errors"),
) -> RosterReport:
    """The eligibility roster as CSV (UTF-8): a header naming some of employee_id,
    work_email, first_name, last_name, department, location, status (active, suspended,
    ended; blank: active) and package; every row needs an employee_id or a work_email.
    Department, location and package are names of the account's (or the tenant's) own.
    The report has a row per line (the header is line 1), and one per person a full file
    ends. A file with bad rows changes nothing (422 with the report) unless
    ``apply_good_rows``. An ended employee stays covered to the end of the month."""
    return service.upload_roster(
        uow=uow,
        claims=claims,
        account_id=account_id,
        data=data,
        full=mode == "full",
        dry_run=dry_run,
        apply_good_rows=apply_good_rows,
    )


@router.get("/corporate/accounts/{account_id}/employees", response_model=EmployeePage)
def list_employees(
    account_id: uuid.UUID,
    claims: Corporate,
    uow: UowDep,
    status_: Annotated[
        Literal["active", "suspended", "ended"] | None, Query(alias="status")
    ] = None,
    department_id: uuid.UUID | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> EmployeePage:
    """The roster; whether each employee accepted is shown to owners and managers only."""
    return service.list_employees(
        uow=uow,
        claims=claims,
        account_id=account_id,
        status=status_,
        department_id=department_id,
        limit=limit,
        offset=offset,
    )


@router.post("/corporate/accounts/{account_id}/invitations", response_model=InvitationsSent)
def send_invitations(
    account_id: uuid.UUID, claims: Corporate, container: ContainerDep
) -> InvitationsSent:
    """Email every active employee not yet a member whose invitation is not live (never
    sent, or expired) a link valid for 21 days."""
    return invitations.send_invitations(
        uow=container.uow(),
        notifications=container.notifications,
        claims=claims,
        account_id=account_id,
        public_url=container.settings.public_url,
    )


@router.post("/corporate/invitations/accept", response_model=InvitationAccepted)
def accept_invitation(cmd: InvitationAccept, container: ContainerDep) -> InvitationAccepted:
    """An employee accepts their invitation with its one-time code (a new member sets a
    password with it): a membership the company pays for starts today."""
    return invitations.accept(uow=container.uow(), identity=container.identity, cmd=cmd)


@router.post("/corporate/admins/password", response_model=AdminRead)
def set_admin_password(cmd: AdminPasswordSet, container: ContainerDep) -> AdminRead:
    """A company's admin accepts their invitation: the one-time code and a password."""
    return admins.set_password(
        uow=container.uow(), identity=container.identity, grants=container.grants, cmd=cmd
    )


@router.post("/corporate/sign-in", response_model=TokenPair)
def sign_in(cmd: AdminSignIn, container: ContainerDep, client: ClientAddress) -> TokenPair:
    """A company's admin signs in (the staff sign-in's lock-out applies)."""
    return admins.login(
        uow=container.uow(),
        identity=container.identity,
        settings=container.settings,
        cmd=cmd,
        client=client,
    )


@router.post("/corporate/refresh", response_model=TokenPair)
def refresh(cmd: RefreshRequest, container: ContainerDep) -> TokenPair:
    return admins.refresh(
        uow=container.uow(),
        identity=container.identity,
        settings=container.settings,
        refresh_token=cmd.refresh_token,
    )


@router.post("/corporate/sign-out", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(claims: CorporateAdmin, container: ContainerDep) -> None:
    """End every sign-in of the admin."""
    admins.logout(uow=container.uow(), grants=container.grants, claims=claims)
