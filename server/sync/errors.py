"""Sync's own problems."""

from __future__ import annotations

from server.errors import DomainError


class SnapshotRequired(DomainError):
    status = 410
    code = "snapshot_required"
    title = "Snapshot required"

    def __init__(self, cursor: int, oldest: int) -> None:
        super().__init__(
            f"changes after cursor {cursor} are no longer kept (the oldest kept follows "
            f"{oldest}); download GET /sync/snapshot and pull from its cursor, keeping the outbox",
            extensions={"oldest_cursor": oldest},
        )
