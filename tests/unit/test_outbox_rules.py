"""Which events a webhook subscription's event types take."""

from __future__ import annotations

from server.outbox.rules import matches


def test_types_take_exact_names_prefixes_and_everything() -> None:
    assert matches(["checkin.recorded"], "checkin.recorded")
    assert matches(["checkin.*"], "checkin.recorded")
    assert not matches(["checkin.*"], "booking.created")
    assert matches(["*"], "booking.created")


def test_health_events_never_go_to_a_webhook() -> None:
    """A screening's outcome is health data: no subscription gets it, even one for all."""
    for types in (["*"], ["screening.*"], ["screening.completed"]):
        assert not matches(types, "screening.completed")
