"""Webhook subscriptions in batched content mode: the relay sends their events as
CloudEvents batches (``application/cloudevents-batch+json``), against a real receiver on
loopback that verifies the Standard Webhooks signature over each batch."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from server.bootstrap import Container
from server.config import Settings
from server.outbox.models import DEAD, DELIVERED
from server.outbox.record import record
from server.ports.analytics import PublishedEvent
from server.ports.webhooks import WebhookBatch
from tests.fakes import RecordingEvents
from tests.integration.helpers import Api
from tests.integration.outbox_helpers import deliveries, drain, event, relay_of, subscribe
from tests.loopback.event_receiver import BATCH, STRUCTURED, Answer, event_receiver


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No background jobs: each test runs its own relay, on its own clock."""
    return settings.model_copy(update={"background_jobs": False})


def _record(container: Container, events: list[PublishedEvent]) -> None:
    with container.uow() as uow:
        record(uow.db, events)
        uow.commit()


def _batch_id(events: list[PublishedEvent] | list[str]) -> str:
    ids = [str(e.id) if isinstance(e, PublishedEvent) else e for e in events]
    fake = [PublishedEvent(uuid.uuid4(), "x", datetime.now(UTC), {}, uuid.UUID(i)) for i in ids]
    return WebhookBatch("http://127.0.0.1/", tuple(fake), ()).id


def test_batches_reach_a_real_receiver_signed_in_order(api: Api, container: Container) -> None:
    tenant = api.sign_up("outbox-batches")
    sink = RecordingEvents()
    with event_receiver() as receiver, relay_of(container, sink, batch_size=100) as relay:
        made = subscribe(api, tenant, receiver.url, ["test.*"], "batch")
        assert made["content_mode"] == "batch"
        receiver.secrets.append(made["secret"])
        members = [uuid.uuid4() for _ in range(5)]
        sent = [
            event(tenant.id, "test.moved", members[i % 5] if i % 7 else None, n=i)
            for i in range(240)
        ]
        _record(container, sent)
        done = relay.run()
        assert done.delivered == 240 * 2  # the receiver's and the sink's
        # 240 events: requests of at most 100, in event order, each signed over its body.
        assert [len(r.ids) for r in receiver.log] == [100, 100, 40]
        assert {r.content_type for r in receiver.log} == {BATCH}
        assert receiver.bad_signatures == 0
        assert all(r.verified_by == (0,) for r in receiver.accepted)
        assert receiver.ids() == [str(e.id) for e in sent]
        for request in receiver.log:
            assert request.webhook_id == _batch_id(list(request.ids))
            assert request.webhook_id not in request.ids
        first = receiver.accepted[0]
        assert first.type == "io.zmos.test.moved" and first.headers["content-type"] == BATCH
        for member in members:
            mine = [r.data["n"] for r in receiver.accepted if r.subject == str(member)]
            assert mine == [e.data["n"] for e in sent if e.data.get("member_id") == str(member)]
        assert {d.state for d in deliveries(container)} == {DELIVERED}
        assert len(sink.events) == 240


def test_a_refused_batch_comes_back_whole_and_nothing_overtakes_it(
    api: Api, container: Container
) -> None:
    tenant = api.sign_up("outbox-batch-retry")
    with (
        event_receiver(answer=lambda n, _e: Answer(503) if n == 1 else Answer()) as receiver,
        relay_of(container, batch_size=10) as relay,
    ):
        made = subscribe(api, tenant, receiver.url, ["test.*"], "batch")
        receiver.secrets.append(made["secret"])
        ama, kofi, esi = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        first = [event(tenant.id, "test.r", (ama, kofi)[i % 2], n=i) for i in range(10)]
        others = [event(tenant.id, "test.r", esi, n=10 + i) for i in range(10)]
        later = [event(tenant.id, "test.r", (ama, kofi)[i % 2], n=20 + i) for i in range(10)]
        _record(container, first + others + later)
        t0 = datetime.now(UTC)
        relay.run(now=t0)
        ids = [[str(e.id) for e in part] for part in (first, others, later)]
        # The first batch was refused; Esi's events (none of them held back by it) went;
        # Ama's and Kofi's later ones wait behind the refused batch.
        assert [(list(r.ids), r.status) for r in receiver.log] == [(ids[0], 503), (ids[1], 204)]
        refused = [d for d in deliveries(container) if d.state != DELIVERED and d.attempts]
        assert len(refused) == 10 and len({d.next_attempt_at for d in refused}) == 1
        assert refused[0].next_attempt_at - t0 >= timedelta(seconds=5)
        assert "503" in (refused[0].last_error or "")
        drain(container, relay, t0)
        retried = receiver.log[2]
        # Sent again as it was: the same webhook-id, the same events, then the later ones.
        assert (list(retried.ids), retried.webhook_id) == (ids[0], receiver.log[0].webhook_id)
        assert [list(r.ids) for r in receiver.log[2:]] == [ids[0], ids[2]]
        for member in (ama, kofi, esi):
            got = [r.data["n"] for r in receiver.accepted if r.subject == str(member)]
            assert got == sorted(got) and len(got) == 10
        assert {d.state for d in deliveries(container)} == {DELIVERED}


def test_batches_dead_letter_and_replay(api: Api, container: Container) -> None:
    tenant = api.sign_up("outbox-batch-dead")
    healthy = {"up": False}
    with (
        event_receiver(answer=lambda _n, _e: Answer() if healthy["up"] else Answer(500)) as rx,
        relay_of(container, batch_size=4) as relay,
    ):
        made = subscribe(api, tenant, rx.url, ["test.*"], "batch")
        rx.secrets.append(made["secret"])
        member = uuid.uuid4()
        _record(container, [event(tenant.id, "test.dead", member, n=i) for i in range(6)])
        drain(container, relay, datetime.now(UTC))
        subs = [d for d in deliveries(container) if d.target.startswith("sub:")]
        assert {d.state for d in subs} == {DEAD} and {d.attempts for d in subs} == {15}
        assert rx.accepted == []
        # The member's last two waited behind the first batch until it was dead-lettered
        # (it stops holding them back), then had their own fifteen attempts.
        assert [len(r.ids) for r in rx.log] == [4] * 15 + [2] * 15
        assert len({r.webhook_id for r in rx.log}) == 2
        healthy["up"] = True
        replayed = api.client.post(
            f"/webhooks/subscriptions/{made['id']}/replay",
            json={"since": (datetime.now(UTC) - timedelta(days=1)).isoformat(), "only_dead": True},
            headers=tenant.headers,
        )
        assert replayed.status_code == 200 and replayed.json()["requeued"] == 6
        relay.run()
        assert [r.data["n"] for r in rx.accepted] == list(range(6))
        assert rx.log[-1].content_type == BATCH and len(rx.log[-2].ids) == 4


def test_the_content_mode_is_set_changed_and_checked(api: Api, container: Container) -> None:
    tenant = api.sign_up("outbox-batch-mode")
    with event_receiver() as receiver, relay_of(container) as relay:
        made = subscribe(api, tenant, receiver.url, ["test.*"])
        assert made["content_mode"] == "structured"
        receiver.secrets.append(made["secret"])
        url = f"/webhooks/subscriptions/{made['id']}"
        for bad in ("binary", "", None, 3, "BATCH"):
            refused = api.client.patch(url, json={"content_mode": bad}, headers=tenant.headers)
            assert refused.status_code == 422, (bad, refused.text)
        created = api.client.post(
            "/webhooks/subscriptions",
            json={"url": receiver.url, "event_types": ["*"], "content_mode": "batches"},
            headers=tenant.headers,
        )
        assert created.status_code == 422 and "content_mode" in created.text
        assert api.client.get(url, headers=tenant.headers).json()["content_mode"] == "structured"
        _record(container, [event(tenant.id, "test.one", None), event(tenant.id, "test.two", None)])
        relay.run()
        assert [r.content_type for r in receiver.log] == [STRUCTURED, STRUCTURED]
        changed = api.client.patch(url, json={"content_mode": "batch"}, headers=tenant.headers)
        assert changed.status_code == 200 and changed.json()["content_mode"] == "batch"
        assert api.client.get(url, headers=tenant.headers).json()["content_mode"] == "batch"
        _record(
            container, [event(tenant.id, "test.three", None), event(tenant.id, "test.four", None)]
        )
        relay.run()
        assert [r.content_type for r in receiver.log[2:]] == [BATCH]
        assert len(receiver.accepted) == 4


def test_a_paused_batch_subscription_keeps_its_events(api: Api, container: Container) -> None:
    tenant = api.sign_up("outbox-batch-pause")
    with event_receiver() as receiver, relay_of(container) as relay:
        made = subscribe(api, tenant, receiver.url, ["test.*"], "batch")
        receiver.secrets.append(made["secret"])
        url = f"/webhooks/subscriptions/{made['id']}"
        api.client.patch(url, json={"active": False}, headers=tenant.headers)
        _record(container, [event(tenant.id, "test.wait", uuid.uuid4(), n=i) for i in range(3)])
        relay.run()
        assert receiver.requests == 0
        api.client.patch(url, json={"active": True}, headers=tenant.headers)
        relay.run()
        assert [len(r.ids) for r in receiver.log] == [3]
