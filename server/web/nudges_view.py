"""What the member app's Notifications page shows: the nudge settings and recent nudges,
each with why it was sent (or why not), in the member's home location's formats."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from server.api.deps import Services
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


class SettingsRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
    return {
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
    nudges.put_settings(
        uow=container.uow(), tenant_id=claims.tenant_id, member_id=claims.subject_id, cmd=cmd
    )
