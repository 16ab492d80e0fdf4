"""Kiosk enrolment, device tokens and revocation."""

from __future__ import annotations

import hmac
import uuid
from datetime import timedelta

from server.config import Settings
from server.db.repository import within
from server.db.uow import UnitOfWork
from server.devices import rules
from server.devices.models import Device, EnrolmentCode
from server.devices.repository import DeviceRepository, EnrolmentCodeRepository
from server.devices.schemas import (
    DeviceEnrol,
    DeviceEnrolled,
    DevicePage,
    DeviceRead,
    DeviceToken,
    DeviceTokenRequest,
    EnrolmentCodeCreate,
    EnrolmentCodeRead,
)
from server.errors import NotFound, Unauthenticated
from server.ports.identity import AccessClaims, IdentityService
from server.tenants.repository import LocationRepository, TenantDirectory, tenant_by_slug
from shared.clock import utcnow
from shared.enums import PrincipalKind
from shared.ids import new_id
from shared.kiosk_pins import pin_key_from_secret

_BAD_CODE = "this enrolment code is not valid: check it, or ask a manager for a new one"
_BAD_DEVICE = "this kiosk's credential is not valid; enrol it again"
_REVOKED = "this kiosk has been revoked by a manager; enrol it again with a new code"


def create_enrolment_code(
    *,
    uow: UnitOfWork,
    settings: Settings,
    claims: AccessClaims,
    location_id: uuid.UUID,
    cmd: EnrolmentCodeCreate,
) -> EnrolmentCodeRead:
    minutes = cmd.expires_in_minutes or settings.enrolment_code_ttl_minutes
    with uow:
        LocationRepository(uow.db, claims.tenant_id).get_or_404(location_id)
        tenant = TenantDirectory(uow.db, claims.tenant_id).current()
        code, code_hash = rules.new_enrolment_code(tenant.slug)
        expires = utcnow() + timedelta(minutes=minutes)
        EnrolmentCodeRepository(uow.db, claims.tenant_id).add(
            EnrolmentCode(
                id=new_id(),
                location_id=location_id,
                code_hash=code_hash,
                created_by=claims.subject_id,
                expires_at=expires,
            )
        )
        uow.commit()
        return EnrolmentCodeRead(code=code, location_id=location_id, expires_at=expires)


def enrol(*, uow: UnitOfWork, cmd: DeviceEnrol) -> DeviceEnrolled:
    parsed = rules.parse_enrolment_code(cmd.code)
    if parsed is None:
        raise NotFound(_BAD_CODE, code="invalid_enrolment_code")
    slug, secret_part = parsed
    with uow:
        tenant = tenant_by_slug(uow.db, slug)
        if tenant is None:
            raise NotFound(_BAD_CODE, code="invalid_enrolment_code")
        codes = EnrolmentCodeRepository(uow.db, tenant.id)
        code = codes.by_hash(rules.code_hash(secret_part))
        now = utcnow()
        if code is None:
            raise NotFound(_BAD_CODE, code="invalid_enrolment_code")
        if code.used_at is not None:
            raise NotFound(
                "this enrolment code has been used already; ask for a new one",
                code="used_enrolment_code",
            )
        if code.expires_at <= now:
            raise NotFound(
                "this enrolment code has expired; ask for a new one", code="expired_enrolment_code"
            )
        if LocationRepository(uow.db, tenant.id).get(code.location_id) is None:
            raise NotFound(
                "the location of this code no longer exists", code="invalid_enrolment_code"
            )
        device_id = new_id()
        if not codes.claim(code.id, device_id, now):
            raise NotFound(
                "this enrolment code has been used already; ask for a new one",
                code="used_enrolment_code",
            )
        secret, secret_hash = rules.new_device_secret(tenant.id)
        DeviceRepository(uow.db, tenant.id).add(
            Device(
                id=device_id,
                location_id=code.location_id,
                name=cmd.name,
                secret_hash=secret_hash,
                pin_key=pin_key_from_secret(secret).hex(),
            )
        )
        uow.commit()
        return DeviceEnrolled(
            device_id=device_id,
            device_secret=secret,
            tenant_id=tenant.id,
            location_id=code.location_id,
        )


def issue_token(
    *, uow: UnitOfWork, identity: IdentityService, settings: Settings, cmd: DeviceTokenRequest
) -> DeviceToken:
    parsed = rules.parse_device_secret(cmd.device_secret)
    if parsed is None:
        raise Unauthenticated(_BAD_DEVICE, code="invalid_credentials")
    tenant_id, secret_hash = parsed
    with uow:
        device = DeviceRepository(uow.db, tenant_id).get(cmd.device_id)
        if device is None or not hmac.compare_digest(device.secret_hash, secret_hash):
            raise Unauthenticated(_BAD_DEVICE, code="invalid_credentials")
        if device.revoked_at is not None:
            raise Unauthenticated(_REVOKED, code="device_revoked")
        device.last_seen_at = utcnow()
        if device.pin_key is None:
            # Enrolled before devices had a PIN key: the secret is at hand only now.
            device.pin_key = pin_key_from_secret(cmd.device_secret).hex()
        uow.commit()
        claims = AccessClaims(
            kind=PrincipalKind.DEVICE,
            subject_id=device.id,
            tenant_id=tenant_id,
            location_id=device.location_id,
        )
        token, _ = identity.issue_access_token(claims, settings.device_token_ttl_seconds)
        return DeviceToken(access_token=token, expires_in=settings.device_token_ttl_seconds)


def require_live_device(*, uow: UnitOfWork, claims: AccessClaims) -> Device:
    """The calling device, refused when it has been revoked since its token was issued."""
    device = DeviceRepository(uow.db, claims.tenant_id).get(claims.subject_id)
    if device is None:
        raise Unauthenticated(_BAD_DEVICE, code="invalid_credentials")
    if device.revoked_at is not None:
        raise Unauthenticated(_REVOKED, code="device_revoked")
    return device


def list_devices(*, uow: UnitOfWork, claims: AccessClaims, limit: int, offset: int) -> DevicePage:
    with uow:
        rows = DeviceRepository(uow.db, claims.tenant_id).list(
            limit=limit + 1, offset=offset, where=within(Device.location_id, claims.location_ids)
        )
        return DevicePage(
            items=[DeviceRead.model_validate(r) for r in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def get_device(*, uow: UnitOfWork, claims: AccessClaims, device_id: uuid.UUID) -> DeviceRead:
    with uow:
        return DeviceRead.model_validate(
            DeviceRepository(uow.db, claims.tenant_id).get_or_404(device_id)
        )


def revoke_device(*, uow: UnitOfWork, claims: AccessClaims, device_id: uuid.UUID) -> DeviceRead:
    with uow:
        device = DeviceRepository(uow.db, claims.tenant_id).get_or_404(device_id, for_update=True)
        if device.revoked_at is None:
            device.revoked_at = utcnow()
            device.revoked_by = claims.subject_id
        uow.commit()
        return DeviceRead.model_validate(device)
