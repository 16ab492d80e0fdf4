"""Staff use cases: sign-in with throttling, token refresh, and managing staff accounts."""

from __future__ import annotations

import hmac
import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.audit.recorder import record_action
from server.config import Settings
from server.db.actor import Actor, acting_as
from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from server.ports.identity import AccessClaims, AccessGrants, IdentityService
from server.ports.notifications import NotificationService
from server.signins import service as signins
from server.signins.repository import RefreshTokenRepository
from server.signins.schemas import TokenPair
from server.signins.throttle import BAD_LOGIN, DUMMY_HASH, SignInThrottle
from server.staff import passwords, rules
from server.staff.models import NO_PASSWORD, StaffAccount
from server.staff.repository import StaffRepository
from server.staff.schemas import (
    LoginRequest,
    StaffCreate,
    StaffPage,
    StaffRead,
    StaffUpdate,
)
from server.tenants.models import Tenant
from server.tenants.repository import LocationRepository, tenant_by_slug
from shared.clock import utcnow
from shared.enums import PrincipalKind, StaffRole
from shared.ids import new_id
from shared.kiosk_pins import pin_index
from shared.normalise import email_key


def to_read(staff: StaffAccount) -> StaffRead:
    return StaffRead(
        id=staff.id,
        name=staff.name,
        email=staff.email,
        role=StaffRole(staff.role),
        active=staff.active,
        has_pin=staff.pin_hash is not None,
        has_password=staff.password_hash != NO_PASSWORD,
        kiosk_pin=bool(staff.kiosk_pin),
        home_location_id=staff.home_location_id,
        location_ids=sorted(staff.location_scope or ()),
        created_at=staff.created_at,
        party_id=staff.party_id,
    )


def staff_claims(staff: StaffAccount) -> AccessClaims:
    return AccessClaims(
        kind=PrincipalKind.STAFF,
        subject_id=staff.id,
        tenant_id=staff.tenant_id,
        role=StaffRole(staff.role),
        generation=staff.token_generation or 0,
        location_ids=None if staff.role == StaffRole.OWNER.value else staff.location_scope,
    )


def token_generation_of(uow: UnitOfWork, tenant_id: uuid.UUID, staff_id: uuid.UUID) -> int | None:
    """The generation a staff member's access tokens must carry; None once deactivated."""
    row = uow.db.execute(
        select(StaffAccount.token_generation, StaffAccount.active).where(
            StaffAccount.tenant_id == tenant_id, StaffAccount.id == staff_id
        )
    ).one_or_none()
    return row.token_generation if row is not None and row.active else None


def issue_tokens(
    *, uow: UnitOfWork, identity: IdentityService, settings: Settings, staff: StaffAccount
) -> TokenPair:
    """Access and refresh tokens for ``staff``; the caller commits."""
    return signins.issue_pair(
        uow=uow, identity=identity, settings=settings, claims=staff_claims(staff)
    )


def login(
    *,
    uow: UnitOfWork,
    identity: IdentityService,
    settings: Settings,
    cmd: LoginRequest,
    client: str,
) -> TokenPair:
    email = email_key(cmd.email)
    with uow:
        tenant = tenant_by_slug(uow.db, cmd.tenant.lower())
        if tenant is None:
            identity.verify_password(DUMMY_HASH.get(identity), cmd.password)
            raise Unauthenticated(BAD_LOGIN, code="invalid_credentials")
        throttle = SignInThrottle(uow, tenant.id, email, client, utcnow())
        throttle.refuse_if_locked()
        staff = StaffRepository(uow.db, tenant.id).by_email(email)
        # An invited account without a password costs the same check as an unknown one.
        usable = staff is not None and staff.password_hash != NO_PASSWORD
        valid = identity.verify_password(
            staff.password_hash if staff and usable else DUMMY_HASH.get(identity), cmd.password
        )
        valid = valid and usable
        if staff is None or not valid or not staff.active:
            throttle.fail(settings)
        throttle.succeed()
        # Nobody was signed in yet: the audit log names the account signing in, and where from.
        role = staff.role.value if isinstance(staff.role, StaffRole) else str(staff.role)
        with acting_as(Actor("staff", staff.id, tenant.id, role, client or None)):
            tokens = issue_tokens(uow=uow, identity=identity, settings=settings, staff=staff)
            record_action(
                uow.db, tenant_id=tenant.id, action="sign-in", entity="staff", entity_id=staff.id
            )
        uow.commit()
        return tokens


def _active_staff(
    uow: UnitOfWork, tenant_id: uuid.UUID, staff_id: uuid.UUID
) -> AccessClaims | None:
    staff = StaffRepository(uow.db, tenant_id).get(staff_id)
    return staff_claims(staff) if staff is not None and staff.active else None


def refresh(
    *,
    uow: UnitOfWork,
    identity: IdentityService,
    settings: Settings,
    refresh_token: str,
    reuse_grace: timedelta = timedelta(0),
) -> TokenPair:
    return signins.rotate(
        uow=uow,
        identity=identity,
        settings=settings,
        refresh_token=refresh_token,
        kind=PrincipalKind.STAFF,
        reuse_grace=reuse_grace,
        claims_of=_active_staff,
    )


def logout(*, uow: UnitOfWork, grants: AccessGrants, claims: AccessClaims) -> None:
    """End every sign-in of the account: refresh tokens and access tokens alike."""
    signins.end_every_sign_in(uow=uow, grants=grants, claims=claims, account=StaffAccount)


def get_me(*, uow: UnitOfWork, claims: AccessClaims) -> StaffRead:
    with uow:
        return to_read(StaffRepository(uow.db, claims.tenant_id).get_or_404(claims.subject_id))


def list_staff(*, uow: UnitOfWork, claims: AccessClaims, limit: int, offset: int) -> StaffPage:
    with uow:
        rows = StaffRepository(uow.db, claims.tenant_id).list(limit=limit + 1, offset=offset)
        return StaffPage(
            items=[to_read(r) for r in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def get_staff(*, uow: UnitOfWork, claims: AccessClaims, staff_id: uuid.UUID) -> StaffRead:
    with uow:
        return to_read(StaffRepository(uow.db, claims.tenant_id).get_or_404(staff_id))


def _check_home_location(
    uow: UnitOfWork, tenant_id: uuid.UUID, location_id: uuid.UUID | None
) -> None:
    if location_id is not None and LocationRepository(uow.db, tenant_id).get(location_id) is None:
        raise NotFound(f"location {location_id} was not found")


def _scope_to_store(
    uow: UnitOfWork,
    claims: AccessClaims,
    role: StaffRole,
    location_ids: list[uuid.UUID] | None,
) -> list[str] | None:
    """The location scope to store for an account of ``role``: every id a location of the
    tenant (404 otherwise); none for an owner; within the actor's own scope, never wider."""
    wanted = sorted(set(location_ids or ()))
    if wanted and role is StaffRole.OWNER:
        raise InvalidInput(
            "owners are always tenant-wide: leave location_ids empty", code="owner_tenant_wide"
        )
    repo = LocationRepository(uow.db, claims.tenant_id)
    for location_id in wanted:
        if repo.get(location_id) is None or not claims.sees_location(location_id):
            raise NotFound(f"location {location_id} was not found")
    if claims.location_ids is not None and not wanted:
        raise Forbidden("you can only give access to your own locations: list them in location_ids")
    return [str(i) for i in wanted] or None


def _check_within_scope(claims: AccessClaims, staff: StaffAccount) -> None:
    """A manager limited to some locations changes only accounts limited to those."""
    scope = staff.location_scope
    if claims.location_ids is not None and (scope is None or not scope <= claims.location_ids):
        raise Forbidden("you cannot change this staff account: it reaches other locations")


def _check_pin(role: StaffRole, pin: str | None) -> None:
    problem = None if pin is None else rules.pin_problem(role, pin)
    if problem is not None:
        raise InvalidInput(problem, code="pin_too_short")


def _check_pin_free(
    repo: StaffRepository,
    identity: IdentityService,
    pin: str,
    index: str | None,
    *,
    other_than: uuid.UUID | None,
) -> None:
    """A kiosk knows staff by PIN alone, so no two staff of a tenant share one. The refusal
    names nobody: it must not tell who has the PIN. PINs with an index of the same costs
    are compared by index; only PINs set before indexes existed (or under other costs)
    are verified one by one."""
    for pin_hash, other_index in repo.pin_hashes(other_than=other_than):
        if index is not None and other_index is not None and _same_costs(index, other_index):
            taken = hmac.compare_digest(index, other_index)
        else:
            taken = identity.verify_password(pin_hash, pin)
        if taken:
            raise Conflict("this PIN is already in use; choose another", code="pin_in_use")


def _same_costs(one: str, other: str) -> bool:
    return one.rsplit("$", 1)[0] == other.rsplit("$", 1)[0]


def _pin_hashes(
    identity: IdentityService, tenant_id: uuid.UUID, pin: str
) -> tuple[str, str | None]:
    """The PIN's own hash, and its tenant-wide index with the same costs."""
    pin_hash = identity.hash_password(pin)
    return pin_hash, pin_index(pin, tenant_id, like=pin_hash)


def _check_pin_change(claims: AccessClaims, staff: StaffAccount, cmd: StaffUpdate) -> None:
    role = cmd.role or StaffRole(staff.role)
    _check_pin(role, cmd.pin)
    if (
        cmd.pin is None
        and staff.pin_hash is not None
        and role in rules.SENIOR_PIN_ROLES
        and StaffRole(staff.role) not in rules.SENIOR_PIN_ROLES
    ):
        # The PIN kept was set under the shorter rule, and its length is not known.
        raise InvalidInput(
            f"{rules.senior_pin_rule(role)}: give a new pin with the change of role",
            code="pin_too_short",
        )
    if cmd.kiosk_pin is not None and claims.role is not StaffRole.OWNER:
        raise Forbidden("only an owner can choose whether an owner's PIN goes to kiosks")


def create_staff(
    *,
    uow: UnitOfWork,
    identity: IdentityService,
    claims: AccessClaims,
    cmd: StaffCreate,
    notifications: NotificationService | None = None,
    public_url: str | None = None,
) -> StaffRead:
    """A new account. Without a first password, it is emailed an invitation to choose one
    (sent after the commit), and signs in only once it has."""
    assert claims.role is not None
    if cmd.password is None and notifications is None:
        raise InvalidInput("give the account a first password", code="password_required")
    if not rules.may_manage(claims.role, cmd.role):
        raise Forbidden(
            f"a {claims.role.value.replace('_', ' ')} cannot create a {cmd.role.value} account"
        )
    _check_pin(cmd.role, cmd.pin)
    with uow:
        repo = StaffRepository(uow.db, claims.tenant_id)
        if repo.by_email(cmd.email) is not None:
            raise Conflict(f"there is already a staff account for {email_key(cmd.email)}")
        _check_home_location(uow, claims.tenant_id, cmd.home_location_id)
        scope = _scope_to_store(uow, claims, cmd.role, cmd.location_ids)
        pin_hash, index = None, None
        if cmd.pin:
            pin_hash, index = _pin_hashes(identity, claims.tenant_id, cmd.pin)
            _check_pin_free(repo, identity, cmd.pin, index, other_than=None)
        staff = repo.add(
            StaffAccount(
                id=new_id(),
                email=email_key(cmd.email),
                name=cmd.name,
                role=cmd.role.value,
                password_hash=(
                    NO_PASSWORD if cmd.password is None else identity.hash_password(cmd.password)
                ),
                pin_hash=pin_hash,
                pin_index=index,
                home_location_id=cmd.home_location_id,
                location_ids=scope,
                active=True,
            )
        )
        queued = []
        try:
            if cmd.password is None:
                tenant = uow.db.get(Tenant, claims.tenant_id)
                assert tenant is not None
                uow.db.flush()  # the account's row first: the invitation refers to it
                mail = passwords.invitation_for(repo, staff, tenant)
                queued.append(passwords.queue_mail(uow, claims.tenant_id, mail, public_url))
            uow.commit()
        except IntegrityError:
            raise Conflict(f"there is already a staff account for {email_key(cmd.email)}") from None
        read = to_read(staff)
    if notifications is not None:
        passwords.send(uow, notifications, claims.tenant_id, queued)
    return read


def _apply_update(
    uow: UnitOfWork,
    identity: IdentityService,
    tenant_id: uuid.UUID,
    staff: StaffAccount,
    cmd: StaffUpdate,
    new_pin: tuple[str, str | None] | None,
) -> None:
    if "home_location_id" in cmd.model_fields_set:
        _check_home_location(uow, tenant_id, cmd.home_location_id)
        staff.home_location_id = cmd.home_location_id
    if cmd.name is not None:
        staff.name = cmd.name
    if cmd.role is not None:
        staff.role = cmd.role.value
    if cmd.active is not None:
        staff.active = cmd.active
        if not cmd.active:
            RefreshTokenRepository(uow.db, tenant_id).revoke_all_of(staff.id, utcnow())
    if cmd.password is not None:
        staff.password_hash = identity.hash_password(cmd.password)
        # A password chosen for them ends any open invitation or reset link.
        StaffRepository(uow.db, tenant_id).use_password_tokens(staff.id, utcnow())
    if new_pin is not None:
        staff.pin_hash, staff.pin_index = new_pin
    if cmd.kiosk_pin is not None:
        staff.kiosk_pin = cmd.kiosk_pin


def update_staff(
    *,
    uow: UnitOfWork,
    identity: IdentityService,
    grants: AccessGrants,
    claims: AccessClaims,
    staff_id: uuid.UUID,
    cmd: StaffUpdate,
) -> StaffRead:
    assert claims.role is not None
    with uow:
        repo = StaffRepository(uow.db, claims.tenant_id)
        staff = repo.get_or_404(staff_id, for_update=True)
        target_roles = {StaffRole(staff.role), cmd.role or StaffRole(staff.role)}
        if not all(rules.may_manage(claims.role, role) for role in target_roles):
            raise Forbidden("you cannot change this staff account")
        if staff.id == claims.subject_id and (
            cmd.active is False or cmd.role not in (None, claims.role)
        ):
            raise Forbidden("you cannot deactivate yourself or change your own role")
        _check_within_scope(claims, staff)
        _check_pin_change(claims, staff, cmd)
        role = cmd.role or StaffRole(staff.role)
        if "location_ids" in cmd.model_fields_set:
            scope = _scope_to_store(uow, claims, role, cmd.location_ids)
        elif role is StaffRole.OWNER:
            scope = None  # an owner is tenant-wide, whatever the account was limited to
        else:
            scope = staff.location_ids
        new_pin = None
        if cmd.pin is not None:
            new_pin = _pin_hashes(identity, claims.tenant_id, cmd.pin)
            _check_pin_free(repo, identity, cmd.pin, new_pin[1], other_than=staff.id)
        access_before = (staff.role, staff.home_location_id, staff.active, staff.location_scope)
        _apply_update(uow, identity, claims.tenant_id, staff, cmd, new_pin)
        staff.location_ids = scope
        changed_access = access_before != (
            staff.role,
            staff.home_location_id,
            staff.active,
            staff.location_scope,
        )
        if changed_access:
            staff.token_generation += 1
        uow.commit()
        read = to_read(staff)
    if changed_access:
        grants.forget(PrincipalKind.STAFF, claims.tenant_id, staff_id)
    return read
