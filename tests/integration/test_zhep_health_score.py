"""ZhepHealthScore against ZHEP's health-score engine on loopback
(``docs/zhep/health-score.openapi.yaml``): only movement, adherence and journey events go,
as CloudEvents; a failure raises, so that the caller (the outbox) sends it again."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from server.adapters.zhep_health_score import ZhepHealthScore
from server.adapters.zhep_http import ZhepEndpoint, ZhepRejected, ZhepUnavailable
from server.bootstrap import Container
from server.config import Settings
from server.outbox.record import record
from server.ports.analytics import PublishedEvent
from tests.fakes.events import RecordingEvents
from tests.integration.helpers import Api
from tests.loopback.zhep_services import TOKEN, RunningZhep, zhep_service

TENANT, MEMBER = uuid.uuid4(), uuid.uuid4()
AT = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)


@pytest.fixture
def zhep() -> Iterator[RunningZhep]:
    with zhep_service("health-score") as running:
        yield running
        assert running.state.violations == []


@pytest.fixture
def settings(db_url: str, tmp_path: Path, zhep: RunningZhep) -> Settings:
    """For the tests that build a server: integrated, with the engine on loopback."""
    return Settings(
        data_dir=tmp_path / "server",
        database_url=db_url,
        secret_key="test-secret-key-for-signing-tokens-0123456789",
        argon2_time_cost=1,
        argon2_memory_kib=8192,
        argon2_parallelism=1,
        background_jobs=False,
        mode="integrated",
        zhep_health_score_url=zhep.url,
        zhep_service_token=SecretStr(TOKEN),
    )


def _engine(
    zhep: RunningZhep, *, token: str = TOKEN, timeout: float = 2.0, parties: bool = False
) -> ZhepHealthScore:
    endpoint = ZhepEndpoint(
        "health-score", zhep.url, token, httpx.Client(), timeout=timeout, retries=2, backoff=0.01
    )
    party_of = (lambda tenant, member: f"party-{member}") if parties else None
    return ZhepHealthScore(endpoint, party_of=party_of)


def _movement(minutes: int = 45, kind: str = "attendance", **extra: object) -> PublishedEvent:
    data = {
        "movement_event_id": str(uuid.uuid4()),
        "member_id": str(MEMBER),
        "kind": kind,
        "minutes": minutes,
        "intensity": "moderate",
        **extra,
    }
    return PublishedEvent(TENANT, f"movement.{kind}", AT, data)


#: What the engine does not take (badges, challenges, money, screening, memberships).
NOT_TAKEN = [
    PublishedEvent(TENANT, "engagement.badge_awarded", AT, {"member_id": str(MEMBER)}),
    PublishedEvent(TENANT, "engagement.streak_changed", AT, {"member_id": str(MEMBER)}),
    PublishedEvent(TENANT, "challenge.score_changed", AT, {"member_id": str(MEMBER)}),
    PublishedEvent(TENANT, "screening.completed", AT, {"member_id": str(MEMBER), "outcome": "x"}),
    PublishedEvent(TENANT, "membership.cancelled", AT, {"member_id": str(MEMBER)}),
    PublishedEvent(TENANT, "prescription_profile.changed", AT, {"profile_id": "p"}),
]


def test_movement_adherence_and_milestones_go_as_cloudevents(zhep: RunningZhep) -> None:
    enrolment = str(uuid.uuid4())
    engine = _engine(zhep)
    taken = [
        _movement(),
        _movement(kind="tile"),
        PublishedEvent(TENANT, "movement.voided", AT, {"member_id": str(MEMBER), "kind": "tile"}),
        PublishedEvent(
            TENANT, "engagement.score_changed", AT, {"member_id": str(MEMBER), "score": 0.4}
        ),
        PublishedEvent(
            TENANT,
            "journey.week_closed",
            AT,
            {"enrolment_id": enrolment, "member_id": str(MEMBER), "week": 1, "dose": 0.8},
        ),
        PublishedEvent(TENANT, "journey.enrolled", AT, {"member_id": str(MEMBER)}),
        PublishedEvent(TENANT, "journey.habit_point", AT, {"member_id": str(MEMBER)}),
        PublishedEvent(TENANT, "journey.completed", AT, {"member_id": str(MEMBER)}),
    ]
    for event in taken:
        engine.publish(event)
    types = [e["type"] for e in zhep.state.events]
    assert types == [
        "zmos.movement.attendance",
        "zmos.movement.tile",
        "zmos.movement.voided",
        "zmos.adherence.score_changed",
        "zmos.adherence.week_closed",
        "zmos.journey.enrolled",
        "zmos.journey.habit_point",
        "zmos.journey.completed",
    ]
    first = zhep.state.events[0]
    assert first["source"] == f"/zmos/tenants/{TENANT}"
    assert first["subject"] == f"member/{MEMBER}"
    assert first["data"]["minutes"] == 45 and first["data"]["tenant_id"] == str(TENANT)
    assert first["time"] == AT.isoformat()
    [request] = zhep.state.seen("POST", "/v1/events")[:1]
    assert request["headers"]["Content-Type"] == "application/cloudevents-batch+json"


def test_other_events_send_nothing(zhep: RunningZhep) -> None:
    engine = _engine(zhep)
    for event in NOT_TAKEN:
        engine.publish(event)
    engine.publish_many(NOT_TAKEN)
    assert zhep.state.requests == []


def test_a_member_with_a_party_id_is_named_by_it(zhep: RunningZhep) -> None:
    _engine(zhep, parties=True).publish(_movement())
    [event] = zhep.state.events
    assert event["subject"] == f"party/party-{MEMBER}"
    assert event["data"]["party_id"] == f"party-{MEMBER}"


def test_the_same_event_sent_again_is_counted_once(zhep: RunningZhep) -> None:
    engine = _engine(zhep)
    event = _movement()
    engine.publish(event)
    engine.publish(event)
    engine.publish(_movement(minutes=20))
    assert len(zhep.state.requests) == 3 and len(zhep.state.events) == 2


def test_an_event_s_own_id_is_its_cloudevents_id(zhep: RunningZhep) -> None:
    """The outbox gives events ids; the engine deduplicates by them."""

    class WithId:
        def __init__(self, event: PublishedEvent, id: str) -> None:
            self.__dict__.update(vars(event), id=id)

    own = str(uuid.uuid4())
    _engine(zhep).publish(WithId(_movement(), own))  # type: ignore[arg-type]
    assert zhep.state.events[0]["id"] == own


def test_5xx_then_success_and_a_lost_answer_deliver_once(zhep: RunningZhep) -> None:
    zhep.state.fail(503)
    zhep.state.slow(1.0)
    _engine(zhep, timeout=0.4).publish(_movement())
    assert len(zhep.state.requests) == 3 and len(zhep.state.events) == 1


def test_a_receiver_that_stays_down_makes_publish_raise_for_the_outbox(zhep: RunningZhep) -> None:
    zhep.state.fail(503, times=3)
    event = _movement()
    with pytest.raises(ZhepUnavailable):
        _engine(zhep).publish(event)
    assert zhep.state.events == []
    _engine(zhep).publish(event)  # the outbox's next try
    assert len(zhep.state.events) == 1


def test_a_refusal_and_a_bad_token_raise_without_retrying(zhep: RunningZhep) -> None:
    zhep.state.fail(422)
    with pytest.raises(ZhepRejected, match="422"):
        _engine(zhep).publish(_movement())
    with pytest.raises(ZhepRejected, match="service token was refused"):
        _engine(zhep, token="bad").publish(_movement())
    assert len(zhep.state.requests) == 2 and zhep.state.events == []


def test_many_events_go_in_batches_in_order(zhep: RunningZhep) -> None:
    events = [
        PublishedEvent(
            TENANT,
            "movement.floor_checkin",
            AT + timedelta(seconds=i),
            {"member_id": str(MEMBER), "n": i},
        )
        for i in range(620)
    ]
    _engine(zhep).publish_many([*NOT_TAKEN, *events])
    assert [len(r["body"]) for r in zhep.state.requests] == [500, 120]
    assert [e["data"]["n"] for e in zhep.state.events] == list(range(620))


def test_the_engine_is_an_outbox_sink_of_its_own_retried_without_the_log(
    zhep: RunningZhep, api: Api, container: Container
) -> None:
    """Integrated, the relay hands each event to the log and to the engine as two
    deliveries: the engine down, the log has the event once, and the engine gets it (with
    the member's party) once it is back."""
    gym = api.sign_up("hs-gym")
    member = api.client.post(
        "/members", json={"first_name": "Ama", "last_name": "Mensah"}, headers=gym.headers
    )
    assert member.status_code == 201, member.text
    member_id = member.json()["id"]
    linked = api.client.put(
        f"/members/{member_id}/party", json={"party_id": "party-ama"}, headers=gym.headers
    )
    assert linked.status_code == 200, linked.text
    log = RecordingEvents()
    container.events = log
    zhep.state.fail(503, times=100)
    event = _movement(member_id=member_id)
    with container.uow() as uow:
        record(uow.db, [replace(event, tenant_id=uuid.UUID(gym.id))])
        uow.commit()
    now = datetime.now(UTC)
    container.relay().run(now)
    assert log.names() == ["movement.attendance"] and zhep.state.events == []
    zhep.state.faults.clear()
    container.relay().run(now + timedelta(hours=1))
    assert log.names() == ["movement.attendance"]  # not sent to the log again
    [taken] = zhep.state.events
    assert taken["subject"] == "party/party-ama" and taken["data"]["party_id"] == "party-ama"


def test_a_naive_time_is_sent_as_utc(zhep: RunningZhep) -> None:
    naive = _movement()
    _engine(zhep).publish(PublishedEvent(TENANT, naive.name, AT.replace(tzinfo=None), naive.data))
    assert zhep.state.events[0]["time"] == AT.isoformat()


def test_the_relay_hands_the_engine_its_events_in_batches_in_order(
    zhep: RunningZhep, api: Api, container: Container
) -> None:
    """Sixty movements of thirty members: the relay sends them in one request (the
    engine's batch), not sixty, in the order they happened."""
    gym = api.sign_up("hs-batch")
    tenant = uuid.UUID(gym.id)
    members = [uuid.uuid4() for _ in range(30)]
    events = [
        replace(_movement(member_id=str(members[i % 30]), n=i), tenant_id=tenant) for i in range(60)
    ]
    with container.uow() as uow:
        record(uow.db, events)
        uow.commit()
    container.relay().run(datetime.now(UTC))
    assert [e["data"]["n"] for e in zhep.state.events] == list(range(60))
    assert len(zhep.state.requests) == 1
