from __future__ import annotations

import httpx
import pytest

from desktop.core.sync.client import ServerClient
from desktop.core.sync.errors import (
    REVOKED_MESSAGE,
    DeviceRevoked,
    Offline,
    ServerProtocolError,
    ServerRejected,
    ServerUnavailable,
)
from tests.unit.desktop.kiosk_fakes import ENROL_CODE, FakeServer, problem


def client_for(server: FakeServer, clock: list[float] | None = None) -> ServerClient:
    ticks = clock if clock is not None else [0.0]
    return ServerClient(
        server.client(),
        credentials=lambda: (str(server.device_id), server.device_secret),
        monotonic=lambda: ticks[0],
    )


def test_enrol_returns_the_device_and_a_used_code_is_rejected_with_the_server_detail() -> None:
    server = FakeServer()
    client = client_for(server)
    enrolment = client.enrol(ENROL_CODE, "Front desk 1")
    assert enrolment.device_id == str(server.device_id)
    assert enrolment.device_secret == server.device_secret
    with pytest.raises(ServerRejected) as caught:
        client.enrol(ENROL_CODE, "Front desk 1")
    assert caught.value.detail == "This enrolment code is not valid or has expired."
    assert caught.value.code == "invalid_enrolment_code"
    assert caught.value.status == 400


def test_connection_refused_is_offline() -> None:
    server = FakeServer()
    server.down = True
    with pytest.raises(Offline, match="Cannot reach the server"):
        client_for(server).fetch_snapshot()


def test_a_dropped_connection_is_offline_in_plain_words() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)

    http = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://zmos.test")
    with pytest.raises(Offline) as caught:
        ServerClient(http).enrol(ENROL_CODE, "Front desk 1")
    assert str(caught.value) == "Cannot reach the server (the connection was lost)"


def test_timeout_is_offline() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client = ServerClient(httpx.Client(transport=httpx.MockTransport(handler), base_url="http://x"))
    with pytest.raises(Offline, match="did not answer in time"):
        client.enrol("CODE", "name")


def test_server_error_500_is_unavailable_and_counts_as_offline() -> None:
    server = FakeServer()
    server.status_500 = True
    with pytest.raises(ServerUnavailable, match="HTTP 500") as caught:
        client_for(server).fetch_snapshot()
    assert isinstance(caught.value, Offline)


def test_token_is_cached_until_shortly_before_expiry() -> None:
    server = FakeServer()
    clock = [0.0]
    client = client_for(server, clock)
    client.fetch_snapshot()
    client.fetch_snapshot()
    assert server.token_requests == 1
    clock[0] = 900 - 10  # inside the safety margin before expires_in=900
    client.fetch_snapshot()
    assert server.token_requests == 2


def test_expired_token_is_refreshed_once_on_401() -> None:
    server = FakeServer()
    client = client_for(server)
    client.fetch_snapshot()
    server.expire_tokens()  # the server forgot the token before the kiosk expected
    snapshot = client.fetch_snapshot()
    assert snapshot.location.id == server.location_id
    assert server.token_requests == 2
    assert [p for _, p in server.requests].count("/sync/snapshot") == 3


def test_persistent_401_is_rejected_not_retried_forever() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/devices/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 900})
        return problem(401, "Token not accepted.", "invalid_token")

    client = ServerClient(
        httpx.Client(transport=httpx.MockTransport(handler), base_url="http://x"),
        credentials=lambda: ("d", "s"),
    )
    with pytest.raises(ServerRejected, match="Token not accepted"):
        client.fetch_snapshot()


def test_revoked_device_says_so_in_words() -> None:
    server = FakeServer()
    server.revoked = True
    with pytest.raises(DeviceRevoked) as caught:
        client_for(server).fetch_snapshot()
    assert caught.value.detail == REVOKED_MESSAGE
    assert caught.value.code == "device_revoked"


def test_wrong_secret_is_invalid_credentials() -> None:
    server = FakeServer()
    client = ServerClient(server.client(), credentials=lambda: (str(server.device_id), "wrong"))
    with pytest.raises(ServerRejected) as caught:
        client.fetch_snapshot()
    assert caught.value.code == "invalid_credentials"
    assert not isinstance(caught.value, DeviceRevoked)


def test_non_json_answer_is_a_protocol_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>captive portal</html>")

    client = ServerClient(httpx.Client(transport=httpx.MockTransport(handler), base_url="http://x"))
    with pytest.raises(ServerProtocolError, match="not JSON"):
        client.enrol("CODE", "name")


def test_plain_4xx_without_problem_body_still_reads_well() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, text="nope")

    client = ServerClient(httpx.Client(transport=httpx.MockTransport(handler), base_url="http://x"))
    with pytest.raises(ServerRejected, match=r"refused the request \(HTTP 404\)"):
        client.enrol("CODE", "name")
