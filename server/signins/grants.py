"""Token generations remembered per process: how a signed access token stops working the
moment its account is demoted, moved, deactivated, archived or signs out.

Every account carries a generation that each such change moves on; tokens carry the
generation they were issued with. A process remembers each account's generation for
``ttl_seconds`` (a second by default): the process that made a change forgets it at once,
other processes behind the same database see it within that second. That keeps the
authenticated read path at one dictionary look-up per request, with at most one small
query per account per second per process.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping

from server.db.uow import UnitOfWork
from server.ports.identity import AccessClaims
from shared.enums import PrincipalKind

#: ``(uow, tenant, subject)`` → the account's generation, or None when it may no longer
#: sign in (gone, deactivated, archived).
GenerationOf = Callable[[UnitOfWork, uuid.UUID, uuid.UUID], int | None]
_Key = tuple[PrincipalKind, uuid.UUID, uuid.UUID]
#: Far above the accounts one process serves at once; past it the memory starts again.
_MAX_REMEMBERED = 100_000


class CachedGrants:
    def __init__(
        self,
        make_uow: Callable[[], UnitOfWork],
        generation_of: Mapping[PrincipalKind, GenerationOf],
        *,
        ttl_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._make_uow = make_uow
        self._generation_of = dict(generation_of)
        self._ttl = ttl_seconds
        self._clock = clock
        self._seen: dict[_Key, tuple[int | None, float]] = {}
        self._lock = threading.Lock()
        #: Moves on with every :meth:`forget`: a load that read the database before a
        #: change committed must not put back what was just forgotten.
        self._forgotten = 0

    def verdict(self, claims: AccessClaims) -> bool | None:
        if claims.kind not in self._generation_of:
            return True  # kiosks and others have their own revocation
        seen = self._seen.get((claims.kind, claims.tenant_id, claims.subject_id))
        if seen is None or seen[1] <= self._clock():
            return None
        return seen[0] == claims.generation

    def load(self, claims: AccessClaims) -> bool:
        generation_of = self._generation_of.get(claims.kind)
        if generation_of is None:
            return True
        key = (claims.kind, claims.tenant_id, claims.subject_id)
        expires, forgotten = self._clock() + self._ttl, self._forgotten
        with self._make_uow() as uow:
            generation = generation_of(uow, claims.tenant_id, claims.subject_id)
        with self._lock:
            if len(self._seen) >= _MAX_REMEMBERED:
                self._seen.clear()
            if forgotten == self._forgotten:
                self._seen[key] = (generation, expires)
        return generation == claims.generation

    def forget(self, kind: PrincipalKind, tenant_id: uuid.UUID, subject_id: uuid.UUID) -> None:
        with self._lock:
            self._forgotten += 1
            self._seen.pop((kind, tenant_id, subject_id), None)
