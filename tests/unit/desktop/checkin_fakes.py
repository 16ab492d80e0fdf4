"""Desk data, a stand-in eligibility decider, a hand-moved clock and an enrolled kiosk core
for the check-in tests (tests/unit/desktop, tests/ui, tests/bench)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.unit.desktop.kiosk_fakes import ENROL_CODE, FakeServer

if TYPE_CHECKING:
    from desktop.core.kiosk import KioskCore


@dataclass
class DeskData:
    """Ids of the members and plans :func:`seed_desk_data` adds."""

    monthly: uuid.UUID
    pack: uuid.UUID
    limited: uuid.UUID
    day_pass: uuid.UUID
    guest_pass: uuid.UUID
    ana: uuid.UUID
    jose: uuid.UUID
    bea: uuid.UUID
    carl: uuid.UUID
    dora: uuid.UUID


def seed_desk_data(server: FakeServer, today: date) -> DeskData:
    """Members with a spread of memberships, as a front desk meets them."""
    monthly = server.add_plan("Monthly Unlimited", "recurring", "49.00")
    pack = server.add_plan("10-Class Pack", "class_pack", "90.00", credits=10, validity_days=90)
    limited = server.add_plan(
        "Off-Peak 2 a week", "recurring", "29.00", visit_limit=2, visit_limit_period="week"
    )
    day_pass = server.add_plan("Day Pass", "day_pass", "15.00", validity_days=1)
    guest_pass = server.add_plan("Guest Pass", "guest_pass", "10.00", validity_days=1)
    ana = server.add_member(
        "Ana",
        "Smith",
        email="ana.smith@example.com",
        phone="+44 7700 900123",
        barcode="ZM000123",
        card_number="1001",
    )
    jose = server.add_member("José", "Núñez", email="jose@example.com", phone="07700 900456")
    bea = server.add_member("Bea", "O'Brien", phone="+44 7700 900789", card_number="2002")
    carl = server.add_member("Carl", "Jones", email="carl@example.com")
    dora = server.add_member("Dora", "Smithson", phone="+233 20 000 0000")
    month_ago = today - timedelta(days=30)
    server.add_membership(ana, monthly, month_ago, ends_on=today + timedelta(days=20))
    server.add_membership(jose, monthly, month_ago - timedelta(days=60), ends_on=month_ago)
    server.add_membership(
        bea, pack, month_ago, ends_on=today + timedelta(days=60), credits_remaining=1
    )
    dora_limited = server.add_membership(dora, limited, month_ago)
    # The visit the server counted this week, earlier at another kiosk.
    assert server.server_time is not None
    server.add_checkin(dora, dora_limited, server.server_time - timedelta(hours=4))
    return DeskData(monthly, pack, limited, day_pass, guest_pass, ana, jose, bea, carl, dora)


#: The desk tests' wall time: a Wednesday morning.
NOW = datetime(2025, 1, 8, 9, 15, tzinfo=UTC)


class RecordingDecider:
    """The kiosk's real decider (the shared eligibility rules), recording every call."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(
        self,
        *,
        memberships: Sequence[Any],
        member_home_location_id: uuid.UUID | None,
        location_id: uuid.UUID,
        location_timezone: str,
        at: datetime,
        visits_used: Mapping[uuid.UUID, int],
        credit_prepaid: bool = False,
    ) -> Any:
        from desktop.core.checkin.eligibility import shared_rules_decider

        self.calls.append({"memberships": memberships, "visits_used": dict(visits_used)})
        return shared_rules_decider(
            memberships=memberships,
            member_home_location_id=member_home_location_id,
            location_id=location_id,
            location_timezone=location_timezone,
            at=at,
            visits_used=visits_used,
            credit_prepaid=credit_prepaid,
        )


class Clock:
    """Wall time and a monotonic clock that tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self.at = start
        self.mono = 1_000.0

    def now(self) -> datetime:
        return self.at

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)
        self.mono += seconds


def desk_core(
    data_dir: Path,
    server: FakeServer,
    clock: Clock,
    decider: Any | None = None,
    *,
    without_rules: bool = False,
) -> KioskCore:
    """A kiosk core enrolled with ``server`` (snapshot downloaded), on ``clock``;
    ``without_rules``: no eligibility rules at all."""
    from desktop.app import compose_core
    from desktop.core.credentials import open_credential_store
    from desktop.core.store import Store

    data_dir.mkdir(parents=True, exist_ok=True)
    http = server.client()
    core = compose_core(
        store=Store(data_dir / "kiosk.sqlite3"),
        credentials=open_credential_store("file", data_dir),
        http_factory=lambda _url: http,
        close_http=False,
        now=clock.now,
        monotonic=clock.monotonic,
        decider=None if without_rules else decider or RecordingDecider(),
    )
    if not core.is_enrolled():
        server.codes.add(ENROL_CODE)
        core.enrol("http://zmos.test", ENROL_CODE, "Front desk 1")
    return core
