"""Request dependencies: the process's services, a unit of work, and who is calling.

They are ``async def`` because none of them blocks: FastAPI then runs them on the event
loop instead of handing each one to the thread pool.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Protocol

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from server.api.threaded_route import run_in_worker_thread
from server.config import Settings
from server.db.actor import Actor, set_actor
from server.db.sealed import FieldSealer
from server.db.uow import UnitOfWork
from server.errors import Forbidden, NotFound, Unauthenticated
from server.ports import (
    EligibilityService,
    EventPublisher,
    IdentityService,
    NotificationService,
    PaymentService,
)
from server.ports.identity import AccessClaims, AccessGrants, InvalidToken, ProviderSignIn
from server.ports.location_scope import LocationScope
from server.ports.notifications import Messaging
from server.ports.payments import PaymentAccounts, PaymentGateway
from server.ports.risk import CoachedMembers, EnrolmentGate, RiskReader
from shared.enums import ADMIN_ROLES, PrincipalKind, StaffRole


class Services(Protocol):
    """What routes use of the container bootstrap builds for the process (``app.state``).
    A domain's own collaborators (the booking queue, the sync registry) are read by that
    domain's router."""

    @property
    def settings(self) -> Settings: ...

    @property
    def engine(self) -> Engine: ...

    @property
    def identity(self) -> IdentityService: ...

    @property
    def grants(self) -> AccessGrants: ...

    @property
    def provider_sign_in(self) -> ProviderSignIn | None: ...

    @property
    def eligibility(self) -> EligibilityService: ...

    @property
    def payments(self) -> PaymentService: ...

    @property
    def payment_accounts(self) -> PaymentAccounts: ...

    @property
    def payment_gateways(self) -> Mapping[str, PaymentGateway]:
        """The PSPs this server charges through, by provider name."""
        ...

    @property
    def notifications(self) -> NotificationService: ...

    @property
    def events(self) -> EventPublisher: ...

    @property
    def messaging(self) -> Messaging: ...

    @property
    def location_scope(self) -> LocationScope: ...

    @property
    def sealer(self) -> FieldSealer: ...

    @property
    def risk_reader(self) -> RiskReader: ...

    @property
    def coached_members(self) -> CoachedMembers: ...

    @property
    def enrolment_gate(self) -> EnrolmentGate: ...

    def uow(self) -> UnitOfWork: ...

    def read_uow(self) -> UnitOfWork:
        """For use cases that read with one statement: no BEGIN/ROLLBACK round trips."""
        ...


_bearer = HTTPBearer(
    auto_error=False, description="An access token from /auth/login or /devices/token"
)


def _container(request: Request) -> Services:
    container: Services = request.app.state.container
    return container


async def get_container(request: Request) -> Services:
    return _container(request)


async def get_uow(request: Request) -> UnitOfWork:
    return _container(request).uow()


async def get_read_uow(request: Request) -> UnitOfWork:
    return _container(request).read_uow()


Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def _claims(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> AccessClaims:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("sign in first: send 'Authorization: Bearer <access token>'")
    container = _container(request)
    identity, token = container.identity, credentials.credentials
    try:
        if identity.reads_in_memory(token):
            claims = identity.read_access_token(token)
        else:  # an identity provider's token not seen lately: its keys, its account
            claims = await run_in_worker_thread(identity.read_access_token, token)
    except InvalidToken as exc:
        raise Unauthenticated(str(exc), code="invalid_token") from None
    # A signed token outlives a change of the account; its generation says whether it is
    # still the account's. Nearly always answered from memory, else one query off the loop.
    verdict = container.grants.verdict(claims)
    if verdict is None:
        verdict = await run_in_worker_thread(container.grants.load, claims)
    if not verdict:
        raise Unauthenticated(
            "your access has changed or this sign-in has ended; sign in again",
            code="invalid_token",
        )
    set_actor(actor_of(claims, request))
    return claims


def actor_of(claims: AccessClaims, request: Request) -> Actor:
    """Who the audit log names for what this request changes, and from which address."""
    return Actor(
        kind=claims.kind.value,
        id=claims.subject_id,
        tenant_id=claims.tenant_id,
        role=claims.role.value if claims.role is not None else None,
        ip=request.client.host if request.client is not None else None,
    )


def caller_where(check: Callable[[AccessClaims], None]) -> Callable[..., Awaitable[AccessClaims]]:
    """A dependency: the caller's claims once ``check`` (which raises ``Forbidden``) passed.

    Each is one dependency over the bearer header, not a chain of them: FastAPI spends
    ~15 µs solving every dependency of every request, and this is on every route."""

    async def dependency(request: Request, credentials: Bearer) -> AccessClaims:
        claims = await _claims(request, credentials)
        check(claims)
        if claims.location_ids is not None:
            await _within_locations(request, claims)
        return claims

    return dependency


def _as_id(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None  # not an id: the route's own validation answers


async def _within_locations(request: Request, claims: AccessClaims) -> None:
    """For staff limited to some locations: another location's resource, named in the path
    or as ``?location_id=``, is not found (as another tenant's is). Tenant-wide callers
    never come here, so the common read path does no extra work."""
    location_id = _as_id(request.query_params.get("location_id", ""))
    if location_id is not None and not claims.sees_location(location_id):
        raise NotFound(f"location {location_id} was not found")
    container = _container(request)
    scope = container.location_scope
    ids = {
        name: found
        for name, value in request.path_params.items()
        if name in scope.parameters and (found := _as_id(value)) is not None
    }
    if ids:
        await run_in_worker_thread(scope.check, container.read_uow(), claims, ids)


def _anyone(_claims: AccessClaims) -> None:
    return None


def _must_be_staff(claims: AccessClaims) -> None:
    if claims.kind is not PrincipalKind.STAFF:
        raise Forbidden("this needs a staff account")


def _must_be_device(claims: AccessClaims) -> None:
    if claims.kind is not PrincipalKind.DEVICE or claims.location_id is None:
        raise Forbidden("this needs an enrolled kiosk device")


get_claims = caller_where(_anyone)
_staff = caller_where(_must_be_staff)
_device = caller_where(_must_be_device)


def staff_with(*roles: StaffRole) -> Callable[..., Awaitable[AccessClaims]]:
    allowed = frozenset(roles)
    names = ", ".join(sorted(role.value.replace("_", " ") for role in allowed))

    def check(claims: AccessClaims) -> None:
        _must_be_staff(claims)
        if claims.role not in allowed:
            raise Forbidden(f"this needs one of these roles: {names}")

    return caller_where(check)


ContainerDep = Annotated[Services, Depends(get_container)]
UowDep = Annotated[UnitOfWork, Depends(get_uow)]
#: For routes that read one thing with one statement.
ReadUowDep = Annotated[UnitOfWork, Depends(get_read_uow)]
AnyStaff = Annotated[AccessClaims, Depends(_staff)]
Admin = Annotated[AccessClaims, Depends(staff_with(*ADMIN_ROLES))]
Owner = Annotated[AccessClaims, Depends(staff_with(StaffRole.OWNER))]
DeviceClaims = Annotated[AccessClaims, Depends(_device)]
