"""Request dependencies: the container, a unit of work, and who is calling."""

from __future__ import annotations

from collections.abc import Callable
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


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_uow(container: Annotated[Container, Depends(get_container)]) -> UnitOfWork:
    return container.uow()


def get_claims(
    container: Annotated[Container, Depends(get_container)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> AccessClaims:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("sign in first: send 'Authorization: Bearer <access token>'")
    try:
        return container.identity.read_access_token(credentials.credentials)
    except InvalidToken as exc:
        raise Unauthenticated(str(exc), code="invalid_token") from None


def _staff(claims: Annotated[AccessClaims, Depends(get_claims)]) -> AccessClaims:
    if claims.kind is not PrincipalKind.STAFF:
        raise Forbidden("this needs a staff account")
    return claims


def staff_with(*roles: StaffRole) -> Callable[[AccessClaims], AccessClaims]:
    allowed = frozenset(roles)

    def dependency(claims: Annotated[AccessClaims, Depends(_staff)]) -> AccessClaims:
        if claims.role not in allowed:
            names = ", ".join(sorted(role.value.replace("_", " ") for role in allowed))
            raise Forbidden(f"this needs one of these roles: {names}")
        return claims

    return dependency


def _device(claims: Annotated[AccessClaims, Depends(get_claims)]) -> AccessClaims:
    if claims.kind is not PrincipalKind.DEVICE or claims.location_id is None:
        raise Forbidden("this needs an enrolled kiosk device")
    return claims


ContainerDep = Annotated[Container, Depends(get_container)]
UowDep = Annotated[UnitOfWork, Depends(get_uow)]
AnyStaff = Annotated[AccessClaims, Depends(_staff)]
Admin = Annotated[AccessClaims, Depends(staff_with(*ADMIN_ROLES))]
Owner = Annotated[AccessClaims, Depends(staff_with(StaffRole.OWNER))]
DeviceClaims = Annotated[AccessClaims, Depends(_device)]
