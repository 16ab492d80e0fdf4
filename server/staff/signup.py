"""A provider signs up: its tenant and its first owner account, signed in."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from server.config import Settings
from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden
from server.ports.identity import IdentityService
from server.prescriptions import service as prescriptions
from server.staff import service as staff_service
from server.staff.models import StaffAccount
from server.staff.schemas import TenantSignedUp
from server.tenants.models import Tenant
from server.tenants.repository import tenant_by_slug
from server.tenants.schemas import TenantCreate, TenantRead
from shared.enums import StaffRole
from shared.ids import new_id
from shared.normalise import email_key


def sign_up(
    *, uow: UnitOfWork, identity: IdentityService, settings: Settings, cmd: TenantCreate
) -> TenantSignedUp:
    if not settings.allow_tenant_signup:
        raise Forbidden("new providers cannot sign up on this server", code="signup_closed")
    taken = Conflict(f"the name {cmd.slug!r} is taken; choose another", code="slug_taken")
    with uow:
        if tenant_by_slug(uow.db, cmd.slug) is not None:
            raise taken
        tenant = Tenant(
            id=new_id(),
            slug=cmd.slug,
            name=cmd.name,
            contact_email=cmd.contact_email,
            contact_phone=cmd.contact_phone,
            currency=cmd.currency,
        )
        uow.db.add(tenant)
        uow.flush()
        owner = StaffAccount(
            tenant_id=tenant.id,
            id=new_id(),
            email=email_key(cmd.owner.email),
            name=cmd.owner.name,
            role=StaffRole.OWNER.value,
            password_hash=identity.hash_password(cmd.owner.password),
            active=True,
        )
        uow.db.add(owner)
        uow.flush()
        prescriptions.load_starter(uow.db, tenant.id)
        tokens = staff_service.issue_tokens(
            uow=uow, identity=identity, settings=settings, staff=owner
        )
        try:
            uow.commit()
        except IntegrityError:
            raise taken from None
        return TenantSignedUp(
            tenant=TenantRead.model_validate(tenant),
            owner=staff_service.to_read(owner),
            tokens=tokens,
        )
