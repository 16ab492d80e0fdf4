"""What the console's Set-up → Messages page shows: the filter read from the address (each
field's problem next to it), a page of the tenant's delivery log, and how each message
stands, in words and in the tenant's first location's time."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from server.api.deps import Services
from server.notices import delivery_log
from server.notices.rules import NoticeFilters
from server.notices.schemas import NoticeRead
from server.ports.identity import AccessClaims
from server.ports.notifications import Channel
from server.tenants import service as tenants
from server.web.filter_form import FilterForm, day_field
from server.web.formatting import Formats

PAGE = 25
_MAX_OFFSET = 2**31 - 1
_NAMES = ("state", "channel", "member", "from", "to")
STATES = {"failed": "Failed", "queued": "Waiting", "sent": "Sent"}
CHANNELS = {
    Channel.EMAIL.value: "Email",
    Channel.SMS.value: "SMS",
    Channel.WHATSAPP.value: "WhatsApp",
    Channel.SLACK.value: "Slack",
    Channel.TEAMS.value: "Teams",
}
#: A message due this long after it was written was held (quiet hours, or for later).
_HELD = timedelta(minutes=1)


@dataclass
class LogForm(FilterForm):
    filters: NoticeFilters = field(default_factory=NoticeFilters)
    offset: int = 0


def _choice(raw: str, allowed: dict[str, str], key: str, errors: dict[str, str]) -> str | None:
    if raw and raw not in allowed:
        errors[key] = "Choose one of the list."
    return raw if raw in allowed else None


def _who(raw: str) -> tuple[uuid.UUID | None, str | None]:
    """A member's id (from their link) or words of a name or an address."""
    try:
        return uuid.UUID(raw), None
    except ValueError:
        return None, raw or None


def parse_form(params: Any) -> LogForm:
    values = {name: (params.get(name) or "").strip()[:100] for name in _NAMES}
    errors: dict[str, str] = {}
    status = _choice(values["state"], STATES, "state", errors)
    channel = _choice(values["channel"], CHANNELS, "channel", errors)
    from_day = day_field(values["from"], "from", errors)
    to_day = day_field(values["to"], "to", errors)
    if from_day and to_day and from_day > to_day:
        errors["to"] = "The last day comes before the first."
    member_id, search = _who(values["member"])
    raw_offset = (params.get("offset") or "0").strip()
    offset = int(raw_offset) if raw_offset.isdigit() and len(raw_offset) < 10 else 0
    filters = NoticeFilters(channel, status, member_id, search, from_day, to_day)
    return LogForm(values, errors, filters, min(offset, _MAX_OFFSET))


@dataclass(frozen=True)
class Standing:
    """How a message stands, for the page: a tag, its class, and a line of detail."""

    tag: str
    css: str
    detail: str
    retry: bool = False


def standing(notice: NoticeRead, fmt: Formats) -> Standing:
    if notice.status == "sent":
        reported = notice.provider_status
        said = f" · {reported}" if reported and reported != "sent" else ""
        when = fmt.datetime(notice.sent_at) if notice.sent_at else ""
        return Standing("Sent", "sent", f"{when}{said}")
    if notice.status == "failed":
        reason = notice.last_error or notice.provider_status or "refused"
        return Standing("Failed", "failed", reason, retry=True)
    due = fmt.datetime(notice.next_attempt_at)
    if notice.attempts:
        tried = "1 try" if notice.attempts == 1 else f"{notice.attempts} tries"
        error = f": {notice.last_error}" if notice.last_error else ""
        return Standing("Retrying", "retrying", f"{tried} failed{error}. Next try {due}.")
    if notice.next_attempt_at - notice.created_at > _HELD:
        return Standing("Held", "held", f"Quiet hours: goes {due}.")
    return Standing("Queued", "queued", "Goes within a minute.")


def log_view(container: Services, claims: AccessClaims, form: LogForm) -> dict[str, Any]:
    """Worker thread. Owners and managers (the page checks)."""
    tenant = tenants.get_tenant(uow=container.read_uow(), claims=claims)
    places = tenants.list_locations(uow=container.read_uow(), claims=claims, limit=1, offset=0)
    fmt = Formats.of(places.items[0], tenant.currency) if places.items else Formats()
    if form.errors:
        return {"fmt": fmt, "notices": [], "next_offset": None}
    page = delivery_log.page(
        uow=container.read_uow(),
        tenant_id=claims.tenant_id,
        filters=form.filters,
        limit=PAGE,
        offset=form.offset,
    )
    shown = [(n, standing(n, fmt)) for n in page.items]
    return {"fmt": fmt, "notices": shown, "next_offset": page.next_offset}
