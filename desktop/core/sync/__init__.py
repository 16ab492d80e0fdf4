"""Talking to the server: errors in words, and the HTTP client (imported lazily: httpx)."""

from desktop.core.sync.errors import (
    OFFLINE_MESSAGE,
    REVOKED_MESSAGE,
    DeviceRevoked,
    Offline,
    ServerError,
    ServerProtocolError,
    ServerRejected,
    ServerUnavailable,
)

__all__ = [
    "OFFLINE_MESSAGE",
    "REVOKED_MESSAGE",
    "DeviceRevoked",
    "Offline",
    "ServerError",
    "ServerProtocolError",
    "ServerRejected",
    "ServerUnavailable",
]
