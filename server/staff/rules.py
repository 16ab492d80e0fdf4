"""Staff role rules, as plain functions."""

from __future__ import annotations

from shared.enums import StaffRole


def may_manage(actor: StaffRole, target_role: StaffRole) -> bool:
    """Owners manage everyone; managers manage everyone but owners; others nobody."""
    if actor is StaffRole.OWNER:
        return True
    return actor is StaffRole.MANAGER and target_role is not StaffRole.OWNER
