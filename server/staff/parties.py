"""Staff who sign in with ZHEP's identity provider (integrated mode): the account linked to
a party. No account is ever created for an unknown party: an owner links it first."""

from __future__ import annotations

from server.audit.recorder import record_action
from server.config import Settings
from server.db.actor import Actor, acting_as
from server.db.uow import UnitOfWork
from server.errors import Unauthenticated
from server.ports.identity import AccessClaims, IdentityService
from server.signins.schemas import TokenPair
from server.staff.repository import StaffRepository
from server.staff.service import issue_tokens, staff_claims
from server.tenants.repository import tenant_by_slug

NOT_LINKED = "no ZMOS staff account is linked to this Zimasa identity"


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
