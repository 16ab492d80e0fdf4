"""A graceful stop of ``zmos server`` answers open long-polls at once and exits quickly.

uvicorn waits for every open request before it stops: without the stop event, a kiosk's
long-poll (``/sync/pull?wait=30``) held a SIGTERM for up to 30 s.
"""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.conftest import start_server
from tests.e2e.sync_support import Provider


def _device_headers(provider: Provider) -> dict[str, str]:
    code = provider.enrolment_code()
    enrolled = httpx.post(
        f"{provider.url}/devices/enrol", json={"code": code, "name": "Desk"}, timeout=30
    )
    assert enrolled.status_code == 201, enrolled.text
    device = enrolled.json()
    token = httpx.post(
        f"{provider.url}/devices/token",
        json={"device_id": device["device_id"], "device_secret": device["device_secret"]},
        timeout=30,
    )
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_sigterm_answers_open_long_polls_and_exits_within_5_s(tmp_path: Path) -> None:
    server = start_server(tmp_path / "server")
    try:
        headers = _device_headers(Provider(server.url, slug="stop-gym"))
        # The kiosk has seen everything: a pull after the latest change waits.
        cursor, more = 0, True
        while more:
            page = httpx.get(
                f"{server.url}/sync/pull", params={"cursor": cursor}, headers=headers, timeout=30
            )
            assert page.status_code == 200, page.text
            cursor, more = page.json()["cursor"], page.json()["has_more"]
        answers: list[Any] = []

        def long_poll() -> None:
            try:
                answers.append(
                    httpx.get(
                        f"{server.url}/sync/pull",
                        params={"cursor": cursor, "wait": 30},
                        headers=headers,
                        timeout=40,
                    )
                )
            except httpx.HTTPError as exc:  # pragma: no cover - reported by the assertion
                answers.append(exc)

        polls = [threading.Thread(target=long_poll) for _ in range(3)]
        for poll in polls:
            poll.start()
        time.sleep(1.0)  # the polls are in the server, waiting
        assert not answers, answers
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=10)
        stopped = time.monotonic() - started
        for poll in polls:
            poll.join(timeout=10)
        answered = time.monotonic() - started
    finally:
        server.stop(signal.SIGKILL)
    assert stopped < 5, (stopped, server.log.read_text())
    assert answered < 5, answered
    assert len(answers) == 3
    for answer in answers:
        assert isinstance(answer, httpx.Response), answer
        assert answer.status_code == 200, answer.text
        assert answer.json()["changes"] == []
    # uvicorn raises the signal again once it has stopped: the exit status says SIGTERM.
    assert "Application shutdown complete" in server.log.read_text()
