"""Pure rules of messages: channels per kind, quiet-hour holds across daylight-saving
changes, backoff with Retry-After, E.164, and the signed unsubscribe token."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from server.notices import rules
from server.ports.notifications import Channel
from shared.quiet_hours import QuietHours

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SECRET = "unit-test-secret"


def test_transactional_is_always_email_and_the_rest_as_chosen() -> None:
    chosen = {"reminder": ["sms", "whatsapp"], "nudge": [], "marketing": ["fax", "email"]}
    assert rules.channels_for(rules.Kind.TRANSACTIONAL, {"transactional": []}) == [Channel.EMAIL]
    assert rules.channels_for(rules.Kind.REMINDER, chosen) == [Channel.SMS, Channel.WHATSAPP]
    assert rules.channels_for(rules.Kind.NUDGE, chosen) == []
    assert rules.channels_for(rules.Kind.MARKETING, chosen) == [Channel.EMAIL]
    assert rules.channels_for(rules.Kind.NUDGE, None) == [Channel.EMAIL]


def test_quiet_hours_end_on_the_members_clock_across_both_changes() -> None:
    night = QuietHours(time(22), time(7))
    # New York springs forward at 02:00 on 14 March 2027: 07:00 EDT is 11:00 UTC.
    spring = datetime(2027, 3, 14, 4, 30, tzinfo=UTC)  # 23:30 EST on the 13th
    assert rules.release_at(rules.Kind.NUDGE, spring, night, NEW_YORK) == datetime(
        2027, 3, 14, 11, 0, tzinfo=UTC
    )
    # London falls back at 02:00 on 31 October 2027: 07:00 GMT is 07:00 UTC.
    autumn = datetime(2027, 10, 30, 22, 0, tzinfo=UTC)  # 23:00 BST
    assert rules.release_at(rules.Kind.REMINDER, autumn, night, LONDON) == datetime(
        2027, 10, 31, 7, 0, tzinfo=UTC
    )
    # Outside quiet hours nothing waits; transactional and staff messages never do.
    noon = datetime(2027, 10, 30, 11, 0, tzinfo=UTC)
    assert rules.release_at(rules.Kind.NUDGE, noon, night, LONDON) == noon
    assert rules.release_at(rules.Kind.TRANSACTIONAL, autumn, night, LONDON) == autumn
    assert rules.release_at(rules.Kind.STAFF, autumn, night, LONDON) == autumn


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2029, 1, 1)))
def test_a_held_message_goes_at_the_first_moment_outside_quiet_hours(naive: datetime) -> None:
    due = naive.replace(tzinfo=UTC)
    night = QuietHours(time(21), time(8))
    goes = rules.release_at(rules.Kind.MARKETING, due, night, LONDON)
    assert goes >= due and not night.quiet_at(goes, LONDON)
    assert goes - due <= timedelta(hours=12)


def test_backoff_doubles_caps_and_honours_retry_after() -> None:
    assert [rules.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert rules.backoff(20) == timedelta(hours=1)
    assert rules.backoff(1, retry_after=300) == timedelta(seconds=300)
    assert rules.backoff(3, retry_after=5) == timedelta(seconds=120)


def test_e164() -> None:
    assert rules.e164("+233201234567") == "+233201234567"
    for bad in (None, "", "0201234567", "+0201234567", "+12", "+23320123456789012"):
        assert rules.e164(bad) is None


def test_unsubscribe_tokens_round_trip_and_refuse_any_change() -> None:
    """Every other string is refused, even one that differs only in the last character's
    unused bits (it decodes to the same bytes)."""
    for _ in range(20):
        request = rules.UnsubscribeRequest(uuid.uuid4(), uuid.uuid4(), rules.Kind.MARKETING)
        token = rules.unsubscribe_token(SECRET, request)
        assert rules.read_unsubscribe_token(SECRET, token) == request
        assert rules.read_unsubscribe_token("another-secret", token) is None
        for i in range(len(token)):
            for swapped in "ABCD":
                changed = token[:i] + swapped + token[i + 1 :]
                if changed != token:
                    assert rules.read_unsubscribe_token(SECRET, changed) is None
    assert rules.read_unsubscribe_token(SECRET, token[:-1]) is None
    assert rules.read_unsubscribe_token(SECRET, "!!!") is None


def test_an_unsubscribe_removes_only_email_of_that_kind() -> None:
    choices = {"reminder": ["email", "sms"]}
    after = rules.without_channel(choices, rules.Kind.REMINDER, Channel.EMAIL)
    assert after == {"reminder": ["sms"]}
    assert rules.without_channel(None, rules.Kind.NUDGE, Channel.EMAIL) == {"nudge": []}
