"""Push overlaps the kiosk's work on the next batch with the server's on this one; these
check it changes nothing the server or the outbox can tell: each batch is sent only after
the previous answer, in order, and a failure anywhere loses nothing and doubles nothing."""

from __future__ import annotations

import gzip
import json
import sqlite3
import uuid

import httpx
import pytest

from desktop.core.kiosk import KioskCore
from desktop.core.sync.engine import PushResult
from shared.sync.messages import PushResponse
from tests.unit.desktop.sync_fakes import SyncFakeServer, pending, queue_checkins

# Fixtures shared by the sync tests: imported under their own names so that pytest finds them.
from tests.unit.desktop.sync_fakes import fake_server as fake_server
from tests.unit.desktop.sync_fakes import kiosk as kiosk
from tests.unit.desktop.sync_fakes import member as member


def first_ids_pushed(fake_server: SyncFakeServer) -> list[int]:
    """Record the first mutation id of every push the server receives, from now on."""
    firsts: list[int] = []
    original = fake_server._push

    def recording(request: httpx.Request) -> httpx.Response:
        body = json.loads(gzip.decompress(request.content))
        firsts.append(body["mutations"][0]["mutation_id"])
        return original(request)

    fake_server._push = recording  # type: ignore[method-assign]
    return firsts


def test_batches_go_out_in_order_each_after_the_previous_answer(
    kiosk: KioskCore, fake_server: SyncFakeServer, member: uuid.UUID
) -> None:
    queue_checkins(kiosk, member, 1203)
    firsts = first_ids_pushed(fake_server)
    assert kiosk.sync.push() == PushResult(sent=1203, acknowledged=1203, rejected=0)
    assert firsts == [1, 501, 1001]
    assert sorted(fake_server.applied) == list(range(1, 1204))
    assert pending(kiosk) == []


def test_a_failing_later_batch_keeps_the_earlier_answers_and_is_sent_again(
    kiosk: KioskCore, fake_server: SyncFakeServer, member: uuid.UUID
) -> None:
    ids = queue_checkins(kiosk, member, 1203)
    original = fake_server._push

    def second_fails(request: httpx.Request) -> httpx.Response:
        fake_server.fail_next_push = len(fake_server.push_batches) == 1
        return original(request)

    fake_server._push = second_fails  # type: ignore[method-assign]
    assert kiosk.sync.push() is None
    assert fake_server.push_batches == [500, 500]  # the third was read, never sent
    assert pending(kiosk) == list(range(501, 1204))
    assert kiosk.sync.cursor()[1] == 500
    assert kiosk.sync.push() == PushResult(sent=703, acknowledged=703, rejected=0)
    assert pending(kiosk) == []
    assert sorted(fake_server.checkin_ids()) == sorted(str(i) for i in ids)  # once each


def test_an_answer_leaving_rows_pending_is_followed_by_those_rows(
    kiosk: KioskCore, fake_server: SyncFakeServer, member: uuid.UUID
) -> None:
    queue_checkins(kiosk, member, 1203)
    fake_server.answer_at_most = 300
    firsts = first_ids_pushed(fake_server)
    result = kiosk.sync.push()
    assert result == PushResult(sent=3 * 500 + 303 + 3, acknowledged=1203, rejected=0)
    assert firsts == [1, 301, 601, 901, 1201]  # never the rows read ahead, 501 on
    assert sorted(fake_server.applied) == list(range(1, 1204))
    assert pending(kiosk) == []


def test_refusals_in_a_batch_do_not_hold_back_the_next(
    kiosk: KioskCore, fake_server: SyncFakeServer, member: uuid.UUID
) -> None:
    queue_checkins(kiosk, member, 1000)
    fake_server.reject = lambda m: "unknown member" if m["mutation_id"] % 100 == 0 else None
    firsts = first_ids_pushed(fake_server)
    assert kiosk.sync.push() == PushResult(sent=1000, acknowledged=990, rejected=10)
    assert firsts == [1, 501]
    assert kiosk.sync.status().rejected_count == 10
    assert pending(kiosk) == []


def test_a_failure_recording_an_answer_loses_nothing_and_applies_nothing_twice(
    kiosk: KioskCore, fake_server: SyncFakeServer, member: uuid.UUID
) -> None:
    """The next batch is on its way when the first answer fails to be recorded: both stay
    in the outbox, and the next push is answered "duplicate" for them."""
    ids = queue_checkins(kiosk, member, 1203)
    engine = kiosk.sync.engine
    record = engine._record_answer
    calls = {"n": 0}

    def disk_full(ids: list[int], answer: PushResponse, base: int) -> PushResult:
        calls["n"] += 1
        if calls["n"] == 1:
            raise sqlite3.OperationalError("database or disk is full")
        return record(ids, answer, base)

    engine._record_answer = disk_full  # type: ignore[method-assign]
    with pytest.raises(sqlite3.OperationalError):
        engine.push_all()
    assert fake_server.push_batches == [500, 500]  # the second went out meanwhile
    assert pending(kiosk) == list(range(1, 1204))
    assert kiosk.sync.cursor()[1] == 0
    assert kiosk.sync.push() == PushResult(sent=1203, acknowledged=1203, rejected=0)
    assert pending(kiosk) == []
    assert kiosk.sync.cursor()[1] == 1203
    assert sorted(fake_server.checkin_ids()) == sorted(str(i) for i in ids)  # once each
