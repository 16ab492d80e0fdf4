"""The whole suite in ZHEP-integrated mode (``ZMOS_MODE=integrated``, run by ``./dev test``
after the standalone pass).

Each test process starts ZHEP's services on loopback, each following its contract: ZPS
(eligibility), payments and the health-score engine (small HTTP servers), and the real
OpenID Connect provider (``oidc-provider`` on Node). Their addresses go into the
environment, so every ``Settings`` a test builds, and every ``zmos server`` it starts, runs
integrated against them: the door asks ZPS for members with a party, card payments go to
ZHEP, analytics go to the health-score engine besides the log, and API bearer tokens may be
ZHEP's. Messaging stays on the server's own SMTP here, as a deployment may choose: the
tests that read a real mailbox keep reading it (ZHEP messaging has its own tests).

A test that needs one mode builds its own ``Settings(mode=...)``; the contract tests of each
adapter start their own servers with faults.
"""

from __future__ import annotations

import os
from contextlib import ExitStack

import pytest

from tests.loopback.zhep_oidc import CONSOLE_SECRET, running_provider
from tests.loopback.zhep_services import TOKEN, zhep_service
from tests.loopback.zps import ZpsState, running_zps

MODE_ENV = "ZMOS_MODE"
#: What this module puts in the environment (with the mode): a test that checks what one
#: configuration wires clears them first (:func:`without_integration`).
SERVICE_ENV = (
    "ZMOS_ZPS_URL",
    "ZMOS_ZPS_API_KEY",
    "ZMOS_ZHEP_PAYMENTS_URL",
    "ZMOS_ZHEP_MESSAGING_URL",
    "ZMOS_ZHEP_HEALTH_SCORE_URL",
    "ZMOS_ZHEP_SERVICE_TOKEN",
    "ZMOS_OIDC_ISSUER",
    "ZMOS_OIDC_CLIENT_SECRET",
    "ZMOS_OIDC_MEMBER_CLIENT_ID",
)


def integrated() -> bool:
    return os.environ.get(MODE_ENV, "standalone") == "integrated"


def without_integration(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment of the standalone pass for one test: it names its own settings."""
    for name in (MODE_ENV, *SERVICE_ENV):
        monkeypatch.delenv(name, raising=False)


class IntegratedServices:
    """ZHEP's services on loopback for this test process, named in its environment."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._saved: dict[str, str | None] = {}

    def start(self) -> None:
        zps = self._stack.enter_context(running_zps(ZpsState()))
        payments = self._stack.enter_context(zhep_service("payments"))
        health = self._stack.enter_context(zhep_service("health-score"))
        provider = self._stack.enter_context(running_provider())
        self._set(
            ZMOS_ZPS_URL=zps.url,
            ZMOS_ZPS_API_KEY=zps.state.api_key,
            ZMOS_ZHEP_PAYMENTS_URL=payments.url,
            ZMOS_ZHEP_HEALTH_SCORE_URL=health.url,
            ZMOS_ZHEP_SERVICE_TOKEN=TOKEN,
            ZMOS_OIDC_ISSUER=provider.issuer,
            ZMOS_OIDC_CLIENT_SECRET=CONSOLE_SECRET,
            ZMOS_OIDC_MEMBER_CLIENT_ID="zmos-member",
        )

    def stop(self) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._stack.close()

    def _set(self, **values: str) -> None:
        for name, value in values.items():
            self._saved.setdefault(name, os.environ.get(name))
            os.environ[name] = value


_running: list[IntegratedServices] = []


def configure(config: pytest.Config) -> None:
    """Start the services in each process that runs tests (not in pytest-xdist's
    controller, which only hands tests out)."""
    runs_tests = hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", 0)
    if not integrated() or not runs_tests:
        return
    services = IntegratedServices()
    services.start()
    _running.append(services)


def unconfigure() -> None:
    while _running:
        _running.pop().stop()
