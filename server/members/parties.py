"""Members who sign in with ZHEP's identity provider (integrated mode): the member linked to
a party, or, the first time, the member whose email the provider has verified (then linked).
No member is created: one who has no account here signs up or registers at the desk."""

from __future__ import annotations

from server.config import Settings
from server.db.uow import UnitOfWork
from server.errors import Unauthenticated
from server.members.models import Member
from server.members.repository import MemberRepository
from server.members.tokens import issue_tokens, member_claims
from server.ports.identity import AccessClaims, ExternalIdentity, IdentityService
from server.signins.schemas import TokenPair
from server.tenants.repository import tenant_by_slug
from shared.clock import utcnow

NOT_LINKED = "no ZMOS member account is linked to this Zimasa identity"


def claims_of_party(uow: UnitOfWork, tenant: str, party_id: str) -> AccessClaims | None:
    """The claims of the member linked to ``party_id`` in ``tenant`` (a slug)."""
    with uow:
        found = tenant_by_slug(uow.db, tenant.lower())
        if found is None:
            return None
        member = MemberRepository(uow.db, found.id).by_party(party_id)
        return member_claims(member) if member is not None else None


def _linked(repo: MemberRepository, person: ExternalIdentity) -> Member | None:
    member = repo.by_party(person.party_id)
    if member is not None or not (person.email_verified and person.email):
        return member
    member = repo.by_email(person.email)
    if member is None or member.party_id is not None:
        return None  # linked to another party already: never taken over
    member.party_id = person.party_id
    if member.email_verified_at is None:
        member.email_verified_at = utcnow()  # the provider has verified it
    return member


def sign_in_party(
    *,
    uow: UnitOfWork,
    identity: IdentityService,
    settings: Settings,
    tenant: str,
    person: ExternalIdentity,
) -> TokenPair:
    """A web sign-in for the member linked to ``person``'s party (linked by their verified
    email the first time)."""
    with uow:
        found = tenant_by_slug(uow.db, tenant.lower())
        member = _linked(MemberRepository(uow.db, found.id), person) if found else None
        if member is None:
            raise Unauthenticated(NOT_LINKED, code="party_not_linked")
        tokens = issue_tokens(uow=uow, identity=identity, settings=settings, member=member)
        uow.commit()
        return tokens
