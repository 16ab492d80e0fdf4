"""Use cases of the API: a tenant's notice settings, a member's channels, one-click
unsubscribe and delivery status callbacks (the delivery log: ``delivery_log``)."""

from __future__ import annotations

import uuid

from server.db.sealed import FieldSealer
from server.db.uow import UnitOfWork
from server.errors import InvalidInput, NotFound
from server.notices import repository as repo
from server.notices import rules
from server.notices.models import (
    ChannelPreferences,
    Notice,
    NoticeSettings,
    StaffChannel,
    staff_channel_context,
)
from server.notices.schemas import (
    ChannelsRead,
    ChannelsWrite,
    NoticeSettingsRead,
    NoticeSettingsWrite,
    UnsubscribeRead,
)
from server.ports.notifications import Channel
from shared.clock import utcnow
from shared.ids import new_id
from shared.quiet_hours import QuietHours, clock, parse_clock

_DEFAULT = QuietHours()


def _settings_read(
    row: NoticeSettings | None, staff: dict[str, StaffChannel]
) -> NoticeSettingsRead:
    quiet = repo.tenant_quiet_hours(row)
    return NoticeSettingsRead(
        sender_name=row.sender_name if row else None,
        sender_email=row.sender_email if row else None,
        quiet_start=clock(quiet.start),
        quiet_end=clock(quiet.end),
        slack_configured=Channel.SLACK.value in staff,
        teams_configured=Channel.TEAMS.value in staff,
        staff_events=list(row.staff_events) if row else [],
    )


def get_settings(*, uow: UnitOfWork, tenant_id: uuid.UUID) -> NoticeSettingsRead:
    with uow:
        staff = repo.staff_channels(uow.db, tenant_id)
        return _settings_read(repo.settings(uow.db, tenant_id), staff)


def _set_webhook(
    uow: UnitOfWork,
    sealer: FieldSealer,
    tenant_id: uuid.UUID,
    channel: Channel,
    url: object | None,
    clear: bool,
) -> None:
    """Clear, keep (no URL given) or replace the channel's webhook, sealed to its row."""
    row = repo.staff_channels(uow.db, tenant_id).get(channel.value)
    if clear and row is not None:
        uow.db.delete(row)
    if clear or url is None:
        return
    if row is None:
        row = StaffChannel(tenant_id=tenant_id, id=new_id(), channel=channel.value)
        uow.db.add(row)
    row.sealed_url = sealer.seal(
        str(url).encode(), context=staff_channel_context(tenant_id, row.id)
    )
    row.updated_at = utcnow()


def put_settings(
    *, uow: UnitOfWork, sealer: FieldSealer, tenant_id: uuid.UUID, cmd: NoticeSettingsWrite
) -> NoticeSettingsRead:
    """Replace the tenant's sender, default quiet hours, staff events and channels; webhook
    URLs are sealed before they are written."""
    start, end = parse_clock(cmd.quiet_start), parse_clock(cmd.quiet_end)
    with uow:
        row = repo.settings(uow.db, tenant_id)
        if row is None:
            row = NoticeSettings(tenant_id=tenant_id, staff_events=[])
            uow.db.add(row)
        row.sender_name = cmd.sender_name
        row.sender_email = str(cmd.sender_email).lower() if cmd.sender_email else None
        row.quiet_start_minute = start.hour * 60 + start.minute
        row.quiet_end_minute = end.hour * 60 + end.minute
        row.staff_events = sorted(set(cmd.staff_events))
        row.updated_at = utcnow()
        _set_webhook(uow, sealer, tenant_id, Channel.SLACK, cmd.slack_webhook_url, cmd.clear_slack)
        _set_webhook(uow, sealer, tenant_id, Channel.TEAMS, cmd.teams_webhook_url, cmd.clear_teams)
        uow.flush()
        read = _settings_read(row, repo.staff_channels(uow.db, tenant_id))
        uow.commit()
        return read


def _channels_read(choices: dict[str, list[str]] | None, phone: str | None) -> ChannelsRead:
    def chosen(kind: rules.Kind) -> list[str]:
        return [c.value for c in rules.channels_for(kind, choices)]

    return ChannelsRead.model_validate(
        {
            "reminder": chosen(rules.Kind.REMINDER),
            "nudge": chosen(rules.Kind.NUDGE),
            "marketing": chosen(rules.Kind.MARKETING),
            "phone_ok": rules.e164(phone) is not None,
        }
    )


def get_channels(*, uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID) -> ChannelsRead:
    with uow:
        person = repo.contact(uow.db, tenant_id, member_id)
        if person is None:
            raise NotFound(f"member {member_id} was not found")
        return _channels_read(repo.choices(uow.db, tenant_id, member_id), person.phone)


def _store_choices(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID, choices: dict[str, list[str]]
) -> None:
    row = uow.db.get(ChannelPreferences, (tenant_id, member_id))
    if row is None:
        row = ChannelPreferences(tenant_id=tenant_id, member_id=member_id)
        uow.db.add(row)
    row.channels = choices
    row.updated_at = utcnow()


def put_channels(
    *, uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID, cmd: ChannelsWrite
) -> ChannelsRead:
    """Replace one's channels per kind; SMS or WhatsApp need a phone with a country code."""
    choices: dict[str, list[str]] = {
        "reminder": sorted(set(cmd.reminder)),
        "nudge": sorted(set(cmd.nudge)),
        "marketing": sorted(set(cmd.marketing)),
    }
    with uow:
        person = repo.contact(uow.db, tenant_id, member_id)
        if person is None:
            raise NotFound(f"member {member_id} was not found")
        wants_phone = any(c != "email" for chosen in choices.values() for c in chosen)
        if wants_phone and rules.e164(person.phone) is None:
            raise InvalidInput(
                "SMS and WhatsApp need your phone number with its country code (such as "
                "+233 20 000 0000): add it to your profile first"
            )
        _store_choices(uow, tenant_id, member_id, choices)
        uow.commit()
        return _channels_read(choices, person.phone)


def read_token(secret_key: str, token: str) -> rules.UnsubscribeRequest:
    request = rules.read_unsubscribe_token(secret_key, token)
    if request is None:
        raise NotFound("this unsubscribe link is not valid")
    return request


def unsubscribe(*, uow: UnitOfWork, secret_key: str, token: str) -> UnsubscribeRead:
    """Stop email of the token's kind for its member, without sign-in; doing it again
    changes nothing. A token this server did not sign is a 404 and changes nothing."""
    request = read_token(secret_key, token)
    with uow:
        if repo.contact(uow.db, request.tenant_id, request.member_id) is None:
            raise NotFound("this unsubscribe link is not valid")
        choices = repo.choices(uow.db, request.tenant_id, request.member_id)
        if Channel.EMAIL in rules.channels_for(request.kind, choices):
            updated = rules.without_channel(choices, request.kind, Channel.EMAIL)
            _store_choices(uow, request.tenant_id, request.member_id, updated)
            uow.commit()
    return UnsubscribeRead(kind=request.kind.value, unsubscribed=True)


def record_status(
    *, uow: UnitOfWork, tenant_id: uuid.UUID, notice_id: uuid.UUID, provider_status: str
) -> bool:
    """A provider's (verified) report of what became of a message."""
    with uow:
        notice = uow.db.get(Notice, (tenant_id, notice_id))
        if notice is None:
            return False
        notice.provider_status = provider_status[:20]
        if provider_status in ("failed", "undelivered"):
            notice.status = "failed"
        uow.commit()
        return True
