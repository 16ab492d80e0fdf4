"""An app per test, on each database backend, driven through FastAPI's TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.bootstrap import Container, build_container
from server.config import Settings
from server.main import create_app
from tests.integration.helpers import Api
from tests.integration.members_helpers import SmtpSink, smtp_server


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "server",
        database_url=db_url,
        secret_key="test-secret-key-for-signing-tokens-0123456789",
        login_max_failures=5,
        login_lockout_seconds=900,
        # Cheap hashes keep the suite fast; production keeps argon2's RFC 9106 defaults.
        argon2_time_cost=1,
        argon2_memory_kib=8192,
        argon2_parallelism=1,
    )


@pytest.fixture
def container(settings: Settings) -> Iterator[Container]:
    container = build_container(settings)
    yield container
    container.dispose()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpSink, int]]:
    """A real SMTP server on loopback: (what it received, its port)."""
    with smtp_server() as running:
        yield running


@pytest.fixture
def mailbox(smtp: tuple[SmtpSink, int]) -> SmtpSink:
    return smtp[0]
