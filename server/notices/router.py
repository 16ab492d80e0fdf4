"""HTTP routes of notices: the delivery log and a tenant's notice settings (managers), a
member's channels, RFC 8058 one-click unsubscribe, and providers' delivery status
callbacks (no sign-in: the token or the provider's signature is the proof)."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Request

from server.api.deps import Admin, ContainerDep, UowDep
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute, run_in_worker_thread
from server.errors import Forbidden
from server.members.deps import MemberClaims
from server.notices import preferences
from server.notices.schemas import (
    ChannelsRead,
    ChannelsWrite,
    NoticePage,
    NoticeSettingsRead,
    NoticeSettingsWrite,
    StatusCallbackRead,
    UnsubscribeRead,
)
from server.ports.notifications import Channel

router = APIRouter(route_class=ThreadedRoute, tags=["notices"])


@router.get("/notices", response_model=NoticePage)
def delivery_log(
    claims: Admin,
    uow: UowDep,
    channel: Channel | None = None,
    status: Literal["queued", "sent", "failed"] | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> NoticePage:
    """The delivery log: every message on every channel, newest first, with its attempts,
    provider id, last error and what the provider reported (owners and managers)."""
    return preferences.delivery_log(
        uow=uow,
        tenant_id=claims.tenant_id,
        channel=channel,
        status=status,
        limit=limit,
        offset=offset,
    )


@router.get("/notice-settings", response_model=NoticeSettingsRead)
def notice_settings(claims: Admin, uow: UowDep) -> NoticeSettingsRead:
    """The tenant's email sender, default quiet hours, staff channels and staff events."""
    return preferences.get_settings(uow=uow, tenant_id=claims.tenant_id)


@router.put("/notice-settings", response_model=NoticeSettingsRead)
def put_notice_settings(
    cmd: NoticeSettingsWrite, claims: Admin, uow: UowDep, container: ContainerDep
) -> NoticeSettingsRead:
    """Replace the tenant's notice settings; webhook URLs are sealed at rest and never
    shown again."""
    return preferences.put_settings(
        uow=uow, sealer=container.sealer, tenant_id=claims.tenant_id, cmd=cmd
    )


@router.get("/me/channels", response_model=ChannelsRead)
def my_channels(claims: MemberClaims, uow: UowDep) -> ChannelsRead:
    """The channels one gets reminders, nudges and news on (email until changed)."""
    return preferences.get_channels(
        uow=uow, tenant_id=claims.tenant_id, member_id=claims.subject_id
    )


@router.put("/me/channels", response_model=ChannelsRead)
def put_my_channels(cmd: ChannelsWrite, claims: MemberClaims, uow: UowDep) -> ChannelsRead:
    """Replace one's channels per kind; an empty list turns that kind off."""
    return preferences.put_channels(
        uow=uow, tenant_id=claims.tenant_id, member_id=claims.subject_id, cmd=cmd
    )


@router.post("/unsubscribe/{token}", response_model=UnsubscribeRead)
def unsubscribe(token: str, uow: UowDep, container: ContainerDep) -> UnsubscribeRead:
    """RFC 8058 one-click unsubscribe (the mail client POSTs
    ``List-Unsubscribe=One-Click``): no sign-in, the signed token says who and what;
    idempotent. A forged or altered token is a 404 and changes nothing."""
    return preferences.unsubscribe(
        uow=uow, secret_key=container.settings.resolved_secret_key, token=token[:200]
    )


@router.post("/notices/status/{tenant_id}/{notice_id}", response_model=StatusCallbackRead)
async def status_callback(
    tenant_id: uuid.UUID, notice_id: uuid.UUID, request: Request, container: ContainerDep
) -> StatusCallbackRead:
    """A provider's delivery status callback (Twilio's ``MessageSid``/``MessageStatus``
    signed with ``X-Twilio-Signature``, or the generic contract's ``id``/``status`` signed
    with ``X-Signature``). A missing or wrong signature is a 403 and changes nothing."""
    form = await request.form()
    params = {k: v for k, v in form.items() if isinstance(v, str)}
    public_url = container.settings.public_url
    url = f"{public_url}{request.url.path}" if public_url else str(request.url)
    signature = request.headers.get("x-twilio-signature") or request.headers.get("x-signature", "")
    if not container.messaging.verify_status_callback(url, params, signature):
        raise Forbidden("the status callback's signature does not match")
    status = params.get("MessageStatus") or params.get("status") or ""
    recorded = await run_in_worker_thread(
        preferences.record_status,
        uow=container.uow(),
        tenant_id=tenant_id,
        notice_id=notice_id,
        provider_status=status,
    )
    return StatusCallbackRead(recorded=recorded)
