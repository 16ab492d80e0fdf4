"""Kiosk settings from ``ZMOS_KIOSK_*`` environment variables, with laptop-friendly defaults."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """The platform's per-user data folder for the kiosk (e.g. ~/.local/share/zmos-kiosk)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "zmos-kiosk"


class KioskSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZMOS_KIOSK_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    #: Overrides the server address stored at enrolment (e.g. after the server moved).
    server_url: str | None = None
    credential_store: Literal["auto", "keyring", "file"] = "auto"
    fullscreen: bool = True
    #: OpenCV camera index for QR passes; -1 runs without a camera (scanners and search only).
    camera_index: int = Field(default=0, ge=-1)
    sync_interval_seconds: float = Field(default=30.0, gt=0)
    request_timeout_seconds: float = Field(default=10.0, gt=0)

    @property
    def database_path(self) -> Path:
        return self.data_dir / "kiosk.sqlite3"
