from __future__ import annotations

from desktop.core.checkin.wedge import KeystrokeBuffer


def feed(buffer: KeystrokeBuffer, text: str, start: float, gap: float) -> float:
    at = start
    for ch in text:
        buffer.key(ch, at)
        at += gap
    return at


def test_fast_burst_ending_with_enter_is_a_scan() -> None:
    buffer = KeystrokeBuffer()
    at = feed(buffer, "ZM000123", 10.0, 0.004)
    assert buffer.enter(at) == "ZM000123"
    assert buffer.enter(at + 0.001) is None  # the buffer was emptied


def test_person_typing_is_not_a_scan() -> None:
    buffer = KeystrokeBuffer()
    at = feed(buffer, "smith", 10.0, 0.15)
    assert buffer.enter(at) is None


def test_short_bursts_and_slow_enter_are_not_scans() -> None:
    buffer = KeystrokeBuffer()
    assert buffer.enter(feed(buffer, "abc", 1.0, 0.001)) is None
    at = feed(buffer, "12345", 2.0, 0.001)
    assert buffer.enter(at + 0.5) is None


def test_a_pause_starts_a_new_burst() -> None:
    buffer = KeystrokeBuffer()
    at = feed(buffer, "an", 1.0, 0.2)  # someone typing in the search box
    at = feed(buffer, "1001", at + 1.0, 0.003)  # then a card is tapped
    assert buffer.enter(at) == "1001"
