"""How stored challenges use the pure rules: a participant's counted events survive the
JSON round trip, applying entries batch by batch through stored state equals rebuilding
from the whole ledger, and how members appear on boards."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from server.challenges import rules
from server.challenges.models import ChallengeParticipant
from server.challenges.projection import Step, advance
from shared.engagement.challenges import (
    Challenge,
    ChallengeScore,
    EngagementEvent,
    Metric,
    Participant,
)

AMA = uuid.UUID(int=1)
START = date(2026, 11, 30)


def _challenge(
    metric: Metric, cap: int | None, self_reports: bool, target: int | None
) -> Challenge:
    return Challenge(
        id=uuid.UUID(int=99),
        metric=metric,
        starts_on=START,
        ends_on=START + timedelta(days=6),
        grace=timedelta(days=2),
        daily_cap=cap,
        allow_self_reports=self_reports,
        target=target,
    )


def _participant(buckets: dict[str, Any] | None = None) -> ChallengeParticipant:
    return ChallengeParticipant(
        member_id=AMA,
        zone="Europe/London",
        team=None,
        score=0,
        reached_at=None,
        buckets=buckets or {},
        completed_on=None,
    )


@st.composite
def _ledger(draw: st.DrawFn) -> list[EngagementEvent]:
    """Events of one member around the window, some stored late, some corrections or voids
    of earlier ones (a void after its target, as the ledger stores them)."""
    events: list[EngagementEvent] = []
    for index in range(draw(st.integers(0, 14))):
        day = START + timedelta(days=draw(st.integers(-2, 8)))
        occurred = datetime(day.year, day.month, day.day, draw(st.integers(6, 22)), tzinfo=UTC)
        late = draw(st.sampled_from([0, 0, 0, 3, 5]))
        voids = None
        if events and draw(st.integers(0, 4)) == 0:
            voids = draw(st.sampled_from(events)).id
        events.append(
            EngagementEvent(
                id=uuid.UUID(int=1000 + index),
                member_id=AMA,
                occurred_at=occurred,
                local_date=day,
                kind=draw(st.sampled_from(["attendance", "outdoor", "tile"])),
                minutes=draw(st.integers(0, 90)),
                intensity=draw(st.sampled_from(["light", "moderate", "vigorous"])),
                provenance=draw(st.sampled_from(["staff_recorded", "self_reported"])),
                recorded_at=occurred + timedelta(days=late),
                voids=voids,
            )
        )
    return events


@settings(max_examples=150, deadline=None)
@given(
    events=_ledger(),
    metric=st.sampled_from(list(Metric)),
    cap=st.sampled_from([None, 1, 45]),
    self_reports=st.booleans(),
    cuts=st.lists(st.integers(0, 14), max_size=4),
)
def test_batches_through_stored_state_equal_a_rebuild(
    events: list[EngagementEvent],
    metric: Metric,
    cap: int | None,
    self_reports: bool,
    cuts: list[int],
) -> None:
    challenge = _challenge(metric, cap, self_reports, target=None)
    row = _participant()
    bounds = sorted({0, len(events), *(c for c in cuts if c <= len(events))})
    step: Step | None = None
    for start, end in itertools.pairwise(bounds):
        step = advance(challenge, row, events[start:end])
        row.buckets, row.score, row.reached_at = step.buckets, step.after, step.reached_at
    rebuilt = ChallengeScore.rebuild(challenge, [Participant(AMA, "Europe/London")], events).score(
        AMA
    )
    assert row.score == rebuilt.score
    assert (step.reached_at if step else None) == rebuilt.reached_at


def test_the_stored_events_round_trip() -> None:
    challenge = _challenge(Metric.MINUTES, None, True, None)
    at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    event = EngagementEvent(
        id=uuid.uuid4(),
        member_id=AMA,
        occurred_at=at,
        local_date=at.date(),
        kind="outdoor",
        minutes=30,
        intensity="vigorous",
        provenance="self_reported",
        recorded_at=at + timedelta(hours=5),
    )
    stored = rules.encode(challenge, [event])
    assert list(stored) == ["2026-12-01"]
    assert rules.decode(AMA, stored) == [event]


def test_completion_is_the_local_date_the_target_was_crossed_and_a_void_undoes_it() -> None:
    challenge = _challenge(Metric.SESSIONS, None, False, target=2)
    first, second = (
        EngagementEvent(
            id=uuid.UUID(int=n),
            member_id=AMA,
            occurred_at=datetime(2026, 12, n, 9, tzinfo=UTC),
            local_date=date(2026, 12, n),
            kind="attendance",
            minutes=60,
            intensity="moderate",
            provenance="scanner_verified",
        )
        for n in (1, 2)
    )
    row = _participant()
    step = advance(challenge, row, [first, second])
    assert (step.after, step.completed_on, step.newly_completed) == (
        2,
        date(2026, 12, 2),
        date(2026, 12, 2),
    )
    row.buckets, row.completed_on = step.buckets, step.completed_on
    void = EngagementEvent(
        id=uuid.UUID(int=3),
        member_id=AMA,
        occurred_at=second.occurred_at,
        local_date=second.local_date,
        kind="attendance",
        minutes=0,
        intensity="moderate",
        provenance="staff_recorded",
        voids=second.id,
        voided=True,
    )
    step = advance(challenge, row, [void])
    assert (step.after, step.completed_on, step.newly_completed) == (1, None, None)


def test_members_appear_as_first_name_and_last_initial() -> None:
    assert rules.board_name("Ama", "Mensah") == "Ama M."
    assert rules.board_name(" Kofi ", " boateng") == "Kofi b."
    assert rules.board_name("Efua", "") == "Efua"


def test_a_challenge_state_on_a_day() -> None:
    starts, ends = date(2026, 12, 1), date(2026, 12, 7)
    assert rules.status_of(starts, ends, False, date(2026, 11, 30)) == "upcoming"
    assert rules.status_of(starts, ends, False, starts) == "active"
    assert rules.status_of(starts, ends, False, ends) == "active"
    assert rules.status_of(starts, ends, False, date(2026, 12, 8)) == "finished"
    assert rules.status_of(starts, ends, True, starts) == "cancelled"
