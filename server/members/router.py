"""HTTP routes of members. Thin: parse, call the service, return."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Query, Response, status

from server.api.deps import AnyStaff, ContainerDep, ReadUowDep, UowDep
from server.api.params import Limit, Offset, Text
from server.api.threaded_route import ThreadedRoute
from server.members import (
    accounts,
    alerts,
    parties,
    password_change,
    passwords,
    profile,
    service,
    tokens,
)
from server.members.deps import ImageBody, MemberClaims, MemberEditor, PhotoReader
from server.members.repository import MemberFilters
from server.members.schemas import (
    Accepted,
    EmailVerified,
    MemberAlertCreate,
    MemberAlertPage,
    MemberAlertRead,
    MemberCreate,
    MemberLoginRequest,
    MemberPage,
    MemberPartyLink,
    MemberProfile,
    MemberProfileUpdate,
    MemberRead,
    MemberSignup,
    MemberUpdate,
    PasswordChange,
    PasswordChanged,
    PasswordResetConfirm,
    PasswordResetRequest,
    ResendVerificationRequest,
    VerifyEmailRequest,
)
from server.signins.deps import ClientAddress
from server.signins.schemas import RefreshRequest, TokenPair
from shared.clock import utcnow
from shared.enums import MembershipStatus

router = APIRouter(route_class=ThreadedRoute, tags=["members"])

_IMAGE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            kind: {"schema": {"type": "string", "format": "binary"}}
            for kind in ("image/png", "image/jpeg")
        },
    }
}
_IMAGE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/png": {}, "image/jpeg": {}}}
}


@router.post("/members/signup", response_model=Accepted, status_code=202)
def sign_up(cmd: MemberSignup, container: ContainerDep) -> Accepted:
    """A member signs up online with a provider (by its slug). They are sent an email with a
    one-time code (valid 48 hours) to confirm their address before they can sign in. The
    answer is the same when the address already belongs to a member: that member is told
    by email instead."""
    return accounts.sign_up(
        uow=container.uow(),
        identity=container.identity,
        notifications=container.notifications,
        cmd=cmd,
        public_url=container.settings.public_url,
    )


@router.post("/members/verify-email", response_model=EmailVerified)
def verify_email(cmd: VerifyEmailRequest, uow: UowDep) -> EmailVerified:
    """Confirm a member's email address with the code from the email; each code works once."""
    return accounts.verify_email(uow=uow, token=cmd.token)


@router.post("/members/resend-verification", response_model=Accepted, status_code=202)
def resend_verification(cmd: ResendVerificationRequest, container: ContainerDep) -> Accepted:
    """Send a new confirmation email. The answer is the same whether or not the account exists."""
    accounts.resend_verification(
        uow=container.uow(),
        notifications=container.notifications,
        settings=container.settings,
        cmd=cmd,
    )
    return Accepted(detail="if an unconfirmed account exists for this email, a new code is sent")


@router.post("/members/login", response_model=TokenPair)
def login(cmd: MemberLoginRequest, container: ContainerDep, client: ClientAddress) -> TokenPair:
    """A member signs in (after confirming their email). Repeated failures lock the account
    out for a while from the client that failed (429 with Retry-After); many failures from
    one address, whatever the accounts, lock that address out."""
    return accounts.login(
        uow=container.uow(),
        identity=container.identity,
        settings=container.settings,
        cmd=cmd,
        client=client,
    )


@router.post("/members/refresh", response_model=TokenPair)
def refresh(cmd: RefreshRequest, container: ContainerDep) -> TokenPair:
    """Exchange a member's refresh token for a new pair; the old one stops working."""
    return tokens.refresh(
        uow=container.uow(),
        identity=container.identity,
        settings=container.settings,
        refresh_token=cmd.refresh_token,
    )


@router.post("/members/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(claims: MemberClaims, container: ContainerDep) -> None:
    """End every sign-in of the member, their current access tokens included."""
    tokens.logout(uow=container.uow(), grants=container.grants, claims=claims)


@router.get("/members/me", response_model=MemberRead)
def me(claims: MemberClaims, uow: ReadUowDep) -> MemberRead:
    """The signed-in member's own profile (member tokens only)."""
    return accounts.get_me(uow=uow, claims=claims)


@router.get("/me/profile", response_model=MemberProfile)
def my_profile(claims: MemberClaims, uow: ReadUowDep) -> MemberProfile:
    """The signed-in member's profile: name, contact, fitness goals and preferences."""
    return profile.get_profile(uow=uow, claims=claims)


@router.patch("/me/profile", response_model=MemberProfile)
def update_my_profile(cmd: MemberProfileUpdate, claims: MemberClaims, uow: UowDep) -> MemberProfile:
    """Change the fields sent (names, phone, birth date, emergency contact, fitness goals,
    preferences); null clears an optional one. Member tokens only."""
    return profile.update_profile(uow=uow, claims=claims, cmd=cmd)


@router.post("/me/password", response_model=TokenPair)
def change_my_password(
    cmd: PasswordChange, claims: MemberClaims, container: ContainerDep, client: ClientAddress
) -> TokenPair:
    """Change the password, giving the current one. Every other sign-in of the account ends;
    the answer is a new token pair for this one. A wrong current password is a 422 and
    counts as a failed sign-in (429 once the account is locked)."""
    return password_change.change_password(
        uow=container.uow(),
        identity=container.identity,
        settings=container.settings,
        grants=container.grants,
        claims=claims,
        cmd=cmd,
        client=client,
    )


@router.post("/members", response_model=MemberRead, status_code=status.HTTP_201_CREATED)
def create_member(cmd: MemberCreate, claims: MemberEditor, container: ContainerDep) -> MemberRead:
    """A member with an email is sent an invitation to set a password (valid 14 days)."""
    return service.create_member(
        uow=container.uow(),
        claims=claims,
        cmd=cmd,
        notifications=container.notifications,
        public_url=container.settings.public_url,
    )


@router.post("/members/password-reset", response_model=Accepted, status_code=202)
def request_password_reset(cmd: PasswordResetRequest, container: ContainerDep) -> Accepted:
    """Email a one-time code (valid 2 hours) to set a new password. The answer is the same
    whether or not the address names a member; at most a few codes a day go to one account.
    A member added at the desk or imported sets their first password this way too."""
    passwords.request_reset(
        uow=container.uow(),
        notifications=container.notifications,
        settings=container.settings,
        cmd=cmd,
    )
    return Accepted(detail=passwords.RESET_ACCEPTED)


@router.post("/members/password-reset/confirm", response_model=PasswordChanged)
def confirm_password_reset(cmd: PasswordResetConfirm, container: ContainerDep) -> PasswordChanged:
    """Set a new password with the code from a reset or invitation email. Each code works
    once (409 when used, 410 when expired); every earlier sign-in of the member ends."""
    return passwords.confirm(
        uow=container.uow(), identity=container.identity, grants=container.grants, cmd=cmd
    )


@router.post("/members/{member_id}/invitation", response_model=Accepted, status_code=202)
def resend_invitation(
    member_id: uuid.UUID, claims: MemberEditor, container: ContainerDep
) -> Accepted:
    """Send the member a new invitation to set a password (409 when they already have one,
    422 without an email address). Front desk and above."""
    service.resend_invitation(
        uow=container.uow(),
        notifications=container.notifications,
        claims=claims,
        member_id=member_id,
        public_url=container.settings.public_url,
    )
    return Accepted(detail="an invitation to set a password was sent")


@router.get("/members", response_model=MemberPage)
def search_members(
    claims: MemberEditor,
    uow: ReadUowDep,
    q: Text | None = Query(
        None, max_length=100, description="Part of a name, a phone number, an email or a card"
    ),
    home_location_id: uuid.UUID | None = Query(None, description="Members of this home location"),
    plan_id: uuid.UUID | None = Query(None, description="Members with a membership on this plan"),
    membership_status: MembershipStatus | None = Query(
        None,
        alias="status",
        description="Members with a membership in this status today (with plan_id: on that plan)",
    ),
    limit: Limit = 50,
    offset: Offset = 0,
) -> MemberPage:
    """Members by name (any part of first or last name, in any case, with or without accents:
    "emile" finds "Émile"), phone (the start or the end of the number), email, or exact
    barcode / card number; without q, everyone; narrowed by home location, plan and
    membership status. Front desk staff and above (coaches find their members on their
    classes' rosters)."""
    filters = MemberFilters(home_location_id, plan_id, membership_status, utcnow().date())
    return service.search_members(
        uow=uow, claims=claims, query=q, limit=limit, offset=offset, filters=filters
    )


@router.get("/members/{member_id}", response_model=MemberRead)
def get_member(member_id: uuid.UUID, claims: AnyStaff, uow: ReadUowDep) -> MemberRead:
    """A member. Coaches: only members booked into a class they lead, without contact
    details, birth date, barcode or card number."""
    return service.get_member(uow=uow, claims=claims, member_id=member_id)


@router.patch("/members/{member_id}", response_model=MemberRead)
def update_member(
    member_id: uuid.UUID, cmd: MemberUpdate, claims: MemberEditor, uow: UowDep
) -> MemberRead:
    """Change the fields sent; null clears an optional one. A new email must be confirmed again."""
    return service.update_member(uow=uow, claims=claims, member_id=member_id, cmd=cmd)


@router.put("/members/{member_id}/party", response_model=MemberRead)
def link_member_party(
    member_id: uuid.UUID, cmd: MemberPartyLink, claims: MemberEditor, container: ContainerDep
) -> MemberRead:
    """The ZHEP party (its OpenID Connect subject) who signs in as this member with Zimasa
    in integrated mode; null unlinks them and ends their sign-ins."""
    return parties.link_party(
        uow=container.uow(),
        grants=container.grants,
        claims=claims,
        member_id=member_id,
        cmd=cmd,
    )


@router.delete("/members/{member_id}", status_code=status.HTTP_204_NO_CONTENT)
def archive_member(member_id: uuid.UUID, claims: MemberEditor, container: ContainerDep) -> None:
    """Archive a member: they disappear from searches and cannot sign in (their tokens stop
    working at once); history stays."""
    service.archive_member(
        uow=container.uow(), grants=container.grants, claims=claims, member_id=member_id
    )


@router.put("/members/{member_id}/photo", response_model=MemberRead, openapi_extra=_IMAGE_BODY)
def set_photo(
    member_id: uuid.UUID, claims: MemberEditor, image: ImageBody, uow: UowDep
) -> MemberRead:
    """Send the photo itself as the body: `Content-Type: image/png` or `image/jpeg`, ≤ 2 MB."""
    data, content_type = image
    return service.set_photo(
        uow=uow, claims=claims, member_id=member_id, data=data, content_type=content_type
    )


@router.get(
    "/members/{member_id}/photo",
    response_class=Response,
    responses=_IMAGE_RESPONSE,
)
def get_photo(member_id: uuid.UUID, claims: AnyStaff, uow: ReadUowDep) -> Response:
    photo = service.get_photo(uow=uow, claims=claims, member_id=member_id)
    return Response(
        content=photo.content,
        media_type=photo.content_type,
        headers={"Cache-Control": "no-store"},
    )


@router.get(
    "/members/{member_id}/thumbnail",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}},
)
def get_thumbnail(member_id: uuid.UUID, claims: PhotoReader, uow: ReadUowDep) -> Response:
    """The member's photo as a small JPEG (at most 160 pixels a side and 20 KB), as kiosks
    cache it for the desk. Staff as for the photo itself; kiosk devices of the tenant."""
    content = service.get_thumbnail(uow=uow, claims=claims, member_id=member_id)
    return Response(content=content, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.post(
    "/members/{member_id}/alerts",
    response_model=MemberAlertRead,
    status_code=status.HTTP_201_CREATED,
)
def add_alert(
    member_id: uuid.UUID, cmd: MemberAlertCreate, claims: MemberEditor, uow: UowDep
) -> MemberAlertRead:
    """A note for the desk about this member ("waiver missing", "balance due"); kiosks show
    it to staff (never on the member-facing screen) until it is resolved. Front desk and
    above."""
    return alerts.add_alert(uow=uow, claims=claims, member_id=member_id, cmd=cmd)


@router.get("/members/{member_id}/alerts", response_model=MemberAlertPage)
def list_alerts(
    member_id: uuid.UUID,
    claims: MemberEditor,
    uow: ReadUowDep,
    status: alerts.AlertStatus = "open",
    limit: Limit = 50,
    offset: Offset = 0,
) -> MemberAlertPage:
    """The member's alerts, oldest first: open ones unless ``status`` says otherwise."""
    return alerts.list_alerts(
        uow=uow, claims=claims, member_id=member_id, status=status, limit=limit, offset=offset
    )


@router.post("/members/{member_id}/alerts/{alert_id}/resolve", response_model=MemberAlertRead)
def resolve_alert(
    member_id: uuid.UUID, alert_id: uuid.UUID, claims: MemberEditor, uow: UowDep
) -> MemberAlertRead:
    """Mark an alert dealt with; kiosks stop showing it. Resolving it twice answers 409."""
    return alerts.resolve_alert(uow=uow, claims=claims, member_id=member_id, alert_id=alert_id)
