"""Request dependencies: the container, a unit of work, and who is calling.

They are ``async def`` because none of them blocks: FastAPI then runs them on the event
loop instead of handing each one to the thread pool.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from server.bootstrap import Container
from server.db.uow import UnitOfWork
from server.errors import Forbidden, Unauthenticated
from server.ports.identity import AccessClaims, InvalidToken
from shared.enums import ADMIN_ROLES, PrincipalKind, StaffRole

_bearer = HTTPBearer(
    auto_error=False, description="An access token from /auth/login or /devices/token"
)


async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


async def get_uow(container: Annotated[Container, Depends(get_container)]) -> UnitOfWork:
    return container.uow()


async def get_claims(
    container: Annotated[Container, Depends(get_container)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> AccessClaims:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("sign in first: send 'Authorization: Bearer <access token>'")
    try:
        return container.identity.read_access_token(credentials.credentials)
    except InvalidToken as exc:
        raise Unauthenticated(str(exc), code="invalid_token") from None


async def get_read_uow(container: Annotated[Container, Depends(get_container)]) -> UnitOfWork:
    return container.read_uow()


async def _staff(claims: Annotated[AccessClaims, Depends(get_claims)]) -> AccessClaims:
    if claims.kind is not PrincipalKind.STAFF:
        raise Forbidden("this needs a staff account")
    return claims


def staff_with(*roles: StaffRole) -> Callable[[AccessClaims], Awaitable[AccessClaims]]:
    allowed = frozenset(roles)

    async def dependency(claims: Annotated[AccessClaims, Depends(_staff)]) -> AccessClaims:
        if claims.role not in allowed:
            names = ", ".join(sorted(role.value.replace("_", " ") for role in allowed))
            raise Forbidden(f"this needs one of these roles: {names}")
        return claims

    return dependency


async def _device(claims: Annotated[AccessClaims, Depends(get_claims)]) -> AccessClaims:
    if claims.kind is not PrincipalKind.DEVICE or claims.location_id is None:
        raise Forbidden("this needs an enrolled kiosk device")
    return claims


ContainerDep = Annotated[Container, Depends(get_container)]
UowDep = Annotated[UnitOfWork, Depends(get_uow)]
#: For routes that read one thing with one statement.
ReadUowDep = Annotated[UnitOfWork, Depends(get_read_uow)]
AnyStaff = Annotated[AccessClaims, Depends(_staff)]
Admin = Annotated[AccessClaims, Depends(staff_with(*ADMIN_ROLES))]
Owner = Annotated[AccessClaims, Depends(staff_with(StaffRole.OWNER))]
DeviceClaims = Annotated[AccessClaims, Depends(_device)]
