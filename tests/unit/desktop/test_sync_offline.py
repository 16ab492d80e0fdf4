"""Offline in plain words, and the cheap probe that tells an offline kiosk its server is back."""

from __future__ import annotations

import uuid

import httpx
import pytest

from desktop.core.kiosk import KioskCore
from desktop.core.sync import OFFLINE_MESSAGE
from desktop.core.sync.status_text import status_message
from tests.unit.desktop.sync_fakes import SyncFakeServer, queue_checkins

# Fixtures shared by the sync tests: imported under their own names so that pytest finds them.
from tests.unit.desktop.sync_fakes import fake_server as fake_server
from tests.unit.desktop.sync_fakes import kiosk as kiosk
from tests.unit.desktop.sync_fakes import member as member


@pytest.mark.parametrize(
    "error",
    [
        httpx.ReadError("[Errno 104] Connection reset by peer"),
        httpx.ConnectError("[Errno 111] Connection refused"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadTimeout("timed out"),
    ],
)
def test_connection_errors_are_shown_in_plain_words(
    kiosk: KioskCore,
    fake_server: SyncFakeServer,
    member: uuid.UUID,
    error: httpx.TransportError,
) -> None:
    queue_checkins(kiosk, member, 2)
    fake_server.transport_error = error
    assert kiosk.sync.push() is None
    status = kiosk.sync.status()
    assert status.online is False and kiosk.sync.offline
    assert status.last_error == OFFLINE_MESSAGE
    assert status_message(status) == OFFLINE_MESSAGE
    assert "Errno" not in status_message(status) and str(error) not in status_message(status)
    assert status.pending_count == 2  # kept, to be sent


def test_a_server_in_trouble_is_still_told_apart(
    kiosk: KioskCore, fake_server: SyncFakeServer, member: uuid.UUID
) -> None:
    queue_checkins(kiosk, member, 1)
    fake_server.fail_next_push = True
    assert kiosk.sync.push() is None
    assert "HTTP 503" in (kiosk.sync.status().last_error or "")


def test_the_probe_asks_only_the_health_check_and_records_nothing(
    kiosk: KioskCore, fake_server: SyncFakeServer
) -> None:
    fake_server.down = True
    kiosk.sync.pull()
    assert kiosk.sync.offline
    before = kiosk.sync.status()
    fake_server.requests.clear()
    assert kiosk.sync.probe(1.0) is False
    assert fake_server.requests == [("GET", "/health")]
    assert kiosk.sync.status() == before
    fake_server.down = False
    fake_server.transport_error = httpx.ReadError("[Errno 104] Connection reset by peer")
    assert kiosk.sync.probe(1.0) is False
    fake_server.transport_error = None  # a probe changes no status, writes nothing

    fake_server.down = False
    fake_server.requests.clear()
    assert kiosk.sync.probe(1.0) is True
    assert fake_server.requests == [("GET", "/health")]  # no token, no sync call

    fake_server.status_500 = True  # up, but failing: not back yet
    assert kiosk.sync.probe(1.0) is False


def test_the_probe_is_false_before_enrolment(core: KioskCore, fake_server: SyncFakeServer) -> None:
    assert core.sync.probe(1.0) is False
    assert fake_server.requests == []
