"""What can go wrong talking to the server, in words staff can act on."""

from __future__ import annotations

REVOKED_MESSAGE = "This kiosk has been revoked by a manager; enrol it again"
#: What staff see while sync cannot reach the server (the technical reason goes to the log).
OFFLINE_MESSAGE = "The server cannot be reached; check-ins are kept and will be sent"


class ServerError(Exception):
    """Any failure talking to the server. ``str(error)`` is fit to show to people."""


class Offline(ServerError):
    """The server could not be reached (no network, refused, timed out)."""


class ServerUnavailable(Offline):
    """The server answered but is failing (5xx); treat like offline and retry later."""


class ServerProtocolError(ServerError):
    """The server's answer could not be understood (wrong server, or incompatible version)."""


class ServerRejected(ServerError):
    """The server refused the request (problem+json 4xx); ``detail`` is its own explanation."""

    def __init__(self, detail: str, code: str | None = None, status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.status = status


class DeviceRevoked(ServerRejected):
    """A manager revoked this kiosk; it must be enrolled again."""

    def __init__(self, status: int | None = 401) -> None:
        super().__init__(REVOKED_MESSAGE, "device_revoked", status)


class MutationGap(ServerRejected):
    """409: the server's last applied mutation of this device is not the one before ours.
    ``last_mutation_id`` is the server's, when its answer says (else ask a pull)."""

    def __init__(self, detail: str, last_mutation_id: int | None) -> None:
        super().__init__(detail, "mutation_gap", 409)
        self.last_mutation_id = last_mutation_id


class CursorExpired(ServerRejected):
    """410: the pull cursor is older than the changes the server keeps; download a snapshot."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, "cursor_expired", 410)


class ChangesLost(ServerError):
    """The server no longer has changes it acknowledged earlier (restored from a backup?).

    Resending is impossible (they left the outbox when acknowledged); staff must be told."""
