"""The transactional outbox and its relay, against a real webhook receiver on loopback."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select, update

from server.bootstrap import Container
from server.config import Settings
from server.outbox import rules
from server.outbox.models import DEAD, DELIVERED, PENDING, OutboxDelivery, OutboxEvent
from server.outbox.record import record
from tests.fakes import RecordingEvents
from tests.integration.helpers import Api, Tenant
from tests.integration.members_helpers import create_member
from tests.integration.outbox_helpers import (
    deliveries,
    drain,
    event,
    recorded,
    relay_of,
    subscribe,
)
from tests.loopback.event_receiver import Answer, event_receiver


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No background jobs: each test runs its own relay, on its own clock."""
    return settings.model_copy(update={"background_jobs": False})


def _count(container: Container) -> int:
    with container.uow() as uow:
        return int(uow.db.execute(select(func.count()).select_from(OutboxEvent)).scalar_one())


def _record(container: Container, *events: object) -> None:
    with container.uow() as uow:
        record(uow.db, events)  # type: ignore[arg-type]
        uow.commit()


def test_a_use_case_writes_its_event_in_its_own_transaction(api: Api, container: Container) -> None:
    tenant = api.sign_up("outbox-tx")
    member = create_member(api, tenant)
    before = _count(container)
    body = {
        "member_id": member["id"],
        "kind": "outdoor",
        "minutes": 40,
        "intensity": "moderate",
        "occurred_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
    }
    made = api.client.post("/movement-events", json=body, headers=tenant.headers)
    assert made.status_code == 201, made.text
    [written] = recorded(container)[before:]
    assert written.data["movement_event_id"] == made.json()["id"]
    assert written.subject == uuid.UUID(member["id"])
    # Refused (in the future): no movement, and no event either.
    future = {**body, "occurred_at": (datetime.now(UTC) + timedelta(days=2)).isoformat()}
    refused = api.client.post("/movement-events", json=future, headers=tenant.headers)
    assert refused.status_code == 422
    assert _count(container) == before + 1


def test_a_rolled_back_transaction_writes_no_event(api: Api, container: Container) -> None:
    tenant = api.sign_up("outbox-rollback")
    with container.uow() as uow:
        record(uow.db, [event(tenant.id, "test.never", None)])
        # no commit: the unit of work rolls back on exit
    with pytest.raises(RuntimeError), container.uow() as uow:
        record(uow.db, [event(tenant.id, "test.never", None)])
        uow.flush()
        raise RuntimeError("the use case failed after recording")
    assert [e for e in recorded(container) if e.name == "test.never"] == []


def test_events_reach_a_real_receiver_signed_and_the_sinks(api: Api, container: Container) -> None:
    tenant = api.sign_up("outbox-deliver")
    sink = RecordingEvents()
    with event_receiver() as receiver, relay_of(container, sink) as relay:
        made = subscribe(api, tenant, receiver.url, ["test.*"])
        receiver.secrets.append(made["secret"])
        ama, kofi = uuid.uuid4(), uuid.uuid4()
        _record(
            container,
            *[event(tenant.id, "test.moved", m, n=i) for i in range(3) for m in (ama, kofi)],
        )
        _record(container, event(tenant.id, "other.thing", None))
        done = relay.run()
        assert done.delivered == 6 + 7  # the receiver's six, the sink's seven
        assert len(receiver.accepted) == 6 and receiver.bad_signatures == 0
        first = receiver.accepted[0]
        assert first.type == "io.zmos.test.moved"
        assert first.headers["webhook-id"] == first.id
        assert first.headers["content-type"] == "application/cloudevents+json"
        assert {r.subject for r in receiver.accepted} == {str(ama), str(kofi)}
        for member in (ama, kofi):
            mine = [r.data["n"] for r in receiver.accepted if r.subject == str(member)]
            assert mine == [0, 1, 2]
        assert [e.name for e in sink.events].count("other.thing") == 1
        ids = {str(e.id) for e in recorded(container, "test.")}
        assert set(receiver.ids()) == ids
        assert {d.state for d in deliveries(container)} == {DELIVERED}


def test_bad_answers_are_retried_with_backoff(api: Api, container: Container) -> None:
    tenant = api.sign_up("outbox-retry")
    plan = {1: Answer(503), 2: Answer(500), 3: Answer(delay=1.0), 4: Answer(drop=True)}
    with (
        event_receiver(answer=lambda n, _e: plan.get(n, Answer())) as receiver,
        relay_of(container, timeout=0.3) as relay,
    ):
        receiver.secrets.append(subscribe(api, tenant, receiver.url)["secret"])
        _record(container, event(tenant.id, "test.retry", uuid.uuid4()))
        t0 = datetime.now(UTC)
        relay.run(now=t0)
        assert receiver.requests == 1
        [row] = [d for d in deliveries(container) if d.target.startswith("sub:")]
        wait = row.next_attempt_at - t0
        assert timedelta(seconds=5) <= wait <= timedelta(seconds=6)
        assert row.attempts == 1 and "503" in (row.last_error or "")
        relay.run(now=t0 + timedelta(seconds=4))  # not due yet
        assert receiver.requests == 1
        at = t0
        for _ in range(4):
            at = _next_due(container)
            relay.run(now=at)
        assert receiver.requests == 5
        [row] = [d for d in deliveries(container) if d.target.startswith("sub:")]
        assert row.state == DELIVERED and row.attempts == 5
        assert at - t0 >= timedelta(seconds=5 + 30 + 120 + 600)
        # The slow answer came after the sender gave up: the receiver has it twice, by one id.
        assert len(receiver.accepted) == 2 and len(set(receiver.ids())) == 1


def _next_due(container: Container) -> datetime:
    pending = [d.next_attempt_at for d in deliveries(container) if d.state == PENDING]
    return min(pending)


def test_a_receiver_down_for_a_day_loses_nothing(api: Api, container: Container) -> None:
    tenant = api.sign_up("outbox-down")
    with event_receiver() as receiver, relay_of(container) as relay:
        receiver.secrets.append(subscribe(api, tenant, receiver.url)["secret"])
        receiver.stop()  # down: connections refused
        members = [uuid.uuid4() for _ in range(3)]
        _record(
            container, *[event(tenant.id, "test.day", m, n=i) for i in range(4) for m in members]
        )
        t0 = datetime.now(UTC)
        for hour in range(25):
            relay.run(now=t0 + timedelta(hours=hour))
        assert all(d.state == PENDING for d in deliveries(container) if d.target.startswith("sub:"))
        receiver.start()  # back, on the same port
        at = drain(container, relay, t0 + timedelta(hours=25))
        assert at - t0 < timedelta(hours=40)
        for member in members:
            assert [r.data["n"] for r in receiver.accepted if r.subject == str(member)] == [
                0,
                1,
                2,
                3,
            ]
        assert DEAD not in {d.state for d in deliveries(container)}


def test_dead_letters_and_replay(api: Api, container: Container) -> None:
    tenant = api.sign_up("outbox-dead")
    healthy = threading.Event()
    with (
        event_receiver(
            answer=lambda _n, _e: Answer() if healthy.is_set() else Answer(500)
        ) as receiver,
        relay_of(container) as relay,
    ):
        made = subscribe(api, tenant, receiver.url)
        receiver.secrets.append(made["secret"])
        _record(container, event(tenant.id, "test.dead", uuid.uuid4()))
        t0 = datetime.now(UTC)
        at = drain(container, relay, t0)
        assert at - t0 >= rules.total_schedule() >= timedelta(days=3)
        assert receiver.requests == rules.MAX_ATTEMPTS
        url = f"/webhooks/subscriptions/{made['id']}/deliveries"
        dead = api.client.get(url, params={"state": "dead"}, headers=tenant.headers)
        assert dead.status_code == 200, dead.text
        [letter] = dead.json()["items"]
        assert letter["attempts"] == rules.MAX_ATTEMPTS and "500" in letter["last_error"]
        healthy.set()
        since = (t0 - timedelta(minutes=5)).isoformat()
        replayed = api.client.post(
            f"/webhooks/subscriptions/{made['id']}/replay",
            json={"since": since, "only_dead": True},
            headers=tenant.headers,
        )
        assert replayed.status_code == 200 and replayed.json() == {"requeued": 1}
        relay.run()
        assert len(receiver.accepted) == 1
        assert (
            api.client.get(url, params={"state": "dead"}, headers=tenant.headers).json()["items"]
            == []
        )
        # Replay of everything since then sends the delivered event again, same id.
        again = api.client.post(
            f"/webhooks/subscriptions/{made['id']}/replay",
            json={"since": since},
            headers=tenant.headers,
        )
        assert again.json() == {"requeued": 1}
        relay.run()
        assert len(receiver.accepted) == 2 and len(set(receiver.ids())) == 1


def test_replay_reaches_events_from_before_the_subscription(api: Api, container: Container) -> None:
    tenant = api.sign_up("outbox-late")
    with event_receiver() as receiver, relay_of(container) as relay:
        _record(container, event(tenant.id, "test.early", uuid.uuid4()))
        relay.run()
        made = subscribe(api, tenant, receiver.url, ["test.early"])
        receiver.secrets.append(made["secret"])
        relay.run()
        assert receiver.accepted == []
        since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        answer = api.client.post(
            f"/webhooks/subscriptions/{made['id']}/replay",
            json={"since": since},
            headers=tenant.headers,
        )
        assert answer.json() == {"requeued": 1}
        relay.run()
        assert [r.type for r in receiver.accepted] == ["io.zmos.test.early"]


def test_secret_rotation_signs_with_both_during_the_grace(api: Api, container: Container) -> None:
    tenant = api.sign_up("outbox-rotate")
    with event_receiver() as receiver, relay_of(container) as relay:
        made = subscribe(api, tenant, receiver.url)
        old = made["secret"]
        rotated = api.client.post(
            f"/webhooks/subscriptions/{made['id']}/rotate-secret",
            json={"grace_hours": 24},
            headers=tenant.headers,
        )
        assert rotated.status_code == 200, rotated.text
        new = rotated.json()["secret"]
        assert new != old and rotated.json()["previous_secret_until"] is not None
        # A receiver that switched to the new secret already verifies…
        receiver.secrets[:] = [new]
        _record(container, event(tenant.id, "test.rotate", None, n=1))
        relay.run()
        assert len(receiver.accepted) == 1
        assert len(receiver.accepted[0].headers["webhook-signature"].split(" ")) == 2
        # …and one still on the old secret too, during the grace period.
        receiver.secrets[:] = [old]
        _record(container, event(tenant.id, "test.rotate", None, n=2))
        relay.run()
        assert len(receiver.accepted) == 2
        # After it, only the new secret signs: the old one no longer verifies.
        after = datetime.now(UTC) + timedelta(hours=25)
        _record(container, event(tenant.id, "test.rotate", None, n=3))
        relay.run(now=after)
        assert receiver.bad_signatures == 1 and len(receiver.accepted) == 2
        receiver.secrets[:] = [new]
        relay.run(now=after + timedelta(seconds=10))
        assert [r.data["n"] for r in receiver.accepted] == [1, 2, 3]
        assert len(receiver.accepted[2].headers["webhook-signature"].split(" ")) == 1


def test_other_tenants_never_get_a_tenants_events(api: Api, container: Container) -> None:
    one, two = api.sign_up("outbox-one"), api.sign_up("outbox-two")
    with (
        event_receiver() as first,
        event_receiver() as second,
        relay_of(container) as relay,
    ):
        first.secrets.append(subscribe(api, one, first.url)["secret"])
        second.secrets.append(subscribe(api, two, second.url)["secret"])
        _record(container, *[event(one.id, "test.mine", uuid.uuid4()) for _ in range(3)])
        _record(container, event(two.id, "test.theirs", uuid.uuid4()))
        relay.run()
        assert {r.type for r in first.accepted} == {"io.zmos.test.mine"}
        assert [r.type for r in second.accepted] == ["io.zmos.test.theirs"]


def test_a_paused_subscription_keeps_its_events_until_resumed(
    api: Api, container: Container
) -> None:
    tenant = api.sign_up("outbox-pause")
    with event_receiver() as receiver, relay_of(container) as relay:
        made = subscribe(api, tenant, receiver.url)
        receiver.secrets.append(made["secret"])
        paused = api.client.patch(
            f"/webhooks/subscriptions/{made['id']}", json={"active": False}, headers=tenant.headers
        )
        assert paused.status_code == 200 and paused.json()["active"] is False
        _record(container, event(tenant.id, "test.wait", uuid.uuid4()))
        relay.run()
        assert receiver.requests == 0
        api.client.patch(
            f"/webhooks/subscriptions/{made['id']}", json={"active": True}, headers=tenant.headers
        )
        relay.run()
        assert len(receiver.accepted) == 1


def test_a_claim_between_the_relay_s_two_reads_still_holds_the_member_s_line(
    api: Api, container: Container
) -> None:
    """Another relay claims a member's first three events just after this relay read which
    lines are held, and before it reads the due deliveries: the member's later events must
    not go ahead of them (the two reads see one snapshot)."""
    tenant = api.sign_up("outbox-claim-between")
    member = uuid.uuid4()
    now = datetime.now(UTC)
    with event_receiver() as receiver, relay_of(container) as relay:
        made = subscribe(api, tenant, receiver.url)
        receiver.secrets.append(made["secret"])
        target = rules.subscription_target(uuid.UUID(made["id"]))
        _record(container, *[event(tenant.id, "test.between", member, n=i) for i in range(6)])
        relay.dispatch(now)
        first = [d.event_seq for d in deliveries(container) if d.target == target][:3]
        fired: list[bool] = []

        def claim_between(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if fired or "JOIN outbox_events" not in statement:
                return
            fired.append(True)
            with container.engine.begin() as other:  # another relay's claim, committed
                other.execute(
                    update(OutboxDelivery)
                    .where(
                        OutboxDelivery.target == target,
                        OutboxDelivery.event_seq.in_(first),
                    )
                    .values(claimed_until=now + timedelta(minutes=5), claim=uuid.uuid4())
                )

        sa_event.listen(container.engine, "before_cursor_execute", claim_between)
        try:
            relay.deliver(now)
        finally:
            sa_event.remove(container.engine, "before_cursor_execute", claim_between)
        assert fired, "the relay's due read never ran"
        assert receiver.accepted == [], [r.data["n"] for r in receiver.accepted]
        # The other relay's lease runs out unsent: everything goes, in order.
        drain(container, relay, now + timedelta(minutes=6))
        assert [r.data["n"] for r in receiver.accepted] == list(range(6))


def test_two_relays_never_make_the_same_attempt(api: Api, container: Container) -> None:
    tenant = api.sign_up("outbox-two-relays")
    with (
        event_receiver() as receiver,
        relay_of(container, batch=40) as a,
        relay_of(container, batch=40) as b,
    ):
        receiver.secrets.append(subscribe(api, tenant, receiver.url)["secret"])
        members = [uuid.uuid4() for _ in range(10)]
        _record(
            container, *[event(tenant.id, "test.race", m, n=i) for i in range(20) for m in members]
        )
        threads = [threading.Thread(target=r.run) for r in (a, b)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        drain(container, a, datetime.now(UTC))
        assert {d.state for d in deliveries(container)} == {DELIVERED}
        counts = Counter(receiver.ids())
        assert len(counts) == 200 and set(counts.values()) == {1}
        for member in members:
            assert [r.data["n"] for r in receiver.accepted if r.subject == str(member)] == list(
                range(20)
            )


def test_prune_keeps_what_is_pending(api: Api, container: Container) -> None:
    tenant = api.sign_up("outbox-prune")
    with event_receiver() as receiver, relay_of(container) as relay:
        receiver.secrets.append(subscribe(api, tenant, receiver.url, ["test.kept"])["secret"])
        _record(container, event(tenant.id, "test.gone", None), event(tenant.id, "test.kept", None))
        receiver.stop()
        relay.run()
        later = datetime.now(UTC) + timedelta(days=8)
        assert relay.prune(later, timedelta(days=7)) == 1
        assert [e.name for e in recorded(container, "test.")] == ["test.kept"]


def _staff_token(api: Api, tenant: Tenant, role: str) -> dict[str, str]:
    email = f"{role}@{tenant.slug}.example"
    api.create_staff(tenant, role, email)
    return api.token_for(tenant.slug, email)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"url": "http://example.com/hook", "event_types": ["*"]}, "webhook_url"),
        ({"url": "ftp://example.com/hook", "event_types": ["*"]}, "webhook_url"),
        ({"url": "https://u:p@example.com/hook", "event_types": ["*"]}, "webhook_url"),
        ({"url": "https://example.com/hook", "event_types": ["check*in"]}, "webhook_event_type"),
        ({"url": "https://example.com/hook", "event_types": ["Checkin"]}, "webhook_event_type"),
    ],
)
def test_bad_subscriptions_are_refused(
    api: Api, container: Container, body: dict[str, object], code: str
) -> None:
    tenant = api.sign_up("outbox-bad")
    answer = api.client.post("/webhooks/subscriptions", json=body, headers=tenant.headers)
    assert answer.status_code == 422, answer.text
    assert answer.json().get("code") == code
    listed = api.client.get("/webhooks/subscriptions", headers=tenant.headers).json()
    assert listed == {"items": [], "next_offset": None}


def test_subscriptions_are_the_tenants_and_its_admins(api: Api, container: Container) -> None:
    one, two = api.sign_up("outbox-own"), api.sign_up("outbox-other")
    made = subscribe(api, one, "https://hooks.example.com/zmos")
    assert "secret" in made and made["secret"].startswith("whsec_")
    theirs = api.client.get(f"/webhooks/subscriptions/{made['id']}", headers=two.headers)
    assert theirs.status_code == 404
    listed = api.client.get(f"/webhooks/subscriptions/{made['id']}", headers=one.headers).json()
    assert "secret" not in listed
    desk = _staff_token(api, one, "front_desk")
    assert api.client.get("/webhooks/subscriptions", headers=desk).status_code == 403
    gone = api.client.delete(f"/webhooks/subscriptions/{made['id']}", headers=one.headers)
    assert gone.status_code == 204
    assert (
        api.client.get(f"/webhooks/subscriptions/{made['id']}", headers=one.headers).status_code
        == 404
    )


def test_erasure_takes_the_members_events_out_of_the_outbox(api: Api, container: Container) -> None:
    tenant = api.sign_up("outbox-erase")
    ama, kofi = create_member(api, tenant), create_member(api, tenant, "Kofi", "Boateng")
    _record(
        container,
        event(tenant.id, "test.erase", uuid.UUID(ama["id"])),
        event(tenant.id, "test.erase", uuid.UUID(kofi["id"])),
    )
    with relay_of(container) as relay:
        relay.run()  # delivered to the sink: deliveries exist for both
    done = api.client.post(
        f"/members/{ama['id']}/erasure",
        json={"confirmation": "Ama Mensah"},
        headers=tenant.headers,
    )
    assert done.status_code == 200, done.text
    assert done.json()["tables"]["outbox_events"] == "deleted 1"
    left = recorded(container, "test.erase")
    assert [e.subject for e in left] == [uuid.UUID(kofi["id"])]
    assert {d.subject for d in deliveries(container)} == {uuid.UUID(kofi["id"])}
