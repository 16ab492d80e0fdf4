"""What kiosks hold of payer benefits (integrated mode): each member's last-known answer,
sent when the server hears it (:meth:`BenefitRepository.remember`) and, unexpired, in the
snapshot. Standalone deployments have no rows, so kiosks get none."""

from __future__ import annotations

from typing import Any

from server.benefits.repository import BenefitRepository, KioskBenefit, kiosk_row
from server.sync.registry import SnapshotScope, SyncRegistry
from shared.sync.messages import TABLE_BENEFIT_SNAPSHOTS
from shared.sync.snapshot import SnapshotBenefit


def _snapshot(scope: SnapshotScope) -> dict[str, Any]:
    rows = BenefitRepository(scope.db, scope.tenant_id).unexpired(scope.now)
    return {TABLE_BENEFIT_SNAPSHOTS: [SnapshotBenefit.model_validate(kiosk_row(r)) for r in rows]}


def _serialise(row: Any) -> dict[str, Any] | None:
    data: dict[str, Any] | None = row.data
    return data


def register(registry: SyncRegistry) -> None:
    registry.tables.register(TABLE_BENEFIT_SNAPSHOTS, KioskBenefit, serialise=_serialise)
    registry.snapshot_parts.append(_snapshot)
