"""The streak and a new badge at the door, from the kiosk's cache: its own admissions advance
the cached streak states with the shared rules (offline too), the server's row replaces them
at the next pull, and a badge is the server's, shown once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.core.checkin.streak import advance, door_engagement, streak_words
from desktop.core.kiosk import KioskCore
from desktop.core.store.engagement import EngagementRows
from desktop.core.sync.apply import apply_changes, kiosk_appliers
from shared.engagement import codec
from shared.engagement.dose import DayDose
from shared.engagement.streaks import DAILY, WEEKLY, StreakState, rebuild
from shared.enums import CheckinMethod
from shared.sync.messages import Change
from tests.unit.desktop.checkin_fakes import Clock, DeskData, desk_core
from tests.unit.desktop.kiosk_fakes import FakeServer

LONDON = "Europe/London"
#: Wednesday 8 January 2025, 09:15 in London (GMT).
NOW = datetime(2025, 1, 8, 9, 15, tzinfo=UTC)


def _row(
    member_id: uuid.UUID,
    daily: StreakState,
    weekly: StreakState,
    **badge: Any,
) -> dict[str, Any]:
    return {
        "id": str(member_id),
        "member_id": str(member_id),
        "daily": codec.encode_streak(daily),
        "weekly": codec.encode_streak(weekly),
        "daily_current": daily.current,
        "weekly_current": weekly.current,
        "day_start_hour": 0,
        **badge,
    }


def _floor(*days: date) -> list[DayDose]:
    return [DayDose(day, 60, 0, 1) for day in days]


#: Ana's check-ins the server projected: Monday 6 and Tuesday 7 January, 60 minutes each.
MON, TUE, WED, THU = (date(2025, 1, d) for d in (6, 7, 8, 9))
SERVER_DAILY = rebuild(DAILY, _floor(MON, TUE))
SERVER_WEEKLY = rebuild(WEEKLY, _floor(MON, TUE))
TEN_CLASSES = {
    "badge_id": "7a6f1c7e-7d4e-4a51-9a7c-1b1d2a3c4e5f",
    "badge": "classes:10",
    "badge_explanation": "because: 10th class on 7 Jan",
    "badge_on": "2025-01-07",
}


@pytest.fixture
def streaky(fake_server: FakeServer, data: DeskData) -> DeskData:
    fake_server.member_engagement = [_row(data.ana, SERVER_DAILY, SERVER_WEEKLY, **TEN_CLASSES)]
    return data


@pytest.fixture
def kiosk(
    tmp_path: Path, fake_server: FakeServer, clock: Clock, streaky: DeskData
) -> Iterator[KioskCore]:
    core = desk_core(tmp_path / "kiosk", fake_server, clock)
    fake_server.down = True  # from here on the kiosk is offline
    yield core
    core.close()


def _admit(core: KioskCore, member: uuid.UUID) -> Any:
    outcome = core.checkin.check_in(member, CheckinMethod.SEARCH)
    assert outcome.admitted
    return outcome, core.checkin.card_for(outcome)


def test_offline_admissions_advance_the_cached_streak(
    kiosk: KioskCore, streaky: DeskData, clock: Clock
) -> None:
    # Before: daily 2 (Mon, Tue met; Wednesday not yet), weekly 0 (120 of 150 minutes).
    assert SERVER_DAILY.view(WED).current == 2 and SERVER_WEEKLY.view(WED).current == 0
    _, card = _admit(kiosk, streaky.ana)
    cached = EngagementRows(kiosk.store.connection()).get(streaky.ana)
    assert cached is not None and cached.advanced_locally
    # Wednesday's 60 minutes: the day is met (3 days), and the week reaches 180 ≥ 150 (1
    # week). Weeks win a tie in days (1 × 7 ≥ 3).
    assert cached.daily.view(WED).current == 3
    assert cached.weekly.view(WED).current == 1
    assert card.streak == "1-week streak"
    # The same states the server's rules reach with the same check-in.
    assert (cached.daily, cached.weekly) == (
        rebuild(DAILY, _floor(MON, TUE, WED)),
        rebuild(WEEKLY, _floor(MON, TUE, WED)),
    )
    # Thursday, still offline: the second admission sees the first (Mon–Thu: 4 days).
    clock.advance(24 * 3600)
    kiosk.checkin.forget(streaky.ana)
    _admit(kiosk, streaky.ana)
    cached = EngagementRows(kiosk.store.connection()).get(streaky.ana)
    assert cached is not None and cached.daily.view(THU).current == 4


def test_a_new_badge_shows_once(kiosk: KioskCore, streaky: DeskData, clock: Clock) -> None:
    first, card = _admit(kiosk, streaky.ana)
    assert card.badge == "New badge: 10 classes \N{EM DASH} because: 10th class on 7 Jan"
    # The same outcome read again still shows it (the screen may redraw).
    again = kiosk.checkin.card_for(first)
    assert again is not None and again.badge == card.badge
    clock.advance(24 * 3600)
    kiosk.checkin.forget(streaky.ana)
    _, card = _admit(kiosk, streaky.ana)
    assert card.badge is None and card.streak is not None


def test_an_old_badge_is_not_news(
    tmp_path: Path, fake_server: FakeServer, clock: Clock, data: DeskData
) -> None:
    # Earned 31 December: 8 days before Wednesday 8 January, past the week's news.
    old = {**TEN_CLASSES, "badge_on": "2024-12-31"}
    fake_server.member_engagement = [_row(data.ana, SERVER_DAILY, SERVER_WEEKLY, **old)]
    core = desk_core(tmp_path / "kiosk", fake_server, clock)
    try:
        _, card = _admit(core, data.ana)
        assert card.badge is None
    finally:
        core.close()


def test_a_member_without_a_row_starts_a_streak(kiosk: KioskCore, streaky: DeskData) -> None:
    _, card = _admit(kiosk, streaky.bea)  # no row from the server
    # 60 minutes on Wednesday: 1 day; 60 of 150 minutes this week: no weekly streak yet.
    assert card.streak == "1-day streak"
    assert card.badge is None


def test_a_refusal_shows_no_streak(kiosk: KioskCore, streaky: DeskData) -> None:
    outcome = kiosk.checkin.check_in(streaky.carl, CheckinMethod.SEARCH)
    assert not outcome.admitted
    card = kiosk.checkin.card_for(outcome)
    assert card is not None and card.streak is None
    assert EngagementRows(kiosk.store.connection()).get(streaky.carl) is None


def test_the_servers_row_wins_at_the_next_pull(kiosk: KioskCore, streaky: DeskData) -> None:
    _admit(kiosk, streaky.ana)
    # The server has since projected a longer history (and no badge any more: voided).
    server_daily = rebuild(DAILY, _floor(*(MON - timedelta(days=n) for n in range(5, -3, -1))))
    row = _row(streaky.ana, server_daily, SERVER_WEEKLY)
    with kiosk.store.transaction() as conn:
        change = Change(seq=1, table="member_engagement", row_id=streaky.ana, data=row)
        assert apply_changes(conn, [change], kiosk_appliers()) == 1
    cached = EngagementRows(kiosk.store.connection()).get(streaky.ana)
    assert cached is not None and not cached.advanced_locally
    assert (cached.daily, cached.weekly) == (server_daily, SERVER_WEEKLY)
    assert cached.badge is None
    # What this kiosk showed stays its own: the badge it showed is not shown again.
    assert cached.shown_badge_id == uuid.UUID(TEN_CLASSES["badge_id"])


def test_a_dst_day_in_london_dates_by_the_local_calendar() -> None:
    """Clocks go forward at 01:00 GMT on Sunday 29 March 2026. 23:30 UTC that Sunday is
    00:30 BST on Monday 30 March: a third day, not a second check-in on the 29th."""
    daily, weekly = StreakState(DAILY), StreakState(WEEKLY)
    for at in (
        datetime(2026, 3, 28, 12, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 12, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 23, 30, tzinfo=UTC),
    ):
        daily, weekly = advance(daily, weekly, at, LONDON, 0)
    assert daily.view(date(2026, 3, 30)).current == 3  # 28, 29, 30 March
    assert (date(2026, 3, 30), 60) in daily.pending
    # By UTC dates it would be two days, 120 minutes on the 29th.
    utc_daily, _ = StreakState(DAILY), None
    for day in (date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 29)):
        utc_daily = utc_daily.apply(DayDose(day, 60, 0, 1))
    assert utc_daily.view(date(2026, 3, 30)).current == 2


def test_the_day_start_hour_moves_a_late_check_in_to_the_day_before() -> None:
    # 01:30 BST on Monday 30 March 2026; with days starting at 02:00 it is still Sunday.
    at = datetime(2026, 3, 30, 0, 30, tzinfo=UTC)
    daily, _ = advance(StreakState(DAILY), StreakState(WEEKLY), at, LONDON, 2)
    assert daily.pending == ((date(2026, 3, 29), 60),)


def test_streak_words_pick_the_longer_streak() -> None:
    # 10 days in a row (60 minutes each, Monday 30 Dec to Wednesday 8 Jan): 10 days, and
    # the week of 30 Dec met (420 minutes ≥ 150), this week too (180): 2 weeks = 14 days.
    days = [date(2024, 12, 30) + timedelta(days=n) for n in range(10)]
    daily, weekly = rebuild(DAILY, _floor(*days)), rebuild(WEEKLY, _floor(*days))
    assert streak_words(daily, weekly, WED) == "2-week streak"
    # Without the week: the days.
    assert streak_words(daily, StreakState(WEEKLY), WED) == "10-day streak"
    assert streak_words(StreakState(DAILY), StreakState(WEEKLY), WED) is None
    assert door_engagement(None, None, WED).streak is None


def test_a_re_entry_is_the_same_visit(kiosk: KioskCore, streaky: DeskData, clock: Clock) -> None:
    """Back within the re-entry window (3 hours by default): the server records no second
    movement, so neither does the kiosk's streak."""
    _admit(kiosk, streaky.ana)
    clock.advance(3600)
    kiosk.checkin.forget(streaky.ana)
    outcome, _ = _admit(kiosk, streaky.ana)
    assert outcome.reentry
    cached = EngagementRows(kiosk.store.connection()).get(streaky.ana)
    assert cached is not None and (WED, 60) in cached.daily.pending  # not 120
