"""Member passes: per-tenant Ed25519 keys, signed QR tokens, PNG/SVG rendering, revocation."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import qrcode
import qrcode.image.svg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from server.config import Settings
from server.db.uow import UnitOfWork
from server.errors import Conflict, DomainError
from server.members.repository import MemberRepository
from server.passes import sealing
from server.passes.models import MemberPass, PassKey
from server.passes.repository import MemberPassRepository, PassKeyRepository
from server.passes.schemas import PassCreate, PassPage, PassRead, PassRevoke
from server.ports.identity import AccessClaims
from shared.clock import utcnow
from shared.ids import new_id
from shared.qr import PassClaims, sign_pass


class PassKeyUnreadable(DomainError):
    status = 500
    code = "pass_key_unreadable"
    title = "Server misconfigured"


def _context(key: PassKey) -> bytes:
    return f"{key.tenant_id}:{key.key_id}".encode()


def _current_key(uow: UnitOfWork, settings: Settings, tenant_id: uuid.UUID) -> PassKey:
    """The tenant's signing key, made on first use."""
    keys = PassKeyRepository(uow.db, tenant_id)
    key = keys.current()
    if key is not None:
        return key
    private = Ed25519PrivateKey.generate()
    key = keys.add(
        PassKey(
            id=new_id(),
            key_id=keys.next_key_id(),
            public_key=private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
            private_key=b"",
            created_at=utcnow(),
        )
    )
    key.tenant_id = tenant_id
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    key.private_key = sealing.seal(settings.resolved_secret_key, raw, context=_context(key))
    uow.flush()
    return key


def _token(settings: Settings, key: PassKey, issued: MemberPass) -> str:
    try:
        raw = sealing.unseal(settings.resolved_secret_key, key.private_key, context=_context(key))
    except InvalidTag:
        raise PassKeyUnreadable(
            "the pass signing key cannot be opened with this server's secret key: "
            "ZMOS_SECRET_KEY must be the one the key was made with"
        ) from None
    claims = PassClaims(
        tenant_id=issued.tenant_id,
        member_id=issued.member_id,
        pass_id=issued.id,
        expires_at=issued.expires_at,
        key_id=key.key_id,
    )
    return sign_pass(Ed25519PrivateKey.from_private_bytes(raw), claims)


def _read(settings: Settings, uow: UnitOfWork, issued: MemberPass) -> PassRead:
    token = None
    if issued.revoked_at is None:
        key = PassKeyRepository(uow.db, issued.tenant_id).by_key_id(issued.key_id)
        token = _token(settings, key, issued) if key is not None else None
    return PassRead(
        id=issued.id,
        member_id=issued.member_id,
        key_id=issued.key_id,
        issued_at=issued.issued_at,
        expires_at=issued.expires_at,
        revoked_at=issued.revoked_at,
        revoked_reason=issued.revoked_reason,
        token=token,
    )


def issue_pass(
    *,
    uow: UnitOfWork,
    settings: Settings,
    claims: AccessClaims,
    member_id: uuid.UUID,
    cmd: PassCreate,
) -> PassRead:
    with uow:
        MemberRepository(uow.db, claims.tenant_id).get_or_404(member_id)
        key = _current_key(uow, settings, claims.tenant_id)
        now = utcnow().replace(microsecond=0)
        issued = MemberPassRepository(uow.db, claims.tenant_id).add(
            MemberPass(
                id=new_id(),
                member_id=member_id,
                key_id=key.key_id,
                issued_at=now,
                expires_at=now + timedelta(days=cmd.valid_days),
            )
        )
        result = _read(settings, uow, issued)
        uow.commit()
        return result


def list_passes(
    *,
    uow: UnitOfWork,
    settings: Settings,
    claims: AccessClaims,
    member_id: uuid.UUID,
    limit: int,
    offset: int,
) -> PassPage:
    with uow:
        MemberRepository(uow.db, claims.tenant_id).get_or_404(member_id)
        # A member has a handful of passes: the page is cut from all of them.
        rows = list(MemberPassRepository(uow.db, claims.tenant_id).of_member(member_id))
        page = rows[offset : offset + limit]
        return PassPage(
            items=[_read(settings, uow, row) for row in page],
            next_offset=offset + limit if len(rows) > offset + limit else None,
            total=len(rows),
        )


def get_pass(
    *, uow: UnitOfWork, settings: Settings, claims: AccessClaims, pass_id: uuid.UUID
) -> PassRead:
    with uow:
        issued = MemberPassRepository(uow.db, claims.tenant_id).get_or_404(pass_id)
        return _read(settings, uow, issued)


def current_pass_of_member(
    *, uow: UnitOfWork, settings: Settings, claims: AccessClaims
) -> PassRead:
    """A signed-in member's own pass: the newest valid one, or a new one."""
    with uow:
        member = MemberRepository(uow.db, claims.tenant_id).get_or_404(claims.subject_id)
        now = utcnow()
        for issued in MemberPassRepository(uow.db, claims.tenant_id).of_member(member.id):
            if issued.revoked_at is None and issued.expires_at > now + timedelta(days=1):
                return _read(settings, uow, issued)
    return issue_pass(
        uow=uow, settings=settings, claims=claims, member_id=claims.subject_id, cmd=PassCreate()
    )


def revoke_pass(
    *,
    uow: UnitOfWork,
    settings: Settings,
    claims: AccessClaims,
    pass_id: uuid.UUID,
    cmd: PassRevoke,
) -> PassRead:
    with uow:
        issued = MemberPassRepository(uow.db, claims.tenant_id).get_or_404(pass_id, for_update=True)
        if issued.revoked_at is not None:
            raise Conflict(f"this pass was revoked already ({issued.revoked_reason})")
        issued.revoked_at = utcnow()
        issued.revoked_reason = cmd.reason
        uow.commit()
        return _read(settings, uow, issued)


def render_png(token: str, *, box_size: int = 10) -> bytes:
    image = qrcode.make(token, error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def render_svg(token: str) -> bytes:
    image = qrcode.make(
        token,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()
