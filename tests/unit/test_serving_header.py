"""``zmos server`` does not announce which server software answers."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn

from zmos import serving


def test_uvicorn_runs_without_a_server_header(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    serving.serve("server.main:app_from_env", host="127.0.0.1", port=0, workers=1)
    assert calls and calls[0]["server_header"] is False
