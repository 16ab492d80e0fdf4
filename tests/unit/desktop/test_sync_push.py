"""Push against a fake server with faults: batching, gzip, acknowledgement,
refusals, lost answers, gaps, expired tokens, revocation, outages."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from desktop.core.kiosk import KioskCore
from desktop.core.store import OutboxRepository, RejectedRepository, SyncStateRepository
from desktop.core.sync.engine import PushResult
from shared.sync.messages import SCHEMA_VERSION, PushRequest
from tests.unit.desktop.kiosk_fakes import ENROL_CODE
from tests.unit.desktop.sync_fakes import SyncFakeServer, pending, queue_checkins

# Fixtures shared by the sync tests: imported under their own names so that pytest finds them.
from tests.unit.desktop.sync_fakes import fake_server as fake_server
from tests.unit.desktop.sync_fakes import kiosk as kiosk
from tests.unit.desktop.sync_fakes import member as member


def test_push_sends_gzip_batches_of_at_most_500_and_empties_the_outbox(
    kiosk: KioskCore, fake_server: SyncFakeServer, member: uuid.UUID
) -> None:
    ids = queue_checkins(kiosk, member, 1203)
    result = kiosk.sync.push()
    assert result == PushResult(sent=1203, acknowledged=1203, rejected=0)
    assert fake_server.push_batches == [500, 500, 203]
    assert fake_server.gzip_pushes == 3
    assert pending(kiosk) == []
    assert sorted(fake_server.checkin_ids()) == sorted(str(i) for i in ids)
    assert kiosk.sync.cursor()[1] == 1203
    assert kiosk.sync.status().pending_count == 0


def test_the_body_is_really_gzip(kiosk: KioskCore, member: uuid.UUID) -> None:
    queue_checkins(kiosk, member, 2)
    seen: list[httpx.Request] = []
    engine = kiosk.sync.engine
    client = engine._client()
    original = client.http._transport

    def spy(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return original.handle_request(request)

    client.http._transport = httpx.MockTransport(spy)
    try:
        kiosk.sync.push()
    finally:
        client.http._transport = original
    push = next(r for r in seen if r.url.path == "/sync/push")
    assert push.headers["content-encoding"] == "gzip"
    body = json.loads(gzip.decompress(push.content))
    assert [m["name"] for m in body["mutations"]] == ["checkin.create.v1"] * 2
    assert body["schema_version"] == SCHEMA_VERSION == 2


def push_capturing_bodies(kiosk: KioskCore) -> list[bytes]:
    """Push, and return the push requests' bodies as JSON text (decompressed)."""
    bodies: list[bytes] = []
    client = kiosk.sync.engine._client()
    original = client.http._transport

    def spy(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/sync/push":
            bodies.append(gzip.decompress(request.content))
        return original.handle_request(request)

    client.http._transport = httpx.MockTransport(spy)
    try:
        kiosk.sync.push()
    finally:
        client.http._transport = original
    return bodies


def test_the_body_holds_the_outbox_rows_as_a_push_request(
    kiosk: KioskCore, member: uuid.UUID
) -> None:
    """The body is assembled from the rows' stored JSON text; it must decode to what the
    rows hold, in order, numbered from the device's first mutation."""
    queue_checkins(kiosk, member, 3)
    rows = OutboxRepository(kiosk.store.connection()).pending(10)
    [body] = push_capturing_bodies(kiosk)
    document = PushRequest.model_validate_json(body)
    device = kiosk.device()
    assert device is not None and document.device_id == device.device_id
    assert [(m.mutation_id, m.name, m.args, m.device_time, m.hlc) for m in document.mutations] == [
        (i + 1, r.name, r.args, r.device_time, r.hlc) for i, r in enumerate(rows)
    ]


def test_the_body_is_byte_for_byte_what_encoding_the_decoded_rows_gives(
    kiosk: KioskCore,
) -> None:
    awkward: list[dict[str, Any]] = [
        {"text": 'Zoë "Z" \\ Ł\n\t😀', "b": [1, 2.5, None, True], "a": {"z": 1e-07, "y": -0.0}},
        {"empty": {}, "list": [], "big": 2**70, "unicode_key_é": "\u2028"},
    ]
    with kiosk.store.transaction() as conn:
        for i, args in enumerate(awkward):
            at = datetime(2026, 3, 1, 9, 0, i, 250_000 * i, tzinfo=UTC)  # whole second first
            OutboxRepository(conn).append("test.awkward.v1", args, device_time=at, hlc=f"h{i}")
    rows = OutboxRepository(kiosk.store.connection()).pending(10)
    device = kiosk.device()
    assert device is not None
    mutations = [
        {
            "mutation_id": i + 1,
            "name": r.name,
            "args": r.args,
            "device_time": r.device_time.isoformat(),
            "hlc": r.hlc,
        }
        for i, r in enumerate(rows)
    ]
    document = {
        "device_id": str(device.device_id),
        "schema_version": SCHEMA_VERSION,
        "mutations": mutations,
    }
    assert push_capturing_bodies(kiosk) == [json.dumps(document, separators=(",", ":")).encode()]


def test_rejected_mutations_move_aside_with_their_reason_and_do_not_block_the_queue(
    kiosk: KioskCore, fake_server: SyncFakeServer, member: uuid.UUID
) -> None:
    queue_checkins(kiosk, member, 5)
    fake_server.reject = lambda m: "unknown member" if m["mutation_id"] == 2 else None
    result = kiosk.sync.push()
    assert result == PushResult(sent=5, acknowledged=4, rejected=1)
    assert pending(kiosk) == []
    refused = RejectedRepository(kiosk.store.connection()).latest()
    assert [(r.mutation_id, r.reason) for r in refused] == [(2, "unknown member")]
    status = kiosk.sync.status()
    assert status.rejected_count == 1 and status.rejected_reason == "unknown member"
    assert len(fake_server.applied) == 4


@pytest.mark.parametrize("loss", ["500", "drop"])
def test_a_lost_answer_is_replayed_and_nothing_is_doubled(
    kiosk: KioskCore, fake_server: SyncFakeServer, member: uuid.UUID, loss: str
) -> None:
    ids = queue_checkins(kiosk, member, 7)
    fake_server.lose_next_answer = loss
    assert kiosk.sync.push() is None  # applied on the server, but we never heard
    assert kiosk.sync.status().online is False
    assert len(pending(kiosk)) == 7  # kept until acknowledged
    assert len(fake_server.applied) == 7
    result = kiosk.sync.push()
    assert result is not None and result.acknowledged == 7
    assert pending(kiosk) == []
    assert sorted(fake_server.checkin_ids()) == sorted(str(i) for i in ids)  # once each


def test_gap_where_the_server_is_ahead_drops_what_it_has(
    kiosk: KioskCore, fake_server: SyncFakeServer, member: uuid.UUID
) -> None:
    queue_checkins(kiosk, member, 10)
    # The server applied 1–4 in a push whose answer never came, and it answers 409 when a
    # batch does not continue from its last id (here: we resend from 1 — it says so).
    fake_server.applied = {i: {"name": "x", "args": {}} for i in range(1, 5)}
    fake_server.last_mutation_id = 4
    original = fake_server._push

    def strict(request: httpx.Request) -> httpx.Response:
        first = json.loads(gzip.decompress(request.content))["mutations"][0]["mutation_id"]
        if first != fake_server.last_mutation_id + 1:
            body = {"detail": "gap", "code": "mutation_gap", "last_mutation_id": 4}
            return httpx.Response(409, json=body)
        return original(request)

    fake_server._push = strict  # type: ignore[method-assign]
    result = kiosk.sync.push()
    assert result is not None
    assert pending(kiosk) == []
    assert sorted(fake_server.applied) == list(range(1, 11))
    assert kiosk.sync.cursor()[1] == 10


def test_gap_where_the_server_is_behind_says_so_and_keeps_the_outbox(
    kiosk: KioskCore, fake_server: SyncFakeServer, member: uuid.UUID
) -> None:
    queue_checkins(kiosk, member, 3)
    assert kiosk.sync.push() is not None
    queue_checkins(kiosk, member, 2)
    fake_server.last_mutation_id = 1  # restored from a backup: 2 and 3 are gone
    assert kiosk.sync.push() is None
    status = kiosk.sync.status()
    assert "missing 2 change(s)" in (status.last_error or "")
    assert pending(kiosk) == [4, 5]  # never renumbered, never dropped
    assert kiosk.sync.cursor()[1] == 3  # never goes back


def test_gap_answer_without_an_id_is_resolved_with_a_pull(
    kiosk: KioskCore, fake_server: SyncFakeServer, member: uuid.UUID
) -> None:
    queue_checkins(kiosk, member, 3)
    fake_server.applied = {1: {"name": "x", "args": {}}, 2: {"name": "x", "args": {}}}
    fake_server.last_mutation_id = 2
    calls = {"n": 0}
    original = fake_server._push

    def first_gap(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return httpx.Response(409, json={"detail": "gap", "code": "mutation_gap"})
        return original(request)

    fake_server._push = first_gap  # type: ignore[method-assign]
    assert kiosk.sync.push() is not None
    assert pending(kiosk) == []
    assert sorted(fake_server.applied) == [1, 2, 3]


def test_expired_token_mid_push_is_refreshed_and_the_same_batch_resent(
    kiosk: KioskCore, fake_server: SyncFakeServer, member: uuid.UUID
) -> None:
    queue_checkins(kiosk, member, 3)
    tokens_before = fake_server.token_requests
    fake_server.expire_next_push_token = True
    result = kiosk.sync.push()
    assert result == PushResult(sent=3, acknowledged=3, rejected=0)
    assert fake_server.token_requests == tokens_before + 1
    assert fake_server.push_batches == [3]  # the 401 was answered before reading the batch
    assert [p for p in fake_server.requests if p[1] == "/sync/push"] == [
        ("POST", "/sync/push"),
        ("POST", "/sync/push"),
    ]


def test_revoked_device_stops_keeps_the_outbox_and_says_so(
    kiosk: KioskCore, fake_server: SyncFakeServer, member: uuid.UUID
) -> None:
    queue_checkins(kiosk, member, 4)
    fake_server.revoked = True
    assert kiosk.sync.push() is None
    status = kiosk.sync.status()
    assert status.needs_enrolment
    assert "revoked" in (status.last_error or "")
    assert pending(kiosk) == [1, 2, 3, 4]
    assert fake_server.applied == {}


@pytest.mark.parametrize("fault", ["down", "503"])
def test_outage_keeps_everything_then_it_goes_through(
    kiosk: KioskCore, fake_server: SyncFakeServer, member: uuid.UUID, fault: str
) -> None:
    queue_checkins(kiosk, member, 6)
    if fault == "down":
        fake_server.down = True
    else:
        fake_server.fail_next_push = True
    assert kiosk.sync.push() is None
    assert kiosk.sync.status().online is False
    assert pending(kiosk) == [1, 2, 3, 4, 5, 6]
    assert fake_server.applied == {}
    fake_server.down = False
    assert kiosk.sync.push() == PushResult(sent=6, acknowledged=6, rejected=0)
    assert pending(kiosk) == []


def test_a_kiosk_enrolled_again_numbers_its_mutations_from_1_for_the_new_device(
    kiosk: KioskCore, fake_server: SyncFakeServer, member: uuid.UUID
) -> None:
    queue_checkins(kiosk, member, 3)
    assert kiosk.sync.push() is not None
    queue_checkins(kiosk, member, 2)  # outbox ids 4 and 5, not yet sent
    fake_server.codes.add(ENROL_CODE)
    fake_server.device_id = uuid.uuid4()  # the server hands out a new device
    fake_server.last_mutation_id = 0
    fake_server.applied.clear()
    kiosk.enrol("http://zmos.test", ENROL_CODE, "Front desk")
    assert kiosk.sync.push() is not None
    assert sorted(fake_server.applied) == [1, 2]  # the new device's 1 and 2
    assert pending(kiosk) == []
    state = SyncStateRepository(kiosk.store.connection()).get()
    assert (state.mutation_base, state.last_mutation_id) == (3, 5)
