"""Members who sign in with ZHEP's identity provider (integrated mode): the member linked to
a party, or, the first time, the member whose email the provider has verified (then linked).
No member is created: one who has no account here signs up or registers at the desk."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.config import Settings
from server.db.uow import UnitOfWork
from server.errors import Conflict, Unauthenticated
from server.members.models import Member
from server.members.repository import MemberRepository
from server.members.schemas import MemberPartyLink, MemberRead
from server.members.service import to_read
from server.members.tokens import issue_tokens, member_claims
from server.ports.identity import AccessClaims, AccessGrants, ExternalIdentity, IdentityService
from server.signins.repository import RefreshTokenRepository
from server.signins.schemas import TokenPair
from server.tenants.repository import tenant_by_slug
from shared.clock import utcnow
from shared.enums import PrincipalKind

NOT_LINKED = "no ZMOS member account is linked to this Zimasa identity"
TAKEN = "this Zimasa identity is linked to another member"


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


def link_party(
    *,
    uow: UnitOfWork,
    grants: AccessGrants,
    claims: AccessClaims,
    member_id: uuid.UUID,
    cmd: MemberPartyLink,
) -> MemberRead:
    """Links a member to a ZHEP party (or unlinks them: their sign-ins end)."""
    with uow:
        member = MemberRepository(uow.db, claims.tenant_id).get_or_404(member_id, for_update=True)
        holder = uow.db.execute(
            select(Member.id).where(
                Member.tenant_id == claims.tenant_id,
                Member.party_id == cmd.party_id,
                Member.id != member_id,
            )
        ).first()
        if cmd.party_id is not None and holder is not None:
            raise Conflict(TAKEN, code="party_taken")
        ended = member.party_id is not None and member.party_id != cmd.party_id
        member.party_id = cmd.party_id
        if ended:  # who signed in with the old party no longer stands for this member
            member.token_generation += 1
            RefreshTokenRepository(uow.db, claims.tenant_id).revoke_all_of(member.id, utcnow())
        try:
            uow.db.flush()
        except IntegrityError:
            raise Conflict(TAKEN, code="party_taken") from None
        uow.commit()
        read = to_read(member)
    if ended:
        grants.forget(PrincipalKind.MEMBER, claims.tenant_id, member_id)
    return read


def party_of(uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID) -> str | None:
    """The ZHEP party id a member is linked to, if any: what ZHEP's services (payments, the
    health-score engine) know the member by."""
    with uow:
        found: str | None = uow.db.execute(
            select(Member.party_id).where(Member.tenant_id == tenant_id, Member.id == member_id)
        ).scalar_one_or_none()
    return found
