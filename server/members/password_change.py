"""A signed-in member changes their password, proving they know the one they have now."""

from __future__ import annotations

from server.config import Settings
from server.db.uow import UnitOfWork
from server.errors import InvalidInput, NotFound, Unauthenticated
from server.members.repository import MemberRepository
from server.members.schemas import PasswordChange
from server.members.tokens import issue_tokens
from server.ports.identity import AccessClaims, AccessGrants, IdentityService
from server.signins.repository import RefreshTokenRepository
from server.signins.schemas import TokenPair
from server.signins.throttle import SignInThrottle
from shared.clock import utcnow
from shared.enums import PrincipalKind
from shared.normalise import email_key

WRONG_CURRENT = "your current password is not right"
SAME_PASSWORD = "the new password is the one you have now: choose another"


def change_password(
    *,
    uow: UnitOfWork,
    identity: IdentityService,
    settings: Settings,
    grants: AccessGrants,
    claims: AccessClaims,
    cmd: PasswordChange,
    client: str,
) -> TokenPair:
    """Sets the new password and ends every other sign-in of the account (someone who knew
    the old password is out); returns a new pair for the caller's own sign-in. A wrong
    current password counts as a failed sign-in, so a left-open session is no way to guess
    it faster than the sign-in form allows."""
    new_hash = identity.hash_password(cmd.password)
    now = utcnow()
    with uow:
        repo = MemberRepository(uow.db, claims.tenant_id)
        member = repo.get(claims.subject_id, for_update=True)
        if member is None or not member.password_hash:
            raise NotFound("your member account no longer exists")
        throttle = SignInThrottle(
            uow, claims.tenant_id, f"member:{email_key(member.email or '')}", client, now
        )
        throttle.refuse_if_locked()
        if not identity.verify_password(member.password_hash, cmd.current_password):
            try:
                throttle.fail(settings)
            except Unauthenticated:
                raise InvalidInput(WRONG_CURRENT, code="wrong_current_password") from None
        if identity.verify_password(member.password_hash, cmd.password):
            raise InvalidInput(SAME_PASSWORD, code="same_password")
        throttle.succeed()
        member.password_hash = new_hash
        member.token_generation = (member.token_generation or 0) + 1
        RefreshTokenRepository(uow.db, claims.tenant_id).revoke_all_of(member.id, now)
        pair = issue_tokens(uow=uow, identity=identity, settings=settings, member=member)
        uow.commit()
    grants.forget(PrincipalKind.MEMBER, claims.tenant_id, claims.subject_id)
    return pair
