"""The kiosk's local SQLite store: pulled server state, this kiosk's own rows, the outbox."""

from desktop.core.store.cache import CacheRepository
from desktop.core.store.cards import LocalCardRepository
from desktop.core.store.database import (
    Store,
    StoreError,
    StoreVersionError,
    connect,
    migrate,
    transaction,
    user_version,
)
from desktop.core.store.device import DeviceRepository
from desktop.core.store.local import LocalRepository
from desktop.core.store.members import MemberRepository
from desktop.core.store.migrations import MIGRATIONS, SCHEMA_VERSION
from desktop.core.store.outbox import OutboxRepository
from desktop.core.store.pin_lockout import PinLockout, PinLockoutRepository
from desktop.core.store.pulled import PulledRows
from desktop.core.store.records import (
    BookingRef,
    CachedLocation,
    CachedMembership,
    CachedPlan,
    CachedStaff,
    CheckinRecord,
    DeviceSettings,
    LocationRef,
    MemberRecord,
    OutboxEntry,
    RejectedMutation,
    RosterEntry,
    SessionView,
    SyncRecord,
    SyncState,
)
from desktop.core.store.scope import ScopeRepository
from desktop.core.store.sync_state import (
    RejectedRepository,
    SyncStateRepository,
    SyncStatusRepository,
)

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "BookingRef",
    "CacheRepository",
    "CachedLocation",
    "CachedMembership",
    "CachedPlan",
    "CachedStaff",
    "CheckinRecord",
    "DeviceRepository",
    "DeviceSettings",
    "LocalCardRepository",
    "LocalRepository",
    "LocationRef",
    "MemberRecord",
    "MemberRepository",
    "OutboxEntry",
    "OutboxRepository",
    "PinLockout",
    "PinLockoutRepository",
    "PulledRows",
    "RejectedMutation",
    "RejectedRepository",
    "RosterEntry",
    "ScopeRepository",
    "SessionView",
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
