"""The kiosk–server sync protocol: push, pull, snapshot."""

from shared.sync.messages import (
    MAX_PUSH_BATCH,
    SCHEMA_VERSION,
    Change,
    Mutation,
    MutationResult,
    PullResponse,
    PushRequest,
    PushResponse,
)
from shared.sync.snapshot import (
    KioskSnapshot,
    SnapshotLocation,
    SnapshotMember,
    SnapshotMembership,
    SnapshotPassKey,
    SnapshotPlan,
    SnapshotStaff,
    SnapshotTenant,
)

__all__ = [
    "MAX_PUSH_BATCH",
    "SCHEMA_VERSION",
    "Change",
    "KioskSnapshot",
    "Mutation",
    "MutationResult",
    "PullResponse",
    "PushRequest",
    "PushResponse",
    "SnapshotLocation",
    "SnapshotMember",
    "SnapshotMembership",
    "SnapshotPassKey",
    "SnapshotPlan",
    "SnapshotStaff",
    "SnapshotTenant",
]
