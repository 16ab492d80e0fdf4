"""The kiosk database's schema, one module per migration, applied in order.

Migration ``n`` brings the database from ``PRAGMA user_version = n - 1`` to ``n`` in one
transaction. Each module has a docstring saying what it changes, ``SCRIPT`` (the SQL) and,
when the script recomputes stored values, ``FUNCTIONS``: the SQL functions it calls, by
name. Never edit a migration that has shipped (a database at any earlier version must
upgrade to the same schema and data): add the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from desktop.core.store.migrations import (
    m0001_device_and_scope,
    m0002_members_and_outbox,
    m0003_incremental_sync,
    m0004_sessions_and_bookings,
    m0005_email_lower_case,
    m0006_keyed_staff_pins,
    m0007_a_reentry,
    m0008_d_member_card,
    m0009_c_front_desk,
    m0010_b_local_cards,
    m0011_i_local_booking_status,
    m0012_e_location_closures,
    m0013_o_checkout,
    m0014_k_engagement,
    m0015_a_screening_limit,
    m0016_h_corporate_cover,
    m0017_e_benefit_snapshot,
)


@dataclass(frozen=True)
class Migration:
    script: str
    #: SQL functions the script calls (one argument each), by name.
    functions: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, module: ModuleType) -> Migration:
        return cls(module.SCRIPT, getattr(module, "FUNCTIONS", {}))


MIGRATIONS: tuple[Migration, ...] = tuple(
    Migration.of(module)
    for module in (
        m0001_device_and_scope,
        m0002_members_and_outbox,
        m0003_incremental_sync,
        m0004_sessions_and_bookings,
        m0005_email_lower_case,
        m0006_keyed_staff_pins,
        m0007_a_reentry,
        m0008_d_member_card,
        m0009_c_front_desk,
        m0010_b_local_cards,
        m0011_i_local_booking_status,
        m0012_e_location_closures,
        m0013_o_checkout,
        m0014_k_engagement,
        m0015_a_screening_limit,
        m0016_h_corporate_cover,
        m0017_e_benefit_snapshot,
    )
)

#: The schema version this program writes.
SCHEMA_VERSION = len(MIGRATIONS)
