"""Domain errors. Services raise these; one handler in ``server.api.errors`` renders them."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(
        self, detail: str, *, code: str | None = None, extensions: dict[str, Any] | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        #: Extra members of the problem document (e.g. ``last_mutation_id``).
        self.extensions: dict[str, Any] = extensions or {}


class NotFound(DomainError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflict"


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"
    title = "Invalid input"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"
    title = "Not signed in"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "Not allowed"


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"
    title = "Too many attempts"

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


class DatabaseUnavailable(DomainError):
    """Transient: nothing was committed, and the same request may simply be sent again."""

    status = 503
    code = "database_unavailable"
    title = "Database unavailable"


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
