"""Staff who sign in with ZHEP's identity provider (integrated mode): the account linked to
a party. No account is ever created for an unknown party: an owner links it first."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError

from server.audit.recorder import record_action
from server.config import Settings
from server.db.actor import Actor, acting_as
from server.db.uow import UnitOfWork
from server.errors import Conflict, Unauthenticated
from server.ports.identity import AccessClaims, AccessGrants, IdentityService
from server.signins.repository import RefreshTokenRepository
from server.signins.schemas import TokenPair
from server.staff.repository import StaffRepository
from server.staff.schemas import StaffPartyLink, StaffRead
from server.staff.service import issue_tokens, staff_claims, to_read
from server.tenants.repository import tenant_by_slug
from shared.clock import utcnow
from shared.enums import PrincipalKind

NOT_LINKED = "no ZMOS staff account is linked to this Zimasa identity"
TAKEN = "this Zimasa identity is linked to another staff account"


def claims_of_party(uow: UnitOfWork, tenant: str, party_id: str) -> AccessClaims | None:
    """The claims of the active staff account linked to ``party_id`` in ``tenant`` (a slug)."""
    with uow:
        found = tenant_by_slug(uow.db, tenant.lower())
        if found is None:
            return None
        staff = StaffRepository(uow.db, found.id).by_party(party_id)
        return staff_claims(staff) if staff is not None and staff.active else None


def sign_in_party(
    *,
    uow: UnitOfWork,
    identity: IdentityService,
    settings: Settings,
    tenant: str,
    party_id: str,
    client: str,
) -> TokenPair:
    """A web sign-in for the staff account linked to ``party_id``, as a password would."""
    with uow:
        found = tenant_by_slug(uow.db, tenant.lower())
        staff = StaffRepository(uow.db, found.id).by_party(party_id) if found else None
        if found is None or staff is None or not staff.active:
            raise Unauthenticated(NOT_LINKED, code="party_not_linked")
        role = str(getattr(staff.role, "value", staff.role))
        with acting_as(Actor("staff", staff.id, found.id, role, client or None)):
            tokens = issue_tokens(uow=uow, identity=identity, settings=settings, staff=staff)
            record_action(
                uow.db, tenant_id=found.id, action="sign-in", entity="staff", entity_id=staff.id
            )
        uow.commit()
        return tokens


def link_party(
    *,
    uow: UnitOfWork,
    grants: AccessGrants,
    claims: AccessClaims,
    staff_id: uuid.UUID,
    cmd: StaffPartyLink,
) -> StaffRead:
    """Links a staff account to a ZHEP party (or unlinks it: its sign-ins end)."""
    with uow:
        repo = StaffRepository(uow.db, claims.tenant_id)
        staff = repo.get_or_404(staff_id, for_update=True)
        holder = repo.by_party(cmd.party_id) if cmd.party_id is not None else None
        if holder is not None and holder.id != staff.id:
            raise Conflict(TAKEN, code="party_taken")
        ended = staff.party_id is not None and staff.party_id != cmd.party_id
        staff.party_id = cmd.party_id
        if ended:  # who signed in with the old party no longer stands for this account
            staff.token_generation += 1
            RefreshTokenRepository(uow.db, claims.tenant_id).revoke_all_of(staff.id, utcnow())
        try:
            uow.db.flush()
        except IntegrityError:
            raise Conflict(TAKEN, code="party_taken") from None
        uow.commit()
        read = to_read(staff)
    if ended:
        grants.forget(PrincipalKind.STAFF, claims.tenant_id, staff_id)
    return read
