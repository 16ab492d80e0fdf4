"""HTTP routes of notices: the delivery log and a tenant's notice settings (managers), a
member's channels, RFC 8058 one-click unsubscribe, and providers' delivery status
callbacks (no sign-in: the token or the provider's signature is the proof)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from server.api.deps import Admin, ContainerDep, UowDep, caller_where
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute, run_in_worker_thread
from server.errors import Forbidden, InvalidInput, NotFound, PayloadTooLarge
from server.notices import delivery_log as log
from server.notices import preferences, rules
from server.notices.rules import NoticeFilters
from server.notices.schemas import (
    ChannelsRead,
    ChannelsWrite,
    NoticePage,
    NoticeRead,
    NoticeSettingsRead,
    NoticeSettingsWrite,
    StatusCallbackRead,
    UnsubscribeRead,
)
from server.notices.templates import render_unsubscribe_page
from server.ports.identity import AccessClaims
from server.ports.notifications import Channel
from shared.enums import PrincipalKind
from shared.inputs import Day, Text


def _must_be_member(claims: AccessClaims) -> None:
    if claims.kind is not PrincipalKind.MEMBER:
        raise Forbidden("this needs a member account")


#: A member's claims (as ``server.members.deps.MemberClaims``, which notices does not import:
#: the members domain queues its mails through notices).
MemberClaims = Annotated[AccessClaims, Depends(caller_where(_must_be_member))]

router = APIRouter(route_class=ThreadedRoute, tags=["notices"])


@router.get("/notices", response_model=NoticePage)
def delivery_log(
    claims: Admin,
    uow: UowDep,
    channel: Channel | None = None,
    status: Literal["queued", "sent", "failed"] | None = None,
    member_id: Annotated[uuid.UUID | None, Query(description="The member's messages")] = None,
    search: Annotated[
        Text | None,
        Query(max_length=100, description="Part of the address, or the member's name"),
    ] = None,
    from_: Annotated[Day | None, Query(alias="from", description="First local day")] = None,
    to: Annotated[Day | None, Query(description="Last local day")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> NoticePage:
    """The delivery log: every message on every channel, newest first, with its attempts,
    provider id, last error and what the provider reported (owners and managers). Days are
    the tenant's local days (its first location's), both inclusive."""
    if from_ and to and from_ > to:
        raise InvalidInput("'from' is after 'to'", code="bad_period")
    filters = NoticeFilters(
        channel=channel.value if channel else None,
        status=status,
        member_id=member_id,
        search=(search or "").strip() or None,
        from_day=from_,
        to_day=to,
    )
    return log.page(
        uow=uow, tenant_id=claims.tenant_id, filters=filters, limit=limit, offset=offset
    )


@router.post("/notices/{notice_id}/retry", response_model=NoticeRead)
def retry_notice(notice_id: uuid.UUID, claims: Admin, uow: UowDep) -> NoticeRead:
    """Send a failed message again: queued, due now (a member's reminder or nudge after
    quiet hours), with a fresh set of attempts. Only a failed one (else 409)."""
    return log.retry_now(uow=uow, tenant_id=claims.tenant_id, notice_id=notice_id)


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


@router.get("/unsubscribe/{token}", include_in_schema=False, response_class=HTMLResponse)
def unsubscribe_page(token: str, container: ContainerDep) -> HTMLResponse:
    """The page an unsubscribe link opens in a browser: it asks, and changes nothing."""
    request = rules.read_unsubscribe_token(container.settings.resolved_secret_key, token[:200])
    kind = None if request is None else request.kind.value
    html = render_unsubscribe_page(action=f"/unsubscribe/{token}", kind=kind, done=False)
    return HTMLResponse(html, status_code=200 if kind else 404)


@router.post("/unsubscribe/{token}", response_model=UnsubscribeRead)
async def unsubscribe(token: str, request: Request, container: ContainerDep) -> Response:
    """RFC 8058 one-click unsubscribe (the mail client POSTs
    ``List-Unsubscribe=One-Click``): no sign-in, the signed token says who and what;
    idempotent. A forged or altered token is a 404 and changes nothing. Sent from the
    confirmation page (``page=1``), the answer is a page."""
    form = await _form(request)
    from_page = form.get("page") == "1"
    try:
        read = await run_in_worker_thread(
            preferences.unsubscribe,
            uow=container.uow(),
            secret_key=container.settings.resolved_secret_key,
            token=token[:200],
        )
    except NotFound:
        if not from_page:
            raise
        html = render_unsubscribe_page(action="", kind=None, done=False)
        return HTMLResponse(html, status_code=404)
    if from_page:
        return HTMLResponse(render_unsubscribe_page(action="", kind=read.kind, done=True))
    return JSONResponse(read.model_dump())


#: A status callback or an unsubscribe is a few hundred bytes.
MAX_FORM_BYTES = 16 * 1024


async def _form(request: Request) -> dict[str, str]:
    """The URL-encoded form of a request (none for other bodies), read within bounds."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return {}
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise PayloadTooLarge("the form is larger than a callback or an unsubscribe sends")
    try:
        return dict(parse_qsl(body.decode(), keep_blank_values=True, max_num_fields=100))
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("the form is not URL-encoded UTF-8") from None


@router.post("/notices/status/{tenant_id}/{notice_id}", response_model=StatusCallbackRead)
async def status_callback(
    tenant_id: uuid.UUID, notice_id: uuid.UUID, request: Request, container: ContainerDep
) -> StatusCallbackRead:
    """A provider's delivery status callback (Twilio's ``MessageSid``/``MessageStatus``
    signed with ``X-Twilio-Signature``, or the generic contract's ``id``/``status`` signed
    with ``X-Signature``). A missing or wrong signature is a 403 and changes nothing."""
    params = await _form(request)
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
