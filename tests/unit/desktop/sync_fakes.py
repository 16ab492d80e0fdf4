"""A fake server with push and pull behind ``httpx.MockTransport``, with
knobs for the faults a real server cannot be made to show on demand, and the fixtures the
sync tests share (a module imports them by name). No tests here."""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from desktop.core.checkin.outbox import CHECKIN_CREATE
from desktop.core.kiosk import KioskCore
from desktop.core.store import LocalRepository, OutboxRepository, ScopeRepository
from desktop.core.store.records import CheckinRecord
from shared.enums import CheckinMethod
from tests.unit.desktop.kiosk_fakes import ENROL_CODE, FakeServer, problem


class SyncFakeServer(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.last_mutation_id = 0
        #: Applied mutations by id: a real server applies each exactly once.
        self.applied: dict[int, dict[str, Any]] = {}
        self.rejected: dict[int, str] = {}
        self.push_batches: list[int] = []
        self.gzip_pushes = 0
        self.changes: list[dict[str, Any]] = []
        self.pruned = 0
        self.pulls: list[tuple[int, float]] = []
        #: reason for refusing a mutation for good, or None
        self.reject: Callable[[dict[str, Any]], str | None] = lambda _m: None
        #: after applying, answer with this instead (a lost answer): "500" or "drop"
        self.lose_next_answer: str | None = None
        #: answer the next push with 500 without applying anything
        self.fail_next_push = False
        #: the access token expires just before the next push arrives
        self.expire_next_push_token = False
        #: apply and answer only this many mutations of each push (a server stopping short)
        self.answer_at_most: int | None = None
        #: raise this (as the network would) for every request, instead of answering
        self.transport_error: httpx.TransportError | None = None

    # -- server-side data -----------------------------------------------------------------

    def emit(self, table: str, row_id: uuid.UUID, data: dict[str, Any] | None) -> int:
        seq = len(self.changes) + 1
        self.changes.append(
            {"seq": seq, "table": table, "row_id": str(row_id), "deleted": data is None}
            | {"data": data}
        )
        return seq

    def cursor(self) -> int:
        return self.changes[-1]["seq"] if self.changes else 0

    def snapshot(self) -> dict[str, Any]:
        return super().snapshot() | {"cursor": self.cursor()}

    def checkin_ids(self) -> list[str]:
        return [
            m["args"]["checkin_id"] for m in self.applied.values() if m["name"] == CHECKIN_CREATE
        ]

    # -- HTTP -------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if self.transport_error is not None:
            self.requests.append((request.method, path))
            raise type(self.transport_error)(str(self.transport_error), request=request)
        if path not in ("/sync/push", "/sync/pull") or self.down or self.status_500:
            return super().handle(request)
        self.requests.append((request.method, path))
        if self.revoked:
            return problem(401, "The device was revoked.", "device_revoked")
        auth = request.headers.get("authorization", "")
        if self.expire_next_push_token and path == "/sync/push":
            self.expire_next_push_token = False
            self.tokens.clear()
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return problem(401, "The access token has expired.", "invalid_token")
        if path == "/sync/push":
            return self._push(request)
        return self._pull(request)

    def _push(self, request: httpx.Request) -> httpx.Response:
        content = request.content
        if request.headers.get("content-encoding") == "gzip":
            self.gzip_pushes += 1
            content = gzip.decompress(content)
        body = json.loads(content)
        assert body["device_id"] == str(self.device_id)
        mutations = body["mutations"]
        assert len(mutations) <= 500
        self.push_batches.append(len(mutations))
        mutations = mutations[: self.answer_at_most]
        if self.fail_next_push:
            self.fail_next_push = False
            return httpx.Response(503, json={"detail": "database unavailable"})
        results = []
        ids = [m["mutation_id"] for m in mutations]
        assert ids == sorted(ids), "a batch goes in mutation_id order"
        new = [m for m in mutations if m["mutation_id"] > self.last_mutation_id]
        if new and new[0]["mutation_id"] != self.last_mutation_id + 1:
            gap = problem(409, "Mutations missing.", "mutation_gap")
            body = json.loads(gap.content) | {"last_mutation_id": self.last_mutation_id}
            return httpx.Response(409, json=body)
        for m in mutations[: len(mutations) - len(new)]:
            results.append({"mutation_id": m["mutation_id"], "status": "duplicate"})
        for m in new:
            mid = m["mutation_id"]
            reason = self.reject(m)
            if reason:
                self.rejected[mid] = reason
                results.append({"mutation_id": mid, "status": "rejected", "reason": reason})
            else:
                self.applied[mid] = m
                results.append({"mutation_id": mid, "status": "applied"})
            self.last_mutation_id = mid
        lost, self.lose_next_answer = self.lose_next_answer, None
        if lost == "500":
            return httpx.Response(500, text="boom after commit")
        if lost == "drop":
            raise httpx.ReadError("connection reset", request=request)
        return httpx.Response(
            200, json={"last_mutation_id": self.last_mutation_id, "results": results}
        )

    def _pull(self, request: httpx.Request) -> httpx.Response:
        cursor = int(request.url.params.get("cursor", "0"))
        limit = int(request.url.params.get("limit", "1000"))
        self.pulls.append((cursor, float(request.url.params.get("wait", "0"))))
        if cursor < self.pruned:
            return problem(410, "Snapshot required.", "snapshot_required")
        later = [c for c in self.changes if c["seq"] > cursor]
        page = later[:limit]
        return httpx.Response(
            200,
            json={
                "changes": page,
                "cursor": page[-1]["seq"] if page else cursor,
                "has_more": len(later) > limit,
                "last_mutation_id": self.last_mutation_id,
            },
        )


def queue_checkins(core: KioskCore, member_id: uuid.UUID, count: int) -> list[uuid.UUID]:
    """``count`` check-ins as the desk records them (domain row + outbox row per action),
    without the five-second repeat guard of the desk."""
    location = ScopeRepository(core.store.connection()).location_ref()
    assert location is not None
    ids = []
    for _ in range(count):
        at = datetime.now(UTC)
        record = CheckinRecord(
            id=uuid.uuid4(),
            member_id=member_id,
            membership_id=None,
            pass_id=None,
            method=CheckinMethod.SEARCH,
            admitted=True,
            reason="Welcome",
            warning=None,
            override_staff_id=None,
            override_reason=None,
            occurred_at=at,
        )
        args = {
            "checkin_id": str(record.id),
            "member_id": str(member_id),
            "location_id": str(location.id),
            "method": "search",
            "admitted": True,
            "reason": "Welcome",
            "occurred_at": at.isoformat(),
        }
        with core.store.transaction() as conn:
            mutation_id = core.outbox.append(conn, CHECKIN_CREATE, args, at)
            LocalRepository(conn).add_checkin(
                CheckinRecord(**{**record.__dict__, "mutation_id": mutation_id})
            )
        ids.append(record.id)
    return ids


def pending(core: KioskCore) -> list[int]:
    """The mutation ids still in the kiosk's outbox, oldest first."""
    return [e.mutation_id for e in OutboxRepository(core.store.connection()).pending(100_000)]


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def fake_server() -> SyncFakeServer:
    """Replaces the plain fake server of the desktop tests' conftest (``core`` uses it)."""
    return SyncFakeServer()


@pytest.fixture
def member(fake_server: SyncFakeServer) -> uuid.UUID:
    return fake_server.add_member("Ana", "Smith")


@pytest.fixture
def kiosk(core: KioskCore, member: uuid.UUID) -> KioskCore:
    """The conftest's kiosk core, enrolled with the fake server (and ``member`` cached)."""
    core.enrol("http://zmos.test", ENROL_CODE, "Front desk")
    return core
