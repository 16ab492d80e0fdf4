"""Errors particular to members; rendered by the one handler like every DomainError."""

from __future__ import annotations

from server.errors import DomainError


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
    title = "Payload too large"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"
    title = "Unsupported media type"


class Gone(DomainError):
    status = 410
    code = "gone"
    title = "Gone"
