"""The kiosk's engagement row as the projector builds it by hand is the wire shape."""

from __future__ import annotations

import uuid
from datetime import date

from server.engagement.sync import LatestBadge, kiosk_row
from shared.engagement.streaks import DAILY, WEEKLY, StreakState
from shared.sync.snapshot import SnapshotEngagement


def test_the_row_is_the_wire_shape() -> None:
    """The projector builds rows by hand (for speed): they must be what kiosks parse."""

    member, badge_id = uuid.uuid4(), uuid.uuid4()
    badge = LatestBadge(badge_id, "classes:10", "because: 10th class on 4 Dec", date(2025, 12, 4))
    row = kiosk_row(member, StreakState(DAILY), StreakState(WEEKLY), 3, badge)
    parsed = SnapshotEngagement.model_validate(row)
    assert parsed.model_dump(mode="json") == row
    assert (parsed.badge_id, parsed.badge_on, parsed.day_start_hour) == (
        badge_id,
        date(2025, 12, 4),
        3,
    )
