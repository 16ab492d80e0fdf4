"""The kiosk's local SQLite cache (DESIGN.md §2, §5)."""

from desktop.core.store.database import (
    Store,
    StoreError,
    StoreVersionError,
    connect,
    migrate,
    transaction,
    user_version,
)
from desktop.core.store.migrations import MIGRATIONS, SCHEMA_VERSION
from desktop.core.store.repositories import (
    CachedLocation,
    CachedStaff,
    DeviceRepository,
    DeviceSettings,
    ScopeRepository,
    SyncRecord,
    SyncStatusRepository,
)

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "CachedLocation",
    "CachedStaff",
    "DeviceRepository",
    "DeviceSettings",
    "ScopeRepository",
    "Store",
    "StoreError",
    "StoreVersionError",
    "SyncRecord",
    "SyncStatusRepository",
    "connect",
    "migrate",
    "transaction",
    "user_version",
]
