"""The kiosk's local SQLite cache (DESIGN.md §2, §5)."""

from desktop.core.store.cache import CacheRepository
from desktop.core.store.database import (
    Store,
    StoreError,
    StoreVersionError,
    connect,
    migrate,
    transaction,
    user_version,
)
from desktop.core.store.local import LocalRepository
from desktop.core.store.members import MemberRepository
from desktop.core.store.migrations import MIGRATIONS, SCHEMA_VERSION
from desktop.core.store.outbox import OutboxRepository
from desktop.core.store.pulled import PulledRows
from desktop.core.store.records import (
    CachedMembership,
    CachedPlan,
    CheckinRecord,
    MemberRecord,
    OutboxEntry,
)
from desktop.core.store.repositories import (
    CachedLocation,
    CachedStaff,
    DeviceRepository,
    DeviceSettings,
    LocationRef,
    ScopeRepository,
    SyncRecord,
    SyncStatusRepository,
)
from desktop.core.store.sync_state import (
    RejectedMutation,
    RejectedRepository,
    SyncState,
    SyncStateRepository,
)

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "CacheRepository",
    "CachedLocation",
    "CachedMembership",
    "CachedPlan",
    "CachedStaff",
    "CheckinRecord",
    "DeviceRepository",
    "DeviceSettings",
    "LocalRepository",
    "LocationRef",
    "MemberRecord",
    "MemberRepository",
    "OutboxEntry",
    "OutboxRepository",
    "PulledRows",
    "RejectedMutation",
    "RejectedRepository",
    "ScopeRepository",
    "Store",
    "StoreError",
    "StoreVersionError",
    "SyncRecord",
    "SyncState",
    "SyncStateRepository",
    "SyncStatusRepository",
    "connect",
    "migrate",
    "transaction",
    "user_version",
]
