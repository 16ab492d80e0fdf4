"""LocationScope: whether a resource named in a request is one a location-limited member of
staff may reach (a London manager manages London, not Accra)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Protocol

from server.db.uow import UnitOfWork
from server.ports.identity import AccessClaims


class LocationScope(Protocol):
    #: The path parameters it knows how to place at locations.
    parameters: frozenset[str]

    def check(self, uow: UnitOfWork, claims: AccessClaims, ids: Mapping[str, uuid.UUID]) -> None:
        """Raise ``NotFound`` (as for another tenant's id) when a resource named by ``ids``
        (path parameter → id) belongs to none of the caller's locations. Ids of nothing
        pass: the route itself answers for them."""
        ...
