"""A randomized run of the outbox against a flapping receiver: whatever the receiver answers
(errors, dropped connections, answers lost after it kept the event) and however the events
of several members interleave with the relay's runs, every event arrives at least once,
deduplicable by its id, and the events of each member arrive in the order they were
recorded."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from server.bootstrap import Container
from server.config import Settings
from server.outbox.record import record
from server.ports.analytics import PublishedEvent
from tests.integration.helpers import Api
from tests.integration.outbox_helpers import drain, event, relay_of, subscribe
from tests.loopback.event_receiver import BATCH, STRUCTURED, Answer, event_receiver

CONTENT_TYPES = {"structured": STRUCTURED, "batch": BATCH}

FAULTS = {
    "ok": Answer(),
    "error": Answer(500),
    "unavailable": Answer(503),
    "dropped": Answer(drop=True),
    # The receiver kept it, but its answer never arrived: the sender must send it again.
    "answer lost": Answer(500, keep=True),
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"background_jobs": False})


@pytest.mark.parametrize("content_mode", ["structured", "batch"])
def test_a_flapping_receiver_gets_every_event_at_least_once_in_order_per_member(
    api: Api, container: Container, content_mode: str
) -> None:
    """In batch mode, batches of up to three: a refused batch refuses all of its events."""
    tenant = api.sign_up("outbox-flapping")
    plan: list[Answer] = []

    def answer(_number: int, _event: dict[str, Any]) -> Answer:
        return plan.pop(0) if plan else Answer()

    with (
        event_receiver(answer=answer) as receiver,
        relay_of(container, batch=7, batch_size=3) as relay,
    ):
        made = subscribe(api, tenant, receiver.url, ["test.*"], content_mode)
        receiver.secrets.append(made["secret"])

        @hypothesis_settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(
            batches=st.lists(
                st.lists(st.sampled_from([0, 1, 2, None]), min_size=1, max_size=6),
                min_size=1,
                max_size=4,
            ),
            faults=st.lists(st.sampled_from(sorted(FAULTS)), max_size=12),
            steps=st.lists(st.integers(0, 900), min_size=1, max_size=4),
        )
        def run(batches: list[list[int | None]], faults: list[str], steps: list[int]) -> None:
            members = [uuid.uuid4() for _ in range(3)]
            receiver.accepted.clear()
            plan[:] = [FAULTS[f] for f in faults]
            sent: list[PublishedEvent] = []
            at = datetime.now(UTC)
            for index, batch in enumerate(batches):
                events = [
                    event(
                        tenant.id, "test.flap", None if m is None else members[m], n=len(sent) + i
                    )
                    for i, m in enumerate(batch)
                ]
                with container.uow() as uow:
                    record(uow.db, events)
                    uow.commit()
                sent += events
                relay.run(now=at)
                at += timedelta(seconds=steps[index % len(steps)])
            drain(container, relay, at)
            assert {r.content_type for r in receiver.log} <= {CONTENT_TYPES[content_mode]}
            got = receiver.ids()
            assert {str(e.id) for e in sent} <= set(got)
            for member in members:
                recorded_order = [str(e.id) for e in sent if e.data.get("member_id") == str(member)]
                arrived = [r.id for r in receiver.accepted if r.subject == str(member)]
                # Deduplicated by id (first arrival kept), in the order they were recorded.
                assert list(dict.fromkeys(arrived)) == recorded_order

        run()
        if content_mode == "batch":  # the batches did carry several events
            assert max(len(r.ids) for r in receiver.log) > 1
