"""What the console's Coaching pages show, gathered through the coaching service with
the caller's claims (a coach reaches only their own members)."""

from __future__ import annotations

import uuid
from typing import Any

from server.api.deps import Services
from server.coaching import service as coaching
from server.coaching.rules import OUTCOME_LABELS, REFERRAL_LABELS
from server.errors import NotFound
from server.ports.identity import AccessClaims
from server.tenants import service as tenants
from server.web.formatting import Formats

PAGE = 25
TIMELINE_PAGE = 30
STANDINGS = (("", "Everyone"), ("slipping", "Slipping"), ("steady", "On track"))
OUTCOMES = [(k.value, label) for k, label in OUTCOME_LABELS.items()]
REFERRALS = [(k.value, label) for k, label in REFERRAL_LABELS.items()]


def _formats(container: Services, claims: AccessClaims) -> Formats:
    tenant = tenants.get_tenant(uow=container.read_uow(), claims=claims)
    page = tenants.list_locations(uow=container.read_uow(), claims=claims, limit=1, offset=0)
    return Formats.of(page.items[0], tenant.currency) if page.items else Formats()


def list_view(
    container: Services,
    claims: AccessClaims,
    coach_id: uuid.UUID | None,
    standing: str | None,
    offset: int,
) -> dict[str, Any]:
    page = coaching.list_members(
        uow=container.read_uow(),
        claims=claims,
        risk=container.risk_reader,
        coach_id=coach_id,
        standing=standing,
        limit=PAGE,
        offset=offset,
    )
    sees_all = not coaching.is_coach(claims)
    return {
        "page": page,
        "fmt": _formats(container, claims),
        "sees_all": sees_all,
        "coaches": coaching.coaches(uow=container.read_uow(), claims=claims) if sees_all else [],
        "standings": STANDINGS,
    }


def member_view(
    container: Services, claims: AccessClaims, member_id: uuid.UUID, offset: int
) -> dict[str, Any]:
    line = coaching.list_members(
        uow=container.read_uow(),
        claims=claims,
        risk=container.risk_reader,
        coach_id=None,
        standing=None,
        limit=1,
        offset=0,
        member_id=member_id,
    )
    if not line.items:
        raise NotFound(f"member {member_id} was not found")
    timeline = coaching.timeline(
        uow=container.read_uow(),
        claims=claims,
        sealer=container.sealer,
        member_id=member_id,
        before=None,
        limit=TIMELINE_PAGE,
        offset=offset,
    )
    sees_all = not coaching.is_coach(claims)
    return {
        "m": line.items[0],
        "threshold": line.slipping_below,
        "timeline": timeline,
        "fmt": _formats(container, claims),
        "sees_all": sees_all,
        "coaches": coaching.coaches(uow=container.read_uow(), claims=claims) if sees_all else [],
        "outcomes": OUTCOMES,
        "referrals": REFERRALS,
    }
