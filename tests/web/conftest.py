"""A live server on loopback for a real Chromium (Debian's package, driven by Playwright),
with the app's container at hand to prepare accounts."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Playwright, expect, sync_playwright

from server.bootstrap import Container, build_container
from server.config import Settings
from server.main import create_app
from tests.ports import free_port

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
#: For the API calls that set a test up against the live server (not what is measured): on
#: a machine busy with the rest of the suite a first request can take over httpx's 5 s.
SETUP_TIMEOUT = 30.0

# What the pages show is asserted here; how fast is the benchmarks' business. Playwright's
# 5 s for an expectation was once too short for a form's answer from a live server sharing
# two cores with the rest of the suite.
expect.set_options(timeout=15_000)


@dataclass
class Live:
    url: str
    container: Container
    screenshots: Path


@pytest.fixture
def live_settings() -> dict[str, Any]:
    """Settings a test module adds to the live server's (e.g. where its mail goes)."""
    return {}


@pytest.fixture
def live(sqlite_template: Path, tmp_path: Path, live_settings: dict[str, Any]) -> Iterator[Live]:
    database = tmp_path / "zmos.db"
    shutil.copy(sqlite_template, database)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        data_dir=tmp_path / "server",
        database_url=f"sqlite:///{database}",
        secret_key="test-secret-key-for-signing-tokens-0123456789",
        argon2_time_cost=1,
        argon2_memory_kib=8192,
        argon2_parallelism=1,
        background_jobs=False,
        # Mails link to the pages of this very server.
        public_url=url,
        **live_settings,
    )
    container = build_container(settings)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(container=container), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    httpx.get(f"{url}/health").raise_for_status()
    shots = Path(os.environ.get("ZMOS_WEB_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    try:
        yield Live(url, container, shots)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        container.dispose()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    assert chromium, "install Debian's chromium package (./dev setup does)"
    launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    try:
        yield launched
    finally:
        launched.close()
