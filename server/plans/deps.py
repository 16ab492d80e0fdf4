"""Who may sell and check people in: front-desk staff (and up) and enrolled kiosks."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from server.api.deps import caller_where, staff_with
from server.errors import Forbidden
from server.ports.identity import AccessClaims
from shared.enums import PrincipalKind, StaffRole

FRONT_DESK_ROLES = frozenset({StaffRole.OWNER, StaffRole.MANAGER, StaffRole.FRONT_DESK})


def _must_be_front_desk_or_kiosk(claims: AccessClaims) -> None:
    if claims.kind is PrincipalKind.DEVICE and claims.location_id is not None:
        return
    if claims.kind is PrincipalKind.STAFF and claims.role in FRONT_DESK_ROLES:
        return
    raise Forbidden("this needs front-desk staff (owner, manager or front desk) or a kiosk")


_front_desk_or_kiosk = caller_where(_must_be_front_desk_or_kiosk)


FrontDeskStaff = Annotated[AccessClaims, Depends(staff_with(*FRONT_DESK_ROLES))]
FrontDeskOrKiosk = Annotated[AccessClaims, Depends(_front_desk_or_kiosk)]
