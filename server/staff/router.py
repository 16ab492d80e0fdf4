"""HTTP routes of sign-in and staff accounts."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from server.api.bodies import Accepted
from server.api.deps import Admin, AnyStaff, ContainerDep, Owner, ReadUowDep
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.signins.deps import ClientAddress
from server.signins.schemas import RefreshRequest, TokenPair
from server.staff import parties, passwords, service, signup
from server.staff.schemas import (
    LoginRequest,
    StaffCreate,
    StaffPage,
    StaffPartyLink,
    StaffPasswordChanged,
    StaffPasswordResetConfirm,
    StaffPasswordResetRequest,
    StaffRead,
    StaffUpdate,
    TenantSignedUp,
)
from server.tenants.schemas import TenantCreate

#: Signing up a provider creates its tenant; documented with tenants and locations.
signup_router = APIRouter(route_class=ThreadedRoute, tags=["tenants and locations"])
router = APIRouter(route_class=ThreadedRoute, tags=["staff and sign-in"])


@signup_router.post("/tenants", response_model=TenantSignedUp, status_code=status.HTTP_201_CREATED)
def sign_up(cmd: TenantCreate, container: ContainerDep) -> TenantSignedUp:
    """A provider signs up: creates the tenant and its owner account, and signs the owner in."""
    return signup.sign_up(
        uow=container.uow(), identity=container.identity, settings=container.settings, cmd=cmd
    )


@router.post("/auth/login", response_model=TokenPair)
def login(cmd: LoginRequest, container: ContainerDep, client: ClientAddress) -> TokenPair:
    """Sign in with the tenant's slug, email and password. Repeated failures lock the account
    out for a while from the client that failed (429 with Retry-After); many failures from
    one address, whatever the accounts, lock that address out."""
    return service.login(
        uow=container.uow(),
        identity=container.identity,
        settings=container.settings,
        cmd=cmd,
        client=client,
    )


@router.post("/auth/refresh", response_model=TokenPair)
def refresh(cmd: RefreshRequest, container: ContainerDep) -> TokenPair:
    """Exchange a refresh token for a new pair; the old refresh token stops working."""
    return service.refresh(
        uow=container.uow(),
        identity=container.identity,
        settings=container.settings,
        refresh_token=cmd.refresh_token,
    )


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(claims: AnyStaff, container: ContainerDep) -> None:
    """End every session of the signed-in account, its current access tokens included."""
    service.logout(uow=container.uow(), grants=container.grants, claims=claims)


@router.get("/me", response_model=StaffRead)
def me(claims: AnyStaff, uow: ReadUowDep) -> StaffRead:
    return service.get_me(uow=uow, claims=claims)


@router.get("/staff", response_model=StaffPage)
def list_staff(
    claims: AnyStaff,
    uow: ReadUowDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> StaffPage:
    return service.list_staff(uow=uow, claims=claims, limit=limit, offset=offset)


@router.post("/staff", response_model=StaffRead, status_code=status.HTTP_201_CREATED)
def create_staff(cmd: StaffCreate, claims: Admin, container: ContainerDep) -> StaffRead:
    """Without a ``password``, the account is emailed an invitation (valid 14 days) whose
    link sets its first password; it cannot sign in before."""
    return service.create_staff(
        uow=container.uow(),
        identity=container.identity,
        claims=claims,
        cmd=cmd,
        notifications=container.notifications,
        public_url=container.settings.public_url,
    )


@router.post("/staff/password-reset", response_model=Accepted, status_code=202)
def request_password_reset(cmd: StaffPasswordResetRequest, container: ContainerDep) -> Accepted:
    """Email a one-time code (valid 2 hours) to set a new staff password. The answer is the
    same whether or not the address names an account; at most a few codes a day go to one
    account. An invited account sets its first password this way too."""
    passwords.request_reset(
        uow=container.uow(),
        notifications=container.notifications,
        settings=container.settings,
        cmd=cmd,
    )
    return Accepted(detail=passwords.RESET_ACCEPTED)


@router.post("/staff/password-reset/confirm", response_model=StaffPasswordChanged)
def confirm_password_reset(
    cmd: StaffPasswordResetConfirm, container: ContainerDep
) -> StaffPasswordChanged:
    """Set a staff password with the code from a reset or invitation email. Each code works
    once (409 when used, 410 when expired); every earlier sign-in of the account ends."""
    return passwords.confirm(
        uow=container.uow(), identity=container.identity, grants=container.grants, cmd=cmd
    )


@router.post("/staff/{staff_id}/invitation", response_model=Accepted, status_code=202)
def resend_invitation(staff_id: uuid.UUID, claims: Admin, container: ContainerDep) -> Accepted:
    """Send an invited account a new invitation to choose its password (409 once it has
    one). Owners and managers."""
    passwords.resend_invitation(
        uow=container.uow(),
        notifications=container.notifications,
        claims=claims,
        staff_id=staff_id,
        public_url=container.settings.public_url,
    )
    return Accepted(detail=passwords.INVITATION_SENT)


@router.get("/staff/{staff_id}", response_model=StaffRead)
def get_staff(staff_id: uuid.UUID, claims: AnyStaff, uow: ReadUowDep) -> StaffRead:
    return service.get_staff(uow=uow, claims=claims, staff_id=staff_id)


@router.patch("/staff/{staff_id}", response_model=StaffRead)
def update_staff(
    staff_id: uuid.UUID, cmd: StaffUpdate, claims: Admin, container: ContainerDep
) -> StaffRead:
    return service.update_staff(
        uow=container.uow(),
        identity=container.identity,
        grants=container.grants,
        claims=claims,
        staff_id=staff_id,
        cmd=cmd,
    )


@router.put("/staff/{staff_id}/party", response_model=StaffRead)
def link_staff_party(
    staff_id: uuid.UUID, cmd: StaffPartyLink, claims: Owner, container: ContainerDep
) -> StaffRead:
    """Owners: the ZHEP party (its OpenID Connect subject) who signs in as this account with
    Zimasa in integrated mode; null unlinks it and ends the account's sign-ins."""
    return parties.link_party(
        uow=container.uow(),
        grants=container.grants,
        claims=claims,
        staff_id=staff_id,
        cmd=cmd,
    )


@router.delete("/staff/{staff_id}", status_code=status.HTTP_204_NO_CONTENT)
def archive_staff(staff_id: uuid.UUID, claims: Admin, container: ContainerDep) -> None:
    """Archive a staff account, as locations and members are archived (DELETE): it can no
    longer sign in or use a PIN (its tokens stop working at once); its history stays, and
    PATCH with ``active: true`` restores it."""
    service.update_staff(
        uow=container.uow(),
        identity=container.identity,
        grants=container.grants,
        claims=claims,
        staff_id=staff_id,
        cmd=StaffUpdate(active=False),
    )
