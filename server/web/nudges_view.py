"""What the member app's Notifications page shows: the nudge settings and recent nudges,
each with why it was sent (or why not), in the member's home location's formats."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from server.api.deps import Services
from server.errors import InvalidInput
from server.notices import preferences as notice_preferences
from server.notices.schemas import ChannelsWrite
from server.nudges import service as nudges
from server.nudges.rules import NudgeKind
from server.nudges.schemas import NudgeSettingsWrite
from server.ports.identity import AccessClaims
from server.web.account_view import places

RECENT = 20
KINDS = (
    (NudgeKind.CLASS_REMINDER, "Class reminders", "Before a class you booked"),
    (NudgeKind.STREAK_PROTECTION, "Streak protection", "When one session keeps your streak"),
    (NudgeKind.LAPSED, "Getting back into it", "After a week or so without movement"),
    (NudgeKind.NO_SHOW, "Missed class follow-up", "When you could not make a class"),
    (NudgeKind.COACH, "Your coach's messages", "A short note your coach sends you"),
)
_KIND_WORDS = {kind: words for kind, words, _ in KINDS}
SKIPPED_WORDS = {
    "quiet_hours": "Not sent: your quiet hours",
    "cap": "Not sent: enough messages this week",
    "opted_out": "Not sent: you turned these off",
    "done_already": "Not sent: already done",
}


#: The kinds of message a member picks channels for, and the channels.
CHANNEL_KINDS = (
    ("reminder", "Reminders"),
    ("nudge", "Nudges and coach messages"),
    ("marketing", "News and offers"),
)
CHANNELS = (("email", "Email"), ("sms", "SMS"), ("whatsapp", "WhatsApp"))


class SettingsRefused(Exception):
    def __init__(self, message: str, field: str = "quiet") -> None:
        super().__init__(message)
        self.message = message
        #: What was refused: "quiet" (the times) or "channels".
        self.field = field


def notifications_view(container: Services, claims: AccessClaims) -> dict[str, Any]:
    fmt = places(container, claims).home
    settings = nudges.get_settings(
        uow=container.read_uow(), tenant_id=claims.tenant_id, member_id=claims.subject_id
    )
    page = nudges.member_nudges(
        uow=container.read_uow(),
        tenant_id=claims.tenant_id,
        member_id=claims.subject_id,
        limit=RECENT,
        offset=0,
    )
    recent = [
        {
            "kind": _KIND_WORDS.get(item.kind, item.kind.value),
            "when": fmt.datetime(item.sent_at or item.created_at),
            "why": item.why,
            "status": "Sent"
            if item.skipped is None
            else SKIPPED_WORDS.get(item.skipped, "Not sent"),
            "sent": item.skipped is None,
        }
        for item in page.items
    ]
    channels = notice_preferences.get_channels(
        uow=container.read_uow(), tenant_id=claims.tenant_id, member_id=claims.subject_id
    )
    chosen = channels.model_dump()
    return {
        "channel_rows": [
            {
                "kind": kind,
                "words": words,
                "channels": [
                    {"value": value, "words": label, "on": value in chosen[kind]}
                    for value, label in CHANNELS
                ],
            }
            for kind, words in CHANNEL_KINDS
        ],
        "phone_ok": channels.phone_ok,
        "kinds": [
            {
                "value": kind.value,
                "words": words,
                "hint": hint,
                "on": kind not in settings.opted_out,
            }
            for kind, words, hint in KINDS
        ],
        "quiet_start": settings.quiet_start,
        "quiet_end": settings.quiet_end,
        "recent": recent,
    }


def save_settings(container: Services, claims: AccessClaims, fields: dict[str, str]) -> None:
    """The form's checkboxes name the kinds kept; the others are opted out."""
    wanted = {k.value for k, _, _ in KINDS if fields.get(f"kind_{k.value}") == "on"}
    try:
        cmd = NudgeSettingsWrite(
            opted_out=[k for k, _, _ in KINDS if k.value not in wanted],
            quiet_start=fields.get("quiet_start", "").strip(),
            quiet_end=fields.get("quiet_end", "").strip(),
        )
    except ValidationError:
        raise SettingsRefused(
            "Quiet hours need two times of day, such as 21:00 and 08:00."
        ) from None
    choices = {
        kind: [value for value, _ in CHANNELS if fields.get(f"ch_{kind}_{value}") == "on"]
        for kind, _ in CHANNEL_KINDS
    }
    try:
        notice_preferences.put_channels(
            uow=container.uow(),
            tenant_id=claims.tenant_id,
            member_id=claims.subject_id,
            cmd=ChannelsWrite.model_validate(choices),
        )
    except InvalidInput as exc:
        raise SettingsRefused(f"{exc.detail}.", field="channels") from None
    nudges.put_settings(
        uow=container.uow(), tenant_id=claims.tenant_id, member_id=claims.subject_id, cmd=cmd
    )
