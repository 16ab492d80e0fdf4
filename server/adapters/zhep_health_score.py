"""Integrated analytics: what ZHEP's health-score engine takes, as CloudEvents
(``docs/zhep/health-score.openapi.yaml``).

The engine takes movement events, adherence and journey milestones; every other event
(badges, challenges, memberships, screening, money) is dropped here and never leaves ZMOS.
An event's CloudEvents id is its own id when it has one (the outbox's), else a digest of
the event: sent again, it is the same event, and the engine counts it once.

``publish`` raises when the engine did not take the event, so that a caller that retries (the
outbox) sends it again.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from server.adapters.zhep_http import ZhepEndpoint
from server.ports.analytics import PublishedEvent

#: ZMOS event names the engine takes, as the CloudEvents types it knows them by. Every
#: ``movement.<kind>`` (and ``movement.voided``) is taken as ``zmos.movement.<kind>``.
TAKEN = {
    "engagement.score_changed": "zmos.adherence.score_changed",
    "journey.week_closed": "zmos.adherence.week_closed",
    "journey.enrolled": "zmos.journey.enrolled",
    "journey.habit_point": "zmos.journey.habit_point",
    "journey.completed": "zmos.journey.completed",
}
#: The most events one request carries (the contract's limit).
BATCH = 500
_IDS = uuid.UUID("0b8f3a52-6c1e-4e7b-8d3d-5f1a9c7e2b44")

#: Finds a member's ZHEP party id (tenant, member); ``None`` when the member has none.
PartyOf = Callable[[uuid.UUID, uuid.UUID], str | None]


def event_type(name: str) -> str | None:
    """The CloudEvents type the engine takes ``name`` as, or ``None`` if it does not."""
    if name.startswith("movement.") and len(name) > len("movement."):
        return f"zmos.{name}"
    return TAKEN.get(name)


def event_id(event: PublishedEvent) -> str:
    own = getattr(event, "id", None)
    if own:
        return str(own)
    fact = json.dumps(
        [str(event.tenant_id), event.name, event.occurred_at.isoformat(), event.data],
        sort_keys=True,
        default=str,
    )
    return str(uuid.uuid5(_IDS, fact))


def _utc(moment: datetime) -> datetime:
    """ZMOS stores UTC; a naive time is UTC without its offset (as SQLite gives it back)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class ZhepHealthScore:
    def __init__(self, endpoint: ZhepEndpoint, *, party_of: PartyOf | None = None) -> None:
        self._endpoint, self._party_of = endpoint, party_of

    def cloud_event(self, event: PublishedEvent) -> dict[str, Any] | None:
        """``event`` as the engine takes it, or ``None`` when it does not take it."""
        kind = event_type(event.name)
        member = event.data.get("member_id")
        if kind is None or not member:
            return None
        party = self._party_of(event.tenant_id, uuid.UUID(str(member))) if self._party_of else None
        data = json.loads(json.dumps(event.data, default=str))
        data.update(tenant_id=str(event.tenant_id), member_id=str(member), party_id=party)
        return {
            "specversion": "1.0",
            "id": event_id(event),
            "source": f"/zmos/tenants/{event.tenant_id}",
            "type": kind,
            "time": _utc(event.occurred_at).isoformat(),
            "subject": f"party/{party}" if party else f"member/{member}",
            "datacontenttype": "application/json",
            "data": data,
        }

    def publish(self, event: PublishedEvent) -> None:
        self.publish_many([event])

    def publish_many(self, events: Iterable[PublishedEvent]) -> None:
        """Send the events the engine takes, in order, ``BATCH`` a request; raise if any
        request failed (those before it were taken, and are counted once if sent again)."""
        batch = [e for e in (self.cloud_event(event) for event in events) if e is not None]
        for start in range(0, len(batch), BATCH):
            self._endpoint.request(
                "POST",
                "/v1/events",
                json=batch[start : start + BATCH],
                content_type="application/cloudevents-batch+json",
            )
