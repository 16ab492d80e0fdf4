"""Which adapter each port gets, by configuration: standalone unchanged; integrated, ZHEP's
where its URL is set (and a service token), the standalone one elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from server.adapters.channel_router import ChannelRouter
from server.adapters.chat_webhooks import SlackWebhook
from server.adapters.in_person_payments import InPersonPayments
from server.adapters.log_events import LogEventPublisher
from server.adapters.smtp_notifications import LogNotifications, SmtpNotifications
from server.adapters.zhep_health_score import ZhepHealthScore
from server.adapters.zhep_messaging import ZhepMessaging
from server.adapters.zhep_payments import ZhepPayments
from server.bootstrap import Container, Ports, build_container
from server.config import Settings
from server.ports.notifications import Channel
from tests.fakes.payments import FakePayments
from tests.integrated_mode import without_integration

URLS: dict[str, Any] = {
    "zhep_payments_url": "http://127.0.0.1:9/pay",
    "zhep_messaging_url": "http://127.0.0.1:9/msg",
    "zhep_health_score_url": "http://127.0.0.1:9/hs/",
}


_built: list[Container] = []


@pytest.fixture(autouse=True)
def _dispose(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    without_integration(monkeypatch)  # each test names the configuration it checks
    yield
    while _built:
        _built.pop().dispose()


def _container(tmp_path: Path, *, ports: Ports = Ports(), **given: Any) -> Container:
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'zmos.db'}",
        secret_key="k" * 40,
        **given,
    )
    _built.append(build_container(settings, ports=ports))
    return _built[-1]


def test_standalone_keeps_its_own_adapters_even_with_zhep_settings(tmp_path: Path) -> None:
    container = _container(tmp_path, zhep_service_token="t", **URLS)
    assert isinstance(container.payments, InPersonPayments)
    assert isinstance(container.notifications, LogNotifications)
    assert isinstance(container.events, LogEventPublisher)
    assert container.health_score is None


def test_integrated_without_zhep_urls_is_standalone(tmp_path: Path) -> None:
    container = _container(tmp_path, mode="integrated", smtp_host="127.0.0.1")
    assert isinstance(container.payments, InPersonPayments)
    assert isinstance(container.notifications, SmtpNotifications)
    assert isinstance(container.events, LogEventPublisher)


def test_integrated_with_every_url_uses_zhep_for_all_three(tmp_path: Path) -> None:
    container = _container(tmp_path, mode="integrated", zhep_service_token="t", **URLS)
    assert isinstance(container.payments, ZhepPayments)
    assert isinstance(container.notifications, ZhepMessaging)
    # The health-score engine is an outbox sink of its own, beside the log: a failure of
    # one is retried without sending the event to the other again.
    engine = container.health_score
    assert isinstance(container.events, LogEventPublisher) and isinstance(engine, ZhepHealthScore)
    assert set(container.relay()._sinks) == {"analytics", "health-score"}
    assert container.relay()._sinks["health-score"] is engine
    # Both know members by the party they are linked to (the members table's).
    assert isinstance(container.payments, ZhepPayments)
    assert container.payments._party_of is engine._party_of is not None
    assert engine._endpoint.base_url == "http://127.0.0.1:9/hs"
    assert engine._endpoint.token == "t"
    # The delivery log's email, SMS and WhatsApp go to ZHEP too; staff channels stay ours.
    router = container.messaging
    assert isinstance(router, ChannelRouter)
    for channel in (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP):
        assert router._adapters[channel] is container.notifications
    assert isinstance(router._adapters[Channel.SLACK], SlackWebhook)


@pytest.mark.parametrize("only", sorted(URLS))
def test_integrated_uses_zhep_only_where_its_url_is_set(tmp_path: Path, only: str) -> None:
    container = _container(
        tmp_path, mode="integrated", zhep_service_token="t", **{only: URLS[only]}
    )
    wired = {
        "zhep_payments_url": isinstance(container.payments, ZhepPayments),
        "zhep_messaging_url": isinstance(container.notifications, ZhepMessaging),
        "zhep_health_score_url": container.health_score is not None,
    }
    assert wired == {name: name == only for name in URLS}


def test_ports_given_by_the_caller_win(tmp_path: Path) -> None:
    fake = FakePayments()
    container = _container(
        tmp_path, ports=Ports(payments=fake), mode="integrated", zhep_service_token="t", **URLS
    )
    assert container.payments is fake


def test_a_zhep_url_without_a_token_is_a_clear_settings_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="ZMOS_ZHEP_SERVICE_TOKEN is needed"):
        Settings(data_dir=tmp_path, mode="integrated", zhep_payments_url=URLS["zhep_payments_url"])
    with pytest.raises(ValidationError, match="http"):
        Settings(data_dir=tmp_path, zhep_messaging_url="ftp://zhep")
